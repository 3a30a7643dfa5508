package dev.ferrule.proto;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.TableLayout;
import dev.ferrule.schema.MessageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A reusable holder for the messages of one {@link ProtoCodec#decodeBatch batch decode}: where each
 * message's bytes lie in the input, and its decoded record in the {@link Arena}.
 *
 * <pre>{@code
 * MessageBatch batch = MessageBatch.allocate(256);                      // once
 * MessageReader request = new MessageReader();
 * // for each read from the network into `in` (a direct buffer in write mode):
 * in.flip();
 * codec.decodeBatch(requestType, in, arena, batch, false);             // consumes whole messages
 * for (int i = 0; i < batch.count(); i++) {
 *     handle(batch.message(i, request));
 * }
 * arena.reset();
 * in.compact();                                                         // keep the partial tail
 * }</pre>
 *
 * <p>The memory is a frame table (docs/wire-format.md, section 4), one entry per message, plus a
 * block of root record offsets (docs/message-layout.md, section 6), both direct and filled by the
 * engine in the same call. A batch describes the last decode only, and its messages stay readable
 * until their arena is reset. Allocate a batch once and reuse it; nothing is allocated per message.
 * Not thread-safe.
 */
public final class MessageBatch {
    private final int capacity;
    private final ByteBuffer table;
    private final ByteBuffer roots;

    // What the last successful decode wrote into.
    private MessageType type;
    private Arena arena;
    private ByteBuffer input;
    private int generation;

    private MessageBatch(int capacity) {
        this.capacity = capacity;
        this.table = TableLayout.allocate(capacity);
        this.roots = ByteBuffer.allocateDirect(capacity * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A batch with room for {@code capacity} messages.
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if capacity is not between 1 and
     *     {@value TableLayout#MAX_CAPACITY}
     */
    public static MessageBatch allocate(int capacity) {
        if (capacity < 1 || capacity > TableLayout.MAX_CAPACITY) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT,
                    "message batch capacity=" + capacity + " must be between 1 and " + TableLayout.MAX_CAPACITY);
        }
        return new MessageBatch(capacity);
    }

    /** How many messages the batch can hold. */
    public int capacity() {
        return capacity;
    }

    /** How many messages the last decode returned (0 after a failed one). */
    public int count() {
        return TableLayout.count(table);
    }

    /** Whether {@link #count()} has reached {@link #capacity()}. */
    public boolean isFull() {
        return count() == capacity;
    }

    /** Input bytes the last decode consumed: the frames of its messages, prefixes included. */
    public int bytes() {
        return (int) TableLayout.bytes(table);
    }

    /** The message type of the last decode, or {@code null} before the first and after a failed one. */
    public MessageType type() {
        return type;
    }

    /** Re-points {@code into} at message {@code index}; see {@link #message(int, MessageReader)}. */
    public MessageReader message(int index) {
        return message(index, new MessageReader());
    }

    /**
     * Re-points {@code into} at message {@code index} of the last decode. String and bytes fields are
     * views into the input buffer the batch was decoded from.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not below {@link #count()}
     * @throws FerruleException {@link ErrorCode#ARENA_STALE} if the arena has been reset since the decode
     */
    public MessageReader message(int index, MessageReader into) {
        check(index);
        arena.checkGeneration(generation);
        return into.wrap(type, arena, input, roots.getInt(index * Integer.BYTES));
    }

    /** Absolute index, in the input buffer, of message {@code index}'s first byte (after its gRPC prefix). */
    public int payloadOffset(int index) {
        return TableLayout.payloadOffset(table, check(index));
    }

    /** Length in bytes of message {@code index}. */
    public int payloadLength(int index) {
        return TableLayout.payloadLength(table, check(index));
    }

    /**
     * A new buffer sharing message {@code index}'s bytes in {@code source}, the buffer the batch was
     * decoded from. Allocates a view object; {@link #payloadOffset} and {@link #payloadLength} are the
     * allocation-free way.
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

    /** The frame table the engine fills. */
    ByteBuffer table() {
        return table;
    }

    /** The root record offsets the engine fills: message {@code i}'s as a little-endian u32 at {@code 4 * i}. */
    ByteBuffer roots() {
        return roots;
    }

    /** Records what a successful decode wrote into, so that readers can be pointed at its records. */
    void decoded(MessageType type, Arena arena, ByteBuffer input) {
        this.type = type;
        this.arena = arena;
        this.input = input;
        this.generation = arena.generation();
    }

    /** Forgets the last decode after a failed one. */
    void failed() {
        TableLayout.setCount(table, 0);
        type = null;
        arena = null;
        input = null;
    }

    @Override
    public String toString() {
        return "MessageBatch[count=" + count() + ", capacity=" + capacity + ", bytes=" + bytes() + "]";
    }
}
