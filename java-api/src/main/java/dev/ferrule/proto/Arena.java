package dev.ferrule.proto;

import static dev.ferrule.internal.Abi.ARENA_HEADER_LENGTH;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct memory that decoded messages and builders live in (docs/message-layout.md, section 2).
 *
 * <p>Decoding bump-allocates records here; nothing is freed one by one. {@link #reset()} makes the
 * whole arena reusable and invalidates every reader and builder that points into it: using one after a
 * reset is {@link ErrorCode#ARENA_STALE}, never a read of reused memory. Allocate an arena once per
 * thread or request pipeline and reset it per batch. Not thread-safe.
 */
public final class Arena {
    private static final int USED_AT = 0;
    private static final int CAPACITY_AT = 4;

    private final ByteBuffer memory;
    private int generation;

    private Arena(int capacity) {
        memory = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        memory.putInt(USED_AT, ARENA_HEADER_LENGTH).putInt(CAPACITY_AT, capacity);
    }

    /**
     * An arena of {@code capacity} bytes. Decoding needs roughly the record sizes of the message's
     * types plus 8 bytes per repeated element; {@link ErrorCode#ARENA_EXHAUSTED} says when it is too small.
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if capacity is under 64 bytes or over 2 GiB − 8
     */
    public static Arena allocate(int capacity) {
        if (capacity < 64 || capacity > Integer.MAX_VALUE - 8) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT,
                    "arena capacity=" + capacity + " must be between 64 and " + (Integer.MAX_VALUE - 8));
        }
        return new Arena(capacity & ~7);
    }

    /** Bytes this arena holds in all. */
    public int capacity() {
        return memory.capacity();
    }

    /** Bytes in use, header included. */
    public int used() {
        return memory.getInt(USED_AT);
    }

    /** Bytes still free. */
    public int remaining() {
        return capacity() - used();
    }

    /**
     * A read-only view of the bytes in use (header included), for debugging and for comparing arenas;
     * allocates a view object.
     */
    public ByteBuffer contents() {
        return memory.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN).limit(used());
    }

    /** Frees everything at once; readers and builders pointing here become stale. */
    public void reset() {
        memory.putInt(USED_AT, ARENA_HEADER_LENGTH);
        generation++;
    }

    /** The arena's memory (little-endian); internal. */
    ByteBuffer memory() {
        return memory;
    }

    /** Bumped by every reset; readers compare it with the value they were made under. */
    int generation() {
        return generation;
    }

    void checkGeneration(int expected) {
        if (generation != expected) {
            throw new FerruleException(ErrorCode.ARENA_STALE,
                    "this message was read from or built in an arena that has been reset since");
        }
    }

    @Override
    public String toString() {
        return "Arena[used=" + used() + ", capacity=" + capacity() + "]";
    }
}
