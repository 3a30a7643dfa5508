package dev.ferrule.frame;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Confinement;
import dev.ferrule.internal.TableLayout;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A reusable table of frame descriptors in direct memory: the decoder fills it, the encoder reads it.
 *
 * <p>Each entry describes one frame: method id, correlation id, flags, and where its payload lies
 * (an absolute index and a length in the buffer the frame was decoded from, or in the payload buffer
 * given to the encoder). Allocate a table once and reuse it for every batch; nothing is allocated
 * per frame. The memory layout, shared with the native engine, is in docs/wire-format.md, section 4.
 *
 * <p>One thread at a time: use one table per thread or connection. An engine call on a table another
 * thread's call is filling or reading right now throws {@link ErrorCode#CONCURRENT_USE} (see the
 * {@link dev.ferrule.proto package documentation}).
 */
public final class FrameTable {
    private final ByteBuffer memory;
    private final int capacity;
    private final Confinement confinement = new Confinement("this FrameTable");

    private FrameTable(int capacity) {
        this.capacity = capacity;
        this.memory = TableLayout.allocate(capacity);
    }

    /**
     * A table with room for {@code capacity} frames.
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if capacity is not between 1 and
     *     {@value TableLayout#MAX_CAPACITY}
     */
    public static FrameTable allocate(int capacity) {
        if (capacity < 1 || capacity > TableLayout.MAX_CAPACITY) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT,
                    "frame table capacity=" + capacity + " must be between 1 and " + TableLayout.MAX_CAPACITY);
        }
        return new FrameTable(capacity);
    }

    /** How many entries the table can hold. */
    public int capacity() {
        return capacity;
    }

    /** How many entries the table holds now. */
    public int count() {
        return TableLayout.count(memory);
    }

    /** Whether {@link #count()} has reached {@link #capacity()}. */
    public boolean isFull() {
        return count() == capacity;
    }

    /** For the last decode, the bytes consumed; for the last encode, the bytes written. */
    public long bytes() {
        return TableLayout.bytes(memory);
    }

    /** Empties the table for the next batch. */
    public FrameTable clear() {
        TableLayout.setCount(memory, 0);
        return this;
    }

    /**
     * Appends a frame to encode.
     *
     * @param correlationId any value; ignored by gRPC framing
     * @param methodId any value; ignored by gRPC framing
     * @param flags {@link FrameFlags} bits, 0 to 255 (the encoder checks them against the format)
     * @param payloadOffset absolute index of the payload in the payload buffer given to the encoder
     * @param payloadLength payload length in bytes
     * @return the index of the new entry
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} when the table is full or an argument
     *     is out of range
     */
    public int add(long correlationId, int methodId, int flags, int payloadOffset, int payloadLength) {
        int index = count();
        if (index == capacity) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "frame table is full: count=" + index + " capacity=" + capacity);
        }
        if ((flags & ~0xFF) != 0 || payloadOffset < 0 || payloadLength < 0) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "frame entry out of range: flags=" + flags
                    + " payloadOffset=" + payloadOffset + " payloadLength=" + payloadLength);
        }
        TableLayout.putEntry(memory, index, correlationId, methodId, payloadOffset, payloadLength, flags);
        TableLayout.setCount(memory, index + 1);
        return index;
    }

    /** Correlation id of entry {@code index}. */
    public long correlationId(int index) {
        return TableLayout.correlationId(memory, check(index));
    }

    /** Method id of entry {@code index}. */
    public int methodId(int index) {
        return TableLayout.methodId(memory, check(index));
    }

    /** {@link FrameFlags} of entry {@code index}, 0 to 255. */
    public int flags(int index) {
        return TableLayout.flags(memory, check(index));
    }

    /** Absolute index of entry {@code index}'s payload in its buffer. */
    public int payloadOffset(int index) {
        return TableLayout.payloadOffset(memory, check(index));
    }

    /** Length of entry {@code index}'s payload. */
    public int payloadLength(int index) {
        return TableLayout.payloadLength(memory, check(index));
    }

    /**
     * A new buffer sharing entry {@code index}'s payload bytes in {@code source}, the buffer the frame
     * was decoded from. Allocates a view object; {@link #payloadOffset} and {@link #payloadLength} are
     * the allocation-free way.
     */
    public ByteBuffer payload(int index, ByteBuffer source) {
        Objects.requireNonNull(source, "source");
        int offset = payloadOffset(index);
        int length = payloadLength(index);
        if ((long) offset + length > source.capacity()) {
            throw new IndexOutOfBoundsException("payload index=" + offset + " length=" + length
                    + " capacity=" + source.capacity());
        }
        return source.slice(offset, length);
    }

    private int check(int index) {
        int count = count();
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + count + " capacity=" + capacity);
        }
        return index;
    }

    /** The table's memory, for the codec and the backends. */
    ByteBuffer memory() {
        return memory;
    }

    /** Held by every engine call that fills or reads this table. */
    Confinement confinement() {
        return confinement;
    }

    @Override
    public String toString() {
        return "FrameTable[count=" + count() + ", capacity=" + capacity + ", bytes=" + bytes() + "]";
    }
}
