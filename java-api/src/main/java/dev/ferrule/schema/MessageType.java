package dev.ferrule.schema;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.schema.CompiledSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One message type of a {@link Schema}. Immutable and thread-safe. */
public final class MessageType {
    private final Schema schema;
    private final int index;
    private final List<FieldInfo> fields;

    MessageType(Schema schema, int index) {
        this.schema = schema;
        this.index = index;
        CompiledSchema c = schema.compiled();
        List<FieldInfo> list = new ArrayList<>(c.fieldCount(index));
        for (int f = c.firstField(index), end = f + c.fieldCount(index); f < end; f++) {
            list.add(new FieldInfo(this, f));
        }
        this.fields = Collections.unmodifiableList(list);
    }

    /** The schema this type belongs to. */
    public Schema schema() {
        return schema;
    }

    /** The message's index in its compiled schema; internal. */
    public int index() {
        return index;
    }

    /** The full name, e.g. {@code opentelemetry.proto.trace.v1.Span}. */
    public String name() {
        return schema.compiled().messageName(index);
    }

    /** Fields in field-number order. */
    public List<FieldInfo> fields() {
        return fields;
    }

    /** Whether this is the synthesized entry type of a map field. */
    public boolean isMapEntry() {
        return schema.compiled().isMapEntry(index);
    }

    /**
     * The field with this name (or JSON name).
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if there is none
     */
    public FieldInfo field(String name) {
        int f = schema.compiled().findField(index, name);
        if (f < 0) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, name() + " has no field named '" + name + "'");
        }
        return fields.get(f - schema.compiled().firstField(index));
    }

    /**
     * The field with this number.
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if there is none
     */
    public FieldInfo field(int number) {
        int f = schema.compiled().findField(index, number);
        if (f < 0) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, name() + " has no field number " + number);
        }
        return fields.get(f - schema.compiled().firstField(index));
    }

    @Override
    public String toString() {
        return name();
    }
}
