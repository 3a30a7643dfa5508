package dev.ferrule.internal.proto;

import static dev.ferrule.internal.Abi.CALL_HEADER_LENGTH;
import static dev.ferrule.internal.Abi.CALL_PATH_ENTRY_LENGTH;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The protobuf call block (docs/message-layout.md, section 5): arguments out, results back. Every
 * method takes the block's own little-endian buffer and uses absolute indexes.
 *
 * <pre>
 *  0 u32 error code (0 = none)    4 u32 path length (entries)
 *  8 u64 error offset
 * 16 u32 root record offset       20 u32 reserved
 * 24 u64 bytes (encode: written, or required for BUFFER_TOO_SMALL)
 * 32 path: (max depth + 2) entries of (u32 field number, u32 element index or NO_INDEX)
 * </pre>
 *
 * <p>Both engines write the whole header on every call: a successful decode writes code 0, path
 * length 0, offset 0, the root record and bytes 0; a failed decode writes root 0 and bytes 0; an
 * encode writes root 0 and the byte count (0 on errors other than {@code BUFFER_TOO_SMALL}).
 */
public final class CallBlock {
    private CallBlock() {}

    public static final int ERROR_CODE_AT = 0;
    public static final int PATH_LENGTH_AT = 4;
    public static final int ERROR_OFFSET_AT = 8;
    public static final int ROOT_AT = 16;
    public static final int BYTES_AT = 24;
    public static final int PATH_AT = CALL_HEADER_LENGTH;

    /** Bytes in a call block whose path has room for a decode with this depth limit. */
    public static int length(int maxDepth) {
        return CALL_HEADER_LENGTH + (maxDepth + 2) * CALL_PATH_ENTRY_LENGTH;
    }

    /** A zeroed call block for this depth limit. */
    public static ByteBuffer allocate(int maxDepth) {
        return ByteBuffer.allocateDirect(length(maxDepth)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Path entries that fit in this block. */
    public static int pathCapacity(ByteBuffer call) {
        return (call.capacity() - CALL_HEADER_LENGTH) / CALL_PATH_ENTRY_LENGTH;
    }

    public static int errorCode(ByteBuffer call) {
        return call.getInt(ERROR_CODE_AT);
    }

    public static int pathLength(ByteBuffer call) {
        return call.getInt(PATH_LENGTH_AT);
    }

    public static long errorOffset(ByteBuffer call) {
        return call.getLong(ERROR_OFFSET_AT);
    }

    public static int rootRecord(ByteBuffer call) {
        return call.getInt(ROOT_AT);
    }

    public static long bytes(ByteBuffer call) {
        return call.getLong(BYTES_AT);
    }

    /** Field number of path entry {@code i}. */
    public static int pathNumber(ByteBuffer call, int i) {
        return call.getInt(PATH_AT + i * CALL_PATH_ENTRY_LENGTH);
    }

    /** Element index of path entry {@code i}, or {@code NO_INDEX} (-1 as an int). */
    public static int pathIndex(ByteBuffer call, int i) {
        return call.getInt(PATH_AT + i * CALL_PATH_ENTRY_LENGTH + 4);
    }

    /** Writes path entry {@code i} if it fits; returns whether it did. */
    public static boolean putPathEntry(ByteBuffer call, int i, int number, int index) {
        if (i >= pathCapacity(call)) {
            return false;
        }
        call.putInt(PATH_AT + i * CALL_PATH_ENTRY_LENGTH, number).putInt(PATH_AT + i * CALL_PATH_ENTRY_LENGTH + 4, index);
        return true;
    }

    /** Writes the whole header; returns {@code code}. */
    public static int finish(ByteBuffer call, int code, int pathLength, long offset, int root, long bytes) {
        call.putInt(ERROR_CODE_AT, code).putInt(PATH_LENGTH_AT, pathLength).putLong(ERROR_OFFSET_AT, offset);
        call.putInt(ROOT_AT, root).putInt(ROOT_AT + 4, 0).putLong(BYTES_AT, bytes);
        return code;
    }

    /** A human-readable path such as {@code 3[2].5}, for error messages. */
    public static String describePath(ByteBuffer call) {
        StringBuilder out = new StringBuilder();
        int n = Math.min(pathLength(call), pathCapacity(call));
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(pathNumber(call, i));
            if (pathIndex(call, i) != -1) {
                out.append('[').append(Integer.toUnsignedString(pathIndex(call, i))).append(']');
            }
        }
        return out.toString();
    }
}
