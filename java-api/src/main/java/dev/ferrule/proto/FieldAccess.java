package dev.ferrule.proto;

import dev.ferrule.internal.schema.FieldLayout;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;

/**
 * The read path of the typed flyweights that ferrule-codegen generates; not for hand-written code.
 *
 * <p>A generated reader knows statically which type its {@link MessageReader} reads (it is only ever
 * pointed at records of that type: by a decode of that type, a type-checked {@code wrap}, or its
 * parent's field of that type), so these accessors skip the per-call checks {@link MessageReader}'s
 * public accessors make — that the field belongs to the reader's type and has the expected kind — and
 * take the field's {@link FieldLayout} and child {@link MessageType} resolved once per generated
 * class. They keep every check that protects memory and users: the reader is attached, its arena has
 * not been reset ({@link dev.ferrule.ErrorCode#ARENA_STALE}), and repeated indexes are in range. Values
 * are read from the same record layout, so results are those of the dynamic accessors.
 */
public final class FieldAccess {
    private FieldAccess() {}

    /** A singular 32-bit integer or enum field. */
    public static int getInt(MessageReader r, FieldLayout l) {
        r.checkAttached();
        return r.present(l) ? r.memory.getInt(r.record + l.slot) : (int) l.defaultBits;
    }

    /** A singular 64-bit integer field. */
    public static long getLong(MessageReader r, FieldLayout l) {
        r.checkAttached();
        return r.present(l) ? r.memory.getLong(r.record + l.slot) : l.defaultBits;
    }

    /** A singular float field. */
    public static float getFloat(MessageReader r, FieldLayout l) {
        return Float.intBitsToFloat(getInt(r, l));
    }

    /** A singular double field. */
    public static double getDouble(MessageReader r, FieldLayout l) {
        return Double.longBitsToDouble(getLong(r, l));
    }

    /** A singular bool field. */
    public static boolean getBool(MessageReader r, FieldLayout l) {
        r.checkAttached();
        return r.present(l) ? r.memory.get(r.record + l.slot) != 0 : l.defaultBits != 0;
    }

    /** A singular string or bytes field through a reusable view ({@code field} supplies a proto2 default). */
    public static Utf8View getView(MessageReader r, FieldInfo field, FieldLayout l, Utf8View into) {
        r.checkAttached();
        return r.view(field, l, into);
    }

    /** A singular message field of type {@code child}, by re-pointing {@code into}. */
    public static MessageReader getMessage(MessageReader r, FieldLayout l, MessageType child, MessageReader into) {
        r.checkAttached();
        int record = r.present(l) ? r.memory.getInt(r.record + l.slot) : 0;
        return into.wrap(child, r.arena, r.input, record);
    }

    /** How many elements a repeated field has. */
    public static int count(MessageReader r, FieldLayout l) {
        r.checkAttached();
        return r.record == 0 ? 0 : r.memory.getInt(r.record + l.slot + 4);
    }

    /** The arena offset of element {@code index}, checked against the count. */
    private static int element(MessageReader r, FieldLayout l, int index) {
        int n = count(r, l);
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException("index=" + index + " count=" + n);
        }
        return r.memory.getInt(r.record + l.slot) + index * l.valueSize;
    }

    /** Element {@code index} of a repeated 32-bit integer or enum field. */
    public static int getInt(MessageReader r, FieldLayout l, int index) {
        return r.memory.getInt(element(r, l, index));
    }

    /** Element {@code index} of a repeated 64-bit integer field. */
    public static long getLong(MessageReader r, FieldLayout l, int index) {
        return r.memory.getLong(element(r, l, index));
    }

    /** Element {@code index} of a repeated float field. */
    public static float getFloat(MessageReader r, FieldLayout l, int index) {
        return Float.intBitsToFloat(getInt(r, l, index));
    }

    /** Element {@code index} of a repeated double field. */
    public static double getDouble(MessageReader r, FieldLayout l, int index) {
        return Double.longBitsToDouble(getLong(r, l, index));
    }

    /** Element {@code index} of a repeated bool field. */
    public static boolean getBool(MessageReader r, FieldLayout l, int index) {
        return r.memory.get(element(r, l, index)) != 0;
    }

    /** Element {@code index} of a repeated string or bytes field through a reusable view. */
    public static Utf8View getView(MessageReader r, FieldLayout l, int index, Utf8View into) {
        return r.viewAt(element(r, l, index), into);
    }

    /** Element {@code index} of a repeated message field of type {@code child}, by re-pointing {@code into}. */
    public static MessageReader getMessage(MessageReader r, FieldLayout l, MessageType child, int index,
            MessageReader into) {
        return into.wrap(child, r.arena, r.input, r.memory.getInt(element(r, l, index)));
    }
}
