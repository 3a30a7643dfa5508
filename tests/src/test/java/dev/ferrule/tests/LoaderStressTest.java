package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The loader under stress (docs/reliability.md, section 7): extraction directories it cannot use give
 * an error naming {@code ferrule.native.workdir}, and Ferrule loaded by several class loaders of one JVM
 * gives each its own copy of the library. Eight JVMs extracting at once: {@link SeparateJvmTest}.
 */
class LoaderStressTest {
    private static String withNative() {
        return Jvm.classpath(Jvm.jar("ferrule.test.cliJar"), Jvm.jar("ferrule.test.nativeJar"));
    }

    private static String workdir(Path dir) {
        return "-Dferrule.native.workdir=" + dir;
    }

    /** Mounts a small tmpfs with these options (root only); null where that is impossible. */
    private static Path mounted(String options) throws Exception {
        Path dir = Jvm.freshDir("mount");
        Jvm.Result r = Jvm.runCommand(List.of("mount", "-t", "tmpfs", "-o", options + ",size=16m", "tmpfs", dir.toString()), Map.of());
        return r.exit() == 0 ? dir : null;
    }

    private static void unmount(Path dir) throws Exception {
        assertEquals(0, Jvm.runCommand(List.of("umount", dir.toString()), Map.of()).exit());
    }

    /**
     * A fresh directory on a writable filesystem that is already mounted noexec (containers mount /dev/shm so),
     * for machines where this test may not mount one; null if there is none.
     */
    private static Path existingNoexecDir() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 5 && Arrays.asList(f[5].split(",")).contains("noexec") && f[5].startsWith("rw")) {
                Path mountPoint = Path.of(f[4]);
                if (Files.isDirectory(mountPoint) && Files.isWritable(mountPoint)) {
                    try {
                        return Files.createTempDirectory(mountPoint, "ferrule-noexec-");
                    } catch (IOException e) {
                        // not writable after all: try the next one
                    }
                }
            }
        }
        return null;
    }

    private static void assertRefusedNamingTheProperty(Path dir, String why) throws Exception {
        Jvm.Result required = Jvm.run(withNative(), List.of(workdir(dir), "-Dferrule.native=required"), "info");
        assertEquals(3, required.exit(), required::toString);
        assertTrue(required.err().contains("NATIVE_UNAVAILABLE"), required::toString);
        assertTrue(required.err().contains("-Dferrule.native.workdir"), required::toString);
        assertTrue(required.err().contains(why), required::toString);

        Jvm.Result auto = Jvm.run(withNative(), List.of(workdir(dir)), "info");
        assertEquals(0, auto.exit(), auto::toString);
        assertEquals("java", auto.value("backend"), auto::toString);
        assertTrue(auto.value("backend-reason").contains("ferrule.native.workdir"), auto::toString);
    }

    @Test
    void aReadOnlyWorkdirIsAClearErrorNamingTheProperty() throws Exception {
        Path dir = mounted("ro");
        assumeTrue(dir != null, "cannot mount a read-only tmpfs here (needs root or CAP_SYS_ADMIN)");
        try {
            assertRefusedNamingTheProperty(dir, "Read-only file system");
        } finally {
            unmount(dir);
        }
    }

    @Test
    void aNoexecWorkdirIsAClearErrorNamingTheProperty() throws Exception {
        Path dir = mounted("noexec");
        if (dir != null) {
            try {
                assertRefusedNamingTheProperty(dir, "mounted noexec");
            } finally {
                unmount(dir);
            }
            return;
        }
        Path existing = existingNoexecDir();
        assumeTrue(existing != null, "cannot mount a noexec tmpfs here (needs root or CAP_SYS_ADMIN) and no writable"
                + " filesystem is mounted noexec");
        assertRefusedNamingTheProperty(existing, "mounted noexec");
    }

    @Test
    void aWorkdirThatIsAFileIsAClearErrorNamingTheProperty() throws Exception {
        Path file = Jvm.freshDir("file").resolve("not-a-directory");
        Files.writeString(file, "x");
        assertRefusedNamingTheProperty(file, "cannot use the extraction directory");
    }

    private static List<String> probe(int loaders, List<String> jvmArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", Path.of(LoaderProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString(), LoaderProbe.class.getName(), Integer.toString(loaders),
                Jvm.jar("ferrule.test.apiJar").toString(), Jvm.jar("ferrule.test.nativeJar").toString()));
        Jvm.Result r = Jvm.runCommand(command, Map.of());
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertEquals(loaders + 1, lines.size(), r::toString);
        return lines;
    }

    private static String field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + " in " + line);
    }

    @Test
    void classLoadersOfOneJvmEachGetTheirOwnCopyOfTheLibrary() throws Exception {
        Path dir = Jvm.freshDir("loaders");
        List<String> lines = probe(3, List.of(workdir(dir)));
        Set<String> libraries = new HashSet<>();
        for (String line : lines) {
            assertEquals("NATIVE", field(line, "backend"), line);
            assertEquals("ok", field(line, "roundtrip"), line);
            libraries.add(field(line, "library"));
        }
        assertEquals(3, libraries.size(), "three loaders, three files: " + lines);
        assertEquals(field(lines.get(0), "library"), field(lines.get(3), "library"), "the first loader keeps its own");
        assertTrue(field(lines.get(1), "library").contains("-loader1-"), lines::toString);
        assertTrue(field(lines.get(2), "library").contains("-loader2-"), lines::toString);
        for (String library : libraries) {
            assertTrue(Path.of(library).startsWith(dir), library);
        }
        // A second JVM reuses the copies it finds (same content, same names).
        List<String> again = probe(3, List.of(workdir(dir)));
        for (int i = 0; i < 3; i++) {
            assertEquals(field(lines.get(i), "library"), field(again.get(i), "library"));
        }
    }

    @Test
    void anExplicitLibraryPathServesOneClassLoaderAndTellsTheOthersWhy() throws Exception {
        Path dir = Jvm.freshDir("explicit");
        Path library = Path.of(field(probe(1, List.of(workdir(dir))).get(0), "library"));
        List<String> lines = probe(2, List.of("-Dferrule.native.path=" + library));
        assertEquals("NATIVE", field(lines.get(0), "backend"), lines::toString);
        assertEquals("JAVA", field(lines.get(1), "backend"), lines::toString);
        assertTrue(lines.get(1).contains("one class loader per JVM"), lines::toString);
        assertEquals("ok", field(lines.get(1), "roundtrip"), "the other loader still works, on the Java backend");
        assertEquals("NATIVE", field(lines.get(2), "backend"), lines::toString);
        assertNotEquals(lines.get(0), lines.get(1));
    }
}
