package dev.ferrule.examples.accelerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.Ferrule;
import dev.ferrule.dispatch.Dispatcher;
import dev.ferrule.dispatch.Handler;
import dev.ferrule.dispatch.MethodId;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFlags;
import dev.ferrule.frame.FrameTable;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dispatches metrics requests to the Rust handler compiled into this module's native library and
 * checks every summary against {@link #reference}, a plain Java computation of the same definition.
 */
class MetricsAcceleratorTest {
    static final String SUMMARIZE = "ferrule.example.metrics.v1.Stats/Summarize";
    static final int SUMMARIZE_ID = MethodId.of(SUMMARIZE);

    static Schema schema;
    static MessageType request;
    static MessageType summary;

    @BeforeAll
    static void loadSchema() throws Exception {
        try (InputStream in = MetricsAcceleratorTest.class.getResourceAsStream("metrics.desc")) {
            schema = Schema.fromDescriptorSet(in.readAllBytes());
        }
        request = schema.message("ferrule.example.metrics.v1.MetricsRequest");
        summary = schema.message("ferrule.example.metrics.v1.Summary");
    }

    /** The definition in metrics.proto, computed the obvious way. */
    static double[] reference(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new double[7];
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new double[] {n, sorted[0], sorted[n - 1], sum / n, quantile(sorted, 0.50), quantile(sorted, 0.90),
            quantile(sorted, 0.99)};
    }

    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** MetricsRequest {name, values (packed)} in protobuf's encoding. */
    static void writeRequest(String name, double[] values, ByteBuffer into) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        into.put((byte) 0x0A);
        putVarint(into, utf8.length);
        into.put(utf8);
        if (values.length > 0) {
            into.put((byte) 0x12);
            putVarint(into, values.length * 8L);
            ByteBuffer le = into.slice().order(ByteOrder.LITTLE_ENDIAN);
            for (double v : values) {
                le.putDouble(v);
            }
            into.position(into.position() + values.length * 8);
        }
    }

    static void putVarint(ByteBuffer into, long value) {
        while ((value & ~0x7FL) != 0) {
            into.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        into.put((byte) value);
    }

    /** One dispatch call over {@code inputs}; returns each response frame's flags and payload. */
    static List<Object[]> dispatch(Dispatcher dispatcher, List<double[]> inputs) {
        FrameCodec codec = FrameCodec.builder().build();
        FrameTable table = FrameTable.allocate(inputs.size());
        ByteBuffer payloads = ByteBuffer.allocateDirect(8 << 20);
        for (int i = 0; i < inputs.size(); i++) {
            int offset = payloads.position();
            writeRequest("m" + i, inputs.get(i), payloads);
            table.add(i + 1, SUMMARIZE_ID, 0, offset, payloads.position() - offset);
        }
        payloads.flip();
        ByteBuffer in = ByteBuffer.allocateDirect(16 << 20);
        codec.encode(table, payloads, in);
        in.flip();
        ByteBuffer out = ByteBuffer.allocateDirect(16 << 20);
        dispatcher.dispatch(in, out);
        assertEquals(0, in.remaining(), "every request consumed in one call");
        out.flip();
        FrameTable responses = FrameTable.allocate(inputs.size());
        codec.decode(out, responses, true);
        assertEquals(inputs.size(), responses.count());
        List<Object[]> result = new ArrayList<>();
        for (int i = 0; i < responses.count(); i++) {
            assertEquals(i + 1, responses.correlationId(i), "first-pass responses come in request order");
            byte[] payload = new byte[responses.payloadLength(i)];
            out.get(responses.payloadOffset(i), payload);
            result.add(new Object[] {responses.flags(i), payload});
        }
        return result;
    }

    static double[] readSummary(byte[] payload, String expectedName) {
        ProtoCodec codec = ProtoCodec.builder(schema).build();
        Arena arena = Arena.allocate(1 << 16);
        ByteBuffer in = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
        MessageReader r = codec.decode(summary, in, arena);
        assertEquals(expectedName, r.getString(summary.field("name")));
        String[] fields = {"count", "min", "max", "mean", "p50", "p90", "p99"};
        double[] out = new double[fields.length];
        out[0] = r.getLong(summary.field("count"));
        for (int i = 1; i < fields.length; i++) {
            out[i] = r.getDouble(summary.field(fields[i]));
        }
        return out;
    }

    static List<double[]> randomInputs(long seed, int count) {
        Random random = new Random(seed);
        List<double[]> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i == 0 ? 0 : i == 1 ? 1 : random.nextInt(2000);
            double[] values = new double[n];
            for (int k = 0; k < n; k++) {
                values[k] = switch (random.nextInt(4)) {
                    case 0 -> random.nextGaussian() * 1e6;
                    case 1 -> random.nextInt(10) - 5;       // many ties
                    case 2 -> -random.nextDouble();
                    default -> random.nextDouble() * 1e-9;
                };
            }
            inputs.add(values);
        }
        return inputs;
    }

    @Test
    void theAcceleratorLibraryIsTheOneLoaded() {
        assertTrue(Ferrule.isNativeAvailable());
        String path = Ferrule.backendInfo().library().orElseThrow();
        assertTrue(path.contains("ferrule_metrics_accelerator"), path);
    }

    @Test
    void rustHandlerMatchesTheJavaReference() {
        MessageType response = summary;
        try (Dispatcher dispatcher = Dispatcher.builder(schema).nativeHandler(SUMMARIZE, request, response).build()) {
            assertTrue(dispatcher.isNative(SUMMARIZE));
            List<double[]> inputs = randomInputs(42, 200);
            List<Object[]> responses = dispatch(dispatcher, inputs);
            for (int i = 0; i < inputs.size(); i++) {
                assertEquals(FrameFlags.RESPONSE, (int) responses.get(i)[0], "request " + i);
                double[] expected = reference(inputs.get(i));
                double[] actual = readSummary((byte[]) responses.get(i)[1], "m" + i);
                assertArrayEquals(expected, actual, "request " + i + " with " + inputs.get(i).length + " values");
            }
        }
    }

    @Test
    void nanIsAnInvalidArgumentErrorFrameAndTheBatchGoesOn() {
        try (Dispatcher dispatcher = Dispatcher.builder(schema).nativeHandler(SUMMARIZE, request, summary).build()) {
            List<Object[]> responses = dispatch(dispatcher, List.of(new double[] {1, Double.NaN}, new double[] {3}));
            assertEquals(FrameFlags.RESPONSE | FrameFlags.ERROR, (int) responses.get(0)[0]);
            assertEquals(ErrorCode.INVALID_ARGUMENT.code(), ferruleCode((byte[]) responses.get(0)[1]));
            assertEquals(FrameFlags.RESPONSE, (int) responses.get(1)[0]);
            assertArrayEquals(reference(new double[] {3}), readSummary((byte[]) responses.get(1)[1], "m1"), "m1");
        }
    }

    @Test
    void onThePureJavaBackendTheJavaFallbackAnswersTheSame() {
        FieldInfo values = request.field("values");
        FieldInfo name = request.field("name");
        Handler fallback = (ctx, in, out) -> {
            double[] v = new double[in.count(values)];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.getDouble(values, i);
            }
            double[] s = reference(v);
            out.setString(summary.field("name"), in.getString(name));
            out.setLong(summary.field("count"), (long) s[0]);
            String[] fields = {"min", "max", "mean", "p50", "p90", "p99"};
            for (int i = 0; i < fields.length; i++) {
                out.setDouble(summary.field(fields[i]), s[i + 1]);
            }
        };
        List<double[]> inputs = randomInputs(7, 50);
        try (Dispatcher rust = Dispatcher.builder(schema).nativeHandler(SUMMARIZE, request, summary).build();
                Dispatcher java = Dispatcher.builder(schema).backend(BackendKind.JAVA)
                        .nativeHandler(SUMMARIZE, request, summary, fallback).build()) {
            List<Object[]> fromRust = dispatch(rust, inputs);
            List<Object[]> fromJava = dispatch(java, inputs);
            for (int i = 0; i < inputs.size(); i++) {
                assertArrayEquals((byte[]) fromRust.get(i)[1], (byte[]) fromJava.get(i)[1],
                        "request " + i + ": Rust and the Java fallback write the same bytes");
            }
        }
    }

    @Test
    void onThePureJavaBackendWithoutFallbackTheAnswerIsUnavailable() {
        try (Dispatcher java = Dispatcher.builder(schema).backend(BackendKind.JAVA)
                .nativeHandler(SUMMARIZE, request, summary).build()) {
            List<Object[]> responses = dispatch(java, List.of(new double[] {1, 2}));
            assertEquals(FrameFlags.RESPONSE | FrameFlags.ERROR, (int) responses.get(0)[0]);
            assertEquals(ErrorCode.DISPATCH_HANDLER_UNAVAILABLE.code(), ferruleCode((byte[]) responses.get(0)[1]));
        }
    }

    /** Field 1000 of the error status payload (docs/wire-format.md §6). */
    static int ferruleCode(byte[] status) {
        for (int i = 0; i + 2 < status.length; i++) {
            if ((status[i] & 0xFF) == 0xC0 && status[i + 1] == 0x3E) {
                int value = 0;
                int shift = 0;
                for (int k = i + 2; k < status.length; k++) {
                    value |= (status[k] & 0x7F) << shift;
                    shift += 7;
                    if (status[k] >= 0) {
                        return value;
                    }
                }
            }
        }
        return -1;
    }

    static void assertArrayEquals(double[] expected, double[] actual, String message) {
        assertEquals(expected.length, actual.length, message);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(actual[i]),
                    message + " field " + i + ": expected " + expected[i] + " but was " + actual[i]);
        }
    }

    static void assertArrayEquals(byte[] expected, byte[] actual, String message) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, message);
    }
}
