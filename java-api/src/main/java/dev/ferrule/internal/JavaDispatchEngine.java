package dev.ferrule.internal;

import static dev.ferrule.internal.Abi.FLAG_COMPRESSED;
import static dev.ferrule.internal.Abi.FLAG_ERROR;
import static dev.ferrule.internal.Abi.FLAG_RESPONSE;
import static dev.ferrule.internal.Abi.FORMAT_FERRULE;
import static dev.ferrule.internal.Abi.FRAME_HEADER_LENGTH;
import static dev.ferrule.internal.Abi.FRAME_MAGIC_0;
import static dev.ferrule.internal.Abi.FRAME_MAGIC_1;
import static dev.ferrule.internal.Abi.FRAME_VERSION;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.internal.proto.CallBlock;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The pure-Java dispatch engine: the Rust engine's first pass and response encoding
 * ({@code ferrule_engine::dispatch}), rule for rule, over the Java frame and protobuf engines. It has no
 * Rust handlers, so native-only routes are refused and nothing is ever pending.
 */
final class JavaDispatchEngine implements DispatchEngine {
    private final Schema schema;
    private final Backend backend = Backends.create(BackendKind.JAVA);
    // A second engine for responses: each engine keeps views of the last arena and buffers it saw, so
    // one per arena (requests, responses) keeps steady-state calls from making new views.
    private final Backend encoder = Backends.create(BackendKind.JAVA);
    private final ByteBuffer frame = TableLayout.allocate(1);
    private final CRC32C crc = new CRC32C();
    private ByteBuffer call = CallBlock.allocate(1);

    // Routes, sorted by method id for a binary search.
    private int[] ids = new int[0];
    private int[] kinds = new int[0];
    private int[] javaIndexes = new int[0];
    private int[] requestTypes = new int[0];

    private ByteBuffer outKey;
    private ByteBuffer outView;

    JavaDispatchEngine(Schema schema) {
        this.schema = schema;
    }

    @Override
    public BackendKind kind() {
        return BackendKind.JAVA;
    }

    @Override
    public boolean route(int methodId, int kind, int javaIndex, int requestType) {
        if (kind == DispatchLayout.ROUTE_NATIVE) {
            return false;
        }
        int at = Arrays.binarySearch(ids, methodId);
        if (at < 0) {
            at = -at - 1;
            ids = insert(ids, at, methodId);
            kinds = insert(kinds, at, kind);
            javaIndexes = insert(javaIndexes, at, javaIndex);
            requestTypes = insert(requestTypes, at, requestType);
        } else {
            kinds[at] = kind;
            javaIndexes[at] = javaIndex;
            requestTypes[at] = requestType;
        }
        return true;
    }

    private static int[] insert(int[] array, int at, int value) {
        int[] grown = new int[array.length + 1];
        System.arraycopy(array, 0, grown, 0, at);
        grown[at] = value;
        System.arraycopy(array, at, grown, at + 1, array.length - at);
        return grown;
    }

    private ByteBuffer callBlock(int maxDepth) {
        if (CallBlock.pathCapacity(call) < maxDepth + 2) {
            call = CallBlock.allocate(maxDepth);
        }
        return call;
    }

    @Override
    public int firstPass(ByteBuffer in, int start, int length, int maxPayloadLength, ByteBuffer out, int outStart,
            int outLength, ByteBuffer table, int capacity, ByteBuffer arena, int maxDepth) {
        ByteBuffer view = view(out);
        ByteBuffer block = callBlock(maxDepth);
        int requests = 0;
        int java = 0;
        int errors = 0;
        int consumed = 0;
        int written = 0;
        while (requests < capacity) {
            int status = backend.decodeFrames(FORMAT_FERRULE, in, start + consumed, length - consumed, maxPayloadLength,
                    false, frame, 1);
            if (status != 0) {
                if (requests == 0) {
                    DispatchLayout.header(table, 0, 0, 0, 0, 0, 0, status, TableLayout.errorOffset(frame));
                    return status;
                }
                break;
            }
            if (TableLayout.count(frame) == 0) {
                break;
            }
            int frameLength = (int) TableLayout.bytes(frame);
            long correlation = TableLayout.correlationId(frame, 0);
            int methodId = TableLayout.methodId(frame, 0);
            int flags = TableLayout.flags(frame, 0);
            int payloadAt = TableLayout.payloadOffset(frame, 0);
            int payloadLength = TableLayout.payloadLength(frame, 0);
            ErrorCode refusal = null;
            int javaIndex = -1;
            int root = 0;
            if ((flags & (FLAG_RESPONSE | FLAG_ERROR)) != 0) {
                refusal = ErrorCode.DISPATCH_NOT_A_REQUEST;
            } else if ((flags & FLAG_COMPRESSED) != 0) {
                refusal = ErrorCode.COMPRESSION_UNSUPPORTED;
            } else {
                int r = Arrays.binarySearch(ids, methodId);
                if (r < 0) {
                    refusal = ErrorCode.DISPATCH_UNKNOWN_METHOD;
                } else if (kinds[r] != DispatchLayout.ROUTE_JAVA) {
                    javaIndex = javaIndexes[r];
                    refusal = ErrorCode.DISPATCH_HANDLER_UNAVAILABLE;
                } else {
                    javaIndex = javaIndexes[r];
                    int decoded = backend.protoDecode(schema, requestTypes[r], in, payloadAt, payloadLength, arena, maxDepth,
                            block);
                    if (decoded == 0) {
                        root = CallBlock.rootRecord(block);
                    } else if (decoded == ErrorCode.ARENA_EXHAUSTED.code() && requests > 0) {
                        break;
                    } else {
                        refusal = ErrorCode.fromCode(decoded);
                    }
                }
            }
            int outcome = 0;
            if (refusal != null) {
                byte[] message = StatusPayload.description(refusal);
                int statusLength = StatusPayload.length(refusal, message);
                if (FRAME_HEADER_LENGTH + statusLength > outLength - written) {
                    break;
                }
                int at = outStart + written;
                int end = StatusPayload.write(view, at + FRAME_HEADER_LENGTH, refusal, message);
                putHeader(view, at, FLAG_RESPONSE | FLAG_ERROR, methodId, correlation, end - at - FRAME_HEADER_LENGTH);
                written = end - outStart;
                errors++;
                outcome = DispatchLayout.ANSWERED | refusal.code();
            } else {
                java++;
            }
            int at = DispatchLayout.entry(requests);
            table.putLong(at + DispatchLayout.CORRELATION_AT, correlation)
                    .putInt(at + DispatchLayout.METHOD_AT, methodId)
                    .putInt(at + DispatchLayout.INDEX_AT, javaIndex)
                    .putInt(at + DispatchLayout.A_AT, root)
                    .putInt(at + DispatchLayout.B_AT, payloadAt)
                    .putInt(at + DispatchLayout.LENGTH_AT, payloadLength)
                    .putInt(at + DispatchLayout.OUTCOME_AT, outcome)
                    .putLong(at + DispatchLayout.NANOS_AT, 0);
            requests++;
            consumed += frameLength;
        }
        DispatchLayout.header(table, requests, java, errors, consumed, written, 0, 0, 0);
        return 0;
    }

    @Override
    public int encode(ByteBuffer table, int first, int count, ByteBuffer arena, ByteBuffer input, ByteBuffer statuses,
            ByteBuffer out, int outStart, int outLength, int maxDepth) {
        ByteBuffer view = view(out);
        ByteBuffer block = callBlock(maxDepth);
        int frames = 0;
        int written = 0;
        for (int i = first; i < first + count; i++) {
            int e = DispatchLayout.entry(i);
            long correlation = table.getLong(e + DispatchLayout.CORRELATION_AT);
            int methodId = table.getInt(e + DispatchLayout.METHOD_AT);
            int a = table.getInt(e + DispatchLayout.A_AT);
            int b = table.getInt(e + DispatchLayout.B_AT);
            int at = outStart + written;
            int room = outLength - written - FRAME_HEADER_LENGTH;
            int flags;
            int bodyLength;
            if (table.getInt(e + DispatchLayout.INDEX_AT) == DispatchLayout.KIND_ERROR) {
                if (b > room) {
                    break;
                }
                view.put(at + FRAME_HEADER_LENGTH, statuses, a, b);
                flags = FLAG_RESPONSE | FLAG_ERROR;
                bodyLength = b;
            } else {
                if (room < 0) {
                    break;
                }
                bodyLength = 0;
                if (b != 0) {
                    int status = encoder.protoEncode(schema, a, b, arena, input, out, at + FRAME_HEADER_LENGTH, room,
                            maxDepth, block);
                    if (status == ErrorCode.BUFFER_TOO_SMALL.code()) {
                        break;
                    }
                    if (status != 0) {
                        DispatchLayout.header(table, 0, frames, 0, 0, written, 0, status, i - first);
                        return status;
                    }
                    bodyLength = (int) CallBlock.bytes(block);
                }
                flags = FLAG_RESPONSE;
            }
            putHeader(view, at, flags, methodId, correlation, bodyLength);
            written += FRAME_HEADER_LENGTH + bodyLength;
            frames++;
        }
        DispatchLayout.header(table, 0, frames, 0, 0, written, 0, 0, 0);
        return 0;
    }

    /** Writes a response frame header before the {@code bodyLength} payload bytes already at {@code at + 24}. */
    private void putHeader(ByteBuffer view, int at, int flags, int methodId, long correlation, int bodyLength) {
        view.put(at, (byte) FRAME_MAGIC_0).put(at + 1, (byte) FRAME_MAGIC_1).put(at + 2, (byte) FRAME_VERSION)
                .put(at + 3, (byte) flags).putInt(at + 4, methodId).putLong(at + 8, correlation)
                .putInt(at + 16, bodyLength);
        crc.reset();
        int bodyAt = at + FRAME_HEADER_LENGTH;
        view.limit(bodyAt + bodyLength).position(bodyAt);
        crc.update(view);
        view.clear();
        view.putInt(at + 20, (int) crc.getValue());
    }

    /** A little-endian view of {@code out}, made once per buffer. */
    private ByteBuffer view(ByteBuffer out) {
        if (out != outKey) {
            outView = out.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear();
            outKey = out;
        }
        return outView;
    }

    @Override
    public long pending() {
        return 0;
    }

    @Override
    public int drain(ByteBuffer out, int start, int length) {
        return 0;
    }

    @Override
    public void close() {}
}
