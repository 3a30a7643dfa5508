package dev.ferrule.proto;

import dev.ferrule.schema.MessageType;
import java.nio.ByteBuffer;

/**
 * Not API: the few package-private hooks of the flyweights that {@code dev.ferrule.dispatch} needs to
 * point readers and builders at records another engine call produced. Applications never need it.
 *
 * <p>It is public only because Java 17 without modules cannot share a package-private member across
 * packages; its signatures take raw record offsets and may change in any release. A wrong offset
 * cannot read outside the arena or the input: every read goes through their bounds-checked
 * {@link ByteBuffer}s, and a closed arena's memory is an empty buffer. MisuseTest leaves this class out
 * of the public-API sweep for these reasons.
 */
public final class ProtoInternals {
    private ProtoInternals() {}

    /** Points {@code reader} at the record at {@code record} of {@code arena}, with views into {@code input}. */
    public static MessageReader wrap(MessageReader reader, MessageType type, Arena arena, ByteBuffer input, int record) {
        return reader.wrap(type, arena, input, record);
    }

    /**
     * Allocates an empty {@code type} record in {@code arena} and points {@code builder} at it.
     *
     * @throws dev.ferrule.FerruleException {@code ARENA_EXHAUSTED} when the arena is full
     */
    public static MessageBuilder newRecord(MessageBuilder builder, MessageType type, Arena arena) {
        return builder.wrap(type, arena, MessageBuilder.allocateRecord(type, arena));
    }

    /** The arena offset of the record {@code builder} is building. */
    public static int record(MessageBuilder builder) {
        return builder.record();
    }

    /** The arena's little-endian memory. */
    public static ByteBuffer memory(Arena arena) {
        return arena.memory();
    }
}
