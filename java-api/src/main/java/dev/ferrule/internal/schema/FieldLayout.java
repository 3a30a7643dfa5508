package dev.ferrule.internal.schema;

/**
 * Everything a reader or builder needs to touch one field of a record, resolved once per schema so
 * that field access costs plain field loads instead of reads from the compiled schema's bytes.
 * Immutable; internal.
 */
public final class FieldLayout {
    /** Value kinds, by how a reader or builder treats the slot. */
    public static final int KIND_INT = 0;
    public static final int KIND_LONG = 1;
    public static final int KIND_FLOAT = 2;
    public static final int KIND_DOUBLE = 3;
    public static final int KIND_BOOL = 4;
    public static final int KIND_STRING = 5;
    public static final int KIND_BYTES = 6;
    public static final int KIND_MESSAGE = 7;

    public final int number;
    public final int type;
    public final int kind;
    public final int cardinality;
    public final int slot;
    /** Bytes of the slot's value (or of one element, for a repeated field). */
    public final int valueSize;
    /** For hasbit fields, the record offset of the hasbit word; else -1. */
    public final int hasbitWord;
    /** For hasbit fields, the bit within {@link #hasbitWord}. */
    public final int hasbitMask;
    /** For oneof members, the record offset of the oneof's case word; else -1. */
    public final int oneofCaseAt;
    public final boolean hasDefault;
    public final long defaultBits;
    public final boolean repeated;

    FieldLayout(CompiledSchema s, int message, int f) {
        number = s.number(f);
        type = s.type(f);
        kind = kindOf(type);
        cardinality = s.cardinality(f);
        slot = s.slot(f);
        valueSize = switch (kind) {
            case KIND_LONG, KIND_DOUBLE, KIND_STRING, KIND_BYTES -> 8;
            case KIND_BOOL -> 1;
            default -> 4;
        };
        int presence = s.presence(f);
        boolean hasbit = cardinality == CompiledSchema.OPTIONAL || cardinality == CompiledSchema.REQUIRED;
        hasbitWord = hasbit ? (presence >>> 5) * 4 : -1;
        hasbitMask = hasbit ? 1 << (presence & 31) : 0;
        oneofCaseAt = cardinality == CompiledSchema.ONEOF ? s.oneofOffset(message) + presence * 4 : -1;
        hasDefault = (s.flags(f) & CompiledSchema.FLAG_HAS_DEFAULT) != 0;
        defaultBits = s.defaultBits(f);
        repeated = cardinality == CompiledSchema.REPEATED;
    }

    private static int kindOf(int type) {
        return switch (type) {
            case CompiledSchema.TYPE_INT64, CompiledSchema.TYPE_UINT64, CompiledSchema.TYPE_FIXED64,
                    CompiledSchema.TYPE_SFIXED64, CompiledSchema.TYPE_SINT64 -> KIND_LONG;
            case CompiledSchema.TYPE_FLOAT -> KIND_FLOAT;
            case CompiledSchema.TYPE_DOUBLE -> KIND_DOUBLE;
            case CompiledSchema.TYPE_BOOL -> KIND_BOOL;
            case CompiledSchema.TYPE_STRING -> KIND_STRING;
            case CompiledSchema.TYPE_BYTES -> KIND_BYTES;
            case CompiledSchema.TYPE_MESSAGE, CompiledSchema.TYPE_GROUP -> KIND_MESSAGE;
            default -> KIND_INT;
        };
    }

    /** The layouts of every field of message {@code m}, in field order. */
    public static FieldLayout of(CompiledSchema s, int m, int f) {
        return new FieldLayout(s, m, f);
    }
}
