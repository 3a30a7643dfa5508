package dev.ferrule.proto;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.proto.ArenaLayout;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.FieldLayout;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.FieldType;
import dev.ferrule.schema.MessageType;
import java.nio.ByteBuffer;

/**
 * A reusable, allocation-free builder that writes one message's record straight into an
 * {@link Arena}, in the layout the decoders produce, so that one native call can serialize it.
 *
 * <pre>{@code
 * MessageBuilder span = codec.newMessage(spanType, arena, new MessageBuilder());
 * span.setString(name, "GET /users").setLong(startTime, now);
 * MessageBuilder attribute = new MessageBuilder();
 * span.addMessage(attributes, attribute).setString(key, "http.method");
 * codec.encode(span, output);
 * }</pre>
 *
 * <p>Setters follow protobuf's rules: setting a field with presence marks it present, setting a oneof
 * member clears the member set before, repeated setters append. Strings are copied into the arena as
 * UTF-8 (an unpaired surrogate becomes '?', as in protobuf-java). Valid until the arena is reset. Not
 * thread-safe.
 */
public final class MessageBuilder {
    private MessageType type;
    private CompiledSchema schema;
    private Arena arena;
    private ByteBuffer memory;
    private int record;
    private int generation;

    /** An unattached builder, to be filled by {@link ProtoCodec#newMessage} or a parent's setters. */
    public MessageBuilder() {}

    MessageBuilder wrap(MessageType type, Arena arena, int record) {
        this.type = type;
        this.schema = type.schema().compiled();
        this.arena = arena;
        this.memory = arena.memory();
        this.record = record;
        this.generation = arena.generation();
        return this;
    }

    /** Allocates an empty record of {@code type} and returns its offset. */
    static int allocateRecord(MessageType type, Arena arena) {
        int at = ArenaLayout.allocate(arena.memory(), arena.capacity(), type.schema().compiled().recordSize(type.index()));
        if (at == ArenaLayout.FULL) {
            throw exhausted(arena);
        }
        return at;
    }

    private static FerruleException exhausted(Arena arena) {
        return new FerruleException(ErrorCode.ARENA_EXHAUSTED, "the arena is full (" + arena
                + "); allocate a larger one or reset it between messages");
    }

    /** The type being built. */
    public MessageType type() {
        check();
        return type;
    }

    Arena arena() {
        return arena;
    }

    int record() {
        return record;
    }

    /** A reader over what has been built so far (no copy). */
    public MessageReader reader(MessageReader into) {
        check();
        return into.wrap(type, arena, null, record);
    }

    private void check() {
        if (type == null) {
            throw new IllegalStateException("this builder has not been attached to a message yet");
        }
        arena.checkGeneration(generation);
    }

    /** Checks the builder is live and the field is its type's, singular or repeated as asked; returns its layout. */
    private FieldLayout field(FieldInfo field, boolean repeated) {
        check();
        if (field.owner() != type) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "field " + field + " does not belong to " + type.name());
        }
        FieldLayout l = field.layout();
        if (l.repeated != repeated) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + (repeated
                    ? " is not repeated: use a set method" : " is repeated: use an add method"));
        }
        return l;
    }

    private void requireType(FieldInfo field, boolean ok, String what) {
        if (!ok) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, field + " is " + field.type() + ", not " + what);
        }
    }

    /** Marks a singular field present (hasbit or oneof case) and returns its slot's arena offset. */
    private int present(FieldLayout l) {
        if (l.hasbitWord >= 0) {
            int wordAt = record + l.hasbitWord;
            memory.putInt(wordAt, memory.getInt(wordAt) | l.hasbitMask);
        } else if (l.oneofCaseAt >= 0) {
            int caseAt = record + l.oneofCaseAt;
            int previous = memory.getInt(caseAt);
            if (previous != l.number) {
                if (previous != 0) {
                    clearSlot(schema.findField(type.index(), previous));
                }
                memory.putInt(caseAt, l.number);
            }
        }
        return record + l.slot;
    }

    private void clearSlot(int f) {
        int at = record + schema.slot(f);
        switch (FieldType.of(schema.type(f))) {
            case BOOL -> memory.put(at, (byte) 0);
            case STRING, BYTES, DOUBLE, INT64, UINT64, FIXED64, SFIXED64, SINT64 -> memory.putLong(at, 0L);
            default -> memory.putInt(at, 0);
        }
    }

    private int appended(FieldLayout l, int elementSize) {
        int at = ArenaLayout.append(memory, arena.capacity(), record + l.slot, elementSize);
        if (at == ArenaLayout.FULL) {
            throw exhausted(arena);
        }
        return at;
    }

    /** Sets an int32, uint32 (its bits), sint32, fixed32, sfixed32 or enum (its number) field. */
    public MessageBuilder setInt(FieldInfo field, int value) {
        FieldLayout f = field(field, false);
        requireType(field, field.type().isInt(), "a 32-bit integer or enum");
        memory.putInt(present(f), value);
        return this;
    }

    /** Sets an int64, uint64 (its bits), sint64, fixed64 or sfixed64 field. */
    public MessageBuilder setLong(FieldInfo field, long value) {
        FieldLayout f = field(field, false);
        requireType(field, field.type().isLong(), "a 64-bit integer");
        memory.putLong(present(f), value);
        return this;
    }

    /** Sets a float field. */
    public MessageBuilder setFloat(FieldInfo field, float value) {
        FieldLayout f = field(field, false);
        requireType(field, field.type() == FieldType.FLOAT, "float");
        memory.putInt(present(f), Float.floatToRawIntBits(value));
        return this;
    }

    /** Sets a double field. */
    public MessageBuilder setDouble(FieldInfo field, double value) {
        FieldLayout f = field(field, false);
        requireType(field, field.type() == FieldType.DOUBLE, "double");
        memory.putLong(present(f), Double.doubleToRawLongBits(value));
        return this;
    }

    /** Sets a bool field. */
    public MessageBuilder setBool(FieldInfo field, boolean value) {
        FieldLayout f = field(field, false);
        requireType(field, field.type() == FieldType.BOOL, "bool");
        memory.put(present(f), (byte) (value ? 1 : 0));
        return this;
    }

    /** Sets a string field (copied into the arena as UTF-8; no allocation). */
    public MessageBuilder setString(FieldInfo field, CharSequence value) {
        FieldLayout f = field(field, false);
        requireType(field, field.type() == FieldType.STRING, "string");
        writeView(present(f), value);
        return this;
    }

    /** Sets a bytes field (copied into the arena). */
    public MessageBuilder setBytes(FieldInfo field, byte[] value) {
        FieldLayout f = field(field, false);
        requireType(field, field.type() == FieldType.BYTES, "bytes");
        writeView(present(f), value);
        return this;
    }

    /** Appends to a repeated 32-bit integer or enum field. */
    public MessageBuilder addInt(FieldInfo field, int value) {
        FieldLayout f = field(field, true);
        requireType(field, field.type().isInt(), "a 32-bit integer or enum");
        memory.putInt(appended(f, 4), value);
        return this;
    }

    /** Appends to a repeated 64-bit integer field. */
    public MessageBuilder addLong(FieldInfo field, long value) {
        FieldLayout f = field(field, true);
        requireType(field, field.type().isLong(), "a 64-bit integer");
        memory.putLong(appended(f, 8), value);
        return this;
    }

    /** Appends to a repeated float field. */
    public MessageBuilder addFloat(FieldInfo field, float value) {
        FieldLayout f = field(field, true);
        requireType(field, field.type() == FieldType.FLOAT, "float");
        memory.putInt(appended(f, 4), Float.floatToRawIntBits(value));
        return this;
    }

    /** Appends to a repeated double field. */
    public MessageBuilder addDouble(FieldInfo field, double value) {
        FieldLayout f = field(field, true);
        requireType(field, field.type() == FieldType.DOUBLE, "double");
        memory.putLong(appended(f, 8), Double.doubleToRawLongBits(value));
        return this;
    }

    /** Appends to a repeated bool field. */
    public MessageBuilder addBool(FieldInfo field, boolean value) {
        FieldLayout f = field(field, true);
        requireType(field, field.type() == FieldType.BOOL, "bool");
        memory.put(appended(f, 1), (byte) (value ? 1 : 0));
        return this;
    }

    /** Appends to a repeated string field. */
    public MessageBuilder addString(FieldInfo field, CharSequence value) {
        FieldLayout f = field(field, true);
        requireType(field, field.type() == FieldType.STRING, "string");
        // Copy the text first: the element slot must not exist while an allocation may still fail.
        int view = copyUtf8(value);
        int length = utf8Length(value);
        int at = appended(f, 8);
        memory.putInt(at, view | ArenaLayout.REF_FLAG).putInt(at + 4, length);
        return this;
    }

    /** Appends to a repeated bytes field. */
    public MessageBuilder addBytes(FieldInfo field, byte[] value) {
        FieldLayout f = field(field, true);
        requireType(field, field.type() == FieldType.BYTES, "bytes");
        int view = copyBytes(value);
        int at = appended(f, 8);
        memory.putInt(at, view | ArenaLayout.REF_FLAG).putInt(at + 4, value.length);
        return this;
    }

    /** The singular message field, created empty if absent, as a builder re-pointed into {@code into}. */
    public MessageBuilder mutableMessage(FieldInfo field, MessageBuilder into) {
        FieldLayout f = field(field, false);
        requireType(field, field.type().isMessage(), "a message");
        MessageType childType = field.messageType();
        int child = memory.getInt(record + f.slot);
        boolean set = f.oneofCaseAt < 0 || memory.getInt(record + f.oneofCaseAt) == f.number;
        if (child == 0 || !set) {
            child = allocateRecord(childType, arena);
            memory.putInt(present(f), child);
        } else {
            present(f);
        }
        return into.wrap(childType, arena, child);
    }

    /** Appends a new, empty element to a repeated message or map field; {@code into} builds it. */
    public MessageBuilder addMessage(FieldInfo field, MessageBuilder into) {
        FieldLayout f = field(field, true);
        requireType(field, field.type().isMessage(), "a message");
        MessageType childType = field.messageType();
        int child = allocateRecord(childType, arena);
        memory.putInt(appended(f, 4), child);
        return into.wrap(childType, arena, child);
    }

    private void writeView(int slotAt, CharSequence text) {
        int at = copyUtf8(text);
        memory.putInt(slotAt, at | ArenaLayout.REF_FLAG).putInt(slotAt + 4, utf8Length(text));
    }

    private void writeView(int slotAt, byte[] bytes) {
        int at = copyBytes(bytes);
        memory.putInt(slotAt, at | ArenaLayout.REF_FLAG).putInt(slotAt + 4, bytes.length);
    }

    private int copyBytes(byte[] bytes) {
        int at = ArenaLayout.allocate(memory, arena.capacity(), bytes.length);
        if (at == ArenaLayout.FULL) {
            throw exhausted(arena);
        }
        memory.put(at, bytes);
        return at;
    }

    /** UTF-8 length of {@code text}, counting an unpaired surrogate as the one byte of '?'. */
    static int utf8Length(CharSequence text) {
        int n = 0;
        for (int i = 0, len = text.length(); i < len; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private int copyUtf8(CharSequence text) {
        int length = utf8Length(text);
        int at = ArenaLayout.allocate(memory, arena.capacity(), length);
        if (at == ArenaLayout.FULL) {
            throw exhausted(arena);
        }
        int p = at;
        for (int i = 0, len = text.length(); i < len; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                memory.put(p++, (byte) c);
            } else if (c < 0x800) {
                memory.put(p++, (byte) (0xC0 | (c >> 6))).put(p++, (byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                memory.put(p++, (byte) (0xF0 | (cp >> 18))).put(p++, (byte) (0x80 | ((cp >> 12) & 0x3F)))
                        .put(p++, (byte) (0x80 | ((cp >> 6) & 0x3F))).put(p++, (byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                memory.put(p++, (byte) '?');
            } else {
                memory.put(p++, (byte) (0xE0 | (c >> 12))).put(p++, (byte) (0x80 | ((c >> 6) & 0x3F)))
                        .put(p++, (byte) (0x80 | (c & 0x3F)));
            }
        }
        return at;
    }

    @Override
    public String toString() {
        return type == null ? "MessageBuilder[unattached]" : "MessageBuilder[" + type.name() + ", record " + record + "]";
    }
}
