import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Generates {@code dev.ferrule.ErrorCode} and {@code dev.ferrule.internal.Abi} from
 * {@code native/engine/abi.tsv}, the table the Rust engine's build script reads too.
 *
 * <p>Run by Maven in the generate-sources phase as a single-file program:
 * {@code java GenerateAbi.java <abi.tsv> <output source root>}. Files are rewritten only when their
 * content changes, so incremental builds stay incremental.
 */
public final class GenerateAbi {
    private record Constant(String name, long value, String doc) {}

    private record Error(int code, String name, String grpcStatus, String doc) {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: GenerateAbi <abi.tsv> <output source root>");
        }
        Path table = Path.of(args[0]);
        Path outRoot = Path.of(args[1]);
        List<Constant> constants = new ArrayList<>();
        List<Error> errors = new ArrayList<>();
        parse(table, constants, errors);
        write(outRoot.resolve("dev/ferrule/internal/Abi.java"), abiSource(table, constants));
        write(outRoot.resolve("dev/ferrule/ErrorCode.java"), errorCodeSource(table, errors, constants));
    }

    private static void parse(Path table, List<Constant> constants, List<Error> errors) throws IOException {
        Set<String> names = new HashSet<>();
        Set<Integer> codes = new HashSet<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String where = table + ":" + lineNo + ": ";
            switch (f[0]) {
                case "const" -> {
                    require(f.length == 4, where + "const rows have 4 columns: const NAME VALUE doc");
                    require(names.add(f[1]), where + "duplicate name " + f[1]);
                    constants.add(new Constant(checkName(f[1], where), Long.parseLong(f[2]), f[3]));
                }
                case "error" -> {
                    require(f.length == 5, where + "error rows have 5 columns: error CODE NAME GRPC doc");
                    int code = Integer.parseInt(f[1]);
                    require(code > 0, where + "error codes are positive; 0 means success");
                    require(codes.add(code), where + "duplicate error code " + code);
                    require(names.add(f[2]), where + "duplicate name " + f[2]);
                    errors.add(new Error(code, checkName(f[2], where), checkName(f[3], where), f[4]));
                }
                default -> throw new IllegalArgumentException(where + "unknown row kind '" + f[0] + "'");
            }
        }
        require(!errors.isEmpty(), table + ": no error rows");
    }

    private static String checkName(String name, String where) {
        require(name.matches("[A-Z][A-Z0-9_]*"), where + "names are UPPER_SNAKE_CASE: '" + name + "'");
        return name;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String banner(Path table) {
        return "// Generated from native/engine/" + table.getFileName() + " by GenerateAbi.java. Do not edit.\n";
    }

    private static String abiSource(Path table, List<Constant> constants) {
        StringBuilder s = new StringBuilder(banner(table));
        s.append("package dev.ferrule.internal;\n\n");
        s.append("/** Constants shared with the native engine; the Rust side is generated from the same table. */\n");
        s.append("public final class Abi {\n    private Abi() {}\n");
        for (Constant c : constants) {
            boolean fitsInt = c.value() >= Integer.MIN_VALUE && c.value() <= Integer.MAX_VALUE;
            s.append("\n    /** ").append(javadoc(c.doc())).append(" */\n");
            s.append("    public static final ").append(fitsInt ? "int " : "long ").append(c.name())
                    .append(" = ").append(c.value()).append(fitsInt ? "" : "L").append(";\n");
        }
        return s.append("}\n").toString();
    }

    private static String errorCodeSource(Path table, List<Error> errors, List<Constant> constants) {
        StringBuilder s = new StringBuilder(banner(table));
        s.append("package dev.ferrule;\n\n");
        s.append("/**\n");
        s.append(" * Every error Ferrule reports, with a stable number shared by the Java API and the native engine.\n");
        s.append(" *\n");
        s.append(" * <p>Numbers never change meaning and are never reused, so they are safe to log, alert on and\n");
        s.append(" * send over the wire. See {@code docs/wire-format.md} for when each frame error occurs.\n");
        s.append(" */\n");
        s.append("public enum ErrorCode {\n");
        for (int i = 0; i < errors.size(); i++) {
            Error e = errors.get(i);
            s.append("    /** ").append(javadoc(e.doc())).append(" (gRPC status ").append(e.grpcStatus()).append(") */\n");
            String grpcConst = "GRPC_CODE_" + e.grpcStatus();
            long grpcCode = constants.stream().filter(c -> c.name().equals(grpcConst)).mapToLong(Constant::value)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException(table + ": no const " + grpcConst));
            s.append("    ").append(e.name()).append('(').append(e.code()).append(", \"").append(e.grpcStatus())
                    .append("\", ").append(grpcCode).append(", \"").append(e.doc().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\")").append(i + 1 < errors.size() ? ",\n" : ";\n");
        }
        int maxCode = errors.stream().mapToInt(Error::code).max().orElseThrow();
        s.append("""

                    private static final ErrorCode[] BY_CODE = new ErrorCode[%d];

                    static {
                        for (ErrorCode c : values()) {
                            BY_CODE[c.code] = c;
                        }
                    }

                    private final int code;
                    private final String grpcStatus;
                    private final int grpcCode;
                    private final String description;

                    ErrorCode(int code, String grpcStatus, int grpcCode, String description) {
                        this.code = code;
                        this.grpcStatus = grpcStatus;
                        this.grpcCode = grpcCode;
                        this.description = description;
                    }

                    /** The stable number of this error, as the native engine returns it. */
                    public int code() {
                        return code;
                    }

                    /** The gRPC status name this error maps to, e.g. {@code DATA_LOSS}. */
                    public String grpcStatus() {
                        return grpcStatus;
                    }

                    /** The numeric gRPC status code this error maps to, as error frames carry it. */
                    public int grpcCode() {
                        return grpcCode;
                    }

                    /** One sentence saying what went wrong. */
                    public String description() {
                        return description;
                    }

                    /**
                     * The error with this number, or {@code null} if there is none (a newer native library than this
                     * API, which the load-time ABI check rules out).
                     */
                    public static ErrorCode fromCode(int code) {
                        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
                    }
                }
                """.formatted(maxCode + 1));
        return s.toString();
    }

    private static String javadoc(String text) {
        return text.replace("*/", "*&#47;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.write(file, bytes);
        System.out.println("GenerateAbi: wrote " + file);
    }
}
