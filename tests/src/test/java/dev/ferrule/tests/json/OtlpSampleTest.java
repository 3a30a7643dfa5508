package dev.ferrule.tests.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed OTLP demo files are what the generator and the opentelemetry-proto jar say they are. */
class OtlpSampleTest {
    @Test
    void committedTraceIsTheGeneratorsOutput() throws IOException {
        Path file = OtlpSample.directory().resolve("trace.binpb");
        byte[] bytes = OtlpSample.trace().toByteArray();
        if (Boolean.getBoolean("ferrule.test.regenerate")) {
            Files.write(file, bytes);
        }
        assertTrue(bytes.length < 4096, "the sample should stay small: " + bytes.length);
        assertArrayEquals(bytes, Files.readAllBytes(file),
                "tests/vectors/otlp/trace.binpb is stale: rerun with -Dferrule.test.regenerate=true");
    }

    @Test
    void committedProtosAreTheJarsCopies() throws IOException {
        Path committed = OtlpSample.directory().resolve("proto");
        Path jar = Path.of(System.getProperty("ferrule.test.otlpProtos"));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(committed)) {
            files = walk.filter(p -> p.toString().endsWith(".proto")).toList();
        }
        assertEquals(4, files.size(), files.toString());
        for (Path p : files) {
            Path relative = committed.relativize(p);
            assertEquals(Files.readString(jar.resolve(relative.toString())), Files.readString(p), relative.toString());
        }
    }
}
