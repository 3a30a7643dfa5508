package dev.ferrule.bench;

import dev.ferrule.BackendKind;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBatch;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import java.nio.ByteBuffer;

/** One Ferrule engine (native or pure Java) with everything it reuses from call to call. */
final class FerruleSide {
    final Fixture<?, ?> fixture;
    final ProtoCodec codec;
    final Arena arena;
    final ByteBuffer input;
    final ByteBuffer framed;
    final MessageBatch batch;
    final ByteBuffer output;
    final MessageReader reader = new MessageReader();
    final MessageBuilder builder = new MessageBuilder();

    FerruleSide(Fixture<?, ?> fixture, BackendKind backend, byte[] wire, byte[] framedWire, int batchSize) {
        this.fixture = fixture;
        this.codec = ProtoCodec.builder(fixture.schema).backend(backend).build();
        this.input = direct(wire);
        this.framed = direct(framedWire);
        this.batch = MessageBatch.allocate(batchSize);
        // Records and repeated-field arrays take a few times the wire size; strings and bytes stay views.
        this.arena = Arena.allocate(Math.max(1 << 16, framedWire.length * 8));
        this.output = ByteBuffer.allocateDirect(Math.max(wire.length * 2, 1 << 12));
    }

    /** Decodes the one message with the generated reader and reads every field. */
    long decode() {
        arena.reset();
        input.position(0);
        return fixture.decodeTyped(codec, input, arena);
    }

    /** As {@link #decode}, through the dynamic API. */
    long decodeDynamic() {
        arena.reset();
        input.position(0);
        return fixture.read(codec.decode(fixture.type, input, arena, reader));
    }

    /** Builds the message from its parts with the generated builders and encodes it; returns the bytes written. */
    int encode() {
        arena.reset();
        output.clear();
        return fixture.encodeTyped(codec, arena, output);
    }

    /** As {@link #encode}, through the dynamic API. */
    int encodeDynamic() {
        arena.reset();
        fixture.build(codec, codec.newMessage(fixture.type, arena, builder));
        output.clear();
        return codec.encode(builder, output);
    }

    /**
     * Decodes every gRPC-framed message of the batch input in one engine call and reads every field of each,
     * through the generated reader ({@code typed}) or the dynamic API.
     */
    long decodeBatch(boolean typed) {
        arena.reset();
        framed.position(0);
        codec.decodeBatch(fixture.type, framed, arena, batch, true);
        long sum = 0;
        for (int i = 0, n = batch.count(); i < n; i++) {
            batch.message(i, reader);
            sum += typed ? fixture.readTyped(reader) : fixture.read(reader);
        }
        return sum;
    }

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).flip();
        return b;
    }
}
