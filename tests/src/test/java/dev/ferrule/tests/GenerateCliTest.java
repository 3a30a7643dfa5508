package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.tests.CliTest.Run;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/** {@code ferrule generate}: the sources it writes compile with -Xlint:all -Werror against the Ferrule API alone. */
class GenerateCliTest {
    @Test
    void otlpFlyweightsCompileWithoutWarnings() throws Exception {
        Path dir = Jvm.freshDir("generate");
        Path sources = dir.resolve("src");
        Path otlp = Path.of(System.getProperty("ferrule.test.otlpProtos"));
        Run run = CliTest.cli("generate", "-o", sources.toString(), otlp.toString());
        assertEquals(0, run.exit(), run.toString());
        List<String> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        assertTrue(files.stream().anyMatch(f -> f.endsWith("trace/v1/ferrule/Span.java")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.endsWith("metrics/v1/ferrule/Metric.java")), files.toString());

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        String apiJar = System.getProperty("ferrule.test.apiJar");
        List<String> args = new java.util.ArrayList<>(List.of("-Xlint:all", "-Werror", "--release", "17",
                "-cp", apiJar, "-d", dir.resolve("classes").toString()));
        args.addAll(files);
        int exit = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertEquals(0, exit, diagnostics.toString());
    }

    @Test
    void aBadSchemaExitsOneAndUsageErrorsTwo() throws Exception {
        Path dir = Jvm.freshDir("generate-bad");
        Path proto = dir.resolve("bad.proto");
        Files.writeString(proto, "syntax = \"proto3\"; message M { int32 x = 1; string x = 2; }");
        Run bad = CliTest.cli("generate", "-o", dir.resolve("out").toString(), proto.toString());
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("SCHEMA_INVALID"), bad.err());
        assertEquals(2, CliTest.cli("generate", proto.toString()).exit());
        assertEquals(2, CliTest.cli("generate", "-o", "x").exit());
    }
}
