package dev.ferrule.internal.proto;

import static dev.ferrule.internal.Abi.ARENA_HEADER_LENGTH;
import static dev.ferrule.internal.Abi.DEFAULT_MAX_DEPTH;
import static dev.ferrule.internal.proto.ArenaLayout.FULL;
import static dev.ferrule.internal.proto.ArenaLayout.NO_INDEX;
import static dev.ferrule.internal.proto.ArenaLayout.REF_FLAG;
import static dev.ferrule.internal.proto.ProtoTables.OP_BOOL;
import static dev.ferrule.internal.proto.ProtoTables.OP_BYTES;
import static dev.ferrule.internal.proto.ProtoTables.OP_ENUM;
import static dev.ferrule.internal.proto.ProtoTables.OP_FIXED32;
import static dev.ferrule.internal.proto.ProtoTables.OP_FIXED64;
import static dev.ferrule.internal.proto.ProtoTables.OP_GROUP;
import static dev.ferrule.internal.proto.ProtoTables.OP_INT32;
import static dev.ferrule.internal.proto.ProtoTables.OP_MESSAGE;
import static dev.ferrule.internal.proto.ProtoTables.OP_SINT32;
import static dev.ferrule.internal.proto.ProtoTables.OP_SINT64;
import static dev.ferrule.internal.proto.ProtoTables.OP_UINT32;
import static dev.ferrule.internal.proto.ProtoTables.OP_VARINT64;
import static dev.ferrule.internal.schema.CompiledSchema.ALWAYS;
import static dev.ferrule.internal.schema.CompiledSchema.IMPLICIT;
import static dev.ferrule.internal.schema.CompiledSchema.ONEOF;
import static dev.ferrule.internal.schema.CompiledSchema.OPTIONAL;
import static dev.ferrule.internal.schema.CompiledSchema.REPEATED;
import static dev.ferrule.internal.schema.CompiledSchema.REQUIRED;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.schema.CompiledSchema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The pure-Java protobuf engine: decodes wire bytes into arena records and encodes records back,
 * following docs/message-layout.md (sections 2 to 5) byte for byte like the Rust engine.
 *
 * <p>Table-driven: one decode loop and one encode loop over the schema's {@link ProtoTables}, with an
 * explicit stack instead of recursion (so deep nesting cannot overflow the Java stack). All buffers
 * are used through little-endian views with absolute indexes; an instance keeps its scratch arrays
 * and views between calls, so steady-state calls allocate nothing. Not thread-safe: one instance per
 * codec.
 *
 * <p>Choices the spec leaves open, made here and expected of the Rust engine too (see the report on
 * docs/message-layout.md):
 * <ul>
 *   <li>A new element of a repeated MESSAGE/GROUP field: the child record is allocated first, then its
 *       offset is appended to the array, then the child is decoded.
 *   <li>A closed-enum value that is unknown inside a packed run is re-encoded as tag + varint of the
 *       value's sign-extended low 32 bits (as protobuf-java stores it), allocated, then appended.
 *   <li>Error paths: an unknown field (or unknown group) being decoded has its own entry
 *       {@code (number, NO_INDEX)}; a repeated field's entry carries the index the element being
 *       decoded would get (its count at that moment); {@code ARENA_EXHAUSTED} reports the tag of the
 *       field whose value needed the allocation; a group cut short reports its start tag with the path
 *       ending at the group field.
 *   <li>Length-delimited MESSAGE: the length varint is read, then the depth is checked, then the length
 *       (BAD_LENGTH, then TRUNCATED), as protobuf-java orders them.
 *   <li>Required fields are checked after decoding in protobuf-java's order: a record's own REQUIRED
 *       fields in number order first, then its sub-messages in field order (elements in index order),
 *       depth first. The offset is the first content byte of the sub-message occurrence that created
 *       the record. An absent ALWAYS (map value) message counts as an empty one, as in protobuf-java:
 *       its first REQUIRED field is missing, reported at the enclosing map entry's offset.
 *   <li>Encode: a singular MESSAGE/GROUP is written when present (hasbit, case word or ALWAYS) and its
 *       slot is non-zero, except ALWAYS, whose zero slot is written as an empty message; a zero element
 *       of a repeated MESSAGE is written as an empty message. References that leave the arena or
 *       input are {@code INVALID_ARGUMENT} with the arena offset of the slot, element or view at
 *       fault; records nested deeper than {@code min(maxDepth, max((used - 16) / 8, DEFAULT_MAX_DEPTH))}
 *       (deeper than any acyclic tree in the arena: a cycle) are {@code PROTO_DEPTH_EXCEEDED} at the
 *       offset of the reference; a walk entering more records than {@code max((used - 16) / 8,
 *       DEFAULT_MAX_DEPTH)} (records shared between references) is {@code INVALID_ARGUMENT} there; output past 2^31 − 1 bytes is {@code PROTO_MESSAGE_TOO_LARGE}
 *       (offset 0, the path of the open records); an unknown varint view is written as its tag and
 *       value, whatever follows them in the view. All as the Rust engine does.
 * </ul>
 */
public final class JavaProtoEngine {
    private static final int TRUNCATED = ErrorCode.PROTO_TRUNCATED.code();
    private static final int MALFORMED_VARINT = ErrorCode.PROTO_MALFORMED_VARINT.code();
    private static final int INVALID_TAG = ErrorCode.PROTO_INVALID_TAG.code();
    private static final int INVALID_WIRE_TYPE = ErrorCode.PROTO_INVALID_WIRE_TYPE.code();
    private static final int BAD_LENGTH = ErrorCode.PROTO_BAD_LENGTH.code();
    private static final int INVALID_UTF8 = ErrorCode.PROTO_INVALID_UTF8.code();
    private static final int DEPTH_EXCEEDED = ErrorCode.PROTO_DEPTH_EXCEEDED.code();
    private static final int REQUIRED_MISSING = ErrorCode.PROTO_REQUIRED_FIELD_MISSING.code();
    private static final int ARENA_EXHAUSTED = ErrorCode.ARENA_EXHAUSTED.code();
    private static final int INVALID_ARGUMENT = ErrorCode.INVALID_ARGUMENT.code();
    private static final int BUFFER_TOO_SMALL = ErrorCode.BUFFER_TOO_SMALL.code();
    private static final int SCHEMA_INVALID = ErrorCode.SCHEMA_INVALID.code();
    private static final int MESSAGE_TOO_LARGE = ErrorCode.PROTO_MESSAGE_TOO_LARGE.code();

    /** {@link #next} after a varint ran past its limit. */
    private static final int VARINT_TRUNCATED = -1;
    /** {@link #next} after a varint longer than 10 bytes. */
    private static final int VARINT_MALFORMED = -2;

    // The current call.
    private ProtoTables t;
    private ByteBuffer in;
    private int inLimit;
    private ByteBuffer a;
    private int cap;
    private int used;
    private ByteBuffer call;
    private int maxDepth;
    private int pathLength;
    private long errorOffset;

    /** Position after the last varint read, or {@link #VARINT_TRUNCATED} / {@link #VARINT_MALFORMED}. */
    private int next;

    // Decode stack, one entry per open message level: 0 is the root. A level with message -1 is an
    // unknown group (its record is the enclosing known record). Group levels have the group's field
    // number; length-delimited levels 0. num/idx/tag describe the field that opened the level.
    private int[] stMsg = new int[16];
    private int[] stRec = new int[16];
    private int[] stEnd = new int[16];
    private int[] stGroup = new int[16];
    private int[] stNum = new int[16];
    private int[] stIdx = new int[16];
    private int[] stTag = new int[16];

    // Records of messages that may hold a missing required field (theirs or below), in allocation order,
    // with the input offset of the first content byte of the occurrence that created them.
    private int[] reqRecord = new int[16];
    private int[] reqStart = new int[16];
    private int reqCount;
    /** Records created by this decode that can themselves miss a required field; 0: no check needed. */
    private int checkable;

    // Encode stack and the sizes of sub-messages and packed varint runs, in traversal order.
    private int[] esMsg = new int[16];
    private int[] esRec = new int[16];
    private int[] esField = new int[16];
    private int[] esElem = new int[16];
    private int[] esSizeIdx = new int[16];
    private int[] esOpen = new int[16];
    private int[] esIdx = new int[16];
    private long[] esSize = new long[16];
    private long[] sizes = new long[64];
    private int sizeCount;
    private int sizeCursor;
    private long[] unknownKeys = new long[16];
    /** Field numbers of the unknown groups open while {@link #isOneWholeField} checks a view. */
    private int[] openGroups = new int[8];

    // Cached schema tables and little-endian views of the caller's buffers.
    private CompiledSchema lastSchema;
    private ProtoTables lastTables;
    private ByteBuffer inKey;
    private ByteBuffer inView;
    private ByteBuffer arenaKey;
    private ByteBuffer arenaView;
    private ByteBuffer callKey;
    private ByteBuffer callView;
    private ByteBuffer outKey;
    private ByteBuffer outView;

    // ---------------------------------------------------------------------------------------------
    // Decode

    /**
     * Decodes {@code input[start, start + length)} as message {@code message} into the arena
     * (docs/message-layout.md, section 3). Views and error offsets are absolute indexes in
     * {@code input}.
     *
     * @param arenaCapacity bytes of arena memory (authoritative over the arena header)
     * @return 0, with the root record in the call block, or an {@link ErrorCode} number, with the
     *     error offset and path in the call block and the arena's {@code used} unchanged
     */
    public int decode(CompiledSchema s, int message, ByteBuffer input, int start, int length, ByteBuffer arena,
            int arenaCapacity, int maxDepth, ByteBuffer call) {
        this.call = callView(call);
        pathLength = 0;
        errorOffset = 0;
        ProtoTables tables = tables(s);
        if (tables == null) {
            return CallBlock.finish(this.call, SCHEMA_INVALID, 0, 0, 0, 0);
        }
        ByteBuffer arenaView = arenaView(arena);
        if (message < 0 || message >= tables.messageCount || start < 0 || length < 0
                || (long) start + length > input.capacity() || maxDepth < 0
                || !ArenaLayout.validHeader(arenaView, arenaCapacity)) {
            return CallBlock.finish(this.call, INVALID_ARGUMENT, 0, 0, 0, 0);
        }
        t = tables;
        in = inputView(input);
        a = arenaView;
        cap = arenaCapacity;
        this.maxDepth = maxDepth;
        reqCount = 0;
        checkable = 0;
        int usedBefore = ArenaLayout.used(a);
        int root = ArenaLayout.allocate(a, cap, t.mRecordSize[message]);
        int status;
        if (root == FULL) {
            status = ARENA_EXHAUSTED;
        } else {
            if (t.mCheckRequired[message]) {
                noteRequired(root, start);
            }
            if (t.mNeedsCheck[message]) {
                checkable++;
            }
            status = run(message, root, start, start + length);
            if (status == 0 && checkable > 0) {
                status = checkRequired(message, root);
            }
        }
        in = null;
        if (status != 0) {
            ArenaLayout.setUsed(a, usedBefore);
            return CallBlock.finish(this.call, status, pathLength, errorOffset, 0, 0);
        }
        return CallBlock.finish(this.call, 0, 0, 0, root, 0);
    }

    /** The decode loop: reads fields until the root's input ends; returns 0 or an error code. */
    private int run(int msg, int rec, int pos, int end) {
        final ByteBuffer in = this.in;
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        int depth = 0;
        int group = 0;
        stMsg[0] = msg;
        stRec[0] = rec;
        stEnd[0] = end;
        stGroup[0] = 0;
        while (true) {
            if (pos >= end) {
                if (group != 0) {
                    return tagError(TRUNCATED, stTag[depth], depth);
                }
                if (depth == 0) {
                    return 0;
                }
                depth--;
                msg = stMsg[depth];
                rec = stRec[depth];
                end = stEnd[depth];
                group = stGroup[depth];
                continue;
            }

            // The tag.
            final int tagAt = pos;
            int tag = in.get(pos);
            if (tag >= 0) {
                pos++;
            } else {
                tag = (int) readVarint(in, pos, end);
                if (next < 0) {
                    return tagError(next == VARINT_TRUNCATED ? TRUNCATED : MALFORMED_VARINT, tagAt, depth);
                }
                pos = next;
            }
            final int number = tag >>> 3;
            final int wire = tag & 7;
            if (number == 0) {
                return tagError(INVALID_TAG, tagAt, depth);
            }
            if (wire == 4) {
                if (number != group) {
                    return tagError(INVALID_WIRE_TYPE, tagAt, depth);
                }
                if (msg < 0 && stMsg[depth - 1] >= 0) {
                    // The outermost unknown group ends: the whole group, tags included, is one unknown field.
                    int groupAt = stTag[depth];
                    if (!appendUnknown(stRec[depth - 1], stMsg[depth - 1], groupAt, pos - groupAt)) {
                        return tagError(ARENA_EXHAUSTED, groupAt, depth);
                    }
                }
                depth--;
                msg = stMsg[depth];
                rec = stRec[depth];
                end = stEnd[depth];
                group = stGroup[depth];
                continue;
            }
            if (wire >= 6) {
                return tagError(INVALID_WIRE_TYPE, tagAt, depth);
            }

            final int f = msg >= 0 ? t.field(msg, number) : -1;
            if (f < 0 || (wire != t.fWire[f] && !(wire == 2 && t.fPackable[f]))) {
                // An unknown field, or a known one with a wire type that does not match.
                switch (wire) {
                    case 0 -> {
                        int valueAt = pos;
                        readVarint(in, pos, end);
                        if (next < 0) {
                            return next == VARINT_TRUNCATED ? fieldError(TRUNCATED, tagAt, depth, number, NO_INDEX)
                                    : fieldError(MALFORMED_VARINT, valueAt, depth, number, NO_INDEX);
                        }
                        pos = next;
                    }
                    case 1 -> {
                        if (end - pos < 8) {
                            return fieldError(TRUNCATED, tagAt, depth, number, NO_INDEX);
                        }
                        pos += 8;
                    }
                    case 5 -> {
                        if (end - pos < 4) {
                            return fieldError(TRUNCATED, tagAt, depth, number, NO_INDEX);
                        }
                        pos += 4;
                    }
                    case 2 -> {
                        int lengthAt = pos;
                        long n = readVarint(in, pos, end);
                        if (next < 0) {
                            return next == VARINT_TRUNCATED ? fieldError(TRUNCATED, tagAt, depth, number, NO_INDEX)
                                    : fieldError(MALFORMED_VARINT, lengthAt, depth, number, NO_INDEX);
                        }
                        pos = next;
                        if (n < 0 || n > Integer.MAX_VALUE) {
                            return fieldError(BAD_LENGTH, lengthAt, depth, number, NO_INDEX);
                        }
                        if (n > end - pos) {
                            return fieldError(TRUNCATED, tagAt, depth, number, NO_INDEX);
                        }
                        pos += (int) n;
                    }
                    default -> { // 3: an unknown group, parsed (and validated) to its matching end
                        if (depth + 1 > maxDepth) {
                            return fieldError(DEPTH_EXCEEDED, tagAt, depth, number, NO_INDEX);
                        }
                        depth = push(depth, -1, rec, end, number, number, NO_INDEX, tagAt);
                        msg = -1;
                        group = number;
                        continue;
                    }
                }
                if (msg >= 0 && !appendUnknown(rec, msg, tagAt, pos - tagAt)) {
                    return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, NO_INDEX);
                }
                continue;
            }

            // A known field.
            final int op = t.fOp[f];
            switch (wire) {
                case 0 -> {
                    long v;
                    int b;
                    if (pos < end && (b = in.get(pos)) >= 0) {
                        v = b;
                        pos++;
                    } else {
                        int valueAt = pos;
                        v = readVarint(in, pos, end);
                        if (next < 0) {
                            return next == VARINT_TRUNCATED
                                    ? fieldError(TRUNCATED, tagAt, depth, number, indexOf(rec, f))
                                    : fieldError(MALFORMED_VARINT, valueAt, depth, number, indexOf(rec, f));
                        }
                        pos = next;
                    }
                    if (op == OP_ENUM && t.fClosedEnum[f] && !t.enumHas(t.fRef[f], (int) v)) {
                        if (!appendUnknown(rec, msg, tagAt, pos - tagAt)) {
                            return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, indexOf(rec, f));
                        }
                        continue;
                    }
                    if (!store(msg, rec, f, varintValue(op, v))) {
                        return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, indexOf(rec, f));
                    }
                }
                case 1 -> {
                    if (end - pos < 8) {
                        return fieldError(TRUNCATED, tagAt, depth, number, indexOf(rec, f));
                    }
                    long v = in.getLong(pos);
                    pos += 8;
                    if (!store(msg, rec, f, v)) {
                        return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, indexOf(rec, f));
                    }
                }
                case 5 -> {
                    if (end - pos < 4) {
                        return fieldError(TRUNCATED, tagAt, depth, number, indexOf(rec, f));
                    }
                    long v = in.getInt(pos);
                    pos += 4;
                    if (!store(msg, rec, f, v)) {
                        return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, indexOf(rec, f));
                    }
                }
                case 2 -> {
                    int lengthAt = pos;
                    long n;
                    int b;
                    if (pos < end && (b = in.get(pos)) >= 0) {
                        n = b;
                        pos++;
                    } else {
                        n = readVarint(in, pos, end);
                        if (next < 0) {
                            return next == VARINT_TRUNCATED
                                    ? fieldError(TRUNCATED, tagAt, depth, number, indexOf(rec, f))
                                    : fieldError(MALFORMED_VARINT, lengthAt, depth, number, indexOf(rec, f));
                        }
                        pos = next;
                    }
                    if (op == OP_MESSAGE && depth + 1 > maxDepth) {
                        return fieldError(DEPTH_EXCEEDED, tagAt, depth, number, indexOf(rec, f));
                    }
                    if (n < 0 || n > Integer.MAX_VALUE) {
                        return fieldError(BAD_LENGTH, lengthAt, depth, number, indexOf(rec, f));
                    }
                    if (n > end - pos) {
                        return fieldError(TRUNCATED, tagAt, depth, number, indexOf(rec, f));
                    }
                    int len = (int) n;
                    if (op == OP_BYTES) {
                        if (t.fUtf8[f] && !validUtf8(in, pos, len)) {
                            return fieldError(INVALID_UTF8, pos, depth, number, indexOf(rec, f));
                        }
                        if (!store(msg, rec, f, ArenaLayout.view(pos, len))) {
                            return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, indexOf(rec, f));
                        }
                        pos += len;
                    } else if (op == OP_MESSAGE) {
                        int index = indexOf(rec, f);
                        int child = child(msg, rec, f, pos);
                        if (child == FULL) {
                            return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, index);
                        }
                        depth = push(depth, t.fRef[f], child, pos + len, 0, number, index, tagAt);
                        msg = t.fRef[f];
                        rec = child;
                        end = pos + len;
                        group = 0;
                    } else {
                        int status = packed(msg, rec, f, tagAt, pos, pos + len, depth);
                        if (status != 0) {
                            return status;
                        }
                        pos += len;
                    }
                }
                default -> { // 3: a GROUP field
                    if (depth + 1 > maxDepth) {
                        return fieldError(DEPTH_EXCEEDED, tagAt, depth, number, indexOf(rec, f));
                    }
                    int index = indexOf(rec, f);
                    int child = child(msg, rec, f, pos);
                    if (child == FULL) {
                        return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, index);
                    }
                    depth = push(depth, t.fRef[f], child, end, number, number, index, tagAt);
                    msg = t.fRef[f];
                    rec = child;
                    group = number;
                }
            }
        }
    }

    /** Opens level {@code depth + 1}; returns it. */
    private int push(int depth, int msg, int rec, int end, int group, int number, int index, int tagAt) {
        int d = depth + 1;
        if (d >= stMsg.length) {
            int n = Math.max(16, stMsg.length * 2);
            stMsg = Arrays.copyOf(stMsg, n);
            stRec = Arrays.copyOf(stRec, n);
            stEnd = Arrays.copyOf(stEnd, n);
            stGroup = Arrays.copyOf(stGroup, n);
            stNum = Arrays.copyOf(stNum, n);
            stIdx = Arrays.copyOf(stIdx, n);
            stTag = Arrays.copyOf(stTag, n);
        }
        stMsg[d] = msg;
        stRec[d] = rec;
        stEnd[d] = end;
        stGroup[d] = group;
        stNum[d] = number;
        stIdx[d] = index;
        stTag[d] = tagAt;
        return d;
    }

    private static long varintValue(int op, long v) {
        return switch (op) {
            case OP_SINT32 -> {
                int x = (int) v;
                yield (x >>> 1) ^ -(x & 1);
            }
            case OP_SINT64 -> (v >>> 1) ^ -(v & 1);
            case OP_BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** The path index of field {@code f}: its element count if repeated, else NO_INDEX. */
    private int indexOf(int rec, int f) {
        return t.fCard[f] == REPEATED ? a.getInt(rec + t.fSlot[f] + 4) : NO_INDEX;
    }

    /** Stores one value of a non-message field (a view for STRING/BYTES); false if the arena is full. */
    private boolean store(int msg, int rec, int f, long value) {
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        int at;
        switch (t.fCard[f]) {
            case REPEATED -> {
                at = ArenaLayout.append(a, cap, rec + t.fSlot[f], t.fElementSize[f]);
                if (at == FULL) {
                    return false;
                }
            }
            case OPTIONAL, REQUIRED -> {
                at = rec + t.fSlot[f];
                ArenaLayout.setHasbit(a, rec, t.fPresence[f]);
            }
            case ONEOF -> {
                at = rec + t.fSlot[f];
                selectOneof(msg, rec, f);
            }
            default -> at = rec + t.fSlot[f];
        }
        switch (t.fElementSize[f]) {
            case 8 -> a.putLong(at, value);
            case 4 -> a.putInt(at, (int) value);
            default -> a.put(at, (byte) value);
        }
        return true;
    }

    /** Makes {@code f} its oneof's member: another member's slot is zeroed first. */
    private void selectOneof(int msg, int rec, int f) {
        int caseAt = rec + t.mOneofOffset[msg] + 4 * t.fPresence[f];
        int current = a.getInt(caseAt);
        int number = t.fNumber[f];
        if (current != number) {
            if (current != 0) {
                int old = t.field(msg, current);
                if (old >= 0) {
                    zeroSlot(rec + t.fSlot[old], t.fSlotSize[old]);
                }
            }
            a.putInt(caseAt, number);
        }
    }

    private void zeroSlot(int at, int size) {
        switch (size) {
            case 8 -> a.putLong(at, 0);
            case 4 -> a.putInt(at, 0);
            default -> a.put(at, (byte) 0);
        }
    }

    /**
     * The record a MESSAGE/GROUP occurrence decodes into: the existing one of a singular field (a
     * merge), or a new one (for repeated fields: allocated, then appended). FULL if the arena is full.
     */
    private int child(int msg, int rec, int f, int contentAt) {
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        int sub = t.fRef[f];
        int slotAt = rec + t.fSlot[f];
        int child;
        if (t.fCard[f] == REPEATED) {
            child = ArenaLayout.allocate(a, cap, t.mRecordSize[sub]);
            if (child == FULL) {
                return FULL;
            }
            int at = ArenaLayout.append(a, cap, slotAt, 4);
            if (at == FULL) {
                return FULL;
            }
            a.putInt(at, child);
        } else {
            if (t.fCard[f] == ONEOF) {
                selectOneof(msg, rec, f);
            }
            child = a.getInt(slotAt);
            if (child == 0) {
                child = ArenaLayout.allocate(a, cap, t.mRecordSize[sub]);
                if (child == FULL) {
                    return FULL;
                }
                a.putInt(slotAt, child);
            } else {
                contentAt = -1; // merged: the record keeps its first occurrence's offset
            }
            if (t.fCard[f] == OPTIONAL || t.fCard[f] == REQUIRED) {
                ArenaLayout.setHasbit(a, rec, t.fPresence[f]);
            }
        }
        if (contentAt >= 0) {
            if (t.mCheckRequired[sub]) {
                noteRequired(child, contentAt);
            }
            if (t.mNeedsCheck[sub]) {
                checkable++;
            }
        }
        return child;
    }

    /** Decodes the packed run {@code [pos, runEnd)} of repeated numeric field {@code f}. */
    private int packed(int msg, int rec, int f, int tagAt, int pos, int runEnd, int depth) {
        final ByteBuffer in = this.in;
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        final int op = t.fOp[f];
        final int size = t.fElementSize[f];
        final int number = t.fNumber[f];
        final boolean closed = op == OP_ENUM && t.fClosedEnum[f];
        final int slotAt = rec + t.fSlot[f];
        int first = a.getInt(slotAt);
        int count = a.getInt(slotAt + 4);
        int capacity = ArenaLayout.arrayCapacity(a, first);
        int p = pos;
        while (p < runEnd) {
            long v;
            if (op == OP_FIXED32) {
                if (runEnd - p < 4) {
                    a.putInt(slotAt + 4, count);
                    return fieldError(TRUNCATED, tagAt, depth, number, count);
                }
                v = in.getInt(p);
                p += 4;
            } else if (op == OP_FIXED64) {
                if (runEnd - p < 8) {
                    a.putInt(slotAt + 4, count);
                    return fieldError(TRUNCATED, tagAt, depth, number, count);
                }
                v = in.getLong(p);
                p += 8;
            } else {
                int b = in.get(p);
                if (b >= 0) {
                    v = b;
                    p++;
                } else {
                    int valueAt = p;
                    v = readVarint(in, p, runEnd);
                    if (next < 0) {
                        a.putInt(slotAt + 4, count);
                        return next == VARINT_TRUNCATED ? fieldError(TRUNCATED, tagAt, depth, number, count)
                                : fieldError(MALFORMED_VARINT, valueAt, depth, number, count);
                    }
                    p = next;
                }
                if (closed && !t.enumHas(t.fRef[f], (int) v)) {
                    if (!appendReencoded(rec, msg, number, (int) v)) {
                        a.putInt(slotAt + 4, count);
                        return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, count);
                    }
                    continue;
                }
                v = varintValue(op, v);
            }
            if (count == capacity) {
                first = ArenaLayout.grow(a, cap, slotAt, first, count, size);
                if (first == FULL) {
                    a.putInt(slotAt + 4, count);
                    return fieldError(ARENA_EXHAUSTED, tagAt, depth, number, count);
                }
                capacity = a.getInt(first - 8);
            }
            int at = first + count * size;
            switch (size) {
                case 8 -> a.putLong(at, v);
                case 4 -> a.putInt(at, (int) v);
                default -> a.put(at, (byte) v);
            }
            count++;
        }
        a.putInt(slotAt + 4, count);
        return 0;
    }

    /** Appends the view {@code (at, length)} of input bytes to the record's unknown fields. */
    private boolean appendUnknown(int rec, int msg, int at, int length) {
        int e = ArenaLayout.append(a, cap, rec + t.mUnknownSlot[msg], 8);
        if (e == FULL) {
            return false;
        }
        a.putLong(e, ArenaLayout.view(at, length));
        return true;
    }

    /** A closed-enum value unknown in a packed run: a plain varint field, written into the arena. */
    private boolean appendReencoded(int rec, int msg, int number, int value) {
        long tag = Integer.toUnsignedLong(number << 3);
        int length = varintSize(tag) + varintSize(value);
        int at = ArenaLayout.allocate(a, cap, length);
        if (at == FULL) {
            return false;
        }
        writeVarint(a, writeVarint(a, at, tag), value);
        int e = ArenaLayout.append(a, cap, rec + t.mUnknownSlot[msg], 8);
        if (e == FULL) {
            return false;
        }
        a.putLong(e, ArenaLayout.view(at | REF_FLAG, length));
        return true;
    }

    private void noteRequired(int record, int contentAt) {
        if (reqCount == reqRecord.length) {
            reqRecord = Arrays.copyOf(reqRecord, reqCount * 2);
            reqStart = Arrays.copyOf(reqStart, reqCount * 2);
        }
        reqRecord[reqCount] = record;
        reqStart[reqCount] = contentAt;
        reqCount++;
    }

    /** The input offset noted for a record (records are noted in increasing arena order). */
    private int requiredStart(int record) {
        int i = Arrays.binarySearch(reqRecord, 0, reqCount, record);
        return i >= 0 ? reqStart[i] : 0;
    }

    /**
     * Checks that every reachable record has its REQUIRED fields: a record's own first, in number
     * order, then its sub-messages in field order, depth first. Uses the encode stack arrays.
     */
    private int checkRequired(int rootMsg, int rootRec) {
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        int d = 0;
        esMsg[0] = rootMsg;
        esRec[0] = rootRec;
        esField[0] = -1;
        while (d >= 0) {
            int m = esMsg[d];
            int r = esRec[d];
            if (esField[d] < 0) {
                if (t.mHasRequired[m]) {
                    for (int f = t.mFirst[m]; f < t.mEnd[m]; f++) {
                        if (t.fCard[f] == REQUIRED && !ArenaLayout.hasbit(a, r, t.fPresence[f])) {
                            pathLength = 0;
                            for (int k = 1; k <= d; k++) {
                                pathEntry(esOpen[k], esIdx[k]);
                            }
                            pathEntry(t.fNumber[f], NO_INDEX);
                            errorOffset = requiredStart(r);
                            return REQUIRED_MISSING;
                        }
                    }
                }
                esField[d] = t.mFirst[m];
                esElem[d] = 0;
            }
            boolean descended = false;
            while (esField[d] < t.mEnd[m]) {
                int f = esField[d];
                int op = t.fOp[f];
                if ((op != OP_MESSAGE && op != OP_GROUP) || !t.mCheckRequired[t.fRef[f]]) {
                    esField[d]++;
                    continue;
                }
                int slotAt = r + t.fSlot[f];
                int child;
                int index;
                if (t.fCard[f] == REPEATED) {
                    int e = esElem[d];
                    if (e >= a.getInt(slotAt + 4)) {
                        esField[d]++;
                        esElem[d] = 0;
                        continue;
                    }
                    esElem[d] = e + 1;
                    child = a.getInt(a.getInt(slotAt) + 4 * e);
                    index = e;
                } else {
                    esField[d]++;
                    esElem[d] = 0;
                    child = present(m, r, f) ? a.getInt(slotAt) : 0;
                    index = NO_INDEX;
                    if (child == 0 && t.fCard[f] == ALWAYS && t.mHasRequired[t.fRef[f]]) {
                        // An absent map value is an empty message to protobuf-java, and is checked.
                        int sub = t.fRef[f];
                        for (int g = t.mFirst[sub]; g < t.mEnd[sub]; g++) {
                            if (t.fCard[g] == REQUIRED) {
                                pathLength = 0;
                                for (int k = 1; k <= d; k++) {
                                    pathEntry(esOpen[k], esIdx[k]);
                                }
                                pathEntry(t.fNumber[f], NO_INDEX);
                                pathEntry(t.fNumber[g], NO_INDEX);
                                errorOffset = requiredStart(r);
                                return REQUIRED_MISSING;
                            }
                        }
                    }
                }
                if (child == 0) {
                    continue;
                }
                d++;
                ensureEncodeStack(d);
                esMsg[d] = t.fRef[f];
                esRec[d] = child;
                esField[d] = -1;
                esOpen[d] = t.fNumber[f];
                esIdx[d] = index;
                descended = true;
                break;
            }
            if (!descended) {
                d--;
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Encode

    /**
     * Encodes the record at arena offset {@code record} as message {@code message} into
     * {@code output[start, start + length)} (docs/message-layout.md, section 4). Views without the
     * arena flag read {@code input}, whose index 0 is the view offset 0 ({@code input} may be null when
     * no view refers to it).
     *
     * @return 0 with the bytes written in the call block, or an {@link ErrorCode} number
     *     ({@code BUFFER_TOO_SMALL} with the bytes required, and nothing written)
     */
    public int encode(CompiledSchema s, int message, int record, ByteBuffer arena, int arenaCapacity, ByteBuffer input,
            ByteBuffer output, int start, int length, int maxDepth, ByteBuffer call) {
        this.call = callView(call);
        pathLength = 0;
        errorOffset = 0;
        ProtoTables tables = tables(s);
        if (tables == null) {
            return CallBlock.finish(this.call, SCHEMA_INVALID, 0, 0, 0, 0);
        }
        ByteBuffer arenaView = arenaView(arena);
        if (message < 0 || message >= tables.messageCount || start < 0 || length < 0
                || (long) start + length > output.capacity() || maxDepth < 0
                || !ArenaLayout.validHeader(arenaView, arenaCapacity)) {
            return CallBlock.finish(this.call, INVALID_ARGUMENT, 0, 0, 0, 0);
        }
        t = tables;
        a = arenaView;
        cap = arenaCapacity;
        used = ArenaLayout.used(a);
        in = input == null ? null : inputView(input);
        inLimit = input == null ? 0 : input.capacity();
        // As the Rust engine: no acyclic record tree in this arena is deeper than a chain of distinct
        // 8-byte records, so a deeper walk is a cycle; cut it off there (never below the default).
        this.maxDepth = Math.min(maxDepth, Math.max((used - ARENA_HEADER_LENGTH) / 8, DEFAULT_MAX_DEPTH));
        try {
            if (!validRecord(record, message)) {
                errorOffset = record;
                return CallBlock.finish(this.call, INVALID_ARGUMENT, 0, errorOffset, 0, 0);
            }
            long total = measure(message, record);
            if (total < 0) {
                return CallBlock.finish(this.call, (int) -total, pathLength, errorOffset, 0, 0);
            }
            if (total > length) {
                return CallBlock.finish(this.call, BUFFER_TOO_SMALL, 0, 0, 0, total);
            }
            int end = write(message, record, outputView(output), start);
            if (end - start != total) {
                return CallBlock.finish(this.call, ErrorCode.INTERNAL.code(), 0, 0, 0, 0);
            }
            return CallBlock.finish(this.call, 0, 0, 0, 0, total);
        } finally {
            in = null;
        }
    }

    /** Field {@code f} of a singular record: set by its hasbit, case word, or always. */
    private boolean present(int m, int r, int f) {
        return switch (t.fCard[f]) {
            case OPTIONAL, REQUIRED -> ArenaLayout.hasbit(a, r, t.fPresence[f]);
            case ONEOF -> a.getInt(r + t.mOneofOffset[m] + 4 * t.fPresence[f]) == t.fNumber[f];
            case ALWAYS -> true;
            default -> false;
        };
    }

    private void ensureEncodeStack(int d) {
        if (d >= esMsg.length) {
            int n = esMsg.length * 2;
            esMsg = Arrays.copyOf(esMsg, n);
            esRec = Arrays.copyOf(esRec, n);
            esField = Arrays.copyOf(esField, n);
            esElem = Arrays.copyOf(esElem, n);
            esSizeIdx = Arrays.copyOf(esSizeIdx, n);
            esOpen = Arrays.copyOf(esOpen, n);
            esIdx = Arrays.copyOf(esIdx, n);
            esSize = Arrays.copyOf(esSize, n);
        }
    }

    private int addSize(long size) {
        if (sizeCount == sizes.length) {
            sizes = Arrays.copyOf(sizes, sizeCount * 2);
        }
        sizes[sizeCount] = size;
        return sizeCount++;
    }

    /** An encode error at arena offset {@code at} with the path to levels 1..d (then field {@code f}); negative code. */
    private long encodeError(int code, long at, int d, int number, int index) {
        pathLength = 0;
        for (int k = 1; k <= d; k++) {
            pathEntry(t.fNumber[esOpen[k]], esIdx[k]);
        }
        if (number != 0) {
            pathEntry(number, index);
        }
        errorOffset = at;
        return -code;
    }

    private boolean validRecord(int record, int msg) {
        return record >= ARENA_HEADER_LENGTH && (long) record + t.mRecordSize[msg] <= used;
    }

    /** Whether the array in the slot at {@code slotAt} lies inside the arena's used bytes. */
    private boolean validArray(int slotAt, int elementSize) {
        int count = a.getInt(slotAt + 4);
        if (count == 0) {
            return true;
        }
        int first = a.getInt(slotAt);
        return count > 0 && first >= ARENA_HEADER_LENGTH && (long) first + (long) count * elementSize <= used;
    }

    /** Whether the view at {@code at} lies inside the arena's used bytes or the input. */
    private boolean validView(int at) {
        int offset = a.getInt(at);
        int length = a.getInt(at + 4);
        if (length < 0) {
            return false;
        }
        if ((offset & REF_FLAG) != 0) {
            return (long) (offset & ~REF_FLAG) + length <= used;
        }
        return (long) offset + length <= inLimit;
    }

    private ByteBuffer viewSource(int offset) {
        return (offset & REF_FLAG) != 0 ? a : in;
    }

    /** The size pass: the record's exact encoded size, or a negative error code. */
    private long measure(int msg, int rec) {
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        sizeCount = 0;
        int d = 0;
        esMsg[0] = msg;
        esRec[0] = rec;
        esField[0] = t.mFirst[msg];
        esElem[0] = 0;
        esSize[0] = 0;
        // Bytes counted so far in visiting order (a sub-message's tag when it opens, its length prefix
        // when it closes), checked before every step as the Rust engine does: past 2^31 - 1 the
        // message is too large for any output.
        long counted = 0;
        // As the Rust engine: a walk may enter no more records than the arena holds distinct ones;
        // more means records shared between references, which neither decoders nor builders make,
        // and whose walk could take time exponential in the arena's size.
        final long budget = Math.max((used - ARENA_HEADER_LENGTH) / 8, DEFAULT_MAX_DEPTH);
        long entered = 0;
        while (true) {
            if (counted > Integer.MAX_VALUE) {
                return encodeError(MESSAGE_TOO_LARGE, 0, d, 0, 0);
            }
            int m = esMsg[d];
            int r = esRec[d];
            int f = esField[d];
            if (f < t.mEnd[m]) {
                int op = t.fOp[f];
                if (op != OP_MESSAGE && op != OP_GROUP) {
                    esField[d]++;
                    long size = fieldSize(m, r, f, d);
                    if (size < 0) {
                        return size;
                    }
                    esSize[d] += size;
                    counted += size;
                    continue;
                }
                int slotAt = r + t.fSlot[f];
                int refAt;
                int index;
                if (t.fCard[f] == REPEATED) {
                    int e = esElem[d];
                    if (e == 0 && !validArray(slotAt, 4)) {
                        return encodeError(INVALID_ARGUMENT, slotAt, d, t.fNumber[f], NO_INDEX);
                    }
                    if (e >= a.getInt(slotAt + 4)) {
                        esField[d]++;
                        esElem[d] = 0;
                        continue;
                    }
                    esElem[d] = e + 1;
                    refAt = a.getInt(slotAt) + 4 * e;
                    index = e;
                } else {
                    esField[d]++;
                    if (!present(m, r, f)) {
                        continue;
                    }
                    if (a.getInt(slotAt) == 0) {
                        if (t.fCard[f] == ALWAYS) {
                            esSize[d] += emptySize(f);
                            counted += emptySize(f);
                        }
                        continue;
                    }
                    refAt = slotAt;
                    index = NO_INDEX;
                }
                int child = a.getInt(refAt);
                if (child == 0) {
                    esSize[d] += emptySize(f);
                    counted += emptySize(f);
                    continue;
                }
                int sub = t.fRef[f];
                if (d + 1 > maxDepth) {
                    return encodeError(DEPTH_EXCEEDED, refAt, d, t.fNumber[f], index);
                }
                if (!validRecord(child, sub)) {
                    return encodeError(INVALID_ARGUMENT, refAt, d, t.fNumber[f], index);
                }
                if (++entered > budget) {
                    return encodeError(INVALID_ARGUMENT, refAt, d, t.fNumber[f], index);
                }
                d++;
                ensureEncodeStack(d);
                esMsg[d] = sub;
                esRec[d] = child;
                esField[d] = t.mFirst[sub];
                esElem[d] = 0;
                esSize[d] = 0;
                esOpen[d] = f;
                esIdx[d] = index;
                esSizeIdx[d] = addSize(0);
                counted += t.fTagSize[f];
                continue;
            }
            long unknown = unknownSize(m, r, d);
            if (unknown < 0) {
                return unknown;
            }
            counted += unknown;
            long size = esSize[d] + unknown;
            if (d == 0) {
                return counted > Integer.MAX_VALUE ? encodeError(MESSAGE_TOO_LARGE, 0, 0, 0, 0) : size;
            }
            sizes[esSizeIdx[d]] = size;
            int opened = esOpen[d];
            d--;
            long closing = t.fOp[opened] == OP_GROUP ? t.fTagSize[opened] : varintSize(size);
            counted += closing;
            esSize[d] += t.fTagSize[opened] + closing + size;
        }
    }

    /** Bytes of an empty sub-message field: tag and zero length, or start and end group tags. */
    private long emptySize(int f) {
        return t.fOp[f] == OP_GROUP ? 2L * t.fTagSize[f] : t.fTagSize[f] + 1;
    }

    /** Encoded size of non-message field {@code f} of record {@code r}, or a negative error code. */
    private long fieldSize(int m, int r, int f, int d) {
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        int slotAt = r + t.fSlot[f];
        int op = t.fOp[f];
        int tagSize = t.fTagSize[f];
        switch (t.fCard[f]) {
            case REPEATED -> {
                int count = a.getInt(slotAt + 4);
                if (count == 0) {
                    return 0;
                }
                int elementSize = t.fElementSize[f];
                if (!validArray(slotAt, elementSize)) {
                    return encodeError(INVALID_ARGUMENT, slotAt, d, t.fNumber[f], NO_INDEX);
                }
                int first = a.getInt(slotAt);
                if (op == OP_BYTES) {
                    long size = 0;
                    for (int i = 0; i < count; i++) {
                        int at = first + 8 * i;
                        if (!validView(at)) {
                            return encodeError(INVALID_ARGUMENT, at, d, t.fNumber[f], i);
                        }
                        int len = a.getInt(at + 4);
                        size += tagSize + varintSize(len) + len;
                    }
                    return size;
                }
                long payload;
                if (op == OP_FIXED32 || op == OP_FIXED64 || op == OP_BOOL) {
                    payload = (long) count * (op == OP_FIXED32 ? 4 : op == OP_FIXED64 ? 8 : 1);
                } else {
                    payload = 0;
                    for (int i = 0; i < count; i++) {
                        payload += valueVarintSize(op, first, i);
                    }
                }
                if (t.fPacked[f]) {
                    if (op != OP_FIXED32 && op != OP_FIXED64 && op != OP_BOOL) {
                        addSize(payload);
                    }
                    return tagSize + varintSize(payload) + payload;
                }
                return (long) count * tagSize + payload;
            }
            case IMPLICIT -> {
                if (op == OP_BYTES) {
                    if (a.getInt(slotAt + 4) == 0) {
                        return 0;
                    }
                } else if (t.fElementSize[f] == 8 ? a.getLong(slotAt) == 0
                        : t.fElementSize[f] == 4 ? a.getInt(slotAt) == 0 : a.get(slotAt) == 0) {
                    return 0;
                }
            }
            default -> {
                if (!present(m, r, f)) {
                    return 0;
                }
            }
        }
        switch (op) {
            case OP_FIXED32 -> {
                return tagSize + 4;
            }
            case OP_FIXED64 -> {
                return tagSize + 8;
            }
            case OP_BOOL -> {
                return tagSize + 1;
            }
            case OP_BYTES -> {
                if (!validView(slotAt)) {
                    return encodeError(INVALID_ARGUMENT, slotAt, d, t.fNumber[f], NO_INDEX);
                }
                int len = a.getInt(slotAt + 4);
                return tagSize + varintSize(len) + len;
            }
            default -> {
                return tagSize + valueVarintSize(op, slotAt, 0);
            }
        }
    }

    /** Varint size of element {@code i} of an array at {@code first} (or of a slot, with i = 0). */
    private int valueVarintSize(int op, int first, int i) {
        return switch (op) {
            case OP_INT32, OP_ENUM -> varintSize(a.getInt(first + 4 * i));
            case OP_UINT32 -> varintSize(Integer.toUnsignedLong(a.getInt(first + 4 * i)));
            case OP_SINT32 -> {
                int v = a.getInt(first + 4 * i);
                yield varintSize(Integer.toUnsignedLong((v << 1) ^ (v >> 31)));
            }
            case OP_SINT64 -> {
                long v = a.getLong(first + 8 * i);
                yield varintSize((v << 1) ^ (v >> 63));
            }
            default -> varintSize(a.getLong(first + 8 * i)); // OP_VARINT64
        };
    }

    /** Encoded size of the record's unknown fields, validating each view, or a negative error code. */
    private long unknownSize(int m, int r, int d) {
        final ByteBuffer a = this.a;
        int slotAt = r + t.mUnknownSlot[m];
        int count = a.getInt(slotAt + 4);
        if (count == 0) {
            return 0;
        }
        if (!validArray(slotAt, 8)) {
            return encodeError(INVALID_ARGUMENT, slotAt, d, 0, 0);
        }
        int first = a.getInt(slotAt);
        long size = 0;
        for (int i = 0; i < count; i++) {
            int at = first + 8 * i;
            if (!validView(at)) {
                return encodeError(INVALID_ARGUMENT, at, d, 0, 0);
            }
            int offset = a.getInt(at);
            int length = a.getInt(at + 4);
            ByteBuffer src = viewSource(offset);
            int p = offset & ~REF_FLAG;
            int end = p + length;
            long tag = src == null ? -1 : readVarint(src, p, end);
            int wire = (int) tag & 7;
            if (src == null || next < 0 || (int) tag >>> 3 == 0 || wire == 4 || wire > 5) {
                return encodeError(INVALID_ARGUMENT, at, d, 0, 0);
            }
            if (wire == 0) {
                long value = readVarint(src, next, end);
                if (next < 0) {
                    return encodeError(INVALID_ARGUMENT, at, d, 0, 0);
                }
                size += varintSize(Integer.toUnsignedLong((int) tag & ~7)) + varintSize(value);
            } else if (isOneWholeField(src, p, end)) {
                size += length;
            } else {
                // Copied byte for byte, so it must be exactly one field, or the output would not decode.
                return encodeError(INVALID_ARGUMENT, at, d, 0, 0);
            }
        }
        return size;
    }

    /**
     * Whether {@code src[p, end)} holds exactly one whole field: a tag with a field number and a wire type a
     * field can start with, then its value; for a group, every nested field up to its matching END_GROUP
     * (as the Rust engine's {@code wire::is_one_whole_field}, docs/message-layout.md section 4).
     */
    private boolean isOneWholeField(ByteBuffer src, int p, int end) {
        int open = 0; // groups opened so far; their numbers in openGroups[0, open)
        while (true) {
            int tag = (int) readVarint(src, p, end);
            if (next < 0 || tag >>> 3 == 0) {
                return false;
            }
            p = next;
            int number = tag >>> 3;
            switch (tag & 7) {
                case 0 -> {
                    readVarint(src, p, end);
                    if (next < 0) {
                        return false;
                    }
                    p = next;
                }
                case 1, 5 -> {
                    int size = (tag & 7) == 1 ? 8 : 4;
                    if (end - p < size) {
                        return false;
                    }
                    p += size;
                }
                case 2 -> {
                    long length = readVarint(src, p, end);
                    if (next < 0 || Long.compareUnsigned(length, end - next) > 0) {
                        return false;
                    }
                    p = next + (int) length;
                }
                case 3 -> {
                    if (open == openGroups.length) {
                        openGroups = Arrays.copyOf(openGroups, open * 2);
                    }
                    openGroups[open++] = number;
                    continue;
                }
                case 4 -> {
                    if (open == 0 || openGroups[--open] != number) {
                        return false;
                    }
                }
                default -> {
                    return false;
                }
            }
            if (open == 0) {
                return p == end;
            }
        }
    }

    /** The write pass: writes the record measured by {@link #measure}; returns the end position. */
    private int write(int msg, int rec, ByteBuffer out, int pos) {
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        sizeCursor = 0;
        int d = 0;
        esMsg[0] = msg;
        esRec[0] = rec;
        esField[0] = t.mFirst[msg];
        esElem[0] = 0;
        while (true) {
            int m = esMsg[d];
            int r = esRec[d];
            int f = esField[d];
            if (f < t.mEnd[m]) {
                int op = t.fOp[f];
                if (op != OP_MESSAGE && op != OP_GROUP) {
                    esField[d]++;
                    pos = writeField(m, r, f, out, pos);
                    continue;
                }
                int slotAt = r + t.fSlot[f];
                int child;
                if (t.fCard[f] == REPEATED) {
                    int e = esElem[d];
                    if (e >= a.getInt(slotAt + 4)) {
                        esField[d]++;
                        esElem[d] = 0;
                        continue;
                    }
                    esElem[d] = e + 1;
                    child = a.getInt(a.getInt(slotAt) + 4 * e);
                } else {
                    esField[d]++;
                    if (!present(m, r, f)) {
                        continue;
                    }
                    child = a.getInt(slotAt);
                    if (child == 0 && t.fCard[f] != ALWAYS) {
                        continue;
                    }
                }
                long number = Integer.toUnsignedLong(t.fNumber[f] << 3);
                if (child == 0) {
                    if (op == OP_GROUP) {
                        pos = writeVarint(out, writeVarint(out, pos, number | 3), number | 4);
                    } else {
                        pos = writeVarint(out, pos, number | 2);
                        out.put(pos++, (byte) 0);
                    }
                    continue;
                }
                if (op == OP_GROUP) {
                    pos = writeVarint(out, pos, number | 3);
                    sizeCursor++;
                } else {
                    pos = writeVarint(out, pos, number | 2);
                    pos = writeVarint(out, pos, sizes[sizeCursor++]);
                }
                d++;
                int sub = t.fRef[f];
                esMsg[d] = sub;
                esRec[d] = child;
                esField[d] = t.mFirst[sub];
                esElem[d] = 0;
                esOpen[d] = f;
                continue;
            }
            pos = writeUnknown(m, r, out, pos);
            if (d == 0) {
                return pos;
            }
            int opened = esOpen[d];
            d--;
            if (t.fOp[opened] == OP_GROUP) {
                pos = writeVarint(out, pos, Integer.toUnsignedLong(t.fNumber[opened] << 3) | 4);
            }
        }
    }

    /** Writes non-message field {@code f} of record {@code r}; returns the new position. */
    private int writeField(int m, int r, int f, ByteBuffer out, int pos) {
        final ByteBuffer a = this.a;
        final ProtoTables t = this.t;
        int slotAt = r + t.fSlot[f];
        int op = t.fOp[f];
        long tag = Integer.toUnsignedLong(t.fNumber[f] << 3) | t.fWire[f];
        switch (t.fCard[f]) {
            case REPEATED -> {
                int count = a.getInt(slotAt + 4);
                if (count == 0) {
                    return pos;
                }
                int first = a.getInt(slotAt);
                if (t.fPacked[f]) {
                    long payload = switch (op) {
                        case OP_FIXED32 -> 4L * count;
                        case OP_FIXED64 -> 8L * count;
                        case OP_BOOL -> count;
                        default -> sizes[sizeCursor++];
                    };
                    pos = writeVarint(out, pos, (tag & ~7L) | 2);
                    pos = writeVarint(out, pos, payload);
                    for (int i = 0; i < count; i++) {
                        pos = writeValue(op, first, i, out, pos);
                    }
                    return pos;
                }
                for (int i = 0; i < count; i++) {
                    pos = writeVarint(out, pos, tag);
                    pos = writeValue(op, first, i, out, pos);
                }
                return pos;
            }
            case IMPLICIT -> {
                if (op == OP_BYTES) {
                    if (a.getInt(slotAt + 4) == 0) {
                        return pos;
                    }
                } else if (t.fElementSize[f] == 8 ? a.getLong(slotAt) == 0
                        : t.fElementSize[f] == 4 ? a.getInt(slotAt) == 0 : a.get(slotAt) == 0) {
                    return pos;
                }
            }
            default -> {
                if (!present(m, r, f)) {
                    return pos;
                }
            }
        }
        pos = writeVarint(out, pos, tag);
        return writeValue(op, slotAt, 0, out, pos);
    }

    /** Writes element {@code i} of the array at {@code first} (or a slot, with i = 0), without a tag. */
    private int writeValue(int op, int first, int i, ByteBuffer out, int pos) {
        final ByteBuffer a = this.a;
        switch (op) {
            case OP_INT32, OP_ENUM -> {
                return writeVarint(out, pos, a.getInt(first + 4 * i));
            }
            case OP_UINT32 -> {
                return writeVarint(out, pos, Integer.toUnsignedLong(a.getInt(first + 4 * i)));
            }
            case OP_SINT32 -> {
                int v = a.getInt(first + 4 * i);
                return writeVarint(out, pos, Integer.toUnsignedLong((v << 1) ^ (v >> 31)));
            }
            case OP_VARINT64 -> {
                return writeVarint(out, pos, a.getLong(first + 8 * i));
            }
            case OP_SINT64 -> {
                long v = a.getLong(first + 8 * i);
                return writeVarint(out, pos, (v << 1) ^ (v >> 63));
            }
            case OP_BOOL -> {
                out.put(pos, (byte) (a.get(first + i) != 0 ? 1 : 0));
                return pos + 1;
            }
            case OP_FIXED32 -> {
                out.putInt(pos, a.getInt(first + 4 * i));
                return pos + 4;
            }
            case OP_FIXED64 -> {
                out.putLong(pos, a.getLong(first + 8 * i));
                return pos + 8;
            }
            default -> { // OP_BYTES
                int at = first + 8 * i;
                int offset = a.getInt(at);
                int length = a.getInt(at + 4);
                pos = writeVarint(out, pos, length);
                if (length > 0) {
                    out.put(pos, viewSource(offset), offset & ~REF_FLAG, length);
                }
                return pos + length;
            }
        }
    }

    /**
     * Writes the record's unknown fields as protobuf-java does: stably sorted by field number and,
     * within a number, by wire type in the order varint, fixed32, fixed64, length-delimited, group;
     * varints re-encoded minimally, everything else byte for byte.
     */
    private int writeUnknown(int m, int r, ByteBuffer out, int pos) {
        final ByteBuffer a = this.a;
        int slotAt = r + t.mUnknownSlot[m];
        int count = a.getInt(slotAt + 4);
        if (count == 0) {
            return pos;
        }
        int first = a.getInt(slotAt);
        if (unknownKeys.length < count) {
            unknownKeys = new long[Math.max(count, unknownKeys.length * 2)];
        }
        long[] keys = unknownKeys;
        boolean sorted = true;
        for (int i = 0; i < count; i++) {
            int offset = a.getInt(first + 8 * i);
            int p = offset & ~REF_FLAG;
            int tag = (int) readVarint(viewSource(offset), p, p + a.getInt(first + 8 * i + 4));
            keys[i] = (long) (tag >>> 3) << 34 | (long) wireRank(tag & 7) << 31 | i;
            if (i > 0 && keys[i] < keys[i - 1]) {
                sorted = false;
            }
        }
        if (!sorted) {
            Arrays.sort(keys, 0, count);
        }
        for (int k = 0; k < count; k++) {
            int at = first + 8 * (int) (keys[k] & 0x7FFF_FFFFL);
            int offset = a.getInt(at);
            int length = a.getInt(at + 4);
            ByteBuffer src = viewSource(offset);
            int p = offset & ~REF_FLAG;
            int tag = (int) readVarint(src, p, p + length);
            if ((tag & 7) == 0) {
                long value = readVarint(src, next, p + length);
                pos = writeVarint(out, pos, Integer.toUnsignedLong(tag));
                pos = writeVarint(out, pos, value);
            } else {
                out.put(pos, src, p, length);
                pos += length;
            }
        }
        return pos;
    }

    /** protobuf-java's order of wire types within one unknown field number. */
    private static int wireRank(int wire) {
        return switch (wire) {
            case 0 -> 0;
            case 5 -> 1;
            case 1 -> 2;
            case 2 -> 3;
            default -> 4; // 3, group
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Shared helpers

    private void pathEntry(int number, int index) {
        if (CallBlock.putPathEntry(call, pathLength, number, index)) {
            pathLength++;
        }
    }

    /** A tag-level error: the path ends at the enclosing message (level {@code depth}). */
    private int tagError(int code, long offset, int depth) {
        pathLength = 0;
        for (int d = 1; d <= depth; d++) {
            pathEntry(stNum[d], stIdx[d]);
        }
        errorOffset = offset;
        return code;
    }

    /** A field-level error: the path ends with the field being decoded. */
    private int fieldError(int code, long offset, int depth, int number, int index) {
        tagError(code, offset, depth);
        pathEntry(number, index);
        return code;
    }

    /**
     * Reads a varint of up to 10 bytes from {@code buffer[pos, limit)}: returns its value and sets
     * {@link #next} to the position after it, or to {@link #VARINT_TRUNCATED} if it runs past
     * {@code limit}, or {@link #VARINT_MALFORMED} if its 10th byte still has the continuation bit.
     */
    private long readVarint(ByteBuffer buffer, int pos, int limit) {
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= limit) {
                next = VARINT_TRUNCATED;
                return 0;
            }
            int b = buffer.get(pos++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                next = pos;
                return result;
            }
        }
        next = VARINT_MALFORMED;
        return 0;
    }

    /** Bytes of the minimal varint of {@code v} (negative values take 10). */
    static int varintSize(long v) {
        return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }

    static int writeVarint(ByteBuffer out, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            out.put(pos++, (byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put(pos++, (byte) v);
        return pos;
    }

    /** Well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), without allocating. */
    static boolean validUtf8(ByteBuffer in, int pos, int length) {
        int end = pos + length;
        while (end - pos >= 8 && (in.getLong(pos) & 0x8080_8080_8080_8080L) == 0) {
            pos += 8;
        }
        while (pos < end) {
            int b = in.get(pos) & 0xFF;
            if (b < 0x80) {
                pos++;
                continue;
            }
            if (b < 0xC2) {
                return false;
            }
            if (b < 0xE0) {
                if (end - pos < 2 || !continuation(in.get(pos + 1))) {
                    return false;
                }
                pos += 2;
            } else if (b < 0xF0) {
                if (end - pos < 3) {
                    return false;
                }
                int b1 = in.get(pos + 1) & 0xFF;
                if (!continuation(b1) || !continuation(in.get(pos + 2)) || (b == 0xE0 && b1 < 0xA0)
                        || (b == 0xED && b1 >= 0xA0)) {
                    return false;
                }
                pos += 3;
            } else if (b < 0xF5) {
                if (end - pos < 4) {
                    return false;
                }
                int b1 = in.get(pos + 1) & 0xFF;
                if (!continuation(b1) || !continuation(in.get(pos + 2)) || !continuation(in.get(pos + 3))
                        || (b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 >= 0x90)) {
                    return false;
                }
                pos += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean continuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    // ---------------------------------------------------------------------------------------------
    // Caches

    private ProtoTables tables(CompiledSchema s) {
        if (s != lastSchema) {
            try {
                lastTables = ProtoTables.of(s);
            } catch (FerruleException e) {
                return null;
            }
            lastSchema = s;
        }
        return lastTables;
    }

    private ByteBuffer inputView(ByteBuffer buffer) {
        if (buffer != inKey) {
            inView = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
            inKey = buffer;
        }
        return inView;
    }

    private ByteBuffer arenaView(ByteBuffer buffer) {
        if (buffer != arenaKey) {
            arenaView = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
            arenaKey = buffer;
        }
        return arenaView;
    }

    private ByteBuffer callView(ByteBuffer buffer) {
        if (buffer != callKey) {
            callView = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
            callKey = buffer;
        }
        return callView;
    }

    private ByteBuffer outputView(ByteBuffer buffer) {
        if (buffer != outKey) {
            outView = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
            outKey = buffer;
        }
        return outView;
    }
}
