package dev.ferrule.internal;

import dev.ferrule.BackendKind;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;

/**
 * One engine behind the public API: native (Rust through JNI) or pure Java.
 *
 * <p>Both implement the same contract, down to the bytes of the frame table (docs/wire-format.md,
 * section 4). Callers have already validated every argument: buffers are direct, ranges lie inside
 * them, the table has room for {@code count}/{@code capacity} entries. Methods return 0 or an
 * {@link dev.ferrule.ErrorCode} number; results are in the table header.
 *
 * <p>An instance belongs to one codec and is not thread-safe: it keeps per-buffer scratch state
 * (native addresses, little-endian views) so that steady-state calls allocate nothing.
 */
public interface Backend {
    /** Which engine this is. */
    BackendKind kind();

    /** Decodes frames from {@code input[start, start + length)} into {@code table}. */
    int decodeFrames(int format, ByteBuffer input, int start, int length, int maxPayloadLength, boolean endOfInput,
            ByteBuffer table, int capacity);

    /**
     * Encodes the first {@code count} entries of {@code table}, with payloads in
     * {@code payloads[0, payloadsLength)}, into {@code output[start, start + length)}.
     */
    int encodeFrames(int format, ByteBuffer payloads, int payloadsLength, ByteBuffer table, int count,
            ByteBuffer output, int start, int length, int maxPayloadLength);

    /**
     * Decodes one message of type {@code message} from {@code input[start, start + length)} into the
     * arena (docs/message-layout.md, section 3); results and errors go to the call block.
     */
    int protoDecode(Schema schema, int message, ByteBuffer input, int start, int length, ByteBuffer arena,
            int maxDepth, ByteBuffer call);

    /**
     * Encodes the record at arena offset {@code record} into {@code output[start, start + length)}
     * (section 4); views without the arena flag read {@code input} by absolute index.
     */
    int protoEncode(Schema schema, int message, int record, ByteBuffer arena, ByteBuffer input, ByteBuffer output,
            int start, int length, int maxDepth, ByteBuffer call);

    /**
     * Decodes the gRPC length-prefixed messages in {@code input[start, start + length)}, each as one
     * message of type {@code message} into the arena, in one call (docs/message-layout.md, section 6):
     * frames into {@code table} (room for {@code capacity} entries, docs/wire-format.md section 4), the
     * root record of message {@code i} into {@code roots} as a little-endian u32 at {@code 4 * i}, and
     * errors into the table header and the call block.
     */
    int protoDecodeBatch(Schema schema, int message, ByteBuffer input, int start, int length, int maxPayloadLength,
            boolean endOfInput, ByteBuffer table, ByteBuffer roots, int capacity, ByteBuffer arena, int maxDepth,
            ByteBuffer call);

    /**
     * Encodes the {@code count} records whose root offsets are in {@code roots} (little-endian u32 at
     * {@code 4 * i}), all of type {@code message}, as consecutive gRPC length-prefixed messages into
     * {@code output[start, start + length)} in one call (docs/message-layout.md, section 7); results
     * and errors go to the call block, as for {@link #protoEncode}, with a message's index as the error
     * offset.
     */
    int protoEncodeBatch(Schema schema, int message, ByteBuffer roots, int count, ByteBuffer arena, ByteBuffer input,
            ByteBuffer output, int start, int length, int maxDepth, ByteBuffer call);

    /** Makes the engine fail inside a call, to prove failures come back as exceptions; test hook. */
    int debugPanic();
}
