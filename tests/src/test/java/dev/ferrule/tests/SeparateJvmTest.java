package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library as a user meets it: fresh JVMs with nothing but the built jars on the class path.
 */
class SeparateJvmTest {
    private static final String CLASSIFIER = dev.ferrule.internal.Platform.classifier();

    private static String withNative() {
        return Jvm.classpath(Jvm.jar("ferrule.test.cliJar"), Jvm.jar("ferrule.test.nativeJar"));
    }

    private static String withoutNative() {
        return Jvm.classpath(Jvm.jar("ferrule.test.cliJar"));
    }

    private static String workdir(Path dir) {
        return "-Dferrule.native.workdir=" + dir;
    }

    @Test
    void infoSaysNativeWithTheClassifierJar() throws Exception {
        Path dir = Jvm.freshDir("native");
        Jvm.Result r = Jvm.run(withNative(), List.of(workdir(dir)), "info");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("native", r.value("backend"), r::toString);
        assertEquals(CLASSIFIER, r.value("classifier"));
        assertEquals(r.value("version"), r.value("engine-version"));
        assertTrue(Path.of(r.value("library")).startsWith(dir), r::toString);
        assertEquals("", r.err(), "a successful native load prints nothing to stderr");
    }

    @Test
    void offMeansJavaWithTheReasonAndNoWarning() throws Exception {
        Jvm.Result r = Jvm.run(withNative(), List.of("-Dferrule.native=off"), "info");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("java", r.value("backend"));
        assertEquals("ferrule.native=off", r.value("backend-reason"));
        assertEquals("none", r.value("library"));
        assertEquals("", r.err());
    }

    @Test
    void aMissingClassifierJarMeansJavaAndSaysWhichDependencyToAdd() throws Exception {
        Jvm.Result r = Jvm.run(withoutNative(), List.of(), "info");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("java", r.value("backend"));
        String reason = r.value("backend-reason");
        assertTrue(reason.contains("classifier " + CLASSIFIER), reason);
        assertTrue(reason.contains("dev.ferrule:ferrule-native:" + r.value("version")), reason);
        assertEquals(1, r.err().split("pure-Java backend", -1).length - 1, "the fallback is logged exactly once:\n" + r.err());
    }

    @Test
    void requiredFailsWithTheCauseWhenTheLibraryIsMissing() throws Exception {
        Jvm.Result r = Jvm.run(withoutNative(), List.of("-Dferrule.native=required"), "info");
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.err().contains("NATIVE_UNAVAILABLE (4)"), r::toString);
        assertTrue(r.err().contains("ferrule-native"), r::toString);
    }

    @Test
    void anUnknownModeIsAnError() throws Exception {
        Jvm.Result r = Jvm.run(withNative(), List.of("-Dferrule.native=sometimes"), "info");
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.err().contains("must be auto, required or off"), r::toString);
    }

    @Test
    void anExplicitPathLoadsThatFile() throws Exception {
        Path dir = Jvm.freshDir("path");
        Path library = Path.of(Jvm.run(withNative(), List.of(workdir(dir)), "info").value("library"));
        Jvm.Result r = Jvm.run(withoutNative(), List.of("-Dferrule.native.path=" + library), "info");
        assertEquals("native", r.value("backend"), r::toString);
        assertEquals(library.toString(), r.value("library"));

        Jvm.Result relative = Jvm.run(withoutNative(), List.of("-Dferrule.native.path=lib/x.so"), "info");
        assertEquals("java", relative.value("backend"));
        assertTrue(relative.value("backend-reason").contains("must be an absolute path"), relative::toString);
    }

    @Test
    void jvmsExtractingAtOnceShareOneFile() throws Exception {
        Path dir = Jvm.freshDir("concurrent");
        List<Process> processes = new ArrayList<>();
        // Eight at once: more than this machine has cores, so the extractions really overlap.
        for (int i = 0; i < 8; i++) {
            processes.add(Jvm.start(Path.of(System.getProperty("java.home")), withNative(), List.of(workdir(dir)), "info"));
        }
        String library = null;
        for (Process p : processes) {
            Jvm.Result r = Jvm.finish(p);
            assertEquals("native", r.value("backend"), r::toString);
            if (library != null) {
                assertEquals(library, r.value("library"), "same content, same file");
            }
            library = r.value("library");
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> left = files.toList();
            assertEquals(List.of(Path.of(library)), left, "one library and no temporary files left behind");
        }
    }

    @Test
    void theLauncherRunsWithTheBuiltJars() throws Exception {
        Path launcher = Path.of(System.getProperty("ferrule.test.launcher"));
        Jvm.Result r = Jvm.runCommand(List.of(launcher.toString(), "info"),
                Map.of("JAVA_HOME", System.getProperty("java.home")));
        assertEquals(0, r.exit(), r::toString);
        assertEquals("native", r.value("backend"), r::toString);
    }

    /** JDK 24+ warns about native access unless it is enabled; the launcher and docs enable it. */
    @Test
    void newerJdksLoadWithoutWarnings() throws Exception {
        List<Path> jdks = newerJdks();
        assumeTrue(!jdks.isEmpty(), "no JDK 24+ under /usr/lib/jvm");
        for (Path jdk : jdks) {
            Jvm.Result r = Jvm.finish(Jvm.start(jdk, withNative(), List.of(workdir(Jvm.freshDir("jdk"))), "info"));
            assertEquals("native", r.value("backend"), r::toString);
            assertFalse(r.err().contains("WARNING"), r::toString);

            Path launcher = Path.of(System.getProperty("ferrule.test.launcher"));
            Jvm.Result viaLauncher = Jvm.runCommand(List.of(launcher.toString(), "info"), Map.of("JAVA_HOME", jdk.toString()));
            assertEquals("native", viaLauncher.value("backend"), viaLauncher::toString);
            assertTrue(viaLauncher.value("java").startsWith(javaVersion(jdk)), viaLauncher::toString);
            assertFalse(viaLauncher.err().contains("WARNING"), viaLauncher::toString);
        }
    }

    static List<Path> newerJdks() throws IOException {
        Path root = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/java")) && !Files.isSymbolicLink(d))
                    .filter(d -> {
                        String v = javaVersion(d);
                        return !v.isEmpty() && Integer.parseInt(v.split("[.+-]")[0]) >= 24;
                    })
                    .sorted()
                    .toList();
        }
    }

    static String javaVersion(Path jdk) {
        try {
            return Files.readAllLines(jdk.resolve("release")).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "")).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
