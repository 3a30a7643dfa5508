package dev.ferrule.tests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts a separate JVM (or the launcher) and captures what it prints. */
final class Jvm {
    private Jvm() {}

    record Result(int exit, String out, String err) {
        String value(String key) {
            return out.lines().filter(l -> l.startsWith(key + ": ")).map(l -> l.substring(key.length() + 2))
                    .findFirst().orElseThrow(() -> new AssertionError("no '" + key + "' line in:\n" + out + "\nstderr:\n" + err));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static Path jar(String property) {
        Path jar = Path.of(System.getProperty(property));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(property + " does not exist: " + jar + " (run the build through 'verify')");
        }
        return jar;
    }

    static String classpath(Path... jars) {
        return String.join(File.pathSeparator, Arrays.stream(jars).map(Path::toString).toList());
    }

    static Path freshDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("ferrule.test.workdir"));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name + "-");
    }

    /** {@code java [jvmArgs] -cp classpath dev.ferrule.cli.Main args} with the given JDK. */
    static Process start(Path javaHome, String classpath, List<String> jvmArgs, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add("dev.ferrule.cli.Main");
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    static Result run(String classpath, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        return finish(start(Path.of(System.getProperty("java.home")), classpath, jvmArgs, args));
    }

    static Result runCommand(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return finish(builder.start());
    }

    static Result finish(Process process) throws IOException, InterruptedException {
        process.getOutputStream().close();
        // Read both streams fully; they are small.
        var out = process.getInputStream();
        var err = process.getErrorStream();
        byte[][] errBytes = new byte[1][];
        Thread errReader = new Thread(() -> {
            try {
                errBytes[0] = err.readAllBytes();
            } catch (IOException e) {
                errBytes[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        errReader.start();
        byte[] outBytes = out.readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the JVM did not finish within 120 s");
        }
        errReader.join();
        return new Result(process.exitValue(), new String(outBytes, StandardCharsets.UTF_8),
                new String(errBytes[0], StandardCharsets.UTF_8));
    }
}
