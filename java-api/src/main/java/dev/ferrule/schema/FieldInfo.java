package dev.ferrule.schema;

import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.FieldLayout;

/**
 * One field of a message type. Look it up once ({@link MessageType#field(String)}) and keep it:
 * readers and builders take it instead of a name so that field access is an array index, not a
 * lookup.
 */
public final class FieldInfo {
    private final MessageType owner;
    private final int index;
    private final FieldLayout layout;
    private final FieldType type;
    // Resolved on first use (the schema's message types may not all exist while fields are created);
    // racing threads store the same value.
    private MessageType messageType;

    FieldInfo(MessageType owner, int index) {
        this.owner = owner;
        this.index = index;
        this.layout = FieldLayout.of(owner.schema().compiled(), owner.index(), index);
        this.type = FieldType.of(layout.type);
    }

    /** Where this field lives in a record; internal, for readers and builders. */
    public FieldLayout layout() {
        return layout;
    }

    /** The message type this field belongs to. */
    public MessageType owner() {
        return owner;
    }

    /** The field's index in its compiled schema; internal. */
    public int index() {
        return index;
    }

    private CompiledSchema compiled() {
        return owner.schema().compiled();
    }

    /** The field number. */
    public int number() {
        return compiled().number(index);
    }

    /** The name as written in the .proto file. */
    public String name() {
        return compiled().fieldName(index);
    }

    /** The proto3 JSON name (lowerCamelCase unless json_name says otherwise). */
    public String jsonName() {
        return compiled().jsonName(index);
    }

    /** The field's type. */
    public FieldType type() {
        return type;
    }

    /** Whether the field is repeated (maps included). */
    public boolean isRepeated() {
        return layout.repeated;
    }

    /** Whether the field is a map (a repeated field of key/value entry messages). */
    public boolean isMap() {
        return (compiled().flags(index) & CompiledSchema.FLAG_MAP) != 0;
    }

    /** Whether the field tracks presence ({@code has}): proto2 optional/required, proto3 optional, messages, oneofs. */
    public boolean hasPresence() {
        int c = compiled().cardinality(index);
        return c == CompiledSchema.OPTIONAL || c == CompiledSchema.REQUIRED || c == CompiledSchema.ONEOF;
    }

    /** Whether the field is a member of a oneof. */
    public boolean isOneofMember() {
        return compiled().cardinality(index) == CompiledSchema.ONEOF;
    }

    /** The message type of a MESSAGE or GROUP field (the entry type for a map). */
    public MessageType messageType() {
        MessageType m = messageType;
        if (m == null) {
            if (!type.isMessage()) {
                throw new IllegalStateException(name() + " is not a message field");
            }
            m = owner.schema().messageAt(compiled().typeRef(index));
            messageType = m;
        }
        return m;
    }

    /** The enum type's full name of an ENUM field. */
    public String enumTypeName() {
        if (type() != FieldType.ENUM) {
            throw new IllegalStateException(name() + " is not an enum field");
        }
        return compiled().enumName(compiled().typeRef(index));
    }

    /** The name of enum value {@code number} of this ENUM field's type, or null if there is none. */
    public String enumValueName(int number) {
        if (type() != FieldType.ENUM) {
            throw new IllegalStateException(name() + " is not an enum field");
        }
        int v = compiled().valueIndex(compiled().typeRef(index), number);
        return v < 0 ? null : compiled().valueName(v);
    }

    @Override
    public String toString() {
        return owner.name() + "." + name() + " = " + number();
    }
}
