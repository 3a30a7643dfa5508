package dev.ferrule.proto;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.proto.ArenaLayout;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.FieldLayout;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import java.nio.ByteBuffer;

/**
 * A reusable, allocation-free view of one decoded message: a flyweight over its record in an
 * {@link Arena} (docs/message-layout.md, section 2).
 *
 * <p>Obtain one from {@link ProtoCodec#decode}, re-point children into another reader with
 * {@link #getMessage(FieldInfo, MessageReader)}, and read fields through {@link FieldInfo}s looked up
 * once. Every accessor that would allocate has an allocation-free twin (strings through a
 * {@link Utf8View}). Absent fields read as their default, as in protobuf. A reader is valid until its
 * arena is reset; after that every accessor throws {@link ErrorCode#ARENA_STALE}. Not thread-safe.
 */
public final class MessageReader {
    private MessageType type;
    private CompiledSchema schema;
    private Arena arena;
    private ByteBuffer memory;
    private ByteBuffer input;
    private int record;
    private int generation;

    /** An unattached reader, to be filled by {@link ProtoCodec#decode} or {@link #getMessage}. */
    public MessageReader() {}

    MessageReader wrap(MessageType type, Arena arena, ByteBuffer input, int record) {
        this.type = type;
        this.schema = type.schema().compiled();
        this.arena = arena;
        this.memory = arena.memory();
        this.input = input;
        this.record = record;
        this.generation = arena.generation();
        return this;
    }

    /** The message type being read. */
    public MessageType type() {
        checkAttached();
        return type;
    }

    /** Whether this reader sits on a real record; false for an absent sub-message (all fields default). */
    public boolean isPresent() {
        checkAttached();
        return record != 0;
    }

    Arena arena() {
        return arena;
    }

    ByteBuffer input() {
        return input;
    }

    int record() {
        return record;
    }

    private void checkAttached() {
        if (type == null) {
            throw new IllegalStateException("this reader has not been filled by a decode yet");
        }
        arena.checkGeneration(generation);
    }

    /** Checks the reader is live and the field belongs to its type; returns the field's layout. */
    private FieldLayout field(FieldInfo field) {
        checkAttached();
        if (field.owner() != type) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "field " + field + " does not belong to " + type.name());
        }
        return field.layout();
    }

    /** {@link #field} for a singular field of the given kind. */
    private FieldLayout singular(FieldInfo field, int kind) {
        FieldLayout l = field(field);
        if (l.repeated) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is repeated: use count() and an index");
        }
        if (kind >= 0 && l.kind != kind) {
            throw wrongType(field, kind);
        }
        return l;
    }

    /** {@link #field} for a repeated field of the given kind, checking {@code index}; returns the element's offset. */
    private int element(FieldInfo field, int kind, int index) {
        FieldLayout l = field(field);
        if (!l.repeated) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is not repeated");
        }
        if (l.kind != kind && !(kind == FieldLayout.KIND_STRING && l.kind == FieldLayout.KIND_BYTES)) {
            throw wrongType(field, kind);
        }
        int n = record == 0 ? 0 : memory.getInt(record + l.slot + 4);
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + n + " field=" + field.name());
        }
        return memory.getInt(record + l.slot) + index * l.valueSize;
    }

    private static FerruleException wrongType(FieldInfo field, int kind) {
        String[] names = {"a 32-bit integer or enum", "a 64-bit integer", "float", "double", "bool", "string", "bytes",
            "a message"};
        return new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is " + field.type() + ", not " + names[kind]);
    }

    private boolean present(FieldLayout l) {
        if (record == 0) {
            return false;
        }
        if (l.hasbitWord >= 0) {
            return (memory.getInt(record + l.hasbitWord) & l.hasbitMask) != 0;
        }
        return l.oneofCaseAt < 0 || memory.getInt(record + l.oneofCaseAt) == l.number;
    }

    /**
     * Whether the field is set. For fields without explicit presence (proto3 plain scalars) this is
     * whether the value differs from the default, as protobuf-java's {@code hasField} says.
     */
    public boolean has(FieldInfo field) {
        FieldLayout l = singular(field, -1);
        if (record == 0) {
            return false;
        }
        int at = record + l.slot;
        if (l.cardinality != CompiledSchema.IMPLICIT) {
            return present(l) && (l.kind != FieldLayout.KIND_MESSAGE || memory.getInt(at) != 0);
        }
        return switch (l.valueSize) {
            case 1 -> memory.get(at) != 0;
            case 8 -> l.kind == FieldLayout.KIND_STRING || l.kind == FieldLayout.KIND_BYTES
                    ? memory.getInt(at + 4) != 0 : memory.getLong(at) != 0;
            default -> memory.getInt(at) != 0;
        };
    }

    /** For a oneof member: the number of the member of its oneof that is set, or 0. */
    public int oneofCase(FieldInfo member) {
        FieldLayout l = field(member);
        if (l.oneofCaseAt < 0) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, member + " is not in a oneof");
        }
        return record == 0 ? 0 : memory.getInt(record + l.oneofCaseAt);
    }

    /** An int32, uint32 (as its bits), sint32, fixed32, sfixed32 or enum field. */
    public int getInt(FieldInfo field) {
        FieldLayout l = singular(field, FieldLayout.KIND_INT);
        return present(l) ? memory.getInt(record + l.slot) : (int) l.defaultBits;
    }

    /** An int64, uint64 (as its bits), sint64, fixed64 or sfixed64 field. */
    public long getLong(FieldInfo field) {
        FieldLayout l = singular(field, FieldLayout.KIND_LONG);
        return present(l) ? memory.getLong(record + l.slot) : l.defaultBits;
    }

    /** A float field. */
    public float getFloat(FieldInfo field) {
        FieldLayout l = singular(field, FieldLayout.KIND_FLOAT);
        return Float.intBitsToFloat(present(l) ? memory.getInt(record + l.slot) : (int) l.defaultBits);
    }

    /** A double field. */
    public double getDouble(FieldInfo field) {
        FieldLayout l = singular(field, FieldLayout.KIND_DOUBLE);
        return Double.longBitsToDouble(present(l) ? memory.getLong(record + l.slot) : l.defaultBits);
    }

    /** A bool field. */
    public boolean getBool(FieldInfo field) {
        FieldLayout l = singular(field, FieldLayout.KIND_BOOL);
        return present(l) ? memory.get(record + l.slot) != 0 : l.defaultBits != 0;
    }

    /** A string field, as a new String (allocates; see {@link #getString(FieldInfo, Utf8View)}). */
    public String getString(FieldInfo field) {
        return getString(field, new Utf8View()).toString();
    }

    /** A string field, through a reusable view: no allocation. */
    public Utf8View getString(FieldInfo field, Utf8View into) {
        return view(field, singular(field, FieldLayout.KIND_STRING), into);
    }

    /** A bytes field, copied into a new array (allocates; see {@link #getBytes(FieldInfo, Utf8View)}). */
    public byte[] getBytes(FieldInfo field) {
        return copy(getBytes(field, new Utf8View()));
    }

    /** A bytes field, through a reusable view of its bytes ({@link Utf8View#byteAt}, {@link Utf8View#copyTo}). */
    public Utf8View getBytes(FieldInfo field, Utf8View into) {
        return view(field, singular(field, FieldLayout.KIND_BYTES), into);
    }

    private Utf8View view(FieldInfo field, FieldLayout l, Utf8View into) {
        if (!present(l)) {
            if (l.hasDefault) {
                byte[] d = type.schema().compiled().defaultBytes(field.index());
                return into.wrap(ByteBuffer.wrap(d), 0, d.length);
            }
            return into.wrap(memory, 0, 0);
        }
        return viewAt(record + l.slot, into);
    }

    private Utf8View viewAt(int at, Utf8View into) {
        int offset = memory.getInt(at);
        int length = memory.getInt(at + 4);
        if ((offset & ArenaLayout.REF_FLAG) != 0) {
            return into.wrap(memory, offset & ~ArenaLayout.REF_FLAG, length);
        }
        return into.wrap(input, offset, length);
    }

    private static byte[] copy(Utf8View v) {
        byte[] out = new byte[v.byteLength()];
        v.copyTo(out, 0);
        return out;
    }

    /**
     * A message field, by re-pointing {@code into} at it (no allocation). An absent sub-message gives a
     * reader whose {@link #isPresent()} is false and whose fields all read as defaults.
     */
    public MessageReader getMessage(FieldInfo field, MessageReader into) {
        FieldLayout l = singular(field, FieldLayout.KIND_MESSAGE);
        return child(field, present(l) ? memory.getInt(record + l.slot) : 0, into);
    }

    /**
     * Points {@code into} at a sub-message record of this reader's message: same schema, arena, input and
     * generation (just checked by the caller), so nothing is looked up again.
     */
    private MessageReader child(FieldInfo field, int child, MessageReader into) {
        into.type = field.messageType();
        into.schema = schema;
        into.arena = arena;
        into.memory = memory;
        into.input = input;
        into.record = child;
        into.generation = generation;
        return into;
    }

    /** How many elements a repeated field has (entries, for a map). */
    public int count(FieldInfo field) {
        FieldLayout l = field(field);
        if (!l.repeated) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is not repeated");
        }
        return record == 0 ? 0 : memory.getInt(record + l.slot + 4);
    }

    /** Element {@code index} of a repeated 32-bit integer or enum field. */
    public int getInt(FieldInfo field, int index) {
        return memory.getInt(element(field, FieldLayout.KIND_INT, index));
    }

    /** Element {@code index} of a repeated 64-bit integer field. */
    public long getLong(FieldInfo field, int index) {
        return memory.getLong(element(field, FieldLayout.KIND_LONG, index));
    }

    /** Element {@code index} of a repeated float field. */
    public float getFloat(FieldInfo field, int index) {
        return Float.intBitsToFloat(memory.getInt(element(field, FieldLayout.KIND_FLOAT, index)));
    }

    /** Element {@code index} of a repeated double field. */
    public double getDouble(FieldInfo field, int index) {
        return Double.longBitsToDouble(memory.getLong(element(field, FieldLayout.KIND_DOUBLE, index)));
    }

    /** Element {@code index} of a repeated bool field. */
    public boolean getBool(FieldInfo field, int index) {
        return memory.get(element(field, FieldLayout.KIND_BOOL, index)) != 0;
    }

    /** Element {@code index} of a repeated string field (allocates). */
    public String getString(FieldInfo field, int index) {
        return getString(field, index, new Utf8View()).toString();
    }

    /** Element {@code index} of a repeated string or bytes field, through a reusable view. */
    public Utf8View getString(FieldInfo field, int index, Utf8View into) {
        return viewAt(element(field, FieldLayout.KIND_STRING, index), into);
    }

    /** Element {@code index} of a repeated bytes field, copied (allocates). */
    public byte[] getBytes(FieldInfo field, int index) {
        return copy(getString(field, index, new Utf8View()));
    }

    /** Element {@code index} of a repeated message field (or map entry), by re-pointing {@code into}. */
    public MessageReader getMessage(FieldInfo field, int index, MessageReader into) {
        return child(field, memory.getInt(element(field, FieldLayout.KIND_MESSAGE, index)), into);
    }

    /** How many unknown fields (fields not in the schema) this message carries. */
    public int unknownFieldCount() {
        checkAttached();
        return record == 0 ? 0 : memory.getInt(record + schema.unknownSlot(type.index()) + 4);
    }

    /** The raw bytes (tag included) of unknown field {@code index}, copied (allocates). */
    public byte[] unknownField(int index) {
        int n = unknownFieldCount();
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + n);
        }
        Utf8View v = viewAt(memory.getInt(record + schema.unknownSlot(type.index())) + index * 8, new Utf8View());
        byte[] out = new byte[v.byteLength()];
        v.copyTo(out, 0);
        return out;
    }

    @Override
    public String toString() {
        if (type == null) {
            return "MessageReader[unattached]";
        }
        return "MessageReader[" + type.name() + (record == 0 ? ", absent" : ", record " + record) + "]";
    }
}
