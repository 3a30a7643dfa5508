/*
 * The JNI smoke test of a release artifact, run in one JVM on the artifact's own platform (natively, or
 * under qemu-user or wine): ci/smoke/run compiles it with the build host's javac (--release 17) and
 * starts it with the CLI jar and one ferrule-native jar on the class path.
 *
 *   java -Dferrule.native=required -cp <smoke classes>:<cli jar>:<native jar> JniSmoke <native|java> <vectors dir> <work dir> [<descriptor set>]
 *
 * It drives the `ferrule` CLI in-process (dev.ferrule.cli.Main.run, the code path of bin/ferrule), so
 * one emulated JVM start covers everything:
 *   1. `ferrule info`: the native backend loaded, from the jar, for the expected classifier;
 *   2. the C ABI's panic hook through JNI: a Rust panic caught by catch_unwind comes back as 3 (INTERNAL);
 *   3. `ferrule frames decode` of every golden vector's input (tests/vectors/frames/*.vector);
 *   4. `ferrule frames encode` of each fully decoded vector's output, which must give back its input;
 *   5. given the OTLP trace service's descriptor set: the protobuf engine decodes the sample trace
 *      (tests/vectors/otlp/trace.binpb) to JSON with `ferrule decode`, and `ferrule encode` gives its bytes back.
 *
 * Lines starting with '#' describe the run (platform, JVM, library); every other line is a result that
 * must be the same on every platform and backend: ci/smoke/run compares them with the pure-Java
 * backend's on the build host. The program exits 1 if a check of its own fails.
 *
 * Only reflection reaches the Ferrule classes, so this compiles against the JDK alone and keeps working
 * as the API evolves; its contract is the CLI's documented output.
 */

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

public final class JniSmoke {
    private static final List<String> problems = new ArrayList<>();
    private static Method cliRun;

    private JniSmoke() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4 || !(args[0].equals("native") || args[0].equals("java"))) {
            System.err.println("usage: JniSmoke native|java <vectors dir> <work dir> [<OTLP trace descriptor set>]");
            System.exit(2);
        }
        String backend = args[0];
        Path vectors = Path.of(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        cliRun = Class.forName("dev.ferrule.cli.Main").getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);

        Result info = cli("info");
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.out.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        for (String key : List.of("version", "classifier", "backend", "backend-reason", "library", "engine-version", "java", "os")) {
            System.out.println("# " + key + ": " + fields.getOrDefault(key, "(missing)"));
        }
        check(info.exit == 0, "ferrule info exited " + info.exit + ": " + info.err);
        check(backend.equals(fields.get("backend")), "backend is " + fields.get("backend") + ", expected " + backend
                + " (" + fields.get("backend-reason") + ")");
        if (backend.equals("native")) {
            check(fields.getOrDefault("version", "?").equals(fields.get("engine-version")),
                    "engine version " + fields.get("engine-version") + " differs from " + fields.get("version"));
            int status = debugPanic();
            System.out.println("# debug-panic: " + status);
            check(status == 3, "the debug panic returned " + status + ", expected 3 (INTERNAL): catch_unwind did not catch it");
        }

        List<Path> files;
        try (Stream<Path> list = Files.list(vectors)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".vector")).sorted().toList();
        }
        check(!files.isEmpty(), "no .vector files in " + vectors);
        int decoded = 0;
        int roundTrips = 0;
        for (Path file : files) {
            Vector v = Vector.parse(file);
            Path in = work.resolve(v.name + ".bin");
            Files.write(in, v.input);
            List<String> options = new ArrayList<>(List.of("--backend", backend, "--format", v.format));
            if (v.maxPayload != null) {
                options.addAll(List.of("--max-payload", v.maxPayload));
            }
            Result decode = cli(concat(List.of("frames", "decode"), options, List.of(in.toString())));
            decoded++;
            System.out.println("vector " + v.name + ": decode exit " + decode.exit);
            print("  ", decode.out);
            print("  stderr: ", decode.err);
            if (decode.exit == 0) {
                // Every byte was a whole frame: encoding the printed frames must give the input back.
                Path text = work.resolve(v.name + ".frames.txt");
                Path again = work.resolve(v.name + ".encoded.bin");
                Files.writeString(text, decode.out, StandardCharsets.UTF_8);
                Result encode = cli(concat(List.of("frames", "encode"), options, List.of(text.toString(), again.toString())));
                boolean same = encode.exit == 0 && Arrays.equals(Files.readAllBytes(again), v.input);
                System.out.println("  encode exit " + encode.exit + ", " + (same ? "same bytes as the input" : "DIFFERENT bytes"));
                print("  stderr: ", encode.err);
                check(same, v.name + ": encoding the decoded frames did not give the input back");
                roundTrips++;
            }
        }
        System.out.println("# " + decoded + " vectors decoded, " + roundTrips + " re-encoded");
        if (args.length == 4) {
            protobuf(backend, Path.of(args[3]), vectors.getParent().resolve("otlp/trace.binpb"), work);
        }
        if (!problems.isEmpty()) {
            for (String p : problems) {
                System.out.println("# FAILED: " + p);
                System.err.println("JniSmoke: FAILED: " + p);
            }
            System.exit(1);
        }
        System.out.println("# ok");
    }

    /**
     * The protobuf engine on this platform: decode the sample OTLP trace to JSON (compared line by line
     * with the host's pure-Java run, like the frame results) and encode the JSON back to the same bytes.
     */
    private static void protobuf(String backend, Path descriptorSet, Path trace, Path work) throws Exception {
        List<String> schema = List.of("--descriptor-set", descriptorSet.toString(),
                "--type", "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest", "--backend", backend);
        Path json = work.resolve("trace.json");
        Path again = work.resolve("trace.binpb");
        Result decode = cli(concat(List.of("decode"), schema, List.of(trace.toString(), json.toString())));
        System.out.println("protobuf decode of " + trace.getFileName() + ": exit " + decode.exit);
        print("  stderr: ", decode.err);
        check(decode.exit == 0, "ferrule decode of the OTLP trace exited " + decode.exit + ": " + decode.err);
        if (decode.exit != 0) {
            return;
        }
        print("  ", Files.readString(json, StandardCharsets.UTF_8));
        Result encode = cli(concat(List.of("encode"), schema, List.of(json.toString(), again.toString())));
        boolean same = encode.exit == 0 && Arrays.equals(Files.readAllBytes(again), Files.readAllBytes(trace));
        System.out.println("protobuf encode of the JSON: exit " + encode.exit + ", "
                + (same ? "same bytes as the trace" : "DIFFERENT bytes"));
        print("  stderr: ", encode.err);
        check(same, "encoding the decoded OTLP trace did not give its bytes back");
    }

    private static void check(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private static void print(String prefix, String text) {
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                System.out.println(prefix + line);
            }
        }
    }

    private static String[] concat(List<String> a, List<String> b, List<String> c) {
        return Stream.of(a, b, c).flatMap(List::stream).toArray(String[]::new);
    }

    private record Result(int exit, String out, String err) {}

    private static Result cli(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            exit = (Integer) cliRun.invoke(null, args, o, e);
        }
        // One line separator everywhere: the JVM under wine writes \r\n.
        return new Result(exit, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
    }

    /** NativeBindings.debugPanic0, a test hook the JNI glue registers: panics in Rust, returns the status. */
    private static int debugPanic() throws Exception {
        Method m = Class.forName("dev.ferrule.internal.NativeBindings").getDeclaredMethod("debugPanic0");
        m.setAccessible(true);
        return (Integer) m.invoke(null);
    }

    /** The parts of a golden vector file the CLI takes (format in tests/vectors/README.md). */
    private record Vector(String name, String format, String maxPayload, byte[] input) {
        static Vector parse(Path file) throws Exception {
            String name = file.getFileName().toString().replaceFirst("\\.vector$", "");
            String format = "ferrule";
            String maxPayload = null;
            StringBuilder hex = new StringBuilder();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                switch (key) {
                    case "format" -> format = value;
                    case "max-payload" -> maxPayload = value;
                    case "input" -> hex.append(value);
                    default -> { }
                }
            }
            return new Vector(name, format, maxPayload, HexFormat.of().parseHex(hex.toString()));
        }
    }
}
