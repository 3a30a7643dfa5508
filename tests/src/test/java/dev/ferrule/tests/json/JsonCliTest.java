package dev.ferrule.tests.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.ferrule.BackendKind;
import dev.ferrule.cli.Main;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code ferrule decode} and {@code ferrule encode}, run in-process on the sample OTLP trace. */
class JsonCliTest {
    record Run(int exit, String out, String err) {}

    @TempDir
    Path dir;

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static Path protoDir() {
        return OtlpSample.directory().resolve("proto");
    }

    /** The schema arguments of the README demo, then {@code more}. */
    static String[] args(String command, BackendKind backend, String... more) {
        List<String> a = new ArrayList<>(List.of(command,
                "--proto", protoDir().resolve("opentelemetry/proto/collector/trace/v1/trace_service.proto").toString(),
                "-I", protoDir().toString(), "--type", OtlpSample.TRACE_TYPE, "--backend", backend.label()));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void decodePrintsWhatJsonFormatPrintsAndEncodeGivesTheBytesBack(BackendKind backend) throws Exception {
        Path sample = OtlpSample.directory().resolve("trace.binpb");
        byte[] bytes = Files.readAllBytes(sample);
        String expected = JsonFormat.printer().print(ExportTraceServiceRequest.parseFrom(bytes)) + "\n";

        Run decoded = cli(args("decode", backend, sample.toString()));
        assertEquals(0, decoded.exit(), decoded.toString());
        assertEquals(expected, decoded.out());
        assertEquals("", decoded.err());

        Path json = dir.resolve("trace.json");
        Path again = dir.resolve("again.binpb");
        assertEquals(0, cli(args("decode", backend, sample.toString(), json.toString())).exit());
        assertEquals(expected, Files.readString(json));
        Run encoded = cli(args("encode", backend, json.toString(), again.toString()));
        assertEquals(0, encoded.exit(), encoded.toString());
        assertArrayEquals(bytes, Files.readAllBytes(again));
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void descriptorSetInsteadOfProtoFiles(BackendKind backend) throws Exception {
        Path set = dir.resolve("otlp.pb");
        Files.write(set, JsonSupport.descriptorSet(ExportTraceServiceRequest.getDescriptor().getFile()));
        Path sample = OtlpSample.directory().resolve("trace.binpb");
        Run r = cli("decode", "--descriptor-set", set.toString(), "--type", OtlpSample.TRACE_TYPE, "--backend",
                backend.label(), sample.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(JsonFormat.printer().print(OtlpSample.trace()) + "\n", r.out());
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void delimitedStreamsRoundTrip(BackendKind backend) throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        ExportTraceServiceRequest sample = OtlpSample.trace();
        sample.writeDelimitedTo(stream);
        ExportTraceServiceRequest.getDefaultInstance().writeDelimitedTo(stream);
        ExportTraceServiceRequest small = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().setSchemaUrl("s")).build();
        small.writeDelimitedTo(stream);
        sample.writeDelimitedTo(stream);
        Path in = dir.resolve("stream.bin");
        Files.write(in, stream.toByteArray());

        Run decoded = cli(args("decode", backend, "--delimited", in.toString()));
        assertEquals(0, decoded.exit(), decoded.toString());
        StringBuilder expected = new StringBuilder();
        for (ExportTraceServiceRequest m : List.of(sample, ExportTraceServiceRequest.getDefaultInstance(), small, sample)) {
            expected.append(JsonFormat.printer().print(m)).append('\n');
        }
        assertEquals(expected.toString(), decoded.out());

        Path json = dir.resolve("stream.json");
        Files.writeString(json, decoded.out());
        Path again = dir.resolve("again.bin");
        Run encoded = cli(args("encode", backend, "--delimited", json.toString(), again.toString()));
        assertEquals(0, encoded.exit(), encoded.toString());
        assertArrayEquals(stream.toByteArray(), Files.readAllBytes(again));
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void badInputExitsOneWithCodeOffsetAndPath(BackendKind backend) throws Exception {
        byte[] bytes = Files.readAllBytes(OtlpSample.directory().resolve("trace.binpb"));
        Path truncated = dir.resolve("truncated.binpb");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 5));
        Run r = cli(args("decode", backend, truncated.toString()));
        assertEquals(1, r.exit(), r.toString());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("ferrule: PROTO_TRUNCATED (200) at offset "), r.err());
        assertTrue(r.err().contains(" in resource_spans[0]"), r.err());

        // A delimited stream: the good message is printed, then the error names the message.
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        OtlpSample.trace().writeDelimitedTo(stream);
        stream.write(new byte[] {10, 0x0a, 0x05});
        Path bad = dir.resolve("bad-stream.bin");
        Files.write(bad, stream.toByteArray());
        r = cli(args("decode", backend, "--delimited", bad.toString()));
        assertEquals(1, r.exit(), r.toString());
        assertEquals(JsonFormat.printer().print(OtlpSample.trace()) + "\n", r.out());
        assertTrue(r.err().startsWith("ferrule: message 1: PROTO_TRUNCATED (200) at offset " + (bytes.length + 2)),
                r.err());

        Path json = dir.resolve("bad.json");
        Files.writeString(json, "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"kind\": \"SPAN_KIND_NOPE\"}]}]}]}");
        Path out = dir.resolve("out.bin");
        r = cli(args("encode", backend, json.toString(), out.toString()));
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("resource_spans[0].scope_spans[0].spans[0].kind"), r.err());
        assertTrue(r.err().contains("Invalid enum value: \"SPAN_KIND_NOPE\""), r.err());
        assertTrue(Files.notExists(out), "nothing is written for bad input");

        Files.writeString(json, "{\"resourceSpans\": [");
        r = cli(args("encode", backend, json.toString(), out.toString()));
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("ferrule: invalid JSON: "), r.err());
    }

    /** Runs bin/ferrule from the repository root with this JDK; stdin from {@code in} unless null. */
    Run launcher(Path in, String... args) throws Exception {
        Path launcher = Path.of(System.getProperty("ferrule.test.launcher")).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(launcher.getParent().getParent().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        if (in != null) {
            builder.redirectInput(in.toFile());
        }
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/ferrule did not finish within 120 s");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theReadmeDemoRunsThroughTheLauncher() throws Exception {
        Path root = Path.of(System.getProperty("ferrule.test.launcher")).toAbsolutePath().getParent().getParent();
        assertTrue(Files.isExecutable(root.resolve("cli/target/protoc/protoc.exe")), "the CLI build copies protoc");
        Run r = launcher(null, "decode",
                "--proto", "tests/vectors/otlp/proto/opentelemetry/proto/collector/trace/v1/trace_service.proto",
                "-I", "tests/vectors/otlp/proto", "--type", OtlpSample.TRACE_TYPE, "tests/vectors/otlp/trace.binpb");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(JsonFormat.printer().print(OtlpSample.trace()) + "\n", r.out());
    }

    @Test
    void theCliJarBringsTheWellKnownTypes() throws Exception {
        // Only the CLI jar is on the launcher's class path, so google/protobuf/*.proto come from it.
        Path proto = dir.resolve("event.proto");
        Files.writeString(proto, """
                syntax = "proto3";
                package demo;
                import "google/protobuf/timestamp.proto";
                import "google/protobuf/duration.proto";
                import "google/protobuf/struct.proto";
                message Event {
                  google.protobuf.Timestamp at = 1;
                  google.protobuf.Duration took = 2;
                  google.protobuf.Struct data = 3;
                }
                """);
        Path json = dir.resolve("event.json");
        Files.writeString(json, "{\"at\": \"2024-05-06T07:08:09.5+02:00\", \"took\": \"1.5s\", \"data\": {\"ok\": true}}");
        Path bin = dir.resolve("event.bin");
        Run encoded = launcher(json, "encode", "--proto", proto.toString(), "--type", "demo.Event", "-", bin.toString());
        assertEquals(0, encoded.exit(), encoded.toString());
        Run decoded = launcher(bin, "decode", "--proto", proto.toString(), "--type", "demo.Event");
        assertEquals(0, decoded.exit(), decoded.toString());
        assertEquals("""
                {
                  "at": "2024-05-06T05:08:09.500Z",
                  "took": "1.500s",
                  "data": {
                    "ok": true
                  }
                }
                """, decoded.out());
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path sample = OtlpSample.directory().resolve("trace.binpb");
        String proto = protoDir().resolve("opentelemetry/proto/collector/trace/v1/trace_service.proto").toString();
        List<String[]> bad = List.of(
                new String[] {"decode", sample.toString()}, // no --type
                new String[] {"decode", "--type", OtlpSample.TRACE_TYPE, sample.toString()}, // no schema
                new String[] {"decode", "--proto", proto, "-I", protoDir().toString(), "--descriptor-set", "x.pb",
                    "--type", OtlpSample.TRACE_TYPE, sample.toString()},
                new String[] {"decode", "--proto", proto, "-I", protoDir().toString(), "--type", "no.Such", sample.toString()},
                new String[] {"decode", "--proto", proto, "-I", protoDir().toString(), "--type", OtlpSample.TRACE_TYPE,
                    "--backend", "gpu", sample.toString()},
                new String[] {"encode", "--proto", dir.resolve("missing.proto").toString(), "--type", "a.B"},
                new String[] {"decode", "--descriptor-set", dir.resolve("missing.pb").toString(), "--type", "a.B"});
        for (String[] a : bad) {
            Run r = cli(a);
            assertEquals(2, r.exit(), String.join(" ", a) + " -> " + r);
        }
    }
}
