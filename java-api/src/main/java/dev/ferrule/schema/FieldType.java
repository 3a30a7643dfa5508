package dev.ferrule.schema;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;

/** The protobuf field types, numbered as in descriptor.proto. */
public enum FieldType {
    DOUBLE(1), FLOAT(2), INT64(3), UINT64(4), INT32(5), FIXED64(6), FIXED32(7), BOOL(8), STRING(9), GROUP(10),
    MESSAGE(11), BYTES(12), UINT32(13), ENUM(14), SFIXED32(15), SFIXED64(16), SINT32(17), SINT64(18);

    private static final FieldType[] BY_NUMBER = new FieldType[19];

    static {
        for (FieldType t : values()) {
            BY_NUMBER[t.number] = t;
        }
    }

    private final int number;

    FieldType(int number) {
        this.number = number;
    }

    /** The number descriptor.proto gives this type. */
    public int number() {
        return number;
    }

    /** Whether values are Java {@code long}s (64-bit integer types). */
    public boolean isLong() {
        return this == INT64 || this == UINT64 || this == FIXED64 || this == SFIXED64 || this == SINT64;
    }

    /** Whether values are Java {@code int}s (32-bit integer types and enums). */
    public boolean isInt() {
        return this == INT32 || this == UINT32 || this == FIXED32 || this == SFIXED32 || this == SINT32 || this == ENUM;
    }

    /** Whether values are messages (MESSAGE or GROUP). */
    public boolean isMessage() {
        return this == MESSAGE || this == GROUP;
    }

    /**
     * The type with this descriptor.proto number.
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if no type has this number
     */
    public static FieldType of(int number) {
        FieldType type = number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
        if (type == null) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "no protobuf field type has number " + number);
        }
        return type;
    }
}
