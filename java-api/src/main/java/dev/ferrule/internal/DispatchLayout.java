package dev.ferrule.internal;

import static dev.ferrule.internal.Abi.DISPATCH_ENTRY_LENGTH;
import static dev.ferrule.internal.Abi.DISPATCH_TABLE_HEADER_LENGTH;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The dispatch table shared by Java and native code (native/C-ABI.md, "Dispatch"): the first pass
 * describes Java-handled requests in it, and the response encoder reads the responses from it.
 * Little-endian, 8-byte aligned.
 *
 * <pre>
 * header (DISPATCH_TABLE_HEADER_LENGTH = 48 bytes)
 *   0 requests u32     | 4 java count u32 (first pass) / frames written (encode)
 *   8 error frames u32 | 12 error code u32 (a frame error or a bad response; 0 = none)
 *  16 bytes consumed u64
 *  24 bytes written u64
 *  32 bytes pending in the native dispatcher u64
 *  40 error offset u64 (absolute input offset; for encode, the entry index)
 * entry i at 48 + 40 * i
 *   0 correlation id u64
 *   8 method id u32 | 12 first pass: java method index (-1: none) / encode: kind (0 message, 1 error status)
 *  16 first pass: root record / encode: message type, or status offset
 *  20 first pass: payload offset / encode: root record, or status length
 *  24 first pass: payload length u32 | 28 first pass: outcome u32 (bit 31: answered in the pass;
 *     low bits: 0 or the error frame's code)
 *  32 first pass: nanoseconds in the Rust handler u64
 * </pre>
 *
 * <p>The first pass writes one entry per consumed request, in request order; entries not answered
 * are the Java-handled requests.
 */
public final class DispatchLayout {
    private DispatchLayout() {}

    public static final int REQUESTS_AT = 0;
    public static final int COUNT_AT = 4;
    public static final int ERRORS_AT = 8;
    public static final int ERROR_CODE_AT = 12;
    public static final int CONSUMED_AT = 16;
    public static final int WRITTEN_AT = 24;
    public static final int PENDING_AT = 32;
    public static final int ERROR_OFFSET_AT = 40;

    public static final int CORRELATION_AT = 0;
    public static final int METHOD_AT = 8;
    public static final int INDEX_AT = 12;
    public static final int A_AT = 16;
    public static final int B_AT = 20;
    public static final int LENGTH_AT = 24;
    public static final int OUTCOME_AT = 28;
    public static final int NANOS_AT = 32;

    /** Outcome bit of a request answered in the first pass. */
    public static final int ANSWERED = 1 << 31;

    /** Encode entry kinds. */
    public static final int KIND_MESSAGE = 0;
    public static final int KIND_ERROR = 1;

    /** Route kinds. */
    public static final int ROUTE_JAVA = 0;
    public static final int ROUTE_NATIVE = 1;
    public static final int ROUTE_UNAVAILABLE = 2;

    /** A zeroed table with room for {@code capacity} entries. */
    public static ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocateDirect(DISPATCH_TABLE_HEADER_LENGTH + capacity * DISPATCH_ENTRY_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Byte index of entry {@code i}. */
    public static int entry(int i) {
        return DISPATCH_TABLE_HEADER_LENGTH + i * DISPATCH_ENTRY_LENGTH;
    }

    /** Writes the header after a first pass or an encode. */
    public static void header(ByteBuffer table, int requests, int count, int errors, long consumed, long written,
            long pending, int errorCode, long errorOffset) {
        table.putInt(REQUESTS_AT, requests).putInt(COUNT_AT, count).putInt(ERRORS_AT, errors)
                .putInt(ERROR_CODE_AT, errorCode).putLong(CONSUMED_AT, consumed).putLong(WRITTEN_AT, written)
                .putLong(PENDING_AT, pending).putLong(ERROR_OFFSET_AT, errorOffset);
    }
}
