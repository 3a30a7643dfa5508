package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every golden vector, decoded and re-encoded on both backends. */
class GoldenVectorsTest {
    static Stream<Arguments> cases() throws IOException {
        List<GoldenVector> vectors = GoldenVector.all().toList();
        return Backends.both().flatMap(b -> vectors.stream().map(v -> Arguments.of(b, v)));
    }

    /** Decodes as tests/vectors/README.md prescribes: repeat until a call returns no frame. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void decodesAsSpecified(BackendKind backend, GoldenVector vector) {
        checkDecode(backend, vector, 0);
    }

    /** The same input placed deeper in a buffer: every offset the codec reports moves with it. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void offsetsAreAbsoluteInTheCallersBuffer(BackendKind backend, GoldenVector vector) {
        checkDecode(backend, vector, 13);
    }

    private static void checkDecode(BackendKind backend, GoldenVector vector, int shift) {
        FrameCodec codec = Backends.codec(backend, vector.format(), vector.maxPayload());
        ByteBuffer input = ByteBuffer.allocateDirect(shift + vector.input().length + 1);
        input.position(shift);
        input.put(vector.input()).flip().position(shift);
        FrameTable table = FrameTable.allocate(1024);
        List<GoldenVector.ExpectedFrame> seen = new ArrayList<>();
        FerruleException failure = null;
        while (true) {
            int before = input.position();
            try {
                int consumed = codec.decode(input, table, vector.endOfInput());
                assertEquals(before + consumed, input.position(), "position advances by what was consumed");
                assertEquals(consumed, table.bytes());
            } catch (FerruleException e) {
                assertEquals(before, input.position(), "a failed decode consumes nothing");
                failure = e;
                break;
            }
            if (table.count() == 0) {
                break;
            }
            for (int i = 0; i < table.count(); i++) {
                seen.add(new GoldenVector.ExpectedFrame(Integer.toUnsignedLong(table.methodId(i)), table.correlationId(i),
                        table.flags(i), table.payloadOffset(i) - shift, table.payloadLength(i)));
            }
        }
        assertEquals(vector.frames(), seen, "frames");
        assertEquals(vector.consumed(), input.position() - shift, "consumed");
        if (vector.error() == null) {
            FerruleException unexpected = failure;
            assertNull(unexpected, () -> "unexpected " + unexpected);
        } else {
            assertNotNull(failure, "expected " + vector.error());
            assertEquals(vector.error(), failure.code());
            assertEquals(vector.errorOffset() + shift, failure.offset(), "error offset");
            assertTrue(failure.getMessage().contains(vector.error().name()), failure.getMessage());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void encodingTheFramesReproducesTheInput(BackendKind backend, GoldenVector vector) {
        if (vector.frames().isEmpty()) {
            return;
        }
        FrameCodec codec = Backends.codec(backend, vector.format(), vector.maxPayload());
        ByteBuffer payloads = vector.inputBuffer();
        FrameTable table = FrameTable.allocate(vector.frames().size());
        for (GoldenVector.ExpectedFrame f : vector.frames()) {
            table.add(f.correlation(), (int) f.method(), f.flags(), f.offset(), f.length());
        }
        ByteBuffer output = ByteBuffer.allocateDirect((int) vector.consumed() + 3);
        output.position(3);
        int written = codec.encode(table, payloads, output);
        assertEquals(vector.consumed(), written);
        assertEquals(3 + written, output.position());
        assertEquals(written, codec.encodedLength(table));
        byte[] expected = new byte[(int) vector.consumed()];
        System.arraycopy(vector.input(), 0, expected, 0, expected.length);
        assertArrayEquals(expected, Backends.bytes(output, 3, 3 + written));
    }

    @Test
    void vectorsCoverEveryFrameError() throws IOException {
        List<ErrorCode> covered = GoldenVector.all().map(GoldenVector::error).distinct().toList();
        for (ErrorCode code : ErrorCode.values()) {
            if (code.name().startsWith("FRAME_")) {
                assertTrue(covered.contains(code), "no golden vector for " + code);
            }
        }
    }
}
