package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBatch;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.MessageType;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ProtoCodec#encodeBatch}: many OTLP requests, decoded or built, encoded as gRPC length-prefixed
 * messages in one engine call on both backends. The output must be protobuf-java's gRPC framing of each
 * message, byte for byte; it is sized exactly; nothing is written on error; it decodes back with
 * {@link ProtoCodec#decodeBatch}; and both backends write the same bytes.
 */
class BatchEncodeTest {
    static final MessageType RESOURCE_SPANS = OtlpProtoTest.OTLP.message("opentelemetry.proto.trace.v1.ResourceSpans");
    static final MessageType SCOPE_SPANS = OtlpProtoTest.OTLP.message("opentelemetry.proto.trace.v1.ScopeSpans");
    static final MessageType SPAN = OtlpProtoTest.OTLP.message("opentelemetry.proto.trace.v1.Span");

    static Stream<BackendKind> backends() {
        return Backends.both();
    }

    /** Direct output of {@code capacity} bytes filled with 0x5A, position {@code at}. */
    static ByteBuffer output(int at, int capacity) {
        ByteBuffer b = ByteBuffer.allocateDirect(capacity);
        for (int i = 0; i < capacity; i++) {
            b.put(i, (byte) 0x5A);
        }
        return b.position(at);
    }

    /** Decodes {@code framed} (at index {@code at} of its buffer) into {@code batch}. */
    static ByteBuffer decode(ProtoCodec codec, byte[] framed, int at, Arena arena, MessageBatch batch) {
        ByteBuffer input = BatchDecodeTest.input(framed, at);
        assertEquals(framed.length, codec.decodeBatch(OtlpProtoTest.REQUEST, input, arena, batch, true));
        return input;
    }

    /** Encodes {@code batch} at index {@code at} and checks it wrote exactly {@code expected} there, nothing else. */
    static byte[] encodeAndCheck(ProtoCodec codec, MessageBatch batch, byte[] expected, int at) {
        assertEquals(expected.length, codec.encodedLength(batch));
        ByteBuffer out = output(at, at + expected.length + 3);
        assertEquals(expected.length, codec.encodeBatch(batch, out));
        assertEquals(at + expected.length, out.position());
        assertArrayEquals(expected, Backends.bytes(out, at, at + expected.length));
        for (int i = 0; i < at; i++) {
            assertEquals((byte) 0x5A, out.get(i));
        }
        for (int i = at + expected.length; i < out.capacity(); i++) {
            assertEquals((byte) 0x5A, out.get(i));
        }
        return expected;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void decodedRandomRequestsEncodeAsProtobufJavaFramesThem(BackendKind backend) {
        ProtoCodec codec = BatchDecodeTest.codec(backend);
        Arena arena = Arena.allocate(1 << 22);
        MessageBatch batch = MessageBatch.allocate(64);
        Random r = new Random(17);
        for (int round = 0; round < 30; round++) {
            arena.reset();
            List<ExportTraceServiceRequest> expected = BatchDecodeTest.traces(r, 1 + r.nextInt(20), 12);
            byte[] framed = BatchDecodeTest.frame(BatchDecodeTest.wire(expected));
            int at = r.nextInt(9);
            decode(codec, framed, at, arena, batch);
            // The decoded batch as it is.
            encodeAndCheck(codec, batch, framed, r.nextInt(5));

            // The same messages added one by one, in another order: decoded readers of one input.
            MessageBatch added = MessageBatch.allocate(64);
            List<byte[]> wire = new ArrayList<>();
            MessageReader reader = new MessageReader();
            for (int i = expected.size() - 1; i >= 0; i--) {
                added.add(batch.message(i, reader));
                wire.add(expected.get(i).toByteArray());
            }
            assertEquals(expected.size(), added.count());
            assertEquals(0, added.payloadLength(0));
            encodeAndCheck(codec, added, BatchDecodeTest.frame(wire), 0);

            // Round trip through decodeBatch.
            ByteBuffer out = ByteBuffer.allocateDirect(codec.encodedLength(batch));
            codec.encodeBatch(batch, out);
            out.flip();
            MessageBatch back = MessageBatch.allocate(64);
            Arena arena2 = Arena.allocate(1 << 22);
            assertEquals(framed.length, codec.decodeBatch(OtlpProtoTest.REQUEST, out, arena2, back, true));
            BatchDecodeTest.assertBatch(codec, back, out, expected, BatchDecodeTest.wire(expected), 0, 0);
        }
    }

    /** A request built with a builder, and the same built by protobuf-java. */
    static ExportTraceServiceRequest build(ProtoCodec codec, Arena arena, Random r, MessageBatch batch) {
        MessageBuilder request = codec.newMessage(OtlpProtoTest.REQUEST, arena, new MessageBuilder());
        ExportTraceServiceRequest.Builder expected = ExportTraceServiceRequest.newBuilder();
        MessageBuilder resource = new MessageBuilder();
        MessageBuilder scope = new MessageBuilder();
        MessageBuilder span = new MessageBuilder();
        int resources = r.nextInt(3);
        for (int i = 0; i < resources; i++) {
            request.addMessage(OtlpProtoTest.REQUEST.field("resource_spans"), resource);
            ResourceSpans.Builder rs = ResourceSpans.newBuilder();
            resource.addMessage(RESOURCE_SPANS.field("scope_spans"), scope);
            ScopeSpans.Builder ss = ScopeSpans.newBuilder();
            int spans = r.nextInt(4);
            for (int j = 0; j < spans; j++) {
                scope.addMessage(SCOPE_SPANS.field("spans"), span);
                String name = "span-" + r.nextInt(1000) + "-é";
                byte[] traceId = new byte[16];
                r.nextBytes(traceId);
                long start = r.nextLong();
                span.setString(SPAN.field("name"), name)
                        .setBytes(SPAN.field("trace_id"), traceId)
                        .setLong(SPAN.field("start_time_unix_nano"), start);
                ss.addSpans(Span.newBuilder().setName(name).setTraceId(ByteString.copyFrom(traceId))
                        .setStartTimeUnixNano(start));
            }
            rs.addScopeSpans(ss);
            expected.addResourceSpans(rs);
        }
        batch.add(request);
        return expected.build();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void builtMessagesEncodeAsProtobufJavaFramesThem(BackendKind backend) {
        ProtoCodec codec = BatchDecodeTest.codec(backend);
        Arena arena = Arena.allocate(1 << 20);
        MessageBatch batch = MessageBatch.allocate(16);
        Random r = new Random(23);
        for (int round = 0; round < 20; round++) {
            arena.reset();
            batch.clear();
            List<ExportTraceServiceRequest> expected = new ArrayList<>();
            int count = 1 + r.nextInt(16);
            for (int i = 0; i < count; i++) {
                expected.add(build(codec, arena, r, batch));
            }
            encodeAndCheck(codec, batch, BatchDecodeTest.frame(BatchDecodeTest.wire(expected)), r.nextInt(4));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void decodedAndBuiltMessagesMixAndAbsentOnesAreEmpty(BackendKind backend) {
        ProtoCodec codec = BatchDecodeTest.codec(backend);
        Arena arena = Arena.allocate(1 << 20);
        MessageBatch batch = MessageBatch.allocate(16);
        Random r = new Random(29);
        List<ExportTraceServiceRequest> decoded = BatchDecodeTest.traces(r, 3, 4);
        decode(codec, BatchDecodeTest.frame(BatchDecodeTest.wire(decoded)), 2, arena, batch);
        List<ExportTraceServiceRequest> expected = new ArrayList<>(decoded);
        expected.add(build(codec, arena, r, batch)); // appended to the decoded batch
        MessageReader first = batch.message(0);
        MessageBuilder request = codec.newMessage(OtlpProtoTest.REQUEST, arena, new MessageBuilder());
        batch.add(request);
        expected.add(ExportTraceServiceRequest.getDefaultInstance());
        batch.add(first);
        expected.add(decoded.get(0));
        encodeAndCheck(codec, batch, BatchDecodeTest.frame(BatchDecodeTest.wire(expected)), 1);

        // An absent sub-message: an empty message.
        MessageReader none = first.getMessage(OtlpProtoTest.REQUEST.field("resource_spans"), 0, new MessageReader())
                .getMessage(RESOURCE_SPANS.field("resource"), new MessageReader());
        MessageReader absent = codec.newMessage(RESOURCE_SPANS, arena, new MessageBuilder()).reader(new MessageReader())
                .getMessage(RESOURCE_SPANS.field("resource"), new MessageReader());
        assertTrue(!absent.isPresent());
        MessageBatch resources = MessageBatch.allocate(2);
        resources.add(absent).add(none);
        byte[] resource = decoded.get(0).getResourceSpans(0).getResource().toByteArray();
        encodeAndCheck(codec, resources, BatchDecodeTest.frame(List.of(new byte[0], resource)), 0);

        // Nothing to encode.
        batch.clear();
        assertEquals(0, codec.encodedLength(batch));
        assertEquals(0, codec.encodeBatch(batch, output(0, 0)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void bufferTooSmallWritesNothingAndSaysHowMuchIsNeeded(BackendKind backend) {
        ProtoCodec codec = BatchDecodeTest.codec(backend);
        Arena arena = Arena.allocate(1 << 20);
        MessageBatch batch = MessageBatch.allocate(16);
        byte[] framed = BatchDecodeTest.frame(BatchDecodeTest.wire(BatchDecodeTest.traces(new Random(31), 6, 5)));
        decode(codec, framed, 0, arena, batch);
        for (int room : new int[] {0, 1, 5, framed.length / 2, framed.length - 1}) {
            ByteBuffer out = output(3, 3 + framed.length + 8).limit(3 + room);
            FerruleException e = assertThrows(FerruleException.class, () -> codec.encodeBatch(batch, out));
            assertEquals(ErrorCode.BUFFER_TOO_SMALL, e.code());
            assertTrue(e.getMessage().contains("length=" + framed.length), e.getMessage());
            assertEquals(3, out.position());
            ByteBuffer all = out.duplicate().clear();
            for (int i = 0; i < all.capacity(); i++) {
                assertEquals((byte) 0x5A, all.get(i), "byte " + i);
            }
        }
        ByteBuffer exact = output(3, 3 + framed.length);
        assertEquals(framed.length, codec.encodeBatch(batch, exact));
        assertArrayEquals(framed, Backends.bytes(exact, 3, 3 + framed.length));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aRecordErrorNamesTheMessageByItsIndexAndWritesNothing(BackendKind backend) {
        ProtoCodec codec = BatchDecodeTest.codec(backend);
        ProtoCodec shallow = ProtoCodec.builder(OtlpProtoTest.OTLP).backend(backend).maxDepth(2).build();
        Arena arena = Arena.allocate(1 << 20);
        MessageBatch batch = MessageBatch.allocate(4);
        batch.add(codec.newMessage(OtlpProtoTest.REQUEST, arena, new MessageBuilder())).add(
                codec.newMessage(OtlpProtoTest.REQUEST, arena, new MessageBuilder()));
        build(codec, arena, new Random(3) {
            @Override
            public int nextInt(int bound) {
                return bound - 1; // the most resources and spans: deeper than 2
            }
        }, batch);
        ByteBuffer out = output(0, 1 << 12);
        FerruleException e = assertThrows(FerruleException.class, () -> shallow.encodeBatch(batch, out));
        assertEquals(ErrorCode.PROTO_DEPTH_EXCEEDED, e.code());
        assertEquals(2, e.offset(), "the index of the message at fault");
        assertTrue(e.fieldPath().startsWith("resource_spans[0].scope_spans[0]"), e.fieldPath());
        assertEquals(0, out.position());
        for (int i = 0; i < out.capacity(); i++) {
            assertEquals((byte) 0x5A, out.get(i), "byte " + i);
        }
        FerruleException sized = assertThrows(FerruleException.class, () -> shallow.encodedLength(batch));
        assertEquals(ErrorCode.PROTO_DEPTH_EXCEEDED, sized.code());
        assertEquals(2, sized.offset());
    }

    @Test
    void bothBackendsWriteTheSameBytes() {
        ProtoCodec nativeCodec = BatchDecodeTest.codec(BackendKind.NATIVE);
        ProtoCodec javaCodec = BatchDecodeTest.codec(BackendKind.JAVA);
        Random r = new Random(37);
        for (int round = 0; round < 10; round++) {
            Arena arena = Arena.allocate(1 << 21);
            MessageBatch batch = MessageBatch.allocate(32);
            byte[] framed = BatchDecodeTest.frame(BatchDecodeTest.wire(BatchDecodeTest.traces(r, 1 + r.nextInt(10), 8)));
            decode(nativeCodec, framed, 0, arena, batch);
            build(nativeCodec, arena, r, batch);
            int length = nativeCodec.encodedLength(batch);
            assertEquals(length, javaCodec.encodedLength(batch));
            ByteBuffer a = output(0, length);
            ByteBuffer b = output(0, length);
            nativeCodec.encodeBatch(batch, a);
            javaCodec.encodeBatch(batch, b);
            assertArrayEquals(Backends.bytes(a, 0, length), Backends.bytes(b, 0, length));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void batchesHoldOneTypeOneArenaOneInputAndALiveArena(BackendKind backend) {
        ProtoCodec codec = BatchDecodeTest.codec(backend);
        Arena arena = Arena.allocate(1 << 20);
        Arena other = Arena.allocate(1 << 16);
        byte[] framed = BatchDecodeTest.frame(BatchDecodeTest.wire(BatchDecodeTest.traces(new Random(41), 2, 3)));
        MessageBatch decoded = MessageBatch.allocate(4);
        decode(codec, framed, 0, arena, decoded);
        MessageBatch again = MessageBatch.allocate(4);
        decode(codec, framed, 0, arena, again); // same arena, another input buffer

        MessageBatch batch = MessageBatch.allocate(2);
        batch.add(decoded.message(0));
        FerruleException input = assertThrows(FerruleException.class, () -> batch.add(again.message(0)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, input.code());
        FerruleException arenas = assertThrows(FerruleException.class,
                () -> batch.add(codec.newMessage(OtlpProtoTest.REQUEST, other, new MessageBuilder())));
        assertEquals(ErrorCode.INVALID_ARGUMENT, arenas.code());
        FerruleException types = assertThrows(FerruleException.class,
                () -> batch.add(codec.newMessage(SPAN, arena, new MessageBuilder())));
        assertEquals(ErrorCode.INVALID_ARGUMENT, types.code());
        batch.add(codec.newMessage(OtlpProtoTest.REQUEST, arena, new MessageBuilder())); // built: reads no input
        assertThrows(IllegalStateException.class, () -> batch.add(decoded.message(1)));

        arena.reset();
        FerruleException stale = assertThrows(FerruleException.class,
                () -> codec.encodeBatch(batch, output(0, 1 << 12)));
        assertEquals(ErrorCode.ARENA_STALE, stale.code());
        assertEquals(ErrorCode.ARENA_STALE, assertThrows(FerruleException.class, () -> codec.encodedLength(batch)).code());
    }
}
