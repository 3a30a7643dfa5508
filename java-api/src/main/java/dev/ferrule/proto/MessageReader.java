package dev.ferrule.proto;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.proto.ArenaLayout;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.FieldType;
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

    /** Checks the field belongs to this type and returns its compiled index. */
    private int field(FieldInfo field) {
        checkAttached();
        if (field.owner() != type) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "field " + field + " does not belong to " + type.name());
        }
        return field.index();
    }

    private int singular(FieldInfo field) {
        int f = field(field);
        if (schema.cardinality(f) == CompiledSchema.REPEATED) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is repeated: use count() and an index");
        }
        return f;
    }

    private boolean present(int f) {
        if (record == 0) {
            return false;
        }
        switch (schema.cardinality(f)) {
            case CompiledSchema.OPTIONAL, CompiledSchema.REQUIRED -> {
                int bit = schema.presence(f);
                return (memory.getInt(record + (bit >>> 5) * 4) & (1 << (bit & 31))) != 0;
            }
            case CompiledSchema.ONEOF -> {
                return memory.getInt(record + schema.oneofOffset(type.index()) + schema.presence(f) * 4)
                        == schema.number(f);
            }
            default -> {
                return true;
            }
        }
    }

    /**
     * Whether the field is set. For fields without explicit presence (proto3 plain scalars) this is
     * whether the value differs from the default, as protobuf-java's {@code hasField} says.
     */
    public boolean has(FieldInfo field) {
        int f = singular(field);
        if (record == 0) {
            return false;
        }
        if (schema.cardinality(f) != CompiledSchema.IMPLICIT) {
            return present(f) && (!FieldType.of(schema.type(f)).isMessage() || slotInt(f) != 0);
        }
        int at = record + schema.slot(f);
        return switch (schema.type(f)) {
            case CompiledSchema.TYPE_BOOL -> memory.get(at) != 0;
            case CompiledSchema.TYPE_STRING, CompiledSchema.TYPE_BYTES -> memory.getInt(at + 4) != 0;
            case CompiledSchema.TYPE_DOUBLE, CompiledSchema.TYPE_INT64, CompiledSchema.TYPE_UINT64,
                    CompiledSchema.TYPE_FIXED64, CompiledSchema.TYPE_SFIXED64, CompiledSchema.TYPE_SINT64 ->
                    memory.getLong(at) != 0;
            default -> memory.getInt(at) != 0;
        };
    }

    /** For a oneof member: the number of the member of its oneof that is set, or 0. */
    public int oneofCase(FieldInfo member) {
        int f = field(member);
        if (schema.cardinality(f) != CompiledSchema.ONEOF) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, member + " is not in a oneof");
        }
        return record == 0 ? 0 : memory.getInt(record + schema.oneofOffset(type.index()) + schema.presence(f) * 4);
    }

    private int slotInt(int f) {
        return memory.getInt(record + schema.slot(f));
    }

    private void requireType(FieldInfo field, int f, boolean ok, String what) {
        if (!ok) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is " + FieldType.of(schema.type(f))
                    + ", not " + what);
        }
    }

    /** An int32, uint32 (as its bits), sint32, fixed32, sfixed32 or enum field. */
    public int getInt(FieldInfo field) {
        int f = singular(field);
        requireType(field, f, FieldType.of(schema.type(f)).isInt(), "a 32-bit integer or enum");
        if (!present(f)) {
            return (schema.flags(f) & CompiledSchema.FLAG_HAS_DEFAULT) != 0 ? (int) schema.defaultBits(f) : 0;
        }
        return slotInt(f);
    }

    /** An int64, uint64 (as its bits), sint64, fixed64 or sfixed64 field. */
    public long getLong(FieldInfo field) {
        int f = singular(field);
        requireType(field, f, FieldType.of(schema.type(f)).isLong(), "a 64-bit integer");
        if (!present(f)) {
            return (schema.flags(f) & CompiledSchema.FLAG_HAS_DEFAULT) != 0 ? schema.defaultBits(f) : 0;
        }
        return memory.getLong(record + schema.slot(f));
    }

    /** A float field. */
    public float getFloat(FieldInfo field) {
        int f = singular(field);
        requireType(field, f, schema.type(f) == CompiledSchema.TYPE_FLOAT, "float");
        if (!present(f)) {
            return (schema.flags(f) & CompiledSchema.FLAG_HAS_DEFAULT) != 0
                    ? Float.intBitsToFloat((int) schema.defaultBits(f)) : 0f;
        }
        return Float.intBitsToFloat(slotInt(f));
    }

    /** A double field. */
    public double getDouble(FieldInfo field) {
        int f = singular(field);
        requireType(field, f, schema.type(f) == CompiledSchema.TYPE_DOUBLE, "double");
        if (!present(f)) {
            return (schema.flags(f) & CompiledSchema.FLAG_HAS_DEFAULT) != 0
                    ? Double.longBitsToDouble(schema.defaultBits(f)) : 0d;
        }
        return Double.longBitsToDouble(memory.getLong(record + schema.slot(f)));
    }

    /** A bool field. */
    public boolean getBool(FieldInfo field) {
        int f = singular(field);
        requireType(field, f, schema.type(f) == CompiledSchema.TYPE_BOOL, "bool");
        if (!present(f)) {
            return (schema.flags(f) & CompiledSchema.FLAG_HAS_DEFAULT) != 0 && schema.defaultBits(f) != 0;
        }
        return memory.get(record + schema.slot(f)) != 0;
    }

    /** A string field, as a new String (allocates; see {@link #getString(FieldInfo, Utf8View)}). */
    public String getString(FieldInfo field) {
        return getString(field, new Utf8View()).toString();
    }

    /** A string field, through a reusable view: no allocation. */
    public Utf8View getString(FieldInfo field, Utf8View into) {
        int f = singular(field);
        requireType(field, f, schema.type(f) == CompiledSchema.TYPE_STRING, "string");
        return view(f, record + schema.slot(f), into);
    }

    /** A bytes field, copied into a new array (allocates; see {@link #getBytes(FieldInfo, Utf8View)}). */
    public byte[] getBytes(FieldInfo field) {
        Utf8View v = getBytes(field, new Utf8View());
        byte[] out = new byte[v.byteLength()];
        v.copyTo(out, 0);
        return out;
    }

    /** A bytes field, through a reusable view of its bytes ({@link Utf8View#byteAt}, {@link Utf8View#copyTo}). */
    public Utf8View getBytes(FieldInfo field, Utf8View into) {
        int f = singular(field);
        requireType(field, f, schema.type(f) == CompiledSchema.TYPE_BYTES, "bytes");
        return view(f, record + schema.slot(f), into);
    }

    private Utf8View view(int f, int slotAt, Utf8View into) {
        if (!present(f)) {
            if ((schema.flags(f) & CompiledSchema.FLAG_HAS_DEFAULT) != 0) {
                byte[] d = schema.defaultBytes(f);
                return into.wrap(ByteBuffer.wrap(d), 0, d.length);
            }
            return into.wrap(memory, 0, 0);
        }
        return viewAt(slotAt, into);
    }

    private Utf8View viewAt(int at, Utf8View into) {
        int offset = memory.getInt(at);
        int length = memory.getInt(at + 4);
        if ((offset & ArenaLayout.REF_FLAG) != 0) {
            return into.wrap(memory, offset & ~ArenaLayout.REF_FLAG, length);
        }
        return into.wrap(input, offset, length);
    }

    /**
     * A message field, by re-pointing {@code into} at it (no allocation). An absent sub-message gives a
     * reader whose {@link #isPresent()} is false and whose fields all read as defaults.
     */
    public MessageReader getMessage(FieldInfo field, MessageReader into) {
        int f = singular(field);
        requireType(field, f, FieldType.of(schema.type(f)).isMessage(), "a message");
        int child = present(f) ? slotInt(f) : 0;
        return into.wrap(field.messageType(), arena, input, child);
    }

    /** How many elements a repeated field has (entries, for a map). */
    public int count(FieldInfo field) {
        int f = field(field);
        if (schema.cardinality(f) != CompiledSchema.REPEATED) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is not repeated");
        }
        return record == 0 ? 0 : memory.getInt(record + schema.slot(f) + 4);
    }

    /** Arena offset of element {@code index} of a repeated field whose elements are {@code size} bytes. */
    private int element(FieldInfo field, int index, int size) {
        int n = count(field);
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + n + " field=" + field.name());
        }
        return memory.getInt(record + schema.slot(field.index())) + index * size;
    }

    /** Element {@code index} of a repeated 32-bit integer or enum field. */
    public int getInt(FieldInfo field, int index) {
        requireType(field, field.index(), field.type().isInt(), "a 32-bit integer or enum");
        return memory.getInt(element(field, index, 4));
    }

    /** Element {@code index} of a repeated 64-bit integer field. */
    public long getLong(FieldInfo field, int index) {
        requireType(field, field.index(), field.type().isLong(), "a 64-bit integer");
        return memory.getLong(element(field, index, 8));
    }

    /** Element {@code index} of a repeated float field. */
    public float getFloat(FieldInfo field, int index) {
        requireType(field, field.index(), field.type() == FieldType.FLOAT, "float");
        return Float.intBitsToFloat(memory.getInt(element(field, index, 4)));
    }

    /** Element {@code index} of a repeated double field. */
    public double getDouble(FieldInfo field, int index) {
        requireType(field, field.index(), field.type() == FieldType.DOUBLE, "double");
        return Double.longBitsToDouble(memory.getLong(element(field, index, 8)));
    }

    /** Element {@code index} of a repeated bool field. */
    public boolean getBool(FieldInfo field, int index) {
        requireType(field, field.index(), field.type() == FieldType.BOOL, "bool");
        return memory.get(element(field, index, 1)) != 0;
    }

    /** Element {@code index} of a repeated string field (allocates). */
    public String getString(FieldInfo field, int index) {
        return getString(field, index, new Utf8View()).toString();
    }

    /** Element {@code index} of a repeated string or bytes field, through a reusable view. */
    public Utf8View getString(FieldInfo field, int index, Utf8View into) {
        requireType(field, field.index(), field.type() == FieldType.STRING || field.type() == FieldType.BYTES,
                "string or bytes");
        return viewAt(element(field, index, 8), into);
    }

    /** Element {@code index} of a repeated bytes field, copied (allocates). */
    public byte[] getBytes(FieldInfo field, int index) {
        Utf8View v = getString(field, index, new Utf8View());
        byte[] out = new byte[v.byteLength()];
        v.copyTo(out, 0);
        return out;
    }

    /** Element {@code index} of a repeated message field (or map entry), by re-pointing {@code into}. */
    public MessageReader getMessage(FieldInfo field, int index, MessageReader into) {
        requireType(field, field.index(), field.type().isMessage(), "a message");
        return into.wrap(field.messageType(), arena, input, memory.getInt(element(field, index, 4)));
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
