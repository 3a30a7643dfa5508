package dev.ferrule.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLoaderTest {
    private static final List<String> MOUNTINFO = List.of(
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "25 22 0:21 / /tmp rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw",
            "26 25 0:22 / /tmp/exec\\040ok rw,relatime shared:6 - tmpfs tmpfs rw",
            "27 22 0:23 / /tmpfiles rw,relatime shared:7 - tmpfs tmpfs rw");

    @Test
    void findsTheNoexecMountHoldingADirectory() {
        assertEquals(Optional.of("/tmp"), NativeLoader.MountTable.noexecMountOf("/tmp/ferrule-root", MOUNTINFO));
        assertEquals(Optional.of("/tmp"), NativeLoader.MountTable.noexecMountOf("/tmp", MOUNTINFO));
        // The deepest mount wins, and escaped spaces in mount points are decoded.
        assertEquals(Optional.empty(), NativeLoader.MountTable.noexecMountOf("/tmp/exec ok/x", MOUNTINFO));
        // A prefix of the name is not a parent directory.
        assertEquals(Optional.empty(), NativeLoader.MountTable.noexecMountOf("/tmpfiles/x", MOUNTINFO));
        assertEquals(Optional.empty(), NativeLoader.MountTable.noexecMountOf("/home/u", MOUNTINFO));
    }

    @Test
    void extractsUnderAContentHashNameOnce(@TempDir Path dir) throws Exception {
        byte[] v1 = "library one".getBytes();
        byte[] v2 = "library two".getBytes();
        Path a = NativeLoader.extract(v1, "libferrule_jni-1.so", dir);
        Path again = NativeLoader.extract(v1, "libferrule_jni-1.so", dir);
        Path b = NativeLoader.extract(v2, "libferrule_jni-1.so", dir);
        assertEquals(a, again);
        assertTrue(a.getFileName().toString().matches("libferrule_jni-1-[0-9a-f]{16}\\.so"), a.toString());
        assertTrue(!a.equals(b), "different content, different file");
        assertArrayEquals(v1, Files.readAllBytes(a));
        assertArrayEquals(v2, Files.readAllBytes(b));
    }

    @Test
    void aTamperedFileIsReplaced(@TempDir Path dir) throws Exception {
        byte[] content = "the real library".getBytes();
        Path library = NativeLoader.extract(content, "libx.so", dir);
        Files.write(library, "something else!".getBytes());
        assertEquals(library, NativeLoader.extract(content, "libx.so", dir));
        assertArrayEquals(content, Files.readAllBytes(library));
    }

    @Test
    void concurrentExtractionsLeaveOneWholeFile(@TempDir Path dir) throws Exception {
        byte[] content = new byte[1 << 20];
        new java.util.Random(1).nextBytes(content);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Path>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return NativeLoader.extract(content, "libc.so", dir);
            }));
        }
        start.countDown();
        Path first = results.get(0).get();
        for (Future<Path> f : results) {
            assertEquals(first, f.get());
        }
        pool.shutdown();
        assertArrayEquals(content, Files.readAllBytes(first));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(first), files.toList(), "no temporary files left");
        }
    }

    @Test
    void libraryPropertyChoosesTheBaseNameAndRefusesPaths() {
        String saved = System.getProperty(NativeLoader.LIBRARY_PROPERTY);
        try {
            System.clearProperty(NativeLoader.LIBRARY_PROPERTY);
            assertEquals(BuildInfo.NATIVE_LIBNAME, NativeLoader.libraryName());
            System.setProperty(NativeLoader.LIBRARY_PROPERTY, " ferrule_metrics_accelerator-1.0 ");
            assertEquals("ferrule_metrics_accelerator-1.0", NativeLoader.libraryName());
            System.setProperty(NativeLoader.LIBRARY_PROPERTY, "../evil");
            FerruleException e = assertThrows(FerruleException.class, NativeLoader::libraryName);
            assertEquals(ErrorCode.NATIVE_UNAVAILABLE, e.code());
        } finally {
            if (saved == null) {
                System.clearProperty(NativeLoader.LIBRARY_PROPERTY);
            } else {
                System.setProperty(NativeLoader.LIBRARY_PROPERTY, saved);
            }
        }
    }
}
