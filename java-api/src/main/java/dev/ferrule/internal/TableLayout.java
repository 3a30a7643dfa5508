package dev.ferrule.internal;

import static dev.ferrule.internal.Abi.TABLE_ENTRY_LENGTH;
import static dev.ferrule.internal.Abi.TABLE_HEADER_LENGTH;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The frame descriptor table shared by Java and native code (docs/wire-format.md, section 4). Every
 * method takes the table's own little-endian direct buffer.
 *
 * <pre>
 * header (32 bytes)
 *   0 count u32 | 4 reserved u32 | 8 bytes consumed/written u64 | 16 error code u32 | 20 reserved u32
 *  24 error offset u64
 * entry i at 32 + 24 * i
 *   0 correlation id u64 | 8 method id u32 | 12 payload offset u32 | 16 payload length u32
 *  20 flags u8 | 21..24 reserved
 * </pre>
 */
public final class TableLayout {
    private TableLayout() {}

    private static final int COUNT_AT = 0;
    private static final int BYTES_AT = 8;
    private static final int ERROR_CODE_AT = 16;
    private static final int ERROR_OFFSET_AT = 24;

    private static final int CORRELATION_AT = 0;
    private static final int METHOD_AT = 8;
    private static final int PAYLOAD_OFFSET_AT = 12;
    private static final int PAYLOAD_LENGTH_AT = 16;
    private static final int FLAGS_AT = 20;

    /** Largest capacity whose table still fits in one buffer. */
    public static final int MAX_CAPACITY = (Integer.MAX_VALUE - TABLE_HEADER_LENGTH) / TABLE_ENTRY_LENGTH;

    /** A zeroed table with room for {@code capacity} entries. */
    public static ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocateDirect(TABLE_HEADER_LENGTH + capacity * TABLE_ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static int count(ByteBuffer table) {
        return table.getInt(COUNT_AT);
    }

    public static void setCount(ByteBuffer table, int count) {
        table.putInt(COUNT_AT, count);
    }

    public static long bytes(ByteBuffer table) {
        return table.getLong(BYTES_AT);
    }

    public static int errorCode(ByteBuffer table) {
        return table.getInt(ERROR_CODE_AT);
    }

    public static long errorOffset(ByteBuffer table) {
        return table.getLong(ERROR_OFFSET_AT);
    }

    /** Records a successful decode: {@code count} entries covering {@code bytes} bytes. */
    public static void decoded(ByteBuffer table, int count, long bytes) {
        table.putInt(COUNT_AT, count);
        finish(table, bytes, 0, 0);
    }

    /** Records a failed decode, which describes no frame; returns {@code code}. */
    static int decodeFailed(ByteBuffer table, int code, long offset) {
        table.putInt(COUNT_AT, 0);
        return finish(table, 0, code, offset);
    }

    /** Records a successful encode of {@code bytes} bytes; the entries stay as they were. */
    static void encoded(ByteBuffer table, long bytes) {
        finish(table, bytes, 0, 0);
    }

    /** Records a failed encode, keeping the entries; returns {@code code}. */
    static int encodeFailed(ByteBuffer table, int code, long offset, long bytes) {
        return finish(table, bytes, code, offset);
    }

    private static int finish(ByteBuffer table, long bytes, int code, long offset) {
        table.putInt(COUNT_AT + 4, 0).putLong(BYTES_AT, bytes);
        table.putInt(ERROR_CODE_AT, code).putInt(ERROR_CODE_AT + 4, 0).putLong(ERROR_OFFSET_AT, offset);
        return code;
    }

    private static int entry(int index) {
        return TABLE_HEADER_LENGTH + index * TABLE_ENTRY_LENGTH;
    }

    /** Writes entry {@code index}, reserved bytes included, so both backends leave identical tables. */
    public static void putEntry(ByteBuffer table, int index, long correlationId, int methodId, int payloadOffset,
            int payloadLength, int flags) {
        int at = entry(index);
        table.putLong(at + CORRELATION_AT, correlationId)
                .putInt(at + METHOD_AT, methodId)
                .putInt(at + PAYLOAD_OFFSET_AT, payloadOffset)
                .putInt(at + PAYLOAD_LENGTH_AT, payloadLength)
                .putInt(at + FLAGS_AT, flags & 0xFF);
    }

    public static long correlationId(ByteBuffer table, int index) {
        return table.getLong(entry(index) + CORRELATION_AT);
    }

    public static int methodId(ByteBuffer table, int index) {
        return table.getInt(entry(index) + METHOD_AT);
    }

    public static int payloadOffset(ByteBuffer table, int index) {
        return table.getInt(entry(index) + PAYLOAD_OFFSET_AT);
    }

    public static int payloadLength(ByteBuffer table, int index) {
        return table.getInt(entry(index) + PAYLOAD_LENGTH_AT);
    }

    public static int flags(ByteBuffer table, int index) {
        return table.get(entry(index) + FLAGS_AT) & 0xFF;
    }
}
