package dev.ferrule.internal.schema;

import static dev.ferrule.internal.schema.CompiledSchema.ALWAYS;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_HAS_DEFAULT;
import static dev.ferrule.internal.schema.CompiledSchema.IMPLICIT;
import static dev.ferrule.internal.schema.CompiledSchema.ONEOF;
import static dev.ferrule.internal.schema.CompiledSchema.OPTIONAL;
import static dev.ferrule.internal.schema.CompiledSchema.REPEATED;
import static dev.ferrule.internal.schema.CompiledSchema.REQUIRED;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_BYTES;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_ENUM;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_GROUP;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_MESSAGE;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_SINT64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_STRING;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.ByteBuffer;

/**
 * The structural checks of docs/message-layout.md, section 1, that make a compiled schema safe for an
 * engine: field ranges and order, type refs matching types, hasbit, oneof and slot positions inside
 * the record, enum value ranges and order, default string refs inside the strings area. After
 * {@link #validate} passes, no record access driven by the schema can leave a record.
 */
public final class SchemaValidator {
    private SchemaValidator() {}

    private static final long NO_INDEX = 0xFFFF_FFFFL;

    /** Throws {@code SCHEMA_INVALID} if the schema breaks a rule of section 1. */
    public static void validate(CompiledSchema s) {
        ByteBuffer bytes = s.bytes();
        long stringsLength = Integer.toUnsignedLong(bytes.getInt(24));
        int messages = s.messageCount();
        int enums = s.enumCount();
        long values = Integer.toUnsignedLong(bytes.getInt(20));
        // Every field entry on its own (owned by a message or not), as the Rust engine checks them.
        for (int f = 0; f < s.fieldCount(); f++) {
            String fw = "field entry " + f;
            int number = s.number(f);
            require(number > 0 && number <= (1 << 29) - 1, fw + ": number out of range");
            int type = s.type(f);
            int card = s.cardinality(f);
            require(type >= 1 && type <= TYPE_SINT64, fw + ": bad type");
            require(card >= IMPLICIT && card <= ALWAYS, fw + ": bad cardinality");
            long ref = u(s.typeRef(f));
            if (type == TYPE_MESSAGE || type == TYPE_GROUP) {
                require(card != IMPLICIT, fw + ": a MESSAGE or GROUP field cannot be IMPLICIT");
                require(ref < messages, fw + ": bad message ref");
            } else if (type == TYPE_ENUM) {
                require(ref < enums, fw + ": bad enum ref");
            } else {
                require(ref == NO_INDEX, fw + ": a scalar field has a type ref");
            }
            if ((s.flags(f) & FLAG_HAS_DEFAULT) != 0 && (type == TYPE_STRING || type == TYPE_BYTES)) {
                long bits = s.defaultBits(f);
                require((bits & 0xFFFF_FFFFL) + (bits >>> 32) <= stringsLength, fw + ": default outside strings");
            }
        }
        boolean[] owned = new boolean[s.fieldCount()];
        for (int m = 0; m < messages; m++) {
            String where = "message " + s.messageName(m);
            long size = u(s.recordSize(m));
            require(size >= 8 && size % 8 == 0, where + ": record size is not a positive multiple of 8");
            long hasbits = u(s.hasbitCount(m));
            long oneofs = u(s.oneofCount(m));
            require(4 * ((hasbits + 31) / 32) <= size, where + ": hasbit words outside the record");
            require(oneofs == 0 || u(s.oneofOffset(m)) + 4 * oneofs <= size, where + ": oneof words outside the record");
            require(u(s.unknownSlot(m)) + 8 <= size, where + ": unknown-fields slot outside the record");
            int first = s.firstField(m);
            int count = s.fieldCount(m);
            require(first >= 0 && count >= 0 && (long) first + count <= s.fieldCount(), where + ": bad field range");
            int previous = 0;
            for (int f = first; f < first + count; f++) {
                require(!owned[f], where + ": its fields overlap another message's");
                owned[f] = true;
                int number = s.number(f);
                String fw = where + " field " + number;
                require(number > previous, fw + ": numbers must ascend");
                previous = number;
                int card = s.cardinality(f);
                long presence = u(s.presence(f));
                if (card == OPTIONAL || card == REQUIRED) {
                    require(presence < hasbits, fw + ": hasbit out of range");
                } else if (card == ONEOF) {
                    require(presence < oneofs, fw + ": oneof index out of range");
                } else {
                    require(presence == NO_INDEX, fw + ": presence without a hasbit or oneof");
                }
                long slotSize = SchemaCompiler.slotSize(s.type(f), card);
                require(u(s.slot(f)) + slotSize <= size, fw + ": slot outside the record");
            }
            requireDisjoint(s, m, where);
        }
        for (int e = 0; e < enums; e++) {
            long first = u(s.firstValue(e));
            long count = u(s.valueCount(e));
            require(first + count <= values, "enum " + s.enumName(e) + ": values outside the value table");
            for (long v = first + 1; v < first + count; v++) {
                require(s.valueNumber((int) v - 1) <= s.valueNumber((int) v),
                        "enum " + s.enumName(e) + ": values not sorted by number");
            }
        }
    }

    /**
     * The hasbit words, oneof case words, unknown-fields slot and field slots of a record share no
     * byte, as the Rust engine checks: one write must never land in another's bytes.
     */
    private static void requireDisjoint(CompiledSchema s, int m, String where) {
        int first = s.firstField(m);
        int count = s.fieldCount(m);
        long[][] regions = new long[count + 3][];
        int n = 0;
        regions[n++] = new long[] {0, 4 * ((u(s.hasbitCount(m)) + 31) / 32)};
        if (s.oneofCount(m) != 0) {
            regions[n++] = new long[] {u(s.oneofOffset(m)), u(s.oneofOffset(m)) + 4 * u(s.oneofCount(m))};
        }
        regions[n++] = new long[] {u(s.unknownSlot(m)), u(s.unknownSlot(m)) + 8};
        for (int f = first; f < first + count; f++) {
            regions[n++] = new long[] {u(s.slot(f)), u(s.slot(f)) + SchemaCompiler.slotSize(s.type(f), s.cardinality(f))};
        }
        long[][] used = java.util.Arrays.stream(regions, 0, n).filter(r -> r[0] < r[1])
                .sorted(java.util.Comparator.comparingLong((long[] r) -> r[0])).toArray(long[][]::new);
        for (int i = 1; i < used.length; i++) {
            require(used[i][0] >= used[i - 1][1], where + ": record regions overlap");
        }
    }

    private static long u(int value) {
        return Integer.toUnsignedLong(value);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new FerruleException(ErrorCode.SCHEMA_INVALID, "compiled schema: " + what);
        }
    }
}
