package dev.ferrule.codegen.tests;

import dev.ferrule.BackendKind;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.util.stream.Stream;

/** Both engines, and buffers to hand them. */
final class Engines {
    private Engines() {}

    static Stream<BackendKind> both() {
        return Stream.of(BackendKind.NATIVE, BackendKind.JAVA);
    }

    static ProtoCodec codec(Schema schema, BackendKind backend) {
        return ProtoCodec.builder(schema).backend(backend).build();
    }

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        b.put(bytes).flip();
        return b;
    }

    /** The bytes written between 0 and the buffer's position. */
    static byte[] written(ByteBuffer out) {
        byte[] bytes = new byte[out.position()];
        out.get(0, bytes);
        return bytes;
    }
}
