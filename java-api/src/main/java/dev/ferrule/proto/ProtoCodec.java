package dev.ferrule.proto;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Abi;
import dev.ferrule.internal.Backend;
import dev.ferrule.internal.Backends;
import dev.ferrule.internal.Confinement;
import dev.ferrule.internal.proto.ArenaLayout;
import dev.ferrule.internal.proto.CallBlock;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Decodes protobuf messages into an {@link Arena} and encodes them back, one engine call per
 * message, with no allocation per message once warm.
 *
 * <pre>{@code
 * Schema schema = Schema.fromDescriptorSet(descriptorSetBytes);          // once, shared
 * MessageType spanType = schema.message("opentelemetry.proto.trace.v1.Span");
 * FieldInfo name = spanType.field("name");                                // once
 *
 * ProtoCodec codec = ProtoCodec.builder(schema).build();                 // one per thread
 * Arena arena = Arena.allocate(1 << 20);
 * MessageReader span = new MessageReader();
 * Utf8View text = new Utf8View();
 * codec.decode(spanType, input, arena, span);
 * CharSequence spanName = span.getString(name, text);                    // no allocation
 * arena.reset();
 * }</pre>
 *
 * <p>{@link #decodeBatch} decodes a whole read's worth of gRPC length-prefixed messages in one engine
 * call into a {@link MessageBatch}, and {@link #encodeBatch} encodes a batch's messages as gRPC
 * length-prefixed messages in one engine call.
 *
 * <p>Results are identical on both backends. Every input error is a {@link FerruleException} with a
 * stable code, the absolute byte offset and the field path (see docs/message-layout.md, section 3).
 * <p>One thread at a time, like the arenas, batches, readers and builders it works with; the schema
 * is shared by all threads (see the {@link dev.ferrule.proto package documentation}). A call on a codec,
 * arena or batch that another thread is inside right now throws {@link ErrorCode#CONCURRENT_USE}.
 */
public final class ProtoCodec {
    private static final ByteBuffer NO_BYTES = ByteBuffer.allocateDirect(0);

    private final Schema schema;
    private final CompiledSchema compiled;
    private final Backend backend;
    private final int maxDepth;
    private final int maxMessageLength;
    private final ByteBuffer call;
    private final MessageReader scratchReader = new MessageReader();
    private final Confinement confinement = new Confinement("this ProtoCodec");

    private ProtoCodec(Builder builder) {
        this.schema = builder.schema;
        this.compiled = schema.compiled();
        this.backend = builder.backend == null ? Backends.create() : Backends.create(builder.backend);
        this.maxDepth = builder.maxDepth;
        this.maxMessageLength = builder.maxMessageLength;
        this.call = CallBlock.allocate(maxDepth);
        if (backend.kind() == BackendKind.NATIVE) {
            schema.nativeHandle();
        }
    }

    /** Settings for a codec over {@code schema}. */
    public static Builder builder(Schema schema) {
        return new Builder(Objects.requireNonNull(schema, "schema"));
    }

    /** The engine behind this codec. */
    public BackendKind backend() {
        return backend.kind();
    }

    /** Decodes {@code input[position, limit)} as one {@code type} message into a new reader. */
    public MessageReader decode(MessageType type, ByteBuffer input, Arena arena) {
        return decode(type, input, arena, new MessageReader());
    }

    /**
     * Decodes {@code input[position, limit)} as one {@code type} message into {@code arena} and points
     * {@code into} at it; the input's position moves to its limit. String and bytes fields stay views
     * into {@code input}, which must not change while the message is read.
     *
     * @throws FerruleException a {@code PROTO_*} code with offset and field path for bad input;
     *     {@link ErrorCode#ARENA_EXHAUSTED} when the arena is too small (the arena is left as it was)
     */
    public MessageReader decode(MessageType type, ByteBuffer input, Arena arena, MessageReader into) {
        checkType(type);
        requireDirect(input, "input");
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(into, "into");
        int start = input.position();
        int length = input.limit() - start;
        if (length > maxMessageLength) {
            throw new FerruleException(ErrorCode.PROTO_MESSAGE_TOO_LARGE, start, "decoding " + type.name()
                    + ": length=" + length + " is over maxMessageLength=" + maxMessageLength, null);
        }
        enter(arena, null);
        try {
            int status = backend.protoDecode(schema, type.index(), input, start, length, arena.memory(), maxDepth, call);
            if (status != 0) {
                throw failure(status, type, "decoding " + type.name());
            }
            input.position(input.limit());
            return into.wrap(type, arena, input, call.getInt(CallBlock.ROOT_AT));
        } finally {
            exit(arena, null);
        }
    }

    /**
     * Decodes the gRPC length-prefixed messages in {@code input[position, limit)}, each as one
     * {@code type} message into {@code arena}, in one engine call, and describes them in {@code batch}
     * (replacing what it held); the input's position moves past the messages decoded.
     *
     * <p>Decoding stops when the batch is full, when the input ends inside a message (the partial tail
     * is left for the next call, like {@link dev.ferrule.frame.FrameCodec#decode}), or before a bad
     * message or frame. Messages before a bad one are returned normally; the call that starts at the bad
     * one throws. So when the arena fills up part way, the messages that fitted are returned (the arena
     * keeps them): process them, reset the arena and call again. Message lengths are limited by
     * {@link Builder#maxMessageLength} (at most {@code MAX_PAYLOAD_LENGTH_LIMIT}); a longer one is
     * {@link ErrorCode#FRAME_TOO_LARGE}, refused as soon as its prefix is read. Compressed messages
     * cannot be decoded yet.
     *
     * <pre>{@code
     * MessageBatch batch = MessageBatch.allocate(64);
     * while (codec.decodeBatch(type, input, arena, batch, true) > 0) {
     *     for (int i = 0; i < batch.count(); i++) {
     *         handle(batch.message(i, reader));
     *     }
     *     arena.reset();
     * }
     * }</pre>
     *
     * @param endOfInput true if no more bytes will follow, so that a partial message is an error
     * @return the number of bytes consumed (also {@link MessageBatch#bytes()}); 0 when the input holds
     *     no whole message
     * @throws FerruleException thrown only by a call that returns no message: a frame error code with
     *     the absolute index of the offending field ({@link ErrorCode#FRAME_TRUNCATED} only when
     *     {@code endOfInput}); {@link ErrorCode#COMPRESSION_UNSUPPORTED} at the message's prefix for a
     *     compressed message; a {@code PROTO_*} code with the absolute offset and the field path from
     *     {@code type}; {@link ErrorCode#ARENA_EXHAUSTED} if not even the first message fits the arena.
     *     The arena is left as it was
     */
    public int decodeBatch(MessageType type, ByteBuffer input, Arena arena, MessageBatch batch, boolean endOfInput) {
        checkType(type);
        requireDirect(input, "input");
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(batch, "batch");
        int start = input.position();
        int length = input.limit() - start;
        int maxPayloadLength = Math.min(maxMessageLength, Abi.MAX_PAYLOAD_LENGTH_LIMIT);
        ByteBuffer table = batch.table();
        enter(arena, batch);
        try {
            int status = backend.protoDecodeBatch(schema, type.index(), input, start, length, maxPayloadLength, endOfInput,
                    table, batch.roots(), batch.capacity(), arena.memory(), maxDepth, call);
            if (status != 0) {
                batch.failed();
                throw failure(status, type, "decoding a batch of gRPC " + type.name() + " messages from index " + start);
            }
            batch.decoded(type, arena, input);
            int consumed = batch.bytes();
            input.position(start + consumed);
            return consumed;
        } finally {
            exit(arena, batch);
        }
    }

    /**
     * Starts building a new {@code type} message in {@code arena}; {@code into} is re-pointed at it.
     *
     * @throws FerruleException {@link ErrorCode#ARENA_EXHAUSTED} if the arena is full
     */
    public MessageBuilder newMessage(MessageType type, Arena arena, MessageBuilder into) {
        checkType(type);
        Objects.requireNonNull(into, "into");
        Objects.requireNonNull(arena, "arena");
        arena.confinement().enter();
        try {
            return into.wrap(type, arena, MessageBuilder.allocateRecord(type, arena));
        } finally {
            arena.confinement().exit();
        }
    }

    /** Encodes a built message into {@code output} at its position; see {@link #encode(MessageReader, ByteBuffer)}. */
    public int encode(MessageBuilder message, ByteBuffer output) {
        Objects.requireNonNull(message, "message");
        message.type(); // checks it is attached and its arena neither reset nor closed
        Arena arena = message.arena();
        enter(arena, null);
        try {
            // scratchReader belongs to this codec: it may only be filled while the codec is held.
            return encodeHeld(message.reader(scratchReader), output);
        } finally {
            exit(arena, null);
        }
    }

    /** The exact number of bytes {@link #encode(MessageBuilder, ByteBuffer)} writes. */
    public int encodedLength(MessageBuilder message) {
        Objects.requireNonNull(message, "message");
        message.type(); // checks it is attached and its arena neither reset nor closed
        Arena arena = message.arena();
        enter(arena, null);
        try {
            return encodedLengthHeld(message.reader(scratchReader));
        } finally {
            exit(arena, null);
        }
    }

    /**
     * Encodes a decoded message into {@code output} at its position and advances it.
     *
     * @return bytes written, exactly {@link #encodedLength(MessageReader)}
     * @throws FerruleException {@link ErrorCode#BUFFER_TOO_SMALL} (nothing written) if output has too little room
     */
    public int encode(MessageReader message, ByteBuffer output) {
        Objects.requireNonNull(message, "message");
        message.type(); // checks it is attached and its arena neither reset nor closed
        Arena arena = message.arena();
        enter(arena, null);
        try {
            return encodeHeld(message, output);
        } finally {
            exit(arena, null);
        }
    }

    private int encodeHeld(MessageReader message, ByteBuffer output) {
        requireDirect(output, "output");
        if (output.isReadOnly()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "output is a read-only buffer");
        }
        MessageType type = message.type();
        checkType(type);
        int start = output.position();
        int room = output.limit() - start;
        int status = encodeRecord(type, message, output, start, room);
        if (status == ErrorCode.BUFFER_TOO_SMALL.code()) {
            throw new FerruleException(ErrorCode.BUFFER_TOO_SMALL, "encoding " + type.name() + " needs length="
                    + call.getLong(CallBlock.BYTES_AT) + " but output has remaining=" + room);
        }
        if (status != 0) {
            throw failure(status, type, "encoding " + type.name());
        }
        int written = (int) call.getLong(CallBlock.BYTES_AT);
        output.position(start + written);
        return written;
    }

    /** The exact number of bytes {@link #encode} writes for this message. */
    public int encodedLength(MessageReader message) {
        Objects.requireNonNull(message, "message");
        message.type(); // checks it is attached and its arena neither reset nor closed
        Arena arena = message.arena();
        enter(arena, null);
        try {
            return encodedLengthHeld(message);
        } finally {
            exit(arena, null);
        }
    }

    private int encodedLengthHeld(MessageReader message) {
        MessageType type = message.type();
        checkType(type);
        int status = encodeRecord(type, message, NO_BYTES, 0, 0);
        if (status != 0 && status != ErrorCode.BUFFER_TOO_SMALL.code()) {
            throw failure(status, type, "sizing " + type.name());
        }
        return (int) call.getLong(CallBlock.BYTES_AT);
    }

    /**
     * Encodes every message of {@code batch}, in order, as a gRPC length-prefixed message (compressed
     * flag 0, the length as a 4-byte big-endian integer, then the encoding {@link #encode(MessageReader,
     * ByteBuffer)} writes) into {@code output} at its position, in one engine call, and advances it. The
     * batch holds either the messages of the last {@link #decodeBatch} or those {@link MessageBatch#add
     * added} since {@link MessageBatch#clear}; an empty batch writes nothing.
     *
     * @return bytes written, exactly {@link #encodedLength(MessageBatch)}
     * @throws FerruleException nothing written in every case: {@link ErrorCode#BUFFER_TOO_SMALL} if output
     *     has too little room for the whole batch (the message says how much it needs); for a bad record,
     *     the encoder's code with the <em>index of the message</em> in the batch as the offset, and its
     *     field path; {@link ErrorCode#ARENA_STALE} if the batch's arena has been reset since its messages
     *     were added or decoded
     */
    public int encodeBatch(MessageBatch batch, ByteBuffer output) {
        Objects.requireNonNull(batch, "batch");
        requireDirect(output, "output");
        if (output.isReadOnly()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "output is a read-only buffer");
        }
        int start = output.position();
        int room = output.limit() - start;
        MessageType type = batch.type();
        Arena arena = batch.liveArena();
        int status;
        enter(arena, batch);
        try {
            status = encodeBatch(batch, output, start, room);
        } finally {
            exit(arena, batch);
        }
        if (status == ErrorCode.BUFFER_TOO_SMALL.code()) {
            throw new FerruleException(ErrorCode.BUFFER_TOO_SMALL, "encoding a batch of " + batch.count() + " gRPC "
                    + type.name() + " messages needs length=" + call.getLong(CallBlock.BYTES_AT)
                    + " but output has remaining=" + room);
        }
        if (status != 0) {
            throw failure(status, type, "encoding a batch of gRPC " + type.name() + " messages, at message index "
                    + call.getLong(CallBlock.ERROR_OFFSET_AT));
        }
        int written = (int) call.getLong(CallBlock.BYTES_AT);
        output.position(start + written);
        return written;
    }

    /** The exact number of bytes {@link #encodeBatch} writes for this batch. */
    public int encodedLength(MessageBatch batch) {
        Objects.requireNonNull(batch, "batch");
        Arena arena = batch.liveArena();
        enter(arena, batch);
        try {
            int status = encodeBatch(batch, NO_BYTES, 0, 0);
            if (status != 0 && status != ErrorCode.BUFFER_TOO_SMALL.code()) {
                MessageType type = batch.type();
                throw failure(status, type, "sizing a batch of gRPC " + type.name() + " messages, at message index "
                        + call.getLong(CallBlock.ERROR_OFFSET_AT));
            }
            return (int) call.getLong(CallBlock.BYTES_AT);
        } finally {
            exit(arena, batch);
        }
    }

    /**
     * Holds this codec, then the batch and the arena (either may be null), for one engine call: the call
     * block, the cached buffer addresses and the memory the engine touches are this thread's until
     * {@link #exit}. Throws {@link ErrorCode#CONCURRENT_USE} (holding nothing) if another thread has any.
     */
    private void enter(Arena arena, MessageBatch batch) {
        confinement.enter();
        try {
            if (batch != null) {
                batch.confinement().enter();
            }
            if (arena != null) {
                try {
                    arena.confinement().enter();
                } catch (RuntimeException e) {
                    if (batch != null) {
                        batch.confinement().exit();
                    }
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            confinement.exit();
            throw e;
        }
    }

    private void exit(Arena arena, MessageBatch batch) {
        if (arena != null) {
            arena.confinement().exit();
        }
        if (batch != null) {
            batch.confinement().exit();
        }
        confinement.exit();
    }

    private int encodeBatch(MessageBatch batch, ByteBuffer output, int start, int room) {
        Arena arena = batch.liveArena();
        int count = batch.count();
        if (count == 0 || arena == null) {
            call.putLong(CallBlock.BYTES_AT, 0);
            return 0;
        }
        MessageType type = batch.type();
        checkType(type);
        ByteBuffer input = batch.input() == null ? NO_BYTES : batch.input();
        return backend.protoEncodeBatch(schema, type.index(), batch.roots(), count, arena.memory(), input, output, start,
                room, maxDepth, call);
    }

    private int encodeRecord(MessageType type, MessageReader message, ByteBuffer output, int start, int room) {
        ByteBuffer input = message.input() == null ? NO_BYTES : message.input();
        if (message.record() == 0) {
            // An absent sub-message encodes as an empty message.
            call.putLong(CallBlock.BYTES_AT, 0);
            return 0;
        }
        return backend.protoEncode(schema, type.index(), message.record(), message.arena().memory(), input, output, start,
                room, maxDepth, call);
    }

    private void checkType(MessageType type) {
        Objects.requireNonNull(type, "type");
        if (type.schema() != schema) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, type.name() + " belongs to another schema than this codec's");
        }
    }

    private static void requireDirect(ByteBuffer buffer, String name) {
        Objects.requireNonNull(buffer, name);
        if (!buffer.isDirect()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, name + " must be a direct ByteBuffer"
                    + " (ByteBuffer.allocateDirect); heap buffers would cost a copy per call");
        }
    }

    private FerruleException failure(int status, MessageType root, String context) {
        ErrorCode code = ErrorCode.fromCode(status);
        if (code == null) {
            return new FerruleException(ErrorCode.INTERNAL, context + ": the engine returned unknown status " + status);
        }
        long offset = call.getLong(CallBlock.ERROR_OFFSET_AT);
        return new FerruleException(code, offset, path(root), context + ": " + code.description(), null);
    }

    /** Renders the call block's path as {@code a.b[3].c} using the schema's field names. */
    private String path(MessageType root) {
        int entries = Math.min(call.getInt(CallBlock.PATH_LENGTH_AT), maxDepth + 2);
        StringBuilder s = new StringBuilder();
        int message = root.index();
        for (int i = 0; i < entries; i++) {
            int number = call.getInt(CallBlock.PATH_AT + i * Abi.CALL_PATH_ENTRY_LENGTH);
            int index = call.getInt(CallBlock.PATH_AT + i * Abi.CALL_PATH_ENTRY_LENGTH + 4);
            int f = message < 0 ? -1 : compiled.findField(message, number);
            if (s.length() > 0) {
                s.append('.');
            }
            s.append(f < 0 ? "#" + number : compiled.fieldName(f));
            if (index != ArenaLayout.NO_INDEX) {
                s.append('[').append(Integer.toUnsignedString(index)).append(']');
            }
            int t = f < 0 ? 0 : compiled.type(f);
            message = f >= 0 && (t == CompiledSchema.TYPE_MESSAGE || t == CompiledSchema.TYPE_GROUP) ? compiled.typeRef(f) : -1;
        }
        return s.toString();
    }

    /** Settings for a {@link ProtoCodec}. */
    public static final class Builder {
        private final Schema schema;
        private BackendKind backend;
        private int maxDepth = Abi.DEFAULT_MAX_DEPTH;
        private int maxMessageLength = Integer.MAX_VALUE;

        private Builder(Schema schema) {
            this.schema = schema;
        }

        /** Which engine to use; by default the one {@link dev.ferrule.Ferrule#defaultBackend()} names. */
        public Builder backend(BackendKind backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** Deepest nesting of messages accepted (default 100, as protobuf-java); 1 to 10000. */
        public Builder maxDepth(int maxDepth) {
            if (maxDepth < 1 || maxDepth > 10_000) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "maxDepth=" + maxDepth + " must be between 1 and 10000");
            }
            this.maxDepth = maxDepth;
            return this;
        }

        /** Longest message accepted, in bytes (default: no limit below 2 GiB). */
        public Builder maxMessageLength(int maxMessageLength) {
            if (maxMessageLength < 0) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "maxMessageLength=" + maxMessageLength + " is negative");
            }
            this.maxMessageLength = maxMessageLength;
            return this;
        }

        /** A codec with these settings. */
        public ProtoCodec build() {
            return new ProtoCodec(this);
        }
    }
}
