package dev.ferrule.proto;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Confinement;
import dev.ferrule.internal.TableLayout;
import dev.ferrule.schema.MessageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A reusable holder for the messages of one {@link ProtoCodec#decodeBatch batch decode}: where each
 * message's bytes lie in the input, and its decoded record in the {@link Arena}; and for the messages
 * of one {@link ProtoCodec#encodeBatch batch encode}, which {@link #add(MessageReader) add} appends.
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
 * One thread at a time (see the {@link dev.ferrule.proto package documentation}).
 *
 * <p>To encode, {@link #clear()} the batch and {@link #add(MessageReader) add} messages of one type
 * (decoded or built records in one arena, reading one input buffer), then call
 * {@link ProtoCodec#encodeBatch}; a decoded batch can also be encoded as it is, or appended to.
 *
 * <pre>{@code
 * batch.clear();
 * for (MessageBuilder m : built) {
 *     batch.add(m);
 * }
 * codec.encodeBatch(batch, out);                                        // gRPC framed, one engine call
 * }</pre>
 */
public final class MessageBatch {
    private final int capacity;
    private final ByteBuffer table;
    private final ByteBuffer roots;
    private final Confinement confinement = new Confinement("this MessageBatch");

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
        Objects.requireNonNull(into, "into");
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

    /**
     * Empties the batch, to {@link #add(MessageReader) add} messages to encode; the messages it held are
     * no longer reachable through it.
     */
    public MessageBatch clear() {
        failed();
        TableLayout.decoded(table, 0, 0);
        return this;
    }

    /** Appends a built message; see {@link #add(MessageReader)}. */
    public MessageBatch add(MessageBuilder message) {
        Objects.requireNonNull(message, "message");
        message.type(); // checks the builder is attached and its arena not reset
        return add(message.type(), message.arena(), null, message.record());
    }

    /**
     * Appends a message to encode with {@link ProtoCodec#encodeBatch}: no copy, the batch records where
     * its record lies. An absent sub-message (not {@link MessageReader#isPresent() present}) encodes as
     * an empty message. The added message's {@link #payloadOffset} and {@link #payloadLength} are 0.
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if the message's type, arena or input
     *     buffer differs from those of the messages already in the batch (decoded strings are views of one
     *     input; built messages read no input); {@link ErrorCode#ARENA_STALE} if its arena has been reset
     *     since the batch's messages were added or decoded
     * @throws IllegalStateException if the batch {@link #isFull() is full}
     */
    public MessageBatch add(MessageReader message) {
        Objects.requireNonNull(message, "message");
        message.type(); // checks the reader is attached and its arena not reset
        return add(message.type(), message.arena(), message.input(), message.record());
    }

    private MessageBatch add(MessageType type, Arena arena, ByteBuffer input, int record) {
        int count = count();
        if (count == capacity) {
            throw new IllegalStateException("the batch is full: capacity=" + capacity);
        }
        if (count == 0) {
            this.type = type;
            this.arena = arena;
            this.input = input;
            this.generation = arena.generation();
        } else {
            if (type != this.type) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "a batch holds messages of one type: "
                        + type.name() + " cannot join messages of " + this.type.name());
            }
            if (arena != this.arena) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT,
                        "the messages of a batch must live in one arena: this one is in another");
            }
            this.arena.checkGeneration(generation);
            if (input != null && this.input != null && input != this.input) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT,
                        "the messages of a batch must read one input buffer: this one was decoded from another");
            }
            if (this.input == null) {
                this.input = input;
            }
        }
        TableLayout.putEntry(table, count, 0, 0, 0, 0, 0);
        roots.putInt(count * Integer.BYTES, record);
        TableLayout.setCount(table, count + 1);
        return this;
    }

    /** The arena of the batch's messages, checked not reset since; null when the batch is empty. */
    Arena liveArena() {
        if (arena != null) {
            arena.checkGeneration(generation);
        }
        return arena;
    }

    /** The input buffer the batch's messages read, or null if none does. */
    ByteBuffer input() {
        return input;
    }

    private int check(int index) {
        int count = count();
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + count + " capacity=" + capacity);
        }
        return index;
    }

    /** The frame table the engine fills. */
    /** Held by every engine call that fills or reads this batch. */
    Confinement confinement() {
        return confinement;
    }

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
