package dev.ferrule.internal.schema;

import static dev.ferrule.internal.Abi.SCHEMA_ENUM_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_ENUM_VALUE_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_FIELD_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_HEADER_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_MAGIC;
import static dev.ferrule.internal.Abi.SCHEMA_MESSAGE_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_VERSION;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A compiled schema (docs/message-layout.md, section 1), unpacked into int arrays for the Java
 * engine and the API, with the original bytes kept for the native engine.
 *
 * <p>Immutable and thread-safe. Field indexes are global (into the schema's field array); a message's
 * fields are {@code [firstField(m), firstField(m) + fieldCount(m))}, sorted by number.
 */
public final class CompiledSchema {
    // Field types (FieldDescriptorProto.Type).
    public static final int TYPE_DOUBLE = 1;
    public static final int TYPE_FLOAT = 2;
    public static final int TYPE_INT64 = 3;
    public static final int TYPE_UINT64 = 4;
    public static final int TYPE_INT32 = 5;
    public static final int TYPE_FIXED64 = 6;
    public static final int TYPE_FIXED32 = 7;
    public static final int TYPE_BOOL = 8;
    public static final int TYPE_STRING = 9;
    public static final int TYPE_GROUP = 10;
    public static final int TYPE_MESSAGE = 11;
    public static final int TYPE_BYTES = 12;
    public static final int TYPE_UINT32 = 13;
    public static final int TYPE_ENUM = 14;
    public static final int TYPE_SFIXED32 = 15;
    public static final int TYPE_SFIXED64 = 16;
    public static final int TYPE_SINT32 = 17;
    public static final int TYPE_SINT64 = 18;

    // Cardinalities.
    public static final int IMPLICIT = 0;
    public static final int OPTIONAL = 1;
    public static final int REQUIRED = 2;
    public static final int REPEATED = 3;
    public static final int ONEOF = 4;
    public static final int ALWAYS = 5;

    // Field flags.
    public static final int FLAG_PACKED = 1;
    public static final int FLAG_VALIDATE_UTF8 = 2;
    public static final int FLAG_CLOSED_ENUM = 4;
    public static final int FLAG_HAS_DEFAULT = 8;
    public static final int FLAG_MAP = 16;

    // Message flags.
    public static final int MESSAGE_MAP_ENTRY = 1;

    // Enum flags.
    public static final int ENUM_CLOSED = 1;

    private static final int M_NAME = 0;
    private static final int M_FIRST_FIELD = 8;
    private static final int M_FIELD_COUNT = 12;
    private static final int M_RECORD_SIZE = 16;
    private static final int M_HASBITS = 20;
    private static final int M_ONEOFS = 24;
    private static final int M_FLAGS = 28;
    private static final int M_UNKNOWN_SLOT = 32;
    private static final int M_ONEOF_OFFSET = 36;

    private static final int F_NUMBER = 0;
    private static final int F_TYPE = 4;
    private static final int F_CARDINALITY = 5;
    private static final int F_FLAGS = 6;
    private static final int F_SLOT = 8;
    private static final int F_PRESENCE = 12;
    private static final int F_TYPE_REF = 16;
    private static final int F_NAME = 20;
    private static final int F_JSON_NAME = 28;
    private static final int F_DEFAULT = 40;

    private static final int E_NAME = 0;
    private static final int E_FIRST_VALUE = 8;
    private static final int E_VALUE_COUNT = 12;
    private static final int E_FLAGS = 16;

    private static final int V_NUMBER = 0;
    private static final int V_NAME = 4;

    private final ByteBuffer bytes;
    private final int messageCount;
    private final int fieldCount;
    private final int enumCount;
    private final int enumValueCount;
    private final int messagesAt;
    private final int fieldsAt;
    private final int enumsAt;
    private final int valuesAt;
    private final int stringsAt;

    private final String[] messageNames;
    private final String[] fieldNames;
    private final String[] jsonNames;
    private final String[] enumNames;
    private final String[] valueNames;
    private final Map<String, Integer> messagesByName = new HashMap<>();
    private final Map<String, Integer> enumsByName = new HashMap<>();

    private CompiledSchema(ByteBuffer bytes) {
        this.bytes = bytes;
        require(bytes.capacity() >= SCHEMA_HEADER_LENGTH, "shorter than its header");
        require(bytes.getInt(0) == SCHEMA_MAGIC, "bad magic");
        require(bytes.getInt(4) == SCHEMA_VERSION, "unsupported version " + bytes.getInt(4));
        messageCount = count(8);
        fieldCount = count(12);
        enumCount = count(16);
        enumValueCount = count(20);
        int stringsLength = count(24);
        long at = SCHEMA_HEADER_LENGTH;
        messagesAt = (int) at;
        at += (long) messageCount * SCHEMA_MESSAGE_LENGTH;
        fieldsAt = (int) Math.min(at, Integer.MAX_VALUE);
        at += (long) fieldCount * SCHEMA_FIELD_LENGTH;
        enumsAt = (int) Math.min(at, Integer.MAX_VALUE);
        at += (long) enumCount * SCHEMA_ENUM_LENGTH;
        valuesAt = (int) Math.min(at, Integer.MAX_VALUE);
        at += (long) enumValueCount * SCHEMA_ENUM_VALUE_LENGTH;
        stringsAt = (int) Math.min(at, Integer.MAX_VALUE);
        at += stringsLength;
        require(at == bytes.capacity(), "sections do not add up to the schema's length");

        messageNames = new String[messageCount];
        for (int m = 0; m < messageCount; m++) {
            messageNames[m] = string(messagesAt + m * SCHEMA_MESSAGE_LENGTH + M_NAME);
            messagesByName.put(messageNames[m], m);
            long end = (long) firstField(m) + fieldCount(m);
            require(end <= fieldCount, "message " + messageNames[m] + " has fields past the field table");
        }
        fieldNames = new String[fieldCount];
        jsonNames = new String[fieldCount];
        for (int f = 0; f < fieldCount; f++) {
            fieldNames[f] = string(fieldAt(f) + F_NAME);
            jsonNames[f] = string(fieldAt(f) + F_JSON_NAME);
        }
        enumNames = new String[enumCount];
        for (int e = 0; e < enumCount; e++) {
            enumNames[e] = string(enumsAt + e * SCHEMA_ENUM_LENGTH + E_NAME);
            enumsByName.put(enumNames[e], e);
        }
        valueNames = new String[enumValueCount];
        for (int v = 0; v < enumValueCount; v++) {
            valueNames[v] = string(valuesAt + v * SCHEMA_ENUM_VALUE_LENGTH + V_NAME);
        }
    }

    /** Reads a compiled schema; {@code SCHEMA_INVALID} if its structure is broken. */
    public static CompiledSchema read(byte[] compiled) {
        ByteBuffer copy = ByteBuffer.allocateDirect(compiled.length).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(compiled).clear();
        try {
            return new CompiledSchema(copy);
        } catch (IndexOutOfBoundsException e) {
            throw new FerruleException(ErrorCode.SCHEMA_INVALID, "compiled schema: a reference points outside it", e);
        }
    }

    /** The compiled bytes, as the native engine receives them (a read-only view). */
    public ByteBuffer bytes() {
        return bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private int count(int at) {
        int n = bytes.getInt(at);
        require(n >= 0, "negative count at " + at);
        return n;
    }

    private String string(int refAt) {
        int offset = bytes.getInt(refAt);
        int length = bytes.getInt(refAt + 4);
        require(offset >= 0 && length >= 0 && (long) offset + length <= bytes.capacity() - stringsAt,
                "string ref outside the strings area");
        byte[] b = new byte[length];
        bytes.get(stringsAt + offset, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new FerruleException(ErrorCode.SCHEMA_INVALID, "compiled schema: " + what);
        }
    }

    private int messageAt(int m) {
        return messagesAt + m * SCHEMA_MESSAGE_LENGTH;
    }

    private int fieldAt(int f) {
        return fieldsAt + f * SCHEMA_FIELD_LENGTH;
    }

    private int enumAt(int e) {
        return enumsAt + e * SCHEMA_ENUM_LENGTH;
    }

    private int valueAt(int v) {
        return valuesAt + v * SCHEMA_ENUM_VALUE_LENGTH;
    }

    public int messageCount() {
        return messageCount;
    }

    public int fieldCount() {
        return fieldCount;
    }

    public int enumCount() {
        return enumCount;
    }

    /** Index of the message with this full name (no leading dot), or -1. */
    public int messageIndex(String fullName) {
        Integer m = messagesByName.get(fullName.startsWith(".") ? fullName.substring(1) : fullName);
        return m == null ? -1 : m;
    }

    /** Index of the enum with this full name (no leading dot), or -1. */
    public int enumIndex(String fullName) {
        Integer e = enumsByName.get(fullName.startsWith(".") ? fullName.substring(1) : fullName);
        return e == null ? -1 : e;
    }

    public String messageName(int m) {
        return messageNames[m];
    }

    public int firstField(int m) {
        return bytes.getInt(messageAt(m) + M_FIRST_FIELD);
    }

    public int fieldCount(int m) {
        return bytes.getInt(messageAt(m) + M_FIELD_COUNT);
    }

    public int recordSize(int m) {
        return bytes.getInt(messageAt(m) + M_RECORD_SIZE);
    }

    public int hasbitCount(int m) {
        return bytes.getInt(messageAt(m) + M_HASBITS);
    }

    public int oneofCount(int m) {
        return bytes.getInt(messageAt(m) + M_ONEOFS);
    }

    public int messageFlags(int m) {
        return bytes.getInt(messageAt(m) + M_FLAGS);
    }

    public boolean isMapEntry(int m) {
        return (messageFlags(m) & MESSAGE_MAP_ENTRY) != 0;
    }

    public int unknownSlot(int m) {
        return bytes.getInt(messageAt(m) + M_UNKNOWN_SLOT);
    }

    public int oneofOffset(int m) {
        return bytes.getInt(messageAt(m) + M_ONEOF_OFFSET);
    }

    /** The field of message {@code m} with this number, as a global field index, or -1. */
    public int findField(int m, int number) {
        int lo = firstField(m);
        int hi = lo + fieldCount(m) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int n = number(mid);
            if (n < number) {
                lo = mid + 1;
            } else if (n > number) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The field of message {@code m} with this name (or JSON name), as a global field index, or -1. */
    public int findField(int m, String name) {
        int first = firstField(m);
        for (int f = first, end = first + fieldCount(m); f < end; f++) {
            if (fieldNames[f].equals(name)) {
                return f;
            }
        }
        for (int f = first, end = first + fieldCount(m); f < end; f++) {
            if (jsonNames[f].equals(name)) {
                return f;
            }
        }
        return -1;
    }

    public int number(int f) {
        return bytes.getInt(fieldAt(f) + F_NUMBER);
    }

    public int type(int f) {
        return bytes.get(fieldAt(f) + F_TYPE) & 0xFF;
    }

    public int cardinality(int f) {
        return bytes.get(fieldAt(f) + F_CARDINALITY) & 0xFF;
    }

    public int flags(int f) {
        return bytes.get(fieldAt(f) + F_FLAGS) & 0xFF;
    }

    public int slot(int f) {
        return bytes.getInt(fieldAt(f) + F_SLOT);
    }

    /** Hasbit index, oneof index, or {@code NO_INDEX} (-1 as an int). */
    public int presence(int f) {
        return bytes.getInt(fieldAt(f) + F_PRESENCE);
    }

    /** Message index (MESSAGE, GROUP), enum index (ENUM), or {@code NO_INDEX} (-1 as an int). */
    public int typeRef(int f) {
        return bytes.getInt(fieldAt(f) + F_TYPE_REF);
    }

    public String fieldName(int f) {
        return fieldNames[f];
    }

    public String jsonName(int f) {
        return jsonNames[f];
    }

    /** The raw default (see docs/message-layout.md); meaningful when {@link #FLAG_HAS_DEFAULT} is set. */
    public long defaultBits(int f) {
        return bytes.getLong(fieldAt(f) + F_DEFAULT);
    }

    /** A STRING/BYTES default's bytes. */
    public byte[] defaultBytes(int f) {
        long bits = defaultBits(f);
        byte[] b = new byte[(int) (bits >>> 32)];
        bytes.get(stringsAt + (int) bits, b);
        return b;
    }

    public String enumName(int e) {
        return enumNames[e];
    }

    public int firstValue(int e) {
        return bytes.getInt(enumAt(e) + E_FIRST_VALUE);
    }

    public int valueCount(int e) {
        return bytes.getInt(enumAt(e) + E_VALUE_COUNT);
    }

    public boolean isClosed(int e) {
        return (bytes.getInt(enumAt(e) + E_FLAGS) & ENUM_CLOSED) != 0;
    }

    public int valueNumber(int v) {
        return bytes.getInt(valueAt(v) + V_NUMBER);
    }

    public String valueName(int v) {
        return valueNames[v];
    }

    /** Whether enum {@code e} has a value with this number. */
    public boolean hasValue(int e, int number) {
        return valueIndex(e, number) >= 0;
    }

    /** The first value of enum {@code e} with this number (a global value index), or -1. */
    public int valueIndex(int e, int number) {
        int lo = firstValue(e);
        int hi = lo + valueCount(e) - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int n = valueNumber(mid);
            if (n < number) {
                lo = mid + 1;
            } else {
                if (n == number) {
                    found = mid;
                }
                hi = mid - 1;
            }
        }
        return found;
    }
}
