package dev.ferrule.internal.proto;

import static dev.ferrule.internal.schema.CompiledSchema.FLAG_CLOSED_ENUM;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_PACKED;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_VALIDATE_UTF8;
import static dev.ferrule.internal.schema.CompiledSchema.REPEATED;
import static dev.ferrule.internal.schema.CompiledSchema.REQUIRED;

import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.SchemaValidator;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A compiled schema unpacked into flat int arrays for the Java engine's loops: per message its field
 * range, record layout and a number-to-field lookup; per field its value operation, wire type, slot and
 * presence. Built once per schema (after {@link SchemaValidator} has checked it) and shared by every
 * engine; immutable. (It holds no reference to the schema, so the weak cache can let schemas go.)
 */
final class ProtoTables {
    // Value operations: how a field's value is read from and written to the wire.
    static final int OP_INT32 = 0; // int32: low 32 bits; encoded sign-extended
    static final int OP_UINT32 = 1; // uint32: low 32 bits; encoded zero-extended
    static final int OP_ENUM = 2; // like int32, with the closed-enum check
    static final int OP_SINT32 = 3;
    static final int OP_VARINT64 = 4; // int64, uint64
    static final int OP_SINT64 = 5;
    static final int OP_BOOL = 6;
    static final int OP_FIXED32 = 7; // fixed32, sfixed32, float
    static final int OP_FIXED64 = 8; // fixed64, sfixed64, double
    static final int OP_BYTES = 9; // string, bytes
    static final int OP_MESSAGE = 10;
    static final int OP_GROUP = 11;

    private static final Map<CompiledSchema, ProtoTables> CACHE = new WeakHashMap<>();

    final int messageCount;

    // Per message.
    final int[] mFirst;
    final int[] mEnd;
    final int[] mRecordSize;
    final int[] mOneofOffset;
    final int[] mUnknownSlot;
    final boolean[] mHasRequired; // has REQUIRED fields of its own
    final boolean[] mCheckRequired; // a record of it may hold a missing required field, here or below
    final boolean[] mNeedsCheck; // a record of it can itself miss a required field (own, or an absent map value)
    private final int[] mDenseBase; // -1: binary search
    private final int[] mDenseLength;
    private final int[] dense;

    // Per field (global index).
    final int[] fNumber;
    final int[] fOp;
    final int[] fCard;
    final int[] fSlot;
    final int[] fSlotSize;
    final int[] fPresence;
    final int[] fRef;
    final int[] fWire; // the wire type of one plain value
    final boolean[] fPackable; // repeated numeric: wire type 2 also matches
    final boolean[] fPacked; // encode packed
    final boolean[] fUtf8;
    final boolean[] fClosedEnum;
    final int[] fElementSize;
    final int[] fTagSize; // bytes of the tag varint (any wire type)

    // Per enum: its value numbers, sorted, in one array.
    final int[] eFirst;
    final int[] eEnd;
    final int[] values;

    static ProtoTables of(CompiledSchema schema) {
        synchronized (CACHE) {
            ProtoTables t = CACHE.get(schema);
            if (t == null) {
                t = new ProtoTables(schema);
                CACHE.put(schema, t);
            }
            return t;
        }
    }

    private ProtoTables(CompiledSchema s) {
        SchemaValidator.validate(s);
        messageCount = s.messageCount();
        int fields = s.fieldCount();
        mFirst = new int[messageCount];
        mEnd = new int[messageCount];
        mRecordSize = new int[messageCount];
        mOneofOffset = new int[messageCount];
        mUnknownSlot = new int[messageCount];
        mHasRequired = new boolean[messageCount];
        mCheckRequired = new boolean[messageCount];
        mNeedsCheck = new boolean[messageCount];
        mDenseBase = new int[messageCount];
        mDenseLength = new int[messageCount];

        fNumber = new int[fields];
        fOp = new int[fields];
        fCard = new int[fields];
        fSlot = new int[fields];
        fSlotSize = new int[fields];
        fPresence = new int[fields];
        fRef = new int[fields];
        fWire = new int[fields];
        fPackable = new boolean[fields];
        fPacked = new boolean[fields];
        fUtf8 = new boolean[fields];
        fClosedEnum = new boolean[fields];
        fElementSize = new int[fields];
        fTagSize = new int[fields];

        int denseTotal = 0;
        for (int m = 0; m < messageCount; m++) {
            mFirst[m] = s.firstField(m);
            mEnd[m] = mFirst[m] + s.fieldCount(m);
            // A record over 2 GiB can never be allocated: clamp, so allocation fails cleanly.
            mRecordSize[m] = (int) Math.min(Integer.toUnsignedLong(s.recordSize(m)), Integer.MAX_VALUE & ~7);
            mOneofOffset[m] = s.oneofOffset(m);
            mUnknownSlot[m] = s.unknownSlot(m);
            int count = mEnd[m] - mFirst[m];
            int maxNumber = count == 0 ? 0 : s.number(mEnd[m] - 1);
            if (maxNumber <= Math.max(64, 4 * count)) {
                mDenseBase[m] = denseTotal;
                mDenseLength[m] = maxNumber + 1;
                denseTotal += maxNumber + 1;
            } else {
                mDenseBase[m] = -1;
            }
        }
        dense = new int[denseTotal];
        java.util.Arrays.fill(dense, -1);
        for (int m = 0; m < messageCount; m++) {
            for (int f = mFirst[m]; f < mEnd[m]; f++) {
                int type = s.type(f);
                int card = s.cardinality(f);
                int flags = s.flags(f);
                fNumber[f] = s.number(f);
                fOp[f] = op(type);
                fCard[f] = card;
                fSlot[f] = s.slot(f);
                fPresence[f] = s.presence(f);
                fRef[f] = s.typeRef(f);
                fWire[f] = wireType(type);
                fElementSize[f] = ArenaLayout.elementSize(type);
                fSlotSize[f] = card == REPEATED ? 8 : type == CompiledSchema.TYPE_MESSAGE
                        || type == CompiledSchema.TYPE_GROUP ? 4 : fElementSize[f];
                boolean numeric = fOp[f] != OP_BYTES && fOp[f] != OP_MESSAGE && fOp[f] != OP_GROUP;
                fPackable[f] = card == REPEATED && numeric;
                fPacked[f] = fPackable[f] && (flags & FLAG_PACKED) != 0;
                fUtf8[f] = type == CompiledSchema.TYPE_STRING && (flags & FLAG_VALIDATE_UTF8) != 0;
                fClosedEnum[f] = type == CompiledSchema.TYPE_ENUM && (flags & FLAG_CLOSED_ENUM) != 0;
                fTagSize[f] = JavaProtoEngine.varintSize(Integer.toUnsignedLong(fNumber[f] << 3));
                if (card == REQUIRED) {
                    mHasRequired[m] = true;
                }
                if (mDenseBase[m] >= 0) {
                    dense[mDenseBase[m] + fNumber[f]] = f;
                }
            }
        }
        for (int m = 0; m < messageCount; m++) {
            mNeedsCheck[m] = mHasRequired[m];
            for (int f = mFirst[m]; f < mEnd[m]; f++) {
                if (fCard[f] == CompiledSchema.ALWAYS && fOp[f] == OP_MESSAGE && mHasRequired[fRef[f]]) {
                    mNeedsCheck[m] = true;
                }
            }
        }
        // A message needs the required check if it, or a message reachable from it, has required fields.
        for (int m = 0; m < messageCount; m++) {
            mCheckRequired[m] = mHasRequired[m];
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int m = 0; m < messageCount; m++) {
                if (mCheckRequired[m]) {
                    continue;
                }
                for (int f = mFirst[m]; f < mEnd[m]; f++) {
                    if ((fOp[f] == OP_MESSAGE || fOp[f] == OP_GROUP) && mCheckRequired[fRef[f]]) {
                        mCheckRequired[m] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }

        int enums = s.enumCount();
        eFirst = new int[enums];
        eEnd = new int[enums];
        int total = 0;
        for (int e = 0; e < enums; e++) {
            total += s.valueCount(e);
        }
        values = new int[total];
        int at = 0;
        for (int e = 0; e < enums; e++) {
            eFirst[e] = at;
            for (int v = s.firstValue(e), end = v + s.valueCount(e); v < end; v++) {
                values[at++] = s.valueNumber(v);
            }
            eEnd[e] = at;
        }
    }

    /** The field of message {@code m} with this number (a global index), or -1. */
    int field(int m, int number) {
        int base = mDenseBase[m];
        if (base >= 0) {
            return number < mDenseLength[m] ? dense[base + number] : -1;
        }
        int lo = mFirst[m];
        int hi = mEnd[m] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int n = fNumber[mid];
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

    /** Whether enum {@code e} has a value with this number. */
    boolean enumHas(int e, int number) {
        int lo = eFirst[e];
        int hi = eEnd[e] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int n = values[mid];
            if (n < number) {
                lo = mid + 1;
            } else if (n > number) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private static int op(int type) {
        return switch (type) {
            case CompiledSchema.TYPE_INT32 -> OP_INT32;
            case CompiledSchema.TYPE_UINT32 -> OP_UINT32;
            case CompiledSchema.TYPE_ENUM -> OP_ENUM;
            case CompiledSchema.TYPE_SINT32 -> OP_SINT32;
            case CompiledSchema.TYPE_INT64, CompiledSchema.TYPE_UINT64 -> OP_VARINT64;
            case CompiledSchema.TYPE_SINT64 -> OP_SINT64;
            case CompiledSchema.TYPE_BOOL -> OP_BOOL;
            case CompiledSchema.TYPE_FIXED32, CompiledSchema.TYPE_SFIXED32, CompiledSchema.TYPE_FLOAT -> OP_FIXED32;
            case CompiledSchema.TYPE_FIXED64, CompiledSchema.TYPE_SFIXED64, CompiledSchema.TYPE_DOUBLE -> OP_FIXED64;
            case CompiledSchema.TYPE_STRING, CompiledSchema.TYPE_BYTES -> OP_BYTES;
            case CompiledSchema.TYPE_MESSAGE -> OP_MESSAGE;
            case CompiledSchema.TYPE_GROUP -> OP_GROUP;
            default -> throw new IllegalStateException("type " + type);
        };
    }

    private static int wireType(int type) {
        return switch (type) {
            case CompiledSchema.TYPE_FIXED64, CompiledSchema.TYPE_SFIXED64, CompiledSchema.TYPE_DOUBLE -> 1;
            case CompiledSchema.TYPE_STRING, CompiledSchema.TYPE_BYTES, CompiledSchema.TYPE_MESSAGE -> 2;
            case CompiledSchema.TYPE_GROUP -> 3;
            case CompiledSchema.TYPE_FIXED32, CompiledSchema.TYPE_SFIXED32, CompiledSchema.TYPE_FLOAT -> 5;
            default -> 0;
        };
    }
}
