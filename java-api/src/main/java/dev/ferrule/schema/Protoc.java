package dev.ferrule.schema;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.BuildInfo;
import dev.ferrule.internal.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs protoc, the protobuf compiler, to turn .proto files into a descriptor set. Ferrule never
 * parses .proto text itself.
 *
 * <p>{@link #locate()} looks, in order, at: the system property {@code ferrule.protoc}; the
 * environment variable {@code FERRULE_PROTOC}; the protoc version Ferrule is built and tested with,
 * for this platform, in the local Maven repository (where the build, like protobuf-maven-plugin, fetches
 * {@code com.google.protobuf:protoc:<version>:exe:<classifier>} from Maven Central); and
 * {@code protoc} on the PATH.
 */
public final class Protoc {
    /** The well-known types, added to the import path when they are on the class path. */
    private static final List<String> WELL_KNOWN_TYPES = List.of("any", "api", "descriptor", "duration", "empty",
            "field_mask", "source_context", "struct", "timestamp", "type", "wrappers");

    private final Path executable;

    private Protoc(Path executable) {
        this.executable = executable;
    }

    /** protoc at this path. */
    public static Protoc at(Path executable) {
        return new Protoc(Objects.requireNonNull(executable, "executable"));
    }

    /**
     * Finds protoc as described in the class comment.
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} saying where it looked
     */
    public static Protoc locate() {
        List<String> looked = new ArrayList<>();
        String property = System.getProperty("ferrule.protoc");
        if (property != null && !property.isBlank()) {
            return at(requireExecutable(Path.of(property), "-Dferrule.protoc"));
        }
        String env = System.getenv("FERRULE_PROTOC");
        if (env != null && !env.isBlank()) {
            return at(requireExecutable(Path.of(env), "FERRULE_PROTOC"));
        }
        String version = BuildInfo.PROTOBUF_VERSION;
        String classifier = Platform.classifier();
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "com", "google", "protobuf", "protoc",
                version, "protoc-" + version + "-" + classifier + ".exe");
        looked.add(m2.toString());
        if (Files.isRegularFile(m2)) {
            m2.toFile().setExecutable(true);
            if (Files.isExecutable(m2)) {
                return at(m2);
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, Platform.classifier().startsWith("windows") ? "protoc.exe" : "protoc");
                if (Files.isExecutable(candidate)) {
                    return at(candidate);
                }
            }
            looked.add("protoc on the PATH");
        }
        throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "protoc not found (looked at " + String.join(", ", looked)
                + "); set -Dferrule.protoc or FERRULE_PROTOC, or fetch it with: mvn dependency:get"
                + " -Dartifact=com.google.protobuf:protoc:" + version + ":exe:" + classifier);
    }

    private static Path requireExecutable(Path path, String source) {
        if (!Files.isRegularFile(path)) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, source + " names no file: " + path);
        }
        if (!Files.isExecutable(path)) {
            path.toFile().setExecutable(true);
        }
        return path;
    }

    /** The executable this instance runs. */
    public Path executable() {
        return executable;
    }

    /**
     * Compiles {@code protoFiles} (each under one of {@code importPath}) into a serialized
     * {@code FileDescriptorSet} with every import included.
     *
     * @throws FerruleException {@link ErrorCode#SCHEMA_INVALID} with protoc's messages if it fails
     */
    public byte[] descriptorSet(List<Path> protoFiles, List<Path> importPath) throws IOException {
        return descriptorSet(protoFiles, importPath, false);
    }

    /**
     * As {@link #descriptorSet(List, List)}; with {@code includeSourceInfo} protoc also keeps the
     * source locations and comments ({@code --include_source_info}), which code generators turn into
     * Javadoc. {@link Schema} ignores them.
     */
    public byte[] descriptorSet(List<Path> protoFiles, List<Path> importPath, boolean includeSourceInfo)
            throws IOException {
        if (protoFiles.isEmpty()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "no .proto files given");
        }
        Path work = Files.createTempDirectory("ferrule-protoc-");
        try {
            Path out = work.resolve("set.pb");
            List<String> command = new ArrayList<>();
            command.add(executable.toString());
            command.add("--descriptor_set_out=" + out);
            command.add("--include_imports");
            if (includeSourceInfo) {
                command.add("--include_source_info");
            }
            for (Path dir : importPath) {
                command.add("-I" + dir);
            }
            wellKnownTypes(work.resolve("wkt")).ifPresent(dir -> command.add("-I" + dir));
            for (Path file : protoFiles) {
                command.add(file.toString());
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new FerruleException(ErrorCode.SCHEMA_INVALID, "protoc did not finish in 5 minutes");
            }
            if (process.exitValue() != 0) {
                throw new FerruleException(ErrorCode.SCHEMA_INVALID, "protoc failed (exit " + process.exitValue() + "): "
                        + output.strip());
            }
            return Files.readAllBytes(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while protoc ran", e);
        } finally {
            deleteTree(work);
        }
    }

    /** Copies google/protobuf/*.proto from the class path (e.g. protobuf-java's jar) into {@code dir}. */
    private static Optional<Path> wellKnownTypes(Path dir) throws IOException {
        ClassLoader loader = Protoc.class.getClassLoader();
        boolean any = false;
        for (String name : WELL_KNOWN_TYPES) {
            String resource = "google/protobuf/" + name + ".proto";
            try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
                    : loader.getResourceAsStream(resource)) {
                if (in != null) {
                    Path target = dir.resolve(resource);
                    Files.createDirectories(target.getParent());
                    Files.write(target, in.readAllBytes());
                    any = true;
                }
            }
        }
        return any ? Optional.of(dir) : Optional.empty();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
