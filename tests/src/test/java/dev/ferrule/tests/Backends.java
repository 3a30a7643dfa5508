package dev.ferrule.tests;

import dev.ferrule.BackendKind;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFormat;
import java.nio.ByteBuffer;
import java.util.stream.Stream;

/** Helpers shared by the tests that run on both backends. */
final class Backends {
    private Backends() {}

    static Stream<BackendKind> both() {
        return Stream.of(BackendKind.NATIVE, BackendKind.JAVA);
    }

    static FrameCodec codec(BackendKind backend, FrameFormat format) {
        return FrameCodec.builder().backend(backend).format(format).build();
    }

    static FrameCodec codec(BackendKind backend, FrameFormat format, int maxPayload) {
        return FrameCodec.builder().backend(backend).format(format).maxPayloadLength(maxPayload).build();
    }

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(bytes.length, 1));
        b.put(bytes).flip();
        return b;
    }

    static byte[] bytes(ByteBuffer buffer, int from, int to) {
        byte[] out = new byte[to - from];
        buffer.get(from, out);
        return out;
    }
}
