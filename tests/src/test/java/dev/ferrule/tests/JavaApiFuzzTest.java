package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferrule.BackendKind;
import dev.ferrule.FerruleException;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFormat;
import dev.ferrule.frame.FrameTable;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBatch;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Hostile bytes through the public Java API on both backends, as Jazzer fuzz tests: the only exception
 * that may escape is {@link FerruleException} (anything else, or a JVM crash, is a finding), and the two
 * backends must agree: both accept with the same arena, records and re-encoding, or both reject with the
 * same code, offset and field path.
 *
 * <p>{@code mvn verify} runs the committed inputs under {@code src/test/resources/dev/ferrule/tests/
 * JavaApiFuzzTestInputs/<test>/} (Jazzer's regression mode). {@code ci/fuzz-java} fuzzes each test for a
 * bounded time ({@code JAZZER_FUZZ=1}); a finding is written next to the inputs as {@code crash-<sha1>},
 * to be committed as a regression input once fixed. The first input byte picks the variant (message type,
 * frame format and settings); the rest is the hostile input.
 */
class JavaApiFuzzTest {
    private static final Schema OTLP = OtlpProtoTest.OTLP;
    private static final List<MessageType> TYPES = OTLP.messages();
    private static final ProtoCodec NATIVE = ProtoCodec.builder(OTLP).backend(BackendKind.NATIVE).maxDepth(40).build();
    private static final ProtoCodec JAVA = ProtoCodec.builder(OTLP).backend(BackendKind.JAVA).maxDepth(40).build();
    private static final Arena NATIVE_ARENA = Arena.allocate(1 << 20);
    private static final Arena JAVA_ARENA = Arena.allocate(1 << 20);

    /** One OTLP message (type chosen by the first byte) decoded, then re-encoded, on both engines. */
    @FuzzTest(maxDuration = "60s")
    void decodeOneMessage(byte[] data) {
        if (data.length == 0) {
            return;
        }
        MessageType type = TYPES.get((data[0] & 0xFF) % TYPES.size());
        byte[] message = Arrays.copyOfRange(data, 1, data.length);
        assertEquals(CrossEngineTest.outcome(JAVA, type, message, JAVA_ARENA),
                CrossEngineTest.outcome(NATIVE, type, message, NATIVE_ARENA), type.name());
    }

    /** gRPC length-prefixed OTLP trace requests decoded as a batch on both engines, byte for byte. */
    @FuzzTest(maxDuration = "60s")
    void decodeGrpcBatch(byte[] data) {
        if (data.length == 0) {
            return;
        }
        boolean endOfInput = (data[0] & 1) != 0;
        int capacity = 1 + ((data[0] >>> 1) & 7);
        byte[] stream = Arrays.copyOfRange(data, 1, data.length);
        MessageBatch nativeBatch = MessageBatch.allocate(capacity);
        MessageBatch javaBatch = MessageBatch.allocate(capacity);
        ByteBuffer a = Backends.direct(stream).limit(stream.length);
        ByteBuffer b = Backends.direct(stream).limit(stream.length);
        for (int call = 0; call < 4; call++) {
            NATIVE_ARENA.reset();
            JAVA_ARENA.reset();
            BatchDecodeTest.Outcome expected = BatchDecodeTest.run(JAVA, b, JAVA_ARENA, javaBatch, endOfInput);
            BatchDecodeTest.run(NATIVE, a, NATIVE_ARENA, nativeBatch, endOfInput).assertSame(expected, "call " + call);
            if (!expected.error().startsWith("consumed") || javaBatch.count() == 0) {
                break;
            }
            for (int i = 0; i < javaBatch.count(); i++) {
                assertEquals(reencode(JAVA, javaBatch, i), reencode(NATIVE, nativeBatch, i), "message " + i);
            }
        }
    }

    private static String reencode(ProtoCodec codec, MessageBatch batch, int i) {
        try {
            var reader = batch.message(i);
            ByteBuffer out = ByteBuffer.allocateDirect(Math.max(1, codec.encodedLength(reader)));
            int n = codec.encode(reader, out);
            return java.util.HexFormat.of().formatHex(Backends.bytes(out, 0, n));
        } catch (FerruleException e) {
            return "encode " + e.code() + " at " + e.offset();
        }
    }

    /** Frame streams of either format, with a small table and payload limit chosen by the first byte. */
    @FuzzTest(maxDuration = "60s")
    void decodeFrames(byte[] data) {
        if (data.length == 0) {
            return;
        }
        FrameFormat format = FrameFormat.values()[(data[0] & 1) % FrameFormat.values().length];
        boolean end = (data[0] & 2) != 0;
        int capacity = 1 + ((data[0] >>> 2) & 7);
        int maxPayload = (data[0] & 0x20) != 0 ? 64 : 1 << 20;
        byte[] stream = Arrays.copyOfRange(data, 1, data.length);
        FrameCodec nativeCodec = Backends.codec(BackendKind.NATIVE, format, maxPayload);
        FrameCodec javaCodec = Backends.codec(BackendKind.JAVA, format, maxPayload);
        ByteBuffer a = Backends.direct(stream).limit(stream.length);
        ByteBuffer b = Backends.direct(stream).limit(stream.length);
        FrameTable ta = FrameTable.allocate(capacity);
        FrameTable tb = FrameTable.allocate(capacity);
        for (int call = 0; call < 8; call++) {
            String expected = BackendAgreementTest.outcome(javaCodec, b, tb, end);
            assertEquals(expected, BackendAgreementTest.outcome(nativeCodec, a, ta, end), "call " + call);
            if (expected.startsWith("error") || ta.count() == 0) {
                break;
            }
        }
    }

    /**
     * Malformed descriptor sets: compiling may only fail with {@link FerruleException}; a schema that
     * compiles must also be accepted by the native engine, and both engines must agree on every type.
     */
    @FuzzTest(maxDuration = "60s")
    void compileDescriptorSet(byte[] data) {
        Schema schema;
        try {
            schema = Schema.fromDescriptorSet(data);
        } catch (FerruleException e) {
            return;
        }
        ProtoCodec nativeCodec = ProtoCodec.builder(schema).backend(BackendKind.NATIVE).maxDepth(20).build();
        ProtoCodec javaCodec = ProtoCodec.builder(schema).backend(BackendKind.JAVA).maxDepth(20).build();
        Arena a = Arena.allocate(1 << 16);
        Arena b = Arena.allocate(1 << 16);
        byte[] probe = Arrays.copyOf(data, Math.min(data.length, 64));
        for (MessageType type : schema.messages().subList(0, Math.min(16, schema.messages().size()))) {
            for (byte[] message : List.of(new byte[0], probe)) {
                assertEquals(CrossEngineTest.outcome(javaCodec, type, message, b),
                        CrossEngineTest.outcome(nativeCodec, type, message, a), type.name());
            }
        }
    }
}
