package dev.ferrule.internal;

import static dev.ferrule.internal.Abi.FLAGS_RESERVED_MASK;
import static dev.ferrule.internal.Abi.FLAG_COMPRESSED;
import static dev.ferrule.internal.Abi.FORMAT_FERRULE;
import static dev.ferrule.internal.Abi.FRAME_HEADER_LENGTH;
import static dev.ferrule.internal.Abi.FRAME_MAGIC_0;
import static dev.ferrule.internal.Abi.FRAME_MAGIC_1;
import static dev.ferrule.internal.Abi.FRAME_VERSION;
import static dev.ferrule.internal.Abi.GRPC_PREFIX_LENGTH;
import static dev.ferrule.internal.Abi.MAX_PAYLOAD_LENGTH_LIMIT;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.internal.proto.ArenaLayout;
import dev.ferrule.internal.proto.CallBlock;
import dev.ferrule.internal.proto.JavaProtoEngine;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The pure-Java engine: the same rules as the Rust one, byte for byte, including the frame table.
 *
 * <p>Offsets of a Ferrule frame header, relative to the frame start (docs/wire-format.md):
 *
 * <pre>
 *  0       1       2       3       4               8               16              20              24
 * +-------+-------+-------+-------+---------------+---------------+---------------+---------------+---------
 * | 'F'   | 'R'   |version| flags | method id     | correlation id| payload length| CRC32C        | payload…
 * +-------+-------+-------+-------+---------------+---------------+---------------+---------------+---------
 * </pre>
 *
 * And of a gRPC prefix: {@code [0] compressed flag, [1..5) big-endian length, [5..) message}.
 */
final class JavaBackend implements Backend {
    private static final int VERSION_AT = 2;
    private static final int FLAGS_AT = 3;
    private static final int METHOD_AT = 4;
    private static final int CORRELATION_AT = 8;
    private static final int LENGTH_AT = 16;
    private static final int CRC_AT = 20;
    private static final int GRPC_LENGTH_AT = 1;

    /** A frame that does not fit in the input yet: wait for more bytes, or truncated at end of input. */
    private static final long PARTIAL = -1;

    private final CRC32C crc = new CRC32C();
    private JavaProtoEngine protoEngine;

    // Little-endian views of the caller's buffers, made once per buffer: absolute reads and writes in
    // the wire's byte order without touching the caller's position, limit or order.
    private ByteBuffer sourceKey;
    private ByteBuffer sourceView;
    private ByteBuffer outputKey;
    private ByteBuffer outputView;

    // Where the last decode step stopped with an error.
    private int errorCode;
    private long errorOffset;

    // The last gRPC message read by grpc().
    private int grpcPayloadAt;
    private int grpcPayloadLength;
    private int grpcFlags;

    @Override
    public BackendKind kind() {
        return BackendKind.JAVA;
    }

    @Override
    public int decodeFrames(int format, ByteBuffer input, int start, int length, int maxPayloadLength,
            boolean endOfInput, ByteBuffer table, int capacity) {
        ByteBuffer in = source(input);
        int end = start + length;
        int position = start;
        int frames = 0;
        while (frames < capacity && position < end) {
            long frameLength = format == FORMAT_FERRULE
                    ? ferrule(in, position, end, maxPayloadLength, table, frames)
                    : grpc(in, position, end, maxPayloadLength);
            if (frameLength >= 0 && format != FORMAT_FERRULE) {
                TableLayout.putEntry(table, frames, 0, 0, grpcPayloadAt, grpcPayloadLength, grpcFlags);
            }
            if (frameLength == PARTIAL && !endOfInput) {
                break;
            }
            if (frameLength == PARTIAL) {
                errorCode = ErrorCode.FRAME_TRUNCATED.code();
                errorOffset = position;
            }
            if (frameLength < 0) {
                // Frames decoded so far are returned; the next call, starting here, reports the error.
                if (frames == 0) {
                    return TableLayout.decodeFailed(table, errorCode, errorOffset);
                }
                break;
            }
            position += (int) frameLength;
            frames++;
        }
        TableLayout.decoded(table, frames, position - start);
        return 0;
    }

    /** Decodes one Ferrule frame at {@code at}: its whole length, {@link #PARTIAL}, or -2 on error. */
    private long ferrule(ByteBuffer in, int at, int end, int max, ByteBuffer table, int index) {
        if (end - at < FRAME_HEADER_LENGTH) {
            return PARTIAL;
        }
        if (in.get(at) != (byte) FRAME_MAGIC_0 || in.get(at + 1) != (byte) FRAME_MAGIC_1) {
            return error(ErrorCode.FRAME_BAD_MAGIC, at);
        }
        if (in.get(at + VERSION_AT) != (byte) FRAME_VERSION) {
            return error(ErrorCode.FRAME_UNSUPPORTED_VERSION, at + VERSION_AT);
        }
        int flags = in.get(at + FLAGS_AT) & 0xFF;
        if ((flags & FLAGS_RESERVED_MASK) != 0) {
            return error(ErrorCode.FRAME_BAD_FLAGS, at + FLAGS_AT);
        }
        long payloadLength = Integer.toUnsignedLong(in.getInt(at + LENGTH_AT));
        if (payloadLength > max) {
            return error(ErrorCode.FRAME_TOO_LARGE, at + LENGTH_AT);
        }
        int payloadAt = at + FRAME_HEADER_LENGTH;
        if (end - payloadAt < payloadLength) {
            return PARTIAL;
        }
        if (crc32c(in, payloadAt, (int) payloadLength) != in.getInt(at + CRC_AT)) {
            return error(ErrorCode.FRAME_CRC_MISMATCH, at + CRC_AT);
        }
        TableLayout.putEntry(table, index, in.getLong(at + CORRELATION_AT), in.getInt(at + METHOD_AT), payloadAt,
                (int) payloadLength, flags);
        return FRAME_HEADER_LENGTH + payloadLength;
    }

    /**
     * Reads the gRPC message at {@code at}: its whole length, with its payload and flag in
     * {@link #grpcPayloadAt}, {@link #grpcPayloadLength} and {@link #grpcFlags}; {@link #PARTIAL}; or -2
     * on error.
     */
    private long grpc(ByteBuffer in, int at, int end, int max) {
        if (end - at < GRPC_PREFIX_LENGTH) {
            return PARTIAL;
        }
        int flag = in.get(at) & 0xFF;
        if (flag > 1) {
            return error(ErrorCode.FRAME_BAD_FLAGS, at);
        }
        long payloadLength = Integer.toUnsignedLong(Integer.reverseBytes(in.getInt(at + GRPC_LENGTH_AT)));
        if (payloadLength > max) {
            return error(ErrorCode.FRAME_TOO_LARGE, at + GRPC_LENGTH_AT);
        }
        int payloadAt = at + GRPC_PREFIX_LENGTH;
        if (end - payloadAt < payloadLength) {
            return PARTIAL;
        }
        grpcPayloadAt = payloadAt;
        grpcPayloadLength = (int) payloadLength;
        grpcFlags = flag;
        return GRPC_PREFIX_LENGTH + payloadLength;
    }

    private long error(ErrorCode code, long offset) {
        errorCode = code.code();
        errorOffset = offset;
        return -2;
    }

    @Override
    public int encodeFrames(int format, ByteBuffer payloads, int payloadsLength, ByteBuffer table, int count,
            ByteBuffer output, int start, int length, int maxPayloadLength) {
        boolean ferrule = format == FORMAT_FERRULE;
        int headerLength = ferrule ? FRAME_HEADER_LENGTH : GRPC_PREFIX_LENGTH;
        // Validate everything first so that a failed encode writes nothing.
        long required = 0;
        for (int i = 0; i < count; i++) {
            long offset = Integer.toUnsignedLong(TableLayout.payloadOffset(table, i));
            long payloadLength = Integer.toUnsignedLong(TableLayout.payloadLength(table, i));
            int flags = TableLayout.flags(table, i);
            if (offset + payloadLength > payloadsLength) {
                return TableLayout.encodeFailed(table, ErrorCode.INVALID_ARGUMENT.code(), i, 0);
            }
            if (ferrule ? (flags & FLAGS_RESERVED_MASK) != 0 : flags > 1) {
                return TableLayout.encodeFailed(table, ErrorCode.FRAME_BAD_FLAGS.code(), i, 0);
            }
            if (payloadLength > maxPayloadLength) {
                return TableLayout.encodeFailed(table, ErrorCode.FRAME_TOO_LARGE.code(), i, 0);
            }
            required += headerLength + payloadLength;
        }
        if (required > length) {
            return TableLayout.encodeFailed(table, ErrorCode.BUFFER_TOO_SMALL.code(), 0, required);
        }
        ByteBuffer src = source(payloads);
        ByteBuffer out = output(output);
        int at = start;
        for (int i = 0; i < count; i++) {
            int offset = TableLayout.payloadOffset(table, i);
            int payloadLength = TableLayout.payloadLength(table, i);
            int flags = TableLayout.flags(table, i);
            if (ferrule) {
                out.put(at, (byte) FRAME_MAGIC_0);
                out.put(at + 1, (byte) FRAME_MAGIC_1);
                out.put(at + VERSION_AT, (byte) FRAME_VERSION);
                out.put(at + FLAGS_AT, (byte) flags);
                out.putInt(at + METHOD_AT, TableLayout.methodId(table, i));
                out.putLong(at + CORRELATION_AT, TableLayout.correlationId(table, i));
                out.putInt(at + LENGTH_AT, payloadLength);
                out.putInt(at + CRC_AT, crc32c(src, offset, payloadLength));
            } else {
                out.put(at, (byte) flags);
                out.putInt(at + GRPC_LENGTH_AT, Integer.reverseBytes(payloadLength));
            }
            out.put(at + headerLength, src, offset, payloadLength);
            at += headerLength + payloadLength;
        }
        TableLayout.encoded(table, at - start);
        return 0;
    }

    @Override
    public int protoDecode(Schema schema, int message, ByteBuffer input, int start, int length, ByteBuffer arena,
            int maxDepth, ByteBuffer call) {
        return proto().decode(schema.compiled(), message, input, start, length, arena, arena.capacity(), maxDepth, call);
    }

    @Override
    public int protoEncode(Schema schema, int message, int record, ByteBuffer arena, ByteBuffer input, ByteBuffer output,
            int start, int length, int maxDepth, ByteBuffer call) {
        return proto().encode(schema.compiled(), message, record, arena, arena.capacity(), input, output, start, length,
                maxDepth, call);
    }

    /**
     * The same composition as the Rust engine's batch decoder: the gRPC frame reader of
     * {@link #decodeFrames} and one {@link JavaProtoEngine#decode} per payload, joined by the rules of
     * docs/message-layout.md, section 6.
     */
    @Override
    public int protoDecodeBatch(Schema schema, int message, ByteBuffer input, int start, int length,
            int maxPayloadLength, boolean endOfInput, ByteBuffer table, ByteBuffer roots, int capacity,
            ByteBuffer arena, int maxDepth, ByteBuffer call) {
        JavaProtoEngine engine = proto();
        CompiledSchema compiled = schema.compiled();
        // Checked before any frame, whatever the input, as the Rust engine does.
        if (message < 0 || message >= compiled.messageCount() || maxPayloadLength < 0
                || maxPayloadLength > MAX_PAYLOAD_LENGTH_LIMIT || maxDepth < 0 || start < 0 || length < 0
                || (long) start + length > input.capacity() || !ArenaLayout.validHeader(arena, arena.capacity())) {
            return batchFailed(table, call, ErrorCode.INVALID_ARGUMENT.code(), 0, 0);
        }
        ByteBuffer in = source(input);
        int end = start + length;
        int position = start;
        int count = 0;
        while (count < capacity && position < end) {
            long frameLength = grpc(in, position, end, maxPayloadLength);
            if (frameLength == PARTIAL && !endOfInput) {
                break;
            }
            int status;
            int pathLength = 0;
            long offset;
            if (frameLength == PARTIAL) {
                status = ErrorCode.FRAME_TRUNCATED.code();
                offset = position;
            } else if (frameLength < 0) {
                status = errorCode;
                offset = errorOffset;
            } else if ((grpcFlags & FLAG_COMPRESSED) != 0) {
                status = ErrorCode.COMPRESSION_UNSUPPORTED.code();
                offset = position;
            } else {
                status = engine.decode(compiled, message, input, grpcPayloadAt, grpcPayloadLength, arena,
                        arena.capacity(), maxDepth, call);
                if (status == 0) {
                    TableLayout.putEntry(table, count, 0, 0, grpcPayloadAt, grpcPayloadLength, 0);
                    roots.putInt(count * Integer.BYTES, CallBlock.rootRecord(call));
                    position += (int) frameLength;
                    count++;
                    continue;
                }
                pathLength = CallBlock.pathLength(call);
                offset = CallBlock.errorOffset(call);
                if (status == ErrorCode.ARENA_EXHAUSTED.code() && pathLength == 0) {
                    // The message decoder reports a root record that does not fit at offset 0; in a batch
                    // the message at fault is named by its first byte.
                    offset = grpcPayloadAt;
                }
            }
            // Messages decoded so far are returned; the next call, starting here, reports the error.
            if (count == 0) {
                return batchFailed(table, call, status, pathLength, offset);
            }
            break;
        }
        TableLayout.decoded(table, count, position - start);
        CallBlock.finish(call, 0, 0, 0, 0, 0);
        return 0;
    }

    /**
     * The same composition as the Rust engine's batch encoder: every message sized by
     * {@link JavaProtoEngine#encode} into no room, then, if the whole batch fits, each written by it
     * behind its gRPC prefix (docs/message-layout.md, section 7). Nothing is written on error.
     */
    @Override
    public int protoEncodeBatch(Schema schema, int message, ByteBuffer roots, int count, ByteBuffer arena,
            ByteBuffer input, ByteBuffer output, int start, int length, int maxDepth, ByteBuffer call) {
        JavaProtoEngine engine = proto();
        CompiledSchema compiled = schema.compiled();
        // Checked before any message, whatever the roots, as the Rust engine does.
        if (message < 0 || message >= compiled.messageCount() || count < 0 || maxDepth < 0 || start < 0 || length < 0
                || (long) start + length > output.capacity() || !ArenaLayout.validHeader(arena, arena.capacity())) {
            return CallBlock.finish(call, ErrorCode.INVALID_ARGUMENT.code(), 0, 0, 0, 0);
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            int root = roots.getInt(i * Integer.BYTES);
            long size = 0;
            if (root != 0) {
                int status = engine.encode(compiled, message, root, arena, arena.capacity(), input, output, start, 0,
                        maxDepth, call);
                if (status != 0 && status != ErrorCode.BUFFER_TOO_SMALL.code()) {
                    return CallBlock.finish(call, status, CallBlock.pathLength(call), i, 0, 0);
                }
                size = CallBlock.bytes(call);
            }
            total += GRPC_PREFIX_LENGTH + size;
            if (total > Integer.MAX_VALUE) {
                return CallBlock.finish(call, ErrorCode.PROTO_MESSAGE_TOO_LARGE.code(), 0, i, 0, 0);
            }
        }
        if (total > length) {
            return CallBlock.finish(call, ErrorCode.BUFFER_TOO_SMALL.code(), 0, 0, 0, total);
        }
        ByteBuffer out = output(output);
        int at = start;
        for (int i = 0; i < count; i++) {
            int root = roots.getInt(i * Integer.BYTES);
            int size = 0;
            if (root != 0) {
                int status = engine.encode(compiled, message, root, arena, arena.capacity(), input, output,
                        at + GRPC_PREFIX_LENGTH, start + length - at - GRPC_PREFIX_LENGTH, maxDepth, call);
                if (status != 0) {
                    return CallBlock.finish(call, status, CallBlock.pathLength(call), i, 0, 0);
                }
                size = (int) CallBlock.bytes(call);
            }
            out.put(at, (byte) 0);
            out.putInt(at + GRPC_LENGTH_AT, Integer.reverseBytes(size)); // big-endian through the little-endian view
            at += GRPC_PREFIX_LENGTH + size;
        }
        if (at - start != total) {
            return CallBlock.finish(call, ErrorCode.INTERNAL.code(), 0, 0, 0, 0);
        }
        return CallBlock.finish(call, 0, 0, 0, 0, total);
    }

    /** Records a failed batch in the table header and the call block (whose path is already written). */
    private static int batchFailed(ByteBuffer table, ByteBuffer call, int code, int pathLength, long offset) {
        TableLayout.decodeFailed(table, code, offset);
        return CallBlock.finish(call, code, pathLength, offset, 0, 0);
    }

    private JavaProtoEngine proto() {
        if (protoEngine == null) {
            protoEngine = new JavaProtoEngine();
        }
        return protoEngine;
    }

    @Override
    public int debugPanic() {
        // Nothing can panic here; the hook exists to exercise the native boundary.
        return ErrorCode.INTERNAL.code();
    }

    private int crc32c(ByteBuffer view, int offset, int length) {
        crc.reset();
        view.limit(offset + length).position(offset);
        crc.update(view);
        view.clear();
        return (int) crc.getValue();
    }

    private ByteBuffer source(ByteBuffer buffer) {
        if (buffer != sourceKey) {
            sourceView = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
            sourceKey = buffer;
        }
        return sourceView;
    }

    private ByteBuffer output(ByteBuffer buffer) {
        if (buffer != outputKey) {
            outputView = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
            outputKey = buffer;
        }
        return outputView;
    }
}
