package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.UnknownFieldSet;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.CallContext;
import dev.ferrule.dispatch.DispatchListener;
import dev.ferrule.dispatch.DispatchResult;
import dev.ferrule.dispatch.Dispatcher;
import dev.ferrule.dispatch.MethodId;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dispatch (docs/dispatch.md) on both backends, with protobuf-java as the oracle for requests and
 * responses: Java and Rust handlers in one batch, Rust-only methods degrading on the Java backend,
 * every error the dispatcher answers, partial tails, output space, and byte-identical engines.
 */
class DispatchTest {
    static final String GREET = "ferrule.test.v1.Greeter/Greet";
    static final String SUM = "ferrule.test.v1.Accelerator/Sum";
    static final String ECHO = "ferrule.test.v1.Accelerator/Echo";
    static final String PANIC = "ferrule.test.v1.Accelerator/Panic";
    static final String FAIL = "ferrule.test.v1.Accelerator/Fail";

    static final FileDescriptor FILE = file();
    static final Descriptor VALUES = FILE.findMessageTypeByName("Values");
    static final Descriptor TOTAL = FILE.findMessageTypeByName("Total");
    static final Descriptor GREETING = FILE.findMessageTypeByName("Greeting");
    static final Descriptor REPLY = FILE.findMessageTypeByName("Reply");
    static final Schema SCHEMA = Schema.fromDescriptorSet(ProtoOracle.descriptorSet(FILE));

    private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type, boolean repeated) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(repeated ? FieldDescriptorProto.Label.LABEL_REPEATED : FieldDescriptorProto.Label.LABEL_OPTIONAL)
                .build();
    }

    private static FileDescriptor file() {
        var t = FieldDescriptorProto.Type.class;
        FileDescriptorProto proto = FileDescriptorProto.newBuilder().setName("ferrule/test/v1/dispatch.proto")
                .setPackage("ferrule.test.v1").setSyntax("proto3")
                .addMessageType(DescriptorProto.newBuilder().setName("Values")
                        .addField(field("values", 1, FieldDescriptorProto.Type.TYPE_DOUBLE, true)))
                .addMessageType(DescriptorProto.newBuilder().setName("Total")
                        .addField(field("sum", 1, FieldDescriptorProto.Type.TYPE_DOUBLE, false))
                        .addField(field("count", 2, FieldDescriptorProto.Type.TYPE_INT64, false)))
                .addMessageType(DescriptorProto.newBuilder().setName("Greeting")
                        .addField(field("name", 1, FieldDescriptorProto.Type.TYPE_STRING, false))
                        .addField(field("times", 2, FieldDescriptorProto.Type.TYPE_INT32, false)))
                .addMessageType(DescriptorProto.newBuilder().setName("Reply")
                        .addField(field("text", 1, FieldDescriptorProto.Type.TYPE_STRING, false))
                        .addField(field("numbers", 2, FieldDescriptorProto.Type.TYPE_INT32, true)))
                .build();
        try {
            return FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // --- wire helpers written from docs/wire-format.md, independent of the engines -----------------

    record Frame(int flags, int methodId, long correlation, byte[] payload) {}

    static void request(ByteArrayOutputStream wire, String method, long correlation, byte[] payload) {
        frame(wire, 0, MethodId.of(method), correlation, payload);
    }

    static void frame(ByteArrayOutputStream wire, int flags, int methodId, long correlation, byte[] payload) {
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        header.put((byte) 'F').put((byte) 'R').put((byte) 1).put((byte) flags).putInt(methodId).putLong(correlation)
                .putInt(payload.length).putInt((int) crc.getValue());
        wire.writeBytes(header.array());
        wire.writeBytes(payload);
    }

    static List<Frame> frames(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Frame> frames = new ArrayList<>();
        while (b.hasRemaining()) {
            assertEquals('F', b.get());
            assertEquals('R', b.get());
            assertEquals(1, b.get());
            int flags = b.get() & 0xFF;
            int method = b.getInt();
            long correlation = b.getLong();
            byte[] payload = new byte[b.getInt()];
            int crcValue = b.getInt();
            b.get(payload);
            CRC32C crc = new CRC32C();
            crc.update(payload);
            assertEquals((int) crc.getValue(), crcValue, "CRC of the response to " + correlation);
            frames.add(new Frame(flags, method, correlation, payload));
        }
        return frames;
    }

    static Map<Long, Frame> byCorrelation(List<Frame> frames) {
        Map<Long, Frame> map = new HashMap<>();
        for (Frame f : frames) {
            assertTrue(map.put(f.correlation(), f) == null, "two responses for " + f.correlation());
        }
        return map;
    }

    static byte[] greeting(String name, int times) {
        return DynamicMessage.newBuilder(GREETING).setField(GREETING.findFieldByName("name"), name)
                .setField(GREETING.findFieldByName("times"), times).build().toByteArray();
    }

    static byte[] reply(String text, int times) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(REPLY).setField(REPLY.findFieldByName("text"), text);
        for (int i = 0; i < times; i++) {
            b.addRepeatedField(REPLY.findFieldByName("numbers"), i);
        }
        return b.build().toByteArray();
    }

    static byte[] values(double... values) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(VALUES);
        for (double v : values) {
            b.addRepeatedField(VALUES.findFieldByName("values"), v);
        }
        return b.build().toByteArray();
    }

    static byte[] total(double sum, long count) {
        return DynamicMessage.newBuilder(TOTAL).setField(TOTAL.findFieldByName("sum"), sum)
                .setField(TOTAL.findFieldByName("count"), count).build().toByteArray();
    }

    /** Asserts an error response: flags, and a payload google.rpc.Status-readable with the Ferrule code. */
    static void assertError(Frame f, ErrorCode code, String message) throws Exception {
        assertEquals(0x06, f.flags(), "RESPONSE|ERROR for " + f.correlation());
        UnknownFieldSet status = UnknownFieldSet.parseFrom(f.payload());
        assertEquals(List.of((long) code.grpcCode()), status.getField(1).getVarintList(), "gRPC code");
        assertEquals(List.of((long) code.code()), status.getField(1000).getVarintList(), "Ferrule code");
        if (message != null) {
            assertEquals(List.of(ByteString.copyFromUtf8(message)), status.getField(2).getLengthDelimitedList());
        }
    }

    static void assertResponse(Frame f, String method, byte[] expected) {
        assertEquals(0x02, f.flags(), "RESPONSE for " + f.correlation());
        assertEquals(MethodId.of(method), f.methodId());
        assertArrayEquals(expected, f.payload(), "response to " + f.correlation());
    }

    // --- the dispatcher under test -----------------------------------------------------------------

    final List<Long> javaCalls = new ArrayList<>();
    final List<String> observed = new ArrayList<>();
    final long[] batches = new long[2];

    Dispatcher dispatcher(BackendKind backend, int maxBatch) {
        MessageType greeting = SCHEMA.message("ferrule.test.v1.Greeting");
        MessageType reply = SCHEMA.message("ferrule.test.v1.Reply");
        MessageType values = SCHEMA.message("ferrule.test.v1.Values");
        MessageType total = SCHEMA.message("ferrule.test.v1.Total");
        FieldInfo name = greeting.field("name");
        FieldInfo times = greeting.field("times");
        FieldInfo text = reply.field("text");
        FieldInfo numbers = reply.field("numbers");
        FieldInfo value = values.field("values");
        FieldInfo sum = total.field("sum");
        FieldInfo count = total.field("count");
        Utf8View view = new Utf8View();
        DispatchListener listener = new DispatchListener() {
            @Override
            public void onRequest(CallContext ctx, int errorCode, long handlerNanos) {
                observed.add(ctx + ":" + errorCode);
                if (errorCode == 0 && (ctx.method().equals(SUM) || ctx.method().equals(GREET))) {
                    assertTrue(handlerNanos > 0, "a handler that ran was timed: " + ctx);
                }
            }

            @Override
            public void onBatch(int requests, int errors, long start, long firstPass, long javaHandled, long end) {
                assertTrue(start <= firstPass && firstPass <= javaHandled && javaHandled <= end, "stamps in order");
                batches[0] += requests;
                batches[1] += errors;
            }
        };
        return Dispatcher.builder(SCHEMA).backend(backend).maxBatch(maxBatch).testAccelerators().listener(listener)
                .handle(GREET, greeting, reply, (ctx, request, response) -> {
                    javaCalls.add(ctx.correlationId());
                    String who = request.getString(name, view).toString();
                    if (who.equals("boom")) {
                        throw new IllegalStateException("boom!");
                    }
                    if (who.equals("typed")) {
                        throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "typed failure");
                    }
                    response.setString(text, "hello, " + who);
                    for (int i = 0; i < request.getInt(times); i++) {
                        response.addInt(numbers, i);
                    }
                })
                .nativeHandler(SUM, values, total, (ctx, request, response) -> {
                    javaCalls.add(ctx.correlationId());
                    double s = 0;
                    int n = request.count(value);
                    for (int i = 0; i < n; i++) {
                        s += request.getDouble(value, i);
                    }
                    response.setDouble(sum, s).setLong(count, n);
                })
                .nativeHandler(ECHO, values, values)
                .nativeHandler(PANIC, values, values)
                .nativeHandler(FAIL, values, values)
                .build();
    }

    static ByteBuffer direct(byte[] bytes, int slack) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + slack);
        b.put(bytes).flip();
        return b;
    }

    static byte[] written(ByteBuffer out) {
        byte[] bytes = new byte[out.position()];
        out.get(0, bytes);
        return bytes;
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void mixedBatchesAreAnsweredOnBothBackends(BackendKind backend) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        request(wire, GREET, 1, greeting("ada", 3));
        request(wire, SUM, 2, values(1.5, 2.5, -1));
        request(wire, ECHO, 3, values(7));
        request(wire, "ferrule.test.v1.Nobody/Home", 4, new byte[0]);
        request(wire, GREET, 5, new byte[] {0x0A, 0x05, 'a'}); // string runs past the end
        request(wire, GREET, 6, greeting("boom", 0));
        request(wire, GREET, 7, greeting("typed", 0));
        request(wire, PANIC, 8, values());
        request(wire, FAIL, 9, values());
        frame(wire, 0x02, MethodId.of(GREET), 10, greeting("x", 0)); // a response is not a request
        request(wire, GREET, 11, greeting("", 0)); // empty response message
        byte[] whole = wire.toByteArray();
        request(wire, GREET, 12, greeting("late", 1));
        byte[] withTail = wire.toByteArray();
        ByteBuffer in = direct(java.util.Arrays.copyOf(withTail, withTail.length - 3), 0);
        ByteBuffer out = ByteBuffer.allocateDirect(8192);

        try (Dispatcher d = dispatcher(backend, 64)) {
            assertEquals(backend, d.backend());
            boolean nativeSum = backend == BackendKind.NATIVE;
            assertEquals(nativeSum, d.isNative(SUM));
            DispatchResult r = d.dispatch(in, out);
            assertEquals(11, r.requests());
            assertEquals(whole.length, in.position(), "the partial tail is left");
            assertEquals(whole.length, r.bytesConsumed());
            assertEquals(out.position(), r.bytesWritten());
            Map<Long, Frame> responses = byCorrelation(frames(written(out)));
            assertEquals(11, responses.size());
            assertResponse(responses.get(1L), GREET, reply("hello, ada", 3));
            assertResponse(responses.get(2L), SUM, total(3.0, 3));
            assertResponse(responses.get(11L), GREET, reply("hello, ", 0));
            assertError(responses.get(4L), ErrorCode.DISPATCH_UNKNOWN_METHOD, ErrorCode.DISPATCH_UNKNOWN_METHOD.description());
            assertError(responses.get(5L), ErrorCode.PROTO_TRUNCATED, ErrorCode.PROTO_TRUNCATED.description());
            assertError(responses.get(6L), ErrorCode.DISPATCH_HANDLER_FAILED, "boom!");
            assertError(responses.get(7L), ErrorCode.INVALID_ARGUMENT, "typed failure");
            assertError(responses.get(10L), ErrorCode.DISPATCH_NOT_A_REQUEST, null);
            if (backend == BackendKind.NATIVE) {
                assertResponse(responses.get(3L), ECHO, values(7));
                assertError(responses.get(8L), ErrorCode.DISPATCH_HANDLER_FAILED, null);
                String panic = UnknownFieldSet.parseFrom(responses.get(8L).payload()).getField(2).getLengthDelimitedList()
                        .get(0).toStringUtf8();
                assertTrue(panic.contains("panicked on purpose"), panic);
                assertError(responses.get(9L), ErrorCode.INVALID_ARGUMENT, "failed on purpose");
                assertEquals(List.of(1L, 5L, 6L, 7L, 11L).size() - 1, javaCalls.size(), "the Rust Sum ran, not the fallback");
            } else {
                for (long unavailable : new long[] {3, 8, 9}) {
                    assertError(responses.get(unavailable), ErrorCode.DISPATCH_HANDLER_UNAVAILABLE,
                            ErrorCode.DISPATCH_HANDLER_UNAVAILABLE.description());
                }
                assertTrue(javaCalls.contains(2L), "the Java fallback of Sum ran");
            }
            assertEquals(7, r.errors() - (backend == BackendKind.NATIVE ? 0 : 1));
            for (Frame f : responses.values()) {
                assertEquals(f.correlation() == 4 ? MethodId.of("ferrule.test.v1.Nobody/Home") : f.methodId(), f.methodId());
            }

            // Every request is observed once, with its method and outcome; the batch with its counts.
            assertEquals(11, observed.size(), observed.toString());
            assertTrue(observed.contains(SUM + "#2:0"), observed.toString());
            assertTrue(observed.contains(Dispatcher.UNKNOWN_METHOD + "#4:300"), observed.toString());
            assertTrue(observed.contains(GREET + "#5:" + ErrorCode.PROTO_TRUNCATED.code()), observed.toString());
            assertTrue(observed.contains(GREET + "#6:" + ErrorCode.DISPATCH_HANDLER_FAILED.code()), observed.toString());
            assertTrue(observed.contains(PANIC + "#8:" + (backend == BackendKind.NATIVE
                    ? ErrorCode.DISPATCH_HANDLER_FAILED : ErrorCode.DISPATCH_HANDLER_UNAVAILABLE).code()), observed.toString());
            assertEquals(11, batches[0]);
            assertEquals(r.errors(), batches[1]);

            // The tail completes: the next call answers request 12 only.
            ByteBuffer rest = direct(java.util.Arrays.copyOfRange(withTail, whole.length, withTail.length), 0);
            out.clear();
            r = d.dispatch(rest, out);
            assertEquals(1, r.requests());
            assertResponse(frames(written(out)).get(0), GREET, reply("hello, late", 1));
        }
    }

    @Test
    void javaHandledBatchesAreByteIdenticalOnBothBackends() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            request(wire, GREET, i, i % 7 == 3 ? new byte[] {(byte) 0xFF} : greeting("n" + i, i % 5));
            if (i % 9 == 0) {
                request(wire, "x.Y/Unknown", 1000 + i, new byte[] {1, 2, 3});
            }
            if (i % 11 == 0) {
                request(wire, GREET, 2000 + i, greeting(i % 2 == 0 ? "boom" : "typed", 0));
            }
        }
        byte[] bytes = wire.toByteArray();
        byte[][] outputs = new byte[2][];
        for (BackendKind backend : BackendKind.values()) {
            MessageType greeting = SCHEMA.message("ferrule.test.v1.Greeting");
            try (Dispatcher d = dispatcher(backend, 256)) {
                ByteBuffer in = direct(bytes, 0);
                ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
                d.dispatch(in, out);
                assertFalse(in.hasRemaining());
                outputs[backend.ordinal()] = written(out);
            }
            assertTrue(greeting.fields().size() > 0);
        }
        assertArrayEquals(outputs[0], outputs[1]);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void aSmallOutputLosesNothingAndRunsNothingTwice(BackendKind backend) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int requests = 300;
        for (int i = 0; i < requests; i++) {
            switch (i % 3) {
                case 0 -> request(wire, GREET, i, greeting("name-" + i, i % 9));
                case 1 -> request(wire, ECHO, i, values(i, i + 0.5, i * 2));
                default -> request(wire, SUM, i, values(i, 1));
            }
        }
        ByteBuffer in = direct(wire.toByteArray(), 0);
        ByteBuffer out = ByteBuffer.allocateDirect(Dispatcher.MIN_OUTPUT_ROOM + 40);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Dispatcher d = dispatcher(backend, 32)) {
            for (int calls = 0; in.hasRemaining() || d.hasPending(); calls++) {
                assertTrue(calls < 10_000, "no progress");
                d.dispatch(in, out);
                received.writeBytes(written(out));
                out.clear();
            }
        }
        Map<Long, Frame> responses = byCorrelation(frames(received.toByteArray()));
        assertEquals(requests, responses.size());
        for (long i = 0; i < requests; i++) {
            Frame f = responses.get(i);
            switch ((int) (i % 3)) {
                case 0 -> assertResponse(f, GREET, reply("hello, name-" + i, (int) (i % 9)));
                case 1 -> {
                    if (backend == BackendKind.NATIVE) {
                        assertResponse(f, ECHO, values(i, i + 0.5, i * 2));
                    } else {
                        assertError(f, ErrorCode.DISPATCH_HANDLER_UNAVAILABLE, null);
                    }
                }
                default -> assertResponse(f, SUM, total(i + 1, 2));
            }
        }
        assertEquals(javaCalls.size(), javaCalls.stream().distinct().count(), "a handler ran twice");
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void expiredDeadlinesSkipTheHandler(BackendKind backend) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        request(wire, GREET, 1, greeting("on time", 0));
        request(wire, GREET, 2, greeting("too late", 0));
        ByteBuffer in = direct(wire.toByteArray(), 0);
        ByteBuffer out = ByteBuffer.allocateDirect(4096);
        long now = System.nanoTime();
        List<String> seen = new ArrayList<>();
        DispatchListener listener = new DispatchListener() {
            @Override
            public void onRequest(CallContext ctx, int errorCode, long handlerNanos) {
                seen.add(ctx + ":" + errorCode);
            }
        };
        try (Dispatcher d = Dispatcher.builder(SCHEMA).backend(backend).listener(listener)
                .handle(GREET, SCHEMA.message("ferrule.test.v1.Greeting"), SCHEMA.message("ferrule.test.v1.Reply"),
                        (ctx, request, response) -> javaCalls.add(ctx.correlationId()))
                .build()) {
            d.dispatch(in, out, (method, correlation) -> correlation == 2 ? now - 1 : now + 60_000_000_000L);
        }
        Map<Long, Frame> responses = byCorrelation(frames(written(out)));
        assertResponse(responses.get(1L), GREET, new byte[0]);
        assertError(responses.get(2L), ErrorCode.DISPATCH_DEADLINE_EXCEEDED, null);
        assertEquals(List.of(1L), javaCalls);
        assertEquals(List.of(GREET + "#1:0", GREET + "#2:" + ErrorCode.DISPATCH_DEADLINE_EXCEEDED.code()), seen);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void aDamagedStreamIsReportedAtItsOffsetAfterTheGoodRequests(BackendKind backend) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        request(wire, GREET, 1, greeting("a", 0));
        int good = wire.size();
        wire.writeBytes("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer in = direct(wire.toByteArray(), 0);
        ByteBuffer out = ByteBuffer.allocateDirect(4096);
        try (Dispatcher d = dispatcher(backend, 16)) {
            assertEquals(1, d.dispatch(in, out).requests());
            assertEquals(good, in.position());
            FerruleException e = assertThrows(FerruleException.class, () -> d.dispatch(in, out));
            assertEquals(ErrorCode.FRAME_BAD_MAGIC, e.code());
            assertEquals(good, e.offset());
            assertEquals(good, in.position(), "nothing consumed");
        }
    }

    @Test
    void methodIdsMatchTheSharedVectorsAndBadNamesAreRefused() {
        assertEquals(0xE3069283, MethodId.of("123456789"));
        assertEquals(0xE8A58B33, MethodId.of(ECHO));
        assertEquals(0x5CD26E79, MethodId.of("demo.v1.Stats/Quantiles"));
        assertEquals(0xF66D761C, MethodId.of("a.B/C"));
        MessageType greeting = SCHEMA.message("ferrule.test.v1.Greeting");
        for (String bad : new String[] {"", "a.B", "/C", "a.B/", "a/B/C"}) {
            FerruleException e = assertThrows(FerruleException.class,
                    () -> Dispatcher.builder(SCHEMA).handle(bad, greeting, greeting, (c, q, r) -> {}));
            assertEquals(ErrorCode.DISPATCH_METHOD_INVALID, e.code(), bad);
        }
        FerruleException twice = assertThrows(FerruleException.class, () -> Dispatcher.builder(SCHEMA)
                .handle(GREET, greeting, greeting, (c, q, r) -> {}).handle(GREET, greeting, greeting, (c, q, r) -> {}));
        assertEquals(ErrorCode.DISPATCH_METHOD_INVALID, twice.code());
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void steadyStateDispatchAllocatesNothing(BackendKind backend) {
        MessageType values = SCHEMA.message("ferrule.test.v1.Values");
        MessageType total = SCHEMA.message("ferrule.test.v1.Total");
        FieldInfo value = values.field("values");
        FieldInfo sum = total.field("sum");
        FieldInfo count = total.field("count");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 16; i++) {
            request(wire, i % 4 == 0 ? ECHO : "ferrule.test.v1.Stats/Sum", i, values(i, 2, 3));
        }
        byte[] bytes = wire.toByteArray();
        ByteBuffer in = direct(bytes, 0);
        ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Dispatcher d = Dispatcher.builder(SCHEMA).backend(backend).testAccelerators()
                .handle("ferrule.test.v1.Stats/Sum", values, total, (ctx, request, response) -> {
                    double s = 0;
                    int n = request.count(value);
                    for (int i = 0; i < n; i++) {
                        s += request.getDouble(value, i);
                    }
                    response.setDouble(sum, s).setLong(count, n);
                })
                .nativeHandler(ECHO, values, values, (ctx, request, response) -> {})
                .build()) {
            long allocated = 0;
            for (int round = 0; round < 3; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 20_000; i++) {
                    in.clear();
                    out.clear();
                    DispatchResult r = d.dispatch(in, out);
                    if (r.requests() != 16 || r.errors() != 0) {
                        throw new AssertionError(r.toString());
                    }
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            // Warm (JIT-compiled) rounds: 20 000 calls of 16 requests allocate at most a stray object.
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 20000 dispatch calls");
        }
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void aFullRequestArenaSplitsTheBatchWithoutErrors(BackendKind backend) {
        MessageType greeting = SCHEMA.message("ferrule.test.v1.Greeting");
        MessageType reply = SCHEMA.message("ferrule.test.v1.Reply");
        FieldInfo times = greeting.field("times");
        FieldInfo numbers = reply.field("numbers");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            request(wire, GREET, i, greeting("request number " + i, 2));
        }
        ByteBuffer in = direct(wire.toByteArray(), 0);
        ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
        int calls = 0;
        try (Dispatcher d = Dispatcher.builder(SCHEMA).backend(backend).arenaCapacity(256)
                .handle(GREET, greeting, reply, (ctx, request, response) -> {
                    for (int k = 0; k < request.getInt(times); k++) {
                        response.addInt(numbers, k);
                    }
                })
                .build()) {
            while (in.hasRemaining()) {
                DispatchResult r = d.dispatch(in, out);
                assertTrue(r.requests() > 0 && r.requests() < 100, "the arena holds some requests per call: " + r);
                assertEquals(0, r.errors());
                calls++;
            }
        }
        assertTrue(calls > 1);
        Map<Long, Frame> responses = byCorrelation(frames(written(out)));
        assertEquals(100, responses.size());
        byte[] expected = DynamicMessage.newBuilder(REPLY).addRepeatedField(REPLY.findFieldByName("numbers"), 0)
                .addRepeatedField(REPLY.findFieldByName("numbers"), 1).build().toByteArray();
        for (long i = 0; i < 100; i++) {
            assertResponse(responses.get(i), GREET, expected);
        }
    }
}
