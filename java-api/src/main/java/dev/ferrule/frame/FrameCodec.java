package dev.ferrule.frame;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Abi;
import dev.ferrule.internal.Backend;
import dev.ferrule.internal.Backends;
import dev.ferrule.internal.Confinement;
import dev.ferrule.internal.TableLayout;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Encodes and decodes batches of frames over direct buffers, one engine call per batch.
 *
 * <pre>{@code
 * FrameCodec codec = FrameCodec.builder().format(FrameFormat.FERRULE).build();
 * FrameTable frames = FrameTable.allocate(256);
 * // for each read from the network into `in` (a direct buffer in write mode):
 * in.flip();
 * codec.decode(in, frames);            // consumes whole frames, leaves a partial tail
 * for (int i = 0; i < frames.count(); i++) {
 *     handle(frames.methodId(i), frames.correlationId(i), in, frames.payloadOffset(i), frames.payloadLength(i));
 * }
 * in.compact();                        // keep the partial tail for the next read
 * }</pre>
 *
 * <p>Every buffer must be direct; the codec checks each buffer and range before calling the engine,
 * so bad arguments give a {@link FerruleException} with {@link ErrorCode#INVALID_ARGUMENT}, never a
 * crash. Bad input bytes give a {@link FerruleException} with the frame error's code and the absolute
 * index of the offending field.
 *
 * <p>A codec is cheap, keeps per-buffer scratch state so steady-state calls allocate nothing, and is
 * used by one thread at a time: use one per thread or connection. A call on a codec or table another
 * thread is inside right now throws {@link ErrorCode#CONCURRENT_USE} (see the {@link dev.ferrule.proto
 * package documentation}). It holds on to the last buffers it worked on.
 */
public final class FrameCodec {
    private final FrameFormat format;
    private final int maxPayloadLength;
    private final Backend backend;
    private final Confinement confinement = new Confinement("this FrameCodec");

    private FrameCodec(Builder builder) {
        this.format = builder.format;
        this.maxPayloadLength = builder.maxPayloadLength;
        this.backend = builder.backend == null ? Backends.create() : Backends.create(builder.backend);
    }

    /** A builder with defaults: Ferrule frames, 16 MiB maximum payload, the default backend. */
    public static Builder builder() {
        return new Builder();
    }

    /** The framing this codec reads and writes. */
    public FrameFormat format() {
        return format;
    }

    /** The longest payload this codec accepts, in bytes. */
    public int maxPayloadLength() {
        return maxPayloadLength;
    }

    /** The engine behind this codec. */
    public BackendKind backend() {
        return backend.kind();
    }

    /**
     * Decodes the frames in {@code input} from its position to its limit, for a stream that may
     * continue: a partial frame at the end is left for the next call. Same as
     * {@code decode(input, table, false)}.
     */
    public int decode(ByteBuffer input, FrameTable table) {
        return decode(input, table, false);
    }

    /**
     * Decodes whole frames from {@code input[position, limit)} into {@code table}, replacing its
     * entries, and advances the position past them.
     *
     * <p>Decoding stops when the table is full, when the input ends inside a frame, or before an
     * invalid frame. Frames before an invalid one are returned normally; the call that starts at the
     * invalid frame throws. Payload offsets in the table are absolute indexes into {@code input}.
     *
     * @param endOfInput true if no more bytes will follow, so that a partial frame is an error
     * @return the number of bytes consumed (also {@link FrameTable#bytes()})
     * @throws FerruleException a frame error code (e.g. {@link ErrorCode#FRAME_CRC_MISMATCH}) with
     *     the absolute index of the offending field; {@link ErrorCode#FRAME_TRUNCATED} only when
     *     {@code endOfInput}
     */
    public int decode(ByteBuffer input, FrameTable table, boolean endOfInput) {
        requireDirect(input, "input");
        Objects.requireNonNull(table, "table");
        int start = input.position();
        int length = input.limit() - start;
        ByteBuffer memory = table.memory();
        enter(table);
        try {
            int status = backend.decodeFrames(format.id(), input, start, length, maxPayloadLength, endOfInput, memory,
                    table.capacity());
            if (status != 0) {
                throw failure(status, TableLayout.errorOffset(memory), "decoding " + format + " frames from index " + start);
            }
            int consumed = (int) TableLayout.bytes(memory);
            input.position(start + consumed);
            return consumed;
        } finally {
            exit(table);
        }
    }

    /**
     * Encodes every entry of {@code frames} into {@code output} at its position, reading each payload
     * from {@code payloads} at the entry's absolute offset, and advances the output's position.
     *
     * <p>Every entry is checked before anything is written: on failure nothing is written and the
     * table keeps its entries.
     *
     * @param payloads holds the payloads below its limit; its position is ignored and unchanged. It
     *     must not share memory with {@code output}
     * @return the number of bytes written, exactly {@link #encodedLength(FrameTable)}
     * @throws FerruleException {@link ErrorCode#BUFFER_TOO_SMALL} when {@code output} has too little
     *     room; {@link ErrorCode#INVALID_ARGUMENT}, {@link ErrorCode#FRAME_BAD_FLAGS} or
     *     {@link ErrorCode#FRAME_TOO_LARGE} with the index of the entry at fault as its offset
     */
    public int encode(FrameTable frames, ByteBuffer payloads, ByteBuffer output) {
        Objects.requireNonNull(frames, "frames");
        requireDirect(payloads, "payloads");
        requireDirect(output, "output");
        if (output.isReadOnly()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "output is a read-only buffer");
        }
        if (output == payloads) {
            // Frames written over their own payloads would corrupt them; the native engine also refuses
            // overlapping views of one memory block.
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "payloads and output must be different buffers");
        }
        int start = output.position();
        int room = output.limit() - start;
        ByteBuffer memory = frames.memory();
        int status;
        enter(frames);
        try {
            status = backend.encodeFrames(format.id(), payloads, payloads.limit(), memory, frames.count(), output,
                    start, room, maxPayloadLength);
        } finally {
            exit(frames);
        }
        if (status == ErrorCode.BUFFER_TOO_SMALL.code()) {
            throw new FerruleException(ErrorCode.BUFFER_TOO_SMALL, "encoding " + frames.count() + " " + format
                    + " frames needs length=" + TableLayout.bytes(memory) + " but output has remaining=" + room
                    + " (index=" + start + " capacity=" + output.capacity() + ")");
        }
        if (status != 0) {
            long entry = TableLayout.errorOffset(memory);
            throw failure(status, entry, "encoding " + format + " frame table entry " + entry + " (payloadOffset="
                    + safeEntryField(frames, entry, true) + " payloadLength=" + safeEntryField(frames, entry, false)
                    + " payloads.limit=" + payloads.limit() + " maxPayloadLength=" + maxPayloadLength + ")");
        }
        int written = (int) TableLayout.bytes(memory);
        output.position(start + written);
        return written;
    }

    /** How many bytes {@link #encode} writes for these frames. */
    public long encodedLength(FrameTable frames) {
        long total = 0;
        for (int i = 0, n = frames.count(); i < n; i++) {
            total += format.headerLength() + Integer.toUnsignedLong(frames.payloadLength(i));
        }
        return total;
    }

    private static String safeEntryField(FrameTable frames, long entry, boolean offset) {
        if (entry < 0 || entry >= frames.count()) {
            return "?";
        }
        int value = offset ? frames.payloadOffset((int) entry) : frames.payloadLength((int) entry);
        return Integer.toUnsignedString(value);
    }

    /**
     * Holds this codec and the table for one engine call (the cached buffer addresses and the table are
     * this thread's until {@link #exit}); {@link ErrorCode#CONCURRENT_USE}, holding nothing, if another
     * thread has either.
     */
    private void enter(FrameTable table) {
        confinement.enter();
        try {
            table.confinement().enter();
        } catch (RuntimeException e) {
            confinement.exit();
            throw e;
        }
    }

    private void exit(FrameTable table) {
        table.confinement().exit();
        confinement.exit();
    }

    private static void requireDirect(ByteBuffer buffer, String name) {
        Objects.requireNonNull(buffer, name);
        if (!buffer.isDirect()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, name + " must be a direct ByteBuffer"
                    + " (ByteBuffer.allocateDirect); heap buffers would cost a copy per call");
        }
    }

    private static FerruleException failure(int status, long offset, String context) {
        ErrorCode code = ErrorCode.fromCode(status);
        if (code == null) {
            return new FerruleException(ErrorCode.INTERNAL, FerruleException.NO_OFFSET,
                    context + ": the engine returned unknown status " + status, null);
        }
        return new FerruleException(code, offset, context + ": " + code.description(), null);
    }

    /** Settings for a {@link FrameCodec}. */
    public static final class Builder {
        private FrameFormat format = FrameFormat.FERRULE;
        private int maxPayloadLength = Abi.DEFAULT_MAX_PAYLOAD_LENGTH;
        private BackendKind backend;

        private Builder() {}

        /** Ferrule stream frames (the default) or gRPC length-prefixed messages. */
        public Builder format(FrameFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * The longest payload accepted when decoding or encoding; default 16 MiB. A longer frame is
         * {@link ErrorCode#FRAME_TOO_LARGE}, refused as soon as its header is read.
         */
        public Builder maxPayloadLength(int maxPayloadLength) {
            if (maxPayloadLength < 0 || maxPayloadLength > Abi.MAX_PAYLOAD_LENGTH_LIMIT) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "maxPayloadLength=" + maxPayloadLength
                        + " must be between 0 and " + Abi.MAX_PAYLOAD_LENGTH_LIMIT);
            }
            this.maxPayloadLength = maxPayloadLength;
            return this;
        }

        /**
         * Which engine to use; by default the one {@link dev.ferrule.Ferrule#defaultBackend()} names.
         * Asking for {@code NATIVE} when it is not loaded is {@link ErrorCode#NATIVE_UNAVAILABLE}.
         */
        public Builder backend(BackendKind backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** A codec with these settings. */
        public FrameCodec build() {
            return new FrameCodec(this);
        }
    }
}
