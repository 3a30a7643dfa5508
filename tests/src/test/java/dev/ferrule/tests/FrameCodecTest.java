package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFlags;
import dev.ferrule.frame.FrameFormat;
import dev.ferrule.frame.FrameTable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The frame codec's contract, on both backends and both formats. */
class FrameCodecTest {
    static Stream<Arguments> backendsAndFormats() {
        return Backends.both().flatMap(b -> Stream.of(FrameFormat.values()).map(f -> Arguments.of(b, f)));
    }

    record Frame(long correlation, int method, int flags, byte[] payload) {}

    static List<Frame> randomFrames(Random random, FrameFormat format, int n, int maxLength) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] payload = new byte[random.nextInt(maxLength + 1)];
            random.nextBytes(payload);
            boolean grpc = format == FrameFormat.GRPC;
            frames.add(new Frame(grpc ? 0 : random.nextLong(), grpc ? 0 : random.nextInt(),
                    grpc ? random.nextInt(2) : random.nextInt(16), payload));
        }
        return frames;
    }

    /** Encodes frames with one call; returns the stream. */
    static ByteBuffer encode(FrameCodec codec, List<Frame> frames) {
        int total = frames.stream().mapToInt(f -> f.payload().length).sum();
        ByteBuffer payloads = ByteBuffer.allocateDirect(Math.max(total, 1));
        FrameTable table = FrameTable.allocate(Math.max(frames.size(), 1));
        for (Frame f : frames) {
            table.add(f.correlation(), f.method(), f.flags(), payloads.position(), f.payload().length);
            payloads.put(f.payload());
        }
        payloads.flip();
        ByteBuffer out = ByteBuffer.allocateDirect((int) Math.max(codec.encodedLength(table), 1));
        codec.encode(table, payloads, out);
        assertEquals(0, out.remaining(), "encodedLength is exact");
        return out.flip();
    }

    static void assertFrame(Frame expected, FrameTable table, int i, ByteBuffer source) {
        assertEquals(expected.correlation(), table.correlationId(i));
        assertEquals(expected.method(), table.methodId(i));
        assertEquals(expected.flags(), table.flags(i));
        byte[] payload = new byte[table.payloadLength(i)];
        source.get(table.payloadOffset(i), payload);
        assertArrayEquals(expected.payload(), payload);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndFormats")
    void roundTripsBatchesInOneCall(BackendKind backend, FrameFormat format) {
        FrameCodec codec = Backends.codec(backend, format);
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<Frame> frames = randomFrames(random, format, 1 + random.nextInt(40), 300);
            ByteBuffer stream = encode(codec, frames);
            FrameTable table = FrameTable.allocate(64);
            int consumed = codec.decode(stream, table, true);
            assertEquals(stream.limit(), consumed);
            assertEquals(frames.size(), table.count());
            for (int i = 0; i < frames.size(); i++) {
                assertFrame(frames.get(i), table, i, stream);
            }
        }
    }

    /** However the stream is cut into reads, the same frames come out, and a partial tail waits. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndFormats")
    void partialTailsWaitForTheNextRead(BackendKind backend, FrameFormat format) {
        FrameCodec codec = Backends.codec(backend, format);
        List<Frame> frames = randomFrames(new Random(7), format, 6, 40);
        ByteBuffer stream = encode(codec, frames);
        byte[] all = Backends.bytes(stream, 0, stream.limit());
        for (int cut = 0; cut <= all.length; cut++) {
            ByteBuffer in = ByteBuffer.allocateDirect(all.length);
            FrameTable table = FrameTable.allocate(16);
            List<Frame> seen = new ArrayList<>();
            in.put(all, 0, cut).flip();
            collect(codec, in, table, seen, false);
            in.compact();
            in.put(all, cut, all.length - cut).flip();
            collect(codec, in, table, seen, true);
            assertEquals(0, in.remaining(), "cut at " + cut);
            assertEquals(frames.size(), seen.size(), "cut at " + cut);
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(frames.get(i).correlation(), seen.get(i).correlation());
                assertArrayEquals(frames.get(i).payload(), seen.get(i).payload(), "cut at " + cut);
            }
        }
    }

    private static void collect(FrameCodec codec, ByteBuffer in, FrameTable table, List<Frame> seen, boolean end) {
        while (codec.decode(in, table, end) > 0) {
            for (int i = 0; i < table.count(); i++) {
                byte[] payload = new byte[table.payloadLength(i)];
                in.get(table.payloadOffset(i), payload);
                seen.add(new Frame(table.correlationId(i), table.methodId(i), table.flags(i), payload));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndFormats")
    void aFullTableStopsTheBatchAndTheRestFollows(BackendKind backend, FrameFormat format) {
        FrameCodec codec = Backends.codec(backend, format);
        List<Frame> frames = randomFrames(new Random(3), format, 10, 20);
        ByteBuffer stream = encode(codec, frames);
        FrameTable table = FrameTable.allocate(4);
        int[] counts = new int[4];
        int calls = 0;
        while (stream.hasRemaining()) {
            codec.decode(stream, table, true);
            counts[calls++] = table.count();
        }
        assertArrayEquals(new int[] {4, 4, 2, 0}, counts);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndFormats")
    void framesBeforeABadOneAreNotLost(BackendKind backend, FrameFormat format) {
        FrameCodec codec = Backends.codec(backend, format, 100);
        List<Frame> frames = randomFrames(new Random(5), format, 3, 20);
        ByteBuffer good = encode(codec, frames);
        ByteBuffer in = ByteBuffer.allocateDirect(good.limit() + 32);
        in.put(good);
        int badAt = in.position();
        // A header announcing a payload over the limit: refused before any payload arrives.
        if (format == FrameFormat.GRPC) {
            in.put((byte) 0).putInt(101);
        } else {
            in.put(new byte[] {'F', 'R', 1, 0}).putInt(0).putLong(0).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(101).putInt(0);
        }
        in.flip();
        FrameTable table = FrameTable.allocate(8);
        assertEquals(badAt, codec.decode(in, table));
        assertEquals(3, table.count());
        FerruleException e = assertThrows(FerruleException.class, () -> codec.decode(in, table));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        assertEquals(badAt + (format == FrameFormat.GRPC ? 1 : 16), e.offset());
        assertEquals(badAt, in.position(), "the bad frame stays in the buffer");
        assertEquals(0, table.count());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndFormats")
    void aFailedEncodeWritesNothingAndKeepsTheTable(BackendKind backend, FrameFormat format) {
        FrameCodec codec = Backends.codec(backend, format, 8);
        ByteBuffer payloads = Backends.direct(new byte[16]);
        FrameTable table = FrameTable.allocate(4);
        table.add(0, 0, 0, 0, 4);
        table.add(0, 0, 0, 4, 9); // over the 8-byte limit
        ByteBuffer out = ByteBuffer.allocateDirect(100);
        FerruleException e = assertThrows(FerruleException.class, () -> codec.encode(table, payloads, out));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        assertEquals(1, e.offset(), "the offset names the entry at fault");
        assertEquals(0, out.position());
        assertArrayEquals(new byte[100], Backends.bytes(out, 0, 100), "nothing written");
        assertEquals(2, table.count(), "entries kept");

        FrameTable outside = FrameTable.allocate(1);
        outside.add(0, 0, 0, 10, 7); // 10 + 7 > 16
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FerruleException.class, () -> codec.encode(outside, payloads, out)).code());

        FrameTable badFlags = FrameTable.allocate(2);
        badFlags.add(0, 0, 0, 0, 1);
        badFlags.add(0, 0, format == FrameFormat.GRPC ? 2 : 0x10, 0, 1);
        FerruleException flags = assertThrows(FerruleException.class, () -> codec.encode(badFlags, payloads, out));
        assertEquals(ErrorCode.FRAME_BAD_FLAGS, flags.code());
        assertEquals(1, flags.offset());

        FrameTable fits = FrameTable.allocate(1);
        fits.add(0, 0, 0, 0, 8);
        ByteBuffer small = ByteBuffer.allocateDirect(format.headerLength() + 7);
        FerruleException tooSmall = assertThrows(FerruleException.class, () -> codec.encode(fits, payloads, small));
        assertEquals(ErrorCode.BUFFER_TOO_SMALL, tooSmall.code());
        assertTrue(tooSmall.getMessage().contains("length=" + (format.headerLength() + 8)), tooSmall.getMessage());
        assertEquals(0, small.position());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndFormats")
    void badArgumentsAreRefusedBeforeTheEngineRuns(BackendKind backend, FrameFormat format) {
        FrameCodec codec = Backends.codec(backend, format);
        FrameTable table = FrameTable.allocate(1);
        table.add(0, 0, 0, 0, 1);
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        ByteBuffer heap = ByteBuffer.allocate(64);
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(FerruleException.class, () -> codec.decode(heap, table)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FerruleException.class, () -> codec.encode(table, heap, direct)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FerruleException.class, () -> codec.encode(table, direct, heap)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FerruleException.class, () -> codec.encode(table, direct, direct.asReadOnlyBuffer())).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FerruleException.class, () -> codec.encode(table, direct, direct)).code());
        assertThrows(NullPointerException.class, () -> codec.decode(null, table));
        assertThrows(NullPointerException.class, () -> codec.decode(direct, null));
        assertThrows(NullPointerException.class, () -> codec.encode(table, null, direct));
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(FerruleException.class,
                () -> FrameCodec.builder().maxPayloadLength(-1)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(FerruleException.class, () -> FrameTable.allocate(0)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(FerruleException.class, () -> table.add(0, 0, 0, 0, 1)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(FerruleException.class, () -> FrameTable.allocate(2).add(0, 0, 256, 0, 1)).code());
        IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class, () -> table.methodId(1));
        assertEquals("index=1 count=1 capacity=1", oob.getMessage());
        // Read-only and sliced inputs decode: the codec reads them, never writes them.
        ByteBuffer stream = encode(codec, List.of(new Frame(0, 0, 0, new byte[] {1, 2, 3})));
        assertEquals(stream.limit(), codec.decode(stream.asReadOnlyBuffer(), FrameTable.allocate(1), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.ferrule.tests.Backends#both")
    void flagsTravelAndReservedBitsAreRefused(BackendKind backend) {
        FrameCodec codec = Backends.codec(backend, FrameFormat.FERRULE);
        int all = FrameFlags.COMPRESSED | FrameFlags.RESPONSE | FrameFlags.ERROR | FrameFlags.END_OF_STREAM;
        ByteBuffer stream = encode(codec, List.of(new Frame(9, 1, all, new byte[0])));
        FrameTable table = FrameTable.allocate(1);
        codec.decode(stream, table, true);
        assertEquals(all, table.flags(0));
        stream.put(3, (byte) 0x80).position(0);
        FerruleException e = assertThrows(FerruleException.class, () -> codec.decode(stream, table, true));
        assertEquals(ErrorCode.FRAME_BAD_FLAGS, e.code());
        assertEquals(3, e.offset());
        assertEquals("INTERNAL", e.code().grpcStatus());
    }
}
