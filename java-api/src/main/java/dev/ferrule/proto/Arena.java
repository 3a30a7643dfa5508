package dev.ferrule.proto;

import static dev.ferrule.internal.Abi.ARENA_HEADER_LENGTH;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Confinement;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct memory that decoded messages and builders live in (docs/message-layout.md, section 2).
 *
 * <p>Decoding bump-allocates records here; nothing is freed one by one. {@link #reset()} makes the
 * whole arena reusable and invalidates every reader and builder that points into it: using one after a
 * reset is {@link ErrorCode#ARENA_STALE}, never a read of reused memory. Allocate an arena once per
 * thread or request pipeline and reset it per batch.
 *
 * <p>One thread at a time (see the {@link dev.ferrule.proto package documentation}): an engine call,
 * {@link #reset()} or {@link #close()} on an arena another thread is decoding into or encoding from
 * throws {@link ErrorCode#CONCURRENT_USE}. {@link #close()} makes the arena and every view into it
 * unusable ({@link ErrorCode#ARENA_STALE}); its memory is never freed while anything can still read it:
 * the garbage collector frees it once the arena and the readers, builders and batches that point into it
 * are unreachable.
 */
public final class Arena implements AutoCloseable {
    private static final int USED_AT = 0;
    private static final int CAPACITY_AT = 4;
    private static final ByteBuffer CLOSED = ByteBuffer.allocateDirect(0);

    private final Confinement confinement = new Confinement("this arena");
    private final int capacity;
    private ByteBuffer memory;
    private int generation;

    private Arena(int capacity) {
        this.capacity = capacity;
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

    /** Bytes this arena holds in all (also after {@link #close()}). */
    public int capacity() {
        return capacity;
    }

    /**
     * Bytes in use, header included.
     *
     * @throws FerruleException {@link ErrorCode#ARENA_STALE} if the arena is closed
     */
    public int used() {
        confinement.checkOpen();
        return memory.getInt(USED_AT);
    }

    /**
     * Bytes still free.
     *
     * @throws FerruleException {@link ErrorCode#ARENA_STALE} if the arena is closed
     */
    public int remaining() {
        return capacity - used();
    }

    /**
     * A read-only view of the bytes in use (header included), for debugging and for comparing arenas;
     * allocates a view object.
     *
     * @throws FerruleException {@link ErrorCode#ARENA_STALE} if the arena is closed
     */
    public ByteBuffer contents() {
        int used = used();
        return memory.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN).limit(used);
    }

    /**
     * Frees everything at once; readers and builders pointing here become stale.
     *
     * @throws FerruleException {@link ErrorCode#CONCURRENT_USE} if another thread is decoding into or
     *     encoding from this arena right now; {@link ErrorCode#ARENA_STALE} if it is closed
     */
    public void reset() {
        confinement.enter();
        try {
            memory.putInt(USED_AT, ARENA_HEADER_LENGTH);
            generation++;
        } finally {
            confinement.exit();
        }
    }

    /**
     * Makes this arena unusable: every reader, builder and batch pointing here becomes stale and every later
     * use of the arena throws {@link ErrorCode#ARENA_STALE}. The memory goes back to the JVM when nothing
     * references it any more (it is never freed under a reader). Closing twice does nothing.
     *
     * @throws FerruleException {@link ErrorCode#CONCURRENT_USE} if another thread is decoding into or
     *     encoding from this arena right now
     */
    @Override
    public void close() {
        if (confinement.close()) {
            generation++;
            memory = CLOSED;
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return confinement.isClosed();
    }

    /** Held by every engine call that writes to or reads from this arena, and by {@link #reset()}. */
    Confinement confinement() {
        return confinement;
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
            throw new FerruleException(ErrorCode.ARENA_STALE, "this message was read from or built in an arena that has"
                    + " been " + (isClosed() ? "closed" : "reset since"));
        }
    }

    @Override
    public String toString() {
        return isClosed() ? "Arena[closed, capacity=" + capacity + "]"
                : "Arena[used=" + memory.getInt(USED_AT) + ", capacity=" + capacity + "]";
    }
}
