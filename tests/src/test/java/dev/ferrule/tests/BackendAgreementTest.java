package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferrule.BackendKind;
import dev.ferrule.FerruleException;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFormat;
import dev.ferrule.frame.FrameTable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Differential tests: on random and corrupted input, the native and the Java backend must give the
 * same outcome — the same frames and bytes, or the same error code at the same offset.
 */
class BackendAgreementTest {
    private static final int ROUNDS = 3000;

    /** Everything one call tells the caller, as one comparable value. */
    static String outcome(FrameCodec codec, ByteBuffer input, FrameTable table, boolean end) {
        int start = input.position();
        try {
            codec.decode(input, table, end);
        } catch (FerruleException e) {
            return "error " + e.code() + " at " + e.offset() + " position " + input.position();
        }
        StringBuilder s = new StringBuilder("consumed " + (input.position() - start) + " bytes " + table.bytes());
        for (int i = 0; i < table.count(); i++) {
            s.append(" [").append(table.correlationId(i)).append(' ').append(table.methodId(i)).append(' ')
                    .append(table.flags(i)).append(' ').append(table.payloadOffset(i)).append(' ')
                    .append(table.payloadLength(i)).append(']');
        }
        return s.toString();
    }

    @ParameterizedTest
    @EnumSource(FrameFormat.class)
    void decodersAgreeOnHostileInput(FrameFormat format) {
        Random random = new Random(format.ordinal() * 1_000_003L + 11);
        for (int round = 0; round < ROUNDS; round++) {
            int max = random.nextBoolean() ? 64 : random.nextInt(300);
            FrameCodec nativeCodec = Backends.codec(BackendKind.NATIVE, format, max);
            FrameCodec javaCodec = Backends.codec(BackendKind.JAVA, format, max);
            byte[] bytes = hostile(random, format, nativeCodec);
            boolean end = random.nextBoolean();
            int capacity = 1 + random.nextInt(6);
            int start = random.nextInt(4);
            ByteBuffer a = ByteBuffer.allocateDirect(start + bytes.length + 1);
            ByteBuffer b = ByteBuffer.allocateDirect(start + bytes.length + 1);
            a.position(start);
            a.put(bytes).flip().position(start);
            b.position(start);
            b.put(bytes).flip().position(start);
            FrameTable ta = FrameTable.allocate(capacity);
            FrameTable tb = FrameTable.allocate(capacity);
            for (int call = 0; call < 8; call++) {
                String expected = outcome(javaCodec, b, tb, end);
                assertEquals(expected, outcome(nativeCodec, a, ta, end), "round " + round + " call " + call);
                if (expected.startsWith("error") || ta.count() == 0) {
                    break;
                }
            }
        }
    }

    /** Random bytes, or a valid stream with a few bytes changed, cut or appended. */
    private static byte[] hostile(Random random, FrameFormat format, FrameCodec codec) {
        if (random.nextInt(4) == 0) {
            byte[] noise = new byte[random.nextInt(80)];
            random.nextBytes(noise);
            return noise;
        }
        List<FrameCodecTest.Frame> frames = FrameCodecTest.randomFrames(random, format, 1 + random.nextInt(5), 40);
        List<FrameCodecTest.Frame> fitting = new ArrayList<>();
        for (FrameCodecTest.Frame f : frames) {
            if (f.payload().length <= codec.maxPayloadLength()) {
                fitting.add(f);
            }
        }
        if (fitting.isEmpty()) {
            fitting.add(new FrameCodecTest.Frame(0, 0, 0, new byte[0]));
        }
        ByteBuffer stream = FrameCodecTest.encode(codec, fitting);
        byte[] bytes = Backends.bytes(stream, 0, stream.limit());
        for (int flips = random.nextInt(3); flips > 0; flips--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        int cut = random.nextInt(3) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
        return java.util.Arrays.copyOf(bytes, cut);
    }

    @ParameterizedTest
    @EnumSource(FrameFormat.class)
    void encodersAgreeOnAnyTable(FrameFormat format) {
        Random random = new Random(99 + format.ordinal());
        for (int round = 0; round < ROUNDS; round++) {
            int max = random.nextInt(64);
            FrameCodec nativeCodec = Backends.codec(BackendKind.NATIVE, format, max);
            FrameCodec javaCodec = Backends.codec(BackendKind.JAVA, format, max);
            byte[] payloadBytes = new byte[random.nextInt(100)];
            random.nextBytes(payloadBytes);
            ByteBuffer payloads = Backends.direct(payloadBytes);
            payloads.limit(payloadBytes.length);
            FrameTable table = FrameTable.allocate(6);
            for (int n = random.nextInt(6); n > 0; n--) {
                table.add(random.nextLong(), random.nextInt(), random.nextInt(20) == 0 ? random.nextInt(256) : random.nextInt(2),
                        random.nextInt(payloadBytes.length + 5), random.nextInt(70));
            }
            int room = random.nextInt(400);
            assertEquals(encodeOutcome(javaCodec, table, payloads, room), encodeOutcome(nativeCodec, table, payloads, room),
                    "round " + round);
        }
    }

    private static String encodeOutcome(FrameCodec codec, FrameTable table, ByteBuffer payloads, int room) {
        ByteBuffer out = ByteBuffer.allocateDirect(room + 1).limit(room);
        try {
            int written = codec.encode(table, payloads, out);
            return "wrote " + written + " " + java.util.HexFormat.of().formatHex(Backends.bytes(out, 0, written));
        } catch (FerruleException e) {
            return "error " + e.getMessage() + " position " + out.position() + " count " + table.count();
        }
    }
}
