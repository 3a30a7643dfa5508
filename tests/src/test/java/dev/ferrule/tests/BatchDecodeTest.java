package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBatch;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ProtoCodec#decodeBatch}: gRPC length-prefixed OTLP requests decoded many per call, on both
 * backends. Every message must read as protobuf-java reads it and re-encode to its own bytes; the
 * stopping rules are the frame decoder's (full batch, partial tail, the next call reports a bad message
 * or frame); an arena that fills up keeps the messages that fitted; and both engines leave identical
 * frame tables, root blocks, call blocks and arenas.
 */
class BatchDecodeTest {
    static Stream<BackendKind> backends() {
        return Backends.both();
    }

    static ProtoCodec codec(BackendKind backend) {
        return ProtoCodec.builder(OtlpProtoTest.OTLP).backend(backend).build();
    }

    /** gRPC framing of {@code messages}; compressed flag 1 for the indexes in {@code compressed}. */
    static byte[] frame(List<byte[]> messages, int... compressed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < messages.size(); i++) {
            byte[] m = messages.get(i);
            int index = i;
            out.write(Arrays.stream(compressed).anyMatch(c -> c == index) ? 1 : 0);
            out.write(m.length >>> 24);
            out.write(m.length >>> 16);
            out.write(m.length >>> 8);
            out.write(m.length);
            out.write(m, 0, m.length);
        }
        return out.toByteArray();
    }

    static List<ExportTraceServiceRequest> traces(Random r, int count, int maxSpans) {
        List<ExportTraceServiceRequest> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(OtlpProtoTest.randomTrace(r, r.nextInt(maxSpans + 1)));
        }
        return out;
    }

    static List<byte[]> wire(List<? extends Message> messages) {
        return messages.stream().map(Message::toByteArray).toList();
    }

    /** {@code bytes} in a direct buffer at index {@code at}, after junk; position {@code at}. */
    static ByteBuffer input(byte[] bytes, int at) {
        ByteBuffer b = ByteBuffer.allocateDirect(at + bytes.length + 1);
        for (int i = 0; i < at; i++) {
            b.put((byte) 0x5A);
        }
        b.put(bytes).flip();
        return b.position(at);
    }

    /** Index of message {@code i}'s first byte in the framing of {@code messages} starting at {@code at}. */
    static int payloadAt(List<byte[]> messages, int at, int i) {
        for (int j = 0; j < i; j++) {
            at += 5 + messages.get(j).length;
        }
        return at + 5;
    }

    /** Checks messages {@code [from, from + batch.count())} of {@code expected} against the batch. */
    static void assertBatch(ProtoCodec codec, MessageBatch batch, ByteBuffer input, List<? extends Message> expected,
            List<byte[]> wire, int at, int from) {
        MessageReader reader = new MessageReader();
        for (int i = 0; i < batch.count(); i++) {
            int m = from + i;
            assertEquals(payloadAt(wire, at, m), batch.payloadOffset(i), "message " + m + " offset");
            assertEquals(wire.get(m).length, batch.payloadLength(i), "message " + m + " length");
            MessageReader message = batch.message(i, reader);
            assertSame(reader, message);
            ProtoOracle.assertSameFields(expected.get(m), message, "message " + m);
            byte[] bytes = wire.get(m);
            ByteBuffer out = ByteBuffer.allocateDirect(bytes.length + 1);
            assertEquals(bytes.length, codec.encode(message, out), "message " + m);
            assertArrayEquals(bytes, Backends.bytes(out, 0, bytes.length), "message " + m + " re-encodes to its bytes");
            assertArrayEquals(bytes, Backends.bytes(batch.payload(i, input), 0, bytes.length));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void randomBatchesReadAndReEncodeExactlyAsProtobufJava(BackendKind backend) {
        ProtoCodec codec = codec(backend);
        Arena arena = Arena.allocate(1 << 22);
        MessageBatch batch = MessageBatch.allocate(64);
        Random r = new Random(42);
        for (int round = 0; round < 40; round++) {
            arena.reset();
            List<ExportTraceServiceRequest> expected = traces(r, 1 + r.nextInt(20), 12);
            List<byte[]> wire = wire(expected);
            byte[] framed = frame(wire);
            int at = r.nextInt(9);
            ByteBuffer input = input(framed, at);
            assertEquals(framed.length, codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, r.nextBoolean()));
            assertEquals(at + framed.length, input.position());
            assertEquals(expected.size(), batch.count());
            assertEquals(framed.length, batch.bytes());
            assertSame(OtlpProtoTest.REQUEST, batch.type());
            assertBatch(codec, batch, input, expected, wire, at, 0);
            // Nothing left: an empty batch, at the end of input too.
            assertEquals(0, codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true));
            assertEquals(0, batch.count());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void partialTailsAtEveryCutPoint(BackendKind backend) {
        ProtoCodec codec = codec(backend);
        List<ExportTraceServiceRequest> expected = traces(new Random(5), 3, 2);
        List<byte[]> wire = wire(expected);
        byte[] framed = frame(wire);
        int at = 3;
        MessageBatch batch = MessageBatch.allocate(8);
        Arena arena = Arena.allocate(1 << 16);
        for (int cut = 0; cut <= framed.length; cut++) {
            int complete = 0;
            while (complete < wire.size() && payloadAt(wire, 0, complete) + wire.get(complete).length <= cut) {
                complete++;
            }
            int done = complete == 0 ? 0 : payloadAt(wire, 0, complete - 1) + wire.get(complete - 1).length;
            boolean partial = done < cut;

            // A stream: what the cut holds, then the rest once it has arrived.
            arena.reset();
            ByteBuffer input = input(framed, at);
            input.limit(at + cut);
            assertEquals(done, codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, false), "cut " + cut);
            assertEquals(complete, batch.count(), "cut " + cut);
            assertBatch(codec, batch, input, expected, wire, at, 0);
            input.limit(at + framed.length);
            codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, false);
            assertEquals(wire.size() - complete, batch.count(), "cut " + cut);
            assertBatch(codec, batch, input, expected, wire, at, complete);
            assertEquals(at + framed.length, input.position());

            // At the end of input a partial tail is FRAME_TRUNCATED at its start, reported by the call
            // that starts there.
            arena.reset();
            ByteBuffer ended = input(framed, at);
            ended.limit(at + cut);
            if (complete > 0 || !partial) {
                assertEquals(done, codec.decodeBatch(OtlpProtoTest.REQUEST, ended, arena, batch, true), "cut " + cut);
                assertEquals(complete, batch.count());
            }
            if (partial) {
                int used = arena.used();
                FerruleException e = assertThrows(FerruleException.class,
                        () -> codec.decodeBatch(OtlpProtoTest.REQUEST, ended, arena, batch, true), "cut " + cut);
                assertEquals(ErrorCode.FRAME_TRUNCATED, e.code());
                assertEquals(at + done, e.offset());
                assertEquals(at + done, ended.position(), "nothing consumed");
                assertEquals(0, batch.count());
                assertEquals(used, arena.used());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aFullBatchStopsAndTheNextCallContinues(BackendKind backend) {
        ProtoCodec codec = codec(backend);
        List<ExportTraceServiceRequest> expected = traces(new Random(8), 8, 4);
        List<byte[]> wire = wire(expected);
        ByteBuffer input = input(frame(wire), 0);
        Arena arena = Arena.allocate(1 << 20);
        MessageBatch batch = MessageBatch.allocate(3);
        int from = 0;
        for (int size : new int[] {3, 3, 2, 0}) {
            codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true);
            assertEquals(size, batch.count());
            assertEquals(size == 3, batch.isFull());
            assertBatch(codec, batch, input, expected, wire, 0, from);
            from += size;
        }
        assertEquals(input.limit(), input.position());
    }

    /** A request whose only span is named {@code name}, with one byte replaced by 0xFF. */
    static byte[] badUtf8Request() {
        Span span = Span.newBuilder().setName("abcdef").build();
        byte[] wire = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
                .build()
                .toByteArray();
        wire[OtlpProtoTest.indexOf(wire, "abcdef".getBytes()) + 2] = (byte) 0xFF;
        return wire;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aBadMessageIsReportedByTheNextCallWithItsOffsetAndPath(BackendKind backend) {
        ProtoCodec codec = codec(backend);
        List<ExportTraceServiceRequest> good = traces(new Random(11), 3, 5);
        List<byte[]> wire = new ArrayList<>(wire(good));
        byte[] bad = badUtf8Request();
        wire.add(2, bad);
        int at = 7;
        ByteBuffer input = input(frame(wire), at);
        Arena arena = Arena.allocate(1 << 20);
        MessageBatch batch = MessageBatch.allocate(16);
        codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true);
        assertEquals(2, batch.count(), "the messages before the bad one");
        assertBatch(codec, batch, input, good, wire, at, 0);
        int badFrame = payloadAt(wire, at, 2) - 5;
        assertEquals(badFrame, input.position());

        int used = arena.used();
        FerruleException e = assertThrows(FerruleException.class,
                () -> codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true));
        assertEquals(ErrorCode.PROTO_INVALID_UTF8, e.code());
        assertEquals(payloadAt(wire, at, 2) + OtlpProtoTest.indexOf(bad, "ab".getBytes()), e.offset());
        assertEquals("resource_spans[0].scope_spans[0].spans[0].name", e.fieldPath());
        assertEquals(badFrame, input.position(), "nothing consumed");
        assertEquals(used, arena.used(), "the arena is as it was");
        assertEquals(0, batch.count());
        assertNull(batch.type());
        // The messages of the previous call stay readable until the arena is reset, whatever the batch.
        MessageBatch earlier = MessageBatch.allocate(4);
        ByteBuffer again = input(frame(wire.subList(0, 2)), 0);
        codec.decodeBatch(OtlpProtoTest.REQUEST, again, arena, earlier, true);
        assertBatch(codec, earlier, again, good, wire, 0, 0);
        arena.reset();
        FerruleException stale = assertThrows(FerruleException.class, () -> earlier.message(0, new MessageReader()));
        assertEquals(ErrorCode.ARENA_STALE, stale.code());

        // A bad frame: the same rule, and a frame error has no field path.
        byte[] framed = frame(wire(good));
        int second = payloadAt(wire(good), 0, 1) - 5;
        framed[second] = 2;
        ByteBuffer badFlags = input(framed, 0);
        codec.decodeBatch(OtlpProtoTest.REQUEST, badFlags, arena, batch, false);
        assertEquals(1, batch.count());
        FerruleException flags = assertThrows(FerruleException.class,
                () -> codec.decodeBatch(OtlpProtoTest.REQUEST, badFlags, arena, batch, false));
        assertEquals(ErrorCode.FRAME_BAD_FLAGS, flags.code());
        assertEquals(second, flags.offset());
        assertEquals("", flags.fieldPath());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void anArenaThatFillsUpKeepsTheMessagesThatFitted(BackendKind backend) {
        ProtoCodec codec = codec(backend);
        Random r = new Random(13);
        List<ExportTraceServiceRequest> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            expected.add(OtlpProtoTest.randomTrace(r, 6));
        }
        List<byte[]> wire = wire(expected);
        ByteBuffer input = input(frame(wire), 2);
        // How much one message needs, measured with a single decode.
        Arena probe = Arena.allocate(1 << 20);
        codec.decode(OtlpProtoTest.REQUEST, input(wire.get(0), 0), probe);
        Arena arena = Arena.allocate((probe.used() - 16) * 5 / 2 + 16);
        MessageBatch batch = MessageBatch.allocate(64);
        int from = 0;
        int calls = 0;
        while (from < expected.size()) {
            codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true);
            assertTrue(batch.count() > 0, "each call decodes what fits");
            assertBatch(codec, batch, input, expected, wire, 2, from);
            from += batch.count();
            calls++;
            if (from < expected.size()) {
                // Without a reset the next message cannot fit: ARENA_EXHAUSTED, the arena as it was.
                int used = arena.used();
                int position = input.position();
                FerruleException e = assertThrows(FerruleException.class,
                        () -> codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true));
                assertEquals(ErrorCode.ARENA_EXHAUSTED, e.code());
                assertEquals(used, arena.used());
                assertEquals(position, input.position());
                long payload = payloadAt(wire, 2, from);
                assertTrue(e.offset() >= payload && e.offset() < payload + wire.get(from).length, e.toString());
            }
            arena.reset();
        }
        assertTrue(calls >= 3, "the arena filled up " + calls + " times");

        // Not even a root record fits: reported at the message's first byte.
        Arena tiny = Arena.allocate(64);
        ByteBuffer one = input(frame(wire.subList(0, 1)), 4);
        FerruleException e = assertThrows(FerruleException.class,
                () -> codec.decodeBatch(OtlpProtoTest.REQUEST, one, tiny, batch, true));
        assertEquals(ErrorCode.ARENA_EXHAUSTED, e.code());
        assertEquals(4 + 5, e.offset());
        assertEquals(16, tiny.used());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void compressedMessagesAreRefusedAtTheirPrefix(BackendKind backend) {
        ProtoCodec codec = codec(backend);
        List<ExportTraceServiceRequest> expected = traces(new Random(17), 3, 2);
        List<byte[]> wire = wire(expected);
        ByteBuffer input = input(frame(wire, 1), 5);
        Arena arena = Arena.allocate(1 << 18);
        MessageBatch batch = MessageBatch.allocate(8);
        codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true);
        assertEquals(1, batch.count());
        FerruleException e = assertThrows(FerruleException.class,
                () -> codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true));
        assertEquals(ErrorCode.COMPRESSION_UNSUPPORTED, e.code());
        assertEquals("UNIMPLEMENTED", e.code().grpcStatus());
        assertEquals(payloadAt(wire, 5, 1) - 5, e.offset());
        assertEquals("", e.fieldPath());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void messagesOverTheMaximumLengthAreFrameTooLarge(BackendKind backend) {
        byte[] small = OtlpProtoTest.randomTrace(new Random(19), 1).toByteArray();
        byte[] big = OtlpProtoTest.randomTrace(new Random(1), 30).toByteArray();
        List<byte[]> wire = List.of(small, big, small);
        int max = small.length;
        assertTrue(big.length > max);
        ProtoCodec codec = ProtoCodec.builder(OtlpProtoTest.OTLP).backend(backend).maxMessageLength(max).build();
        byte[] framed = frame(wire);
        ByteBuffer input = input(framed, 0);
        MessageBatch batch = MessageBatch.allocate(8);
        Arena arena = Arena.allocate(1 << 18);
        codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, false);
        assertEquals(1, batch.count());
        // Refused as soon as the prefix is in, before the message arrives.
        ByteBuffer prefixOnly = input(Arrays.copyOf(framed, payloadAt(wire, 0, 1)), 0).position(input.position());
        for (ByteBuffer in : List.of(input, prefixOnly)) {
            FerruleException e = assertThrows(FerruleException.class,
                    () -> codec.decodeBatch(OtlpProtoTest.REQUEST, in, arena, batch, false));
            assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
            assertEquals(payloadAt(wire, 0, 1) - 4, e.offset());
        }
    }

    @Test
    void argumentsAreChecked() {
        ProtoCodec codec = codec(BackendKind.JAVA);
        MessageBatch batch = MessageBatch.allocate(1);
        Arena arena = Arena.allocate(1024);
        FerruleException heap = assertThrows(FerruleException.class,
                () -> codec.decodeBatch(OtlpProtoTest.REQUEST, ByteBuffer.allocate(4), arena, batch, true));
        assertEquals(ErrorCode.INVALID_ARGUMENT, heap.code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FerruleException.class, () -> MessageBatch.allocate(0)).code());
        assertThrows(IndexOutOfBoundsException.class, () -> batch.message(0, new MessageReader()));
        assertThrows(IndexOutOfBoundsException.class, () -> batch.payloadOffset(0));
    }

    // ---------------------------------------------------------------------------------------------
    // Both engines, byte for byte.

    /** Everything a batch call leaves behind that the two engines must agree on. */
    record Outcome(String error, long position, byte[] table, byte[] roots, byte[] call, byte[] arena) {
        void assertSame(Outcome other, String what) {
            assertEquals(error, other.error, what + ": outcome");
            assertEquals(position, other.position, what + ": input position");
            assertArrayEquals(table, other.table, what + ": frame table");
            assertArrayEquals(roots, other.roots, what + ": roots");
            assertArrayEquals(call, other.call, what + ": call block");
            assertArrayEquals(arena, other.arena, what + ": arena");
        }
    }

    static Outcome run(ProtoCodec codec, ByteBuffer input, Arena arena, MessageBatch batch, boolean endOfInput) {
        String error;
        try {
            error = "consumed " + codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, endOfInput);
        } catch (FerruleException e) {
            error = e.code() + " at " + e.offset() + " in " + e.fieldPath();
        }
        ByteBuffer call = memory(ProtoCodec.class, codec, "call");
        // The call block's header, and the path entries it reports.
        int callLength = 32 + 8 * Math.min(call.getInt(4), (call.capacity() - 32) / 8);
        ByteBuffer contents = arena.contents();
        return new Outcome(error, input.position(), bytes(memory(MessageBatch.class, batch, "table")),
                bytes(memory(MessageBatch.class, batch, "roots")), bytes(call.duplicate().limit(callLength)),
                bytes(contents));
    }

    static ByteBuffer memory(Class<?> type, Object owner, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return ((ByteBuffer) f.get(owner)).duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).clear();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.limit()];
        b.get(0, out);
        return out;
    }

    @Test
    void bothEnginesLeaveIdenticalTablesRootsCallBlocksAndArenas() {
        ProtoCodec nativeCodec = codec(BackendKind.NATIVE);
        ProtoCodec javaCodec = codec(BackendKind.JAVA);
        Random r = new Random(23);
        for (int round = 0; round < 60; round++) {
            List<byte[]> wire = new ArrayList<>(wire(traces(r, 1 + r.nextInt(10), 10)));
            int[] compressed = {};
            switch (round % 5) {
                case 1 -> wire.add(r.nextInt(wire.size() + 1), badUtf8Request());
                case 2 -> compressed = new int[] {r.nextInt(wire.size())};
                case 3 -> wire.add(r.nextInt(wire.size() + 1), new byte[] {0x0A, 0x7F}); // truncated sub-message
                default -> {}
            }
            byte[] framed = frame(wire, compressed);
            int cut = round % 4 == 0 ? r.nextInt(framed.length + 1) : framed.length;
            int capacity = 1 + r.nextInt(8);
            int arenaCapacity = round % 3 == 0 ? 4096 + r.nextInt(1 << 14) : 1 << 20;
            boolean endOfInput = r.nextBoolean();
            int at = r.nextInt(5);
            ByteBuffer a = input(framed, at).limit(at + cut);
            ByteBuffer b = input(framed, at).limit(at + cut);
            Arena arenaA = Arena.allocate(arenaCapacity);
            Arena arenaB = Arena.allocate(arenaCapacity);
            MessageBatch batchA = MessageBatch.allocate(capacity);
            MessageBatch batchB = MessageBatch.allocate(capacity);
            // Call until the input is used up or a call fails, resetting the arena after each call.
            for (int call = 0; call < 40; call++) {
                Outcome x = run(nativeCodec, a, arenaA, batchA, endOfInput);
                Outcome y = run(javaCodec, b, arenaB, batchB, endOfInput);
                x.assertSame(y, "round " + round + " call " + call);
                if (!x.error().startsWith("consumed") || x.error().equals("consumed 0")) {
                    break;
                }
                arenaA.reset();
                arenaB.reset();
            }
        }
    }
}
