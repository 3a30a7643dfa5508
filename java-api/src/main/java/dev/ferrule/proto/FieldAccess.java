package dev.ferrule.proto;

import dev.ferrule.internal.proto.ArenaLayout;
import dev.ferrule.internal.schema.FieldLayout;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;

/**
 * The read and write paths of the typed flyweights that ferrule-codegen generates; not for
 * hand-written code.
 *
 * <p>A generated reader knows statically which type its {@link MessageReader} reads (it is only ever
 * pointed at records of that type: by a decode of that type, a type-checked {@code wrap}, or its
 * parent's field of that type), so these accessors skip the per-call checks {@link MessageReader}'s
 * public accessors make — that the field belongs to the reader's type and has the expected kind — and
 * take the field's {@link FieldLayout} and child {@link MessageType} resolved once per generated
 * class. They keep every check that protects memory and users: the reader is attached, its arena has
 * not been reset ({@link dev.ferrule.ErrorCode#ARENA_STALE}), and repeated indexes are in range. Values
 * are read from and written to the same record layout by the same rules (presence bits, oneof cases,
 * UTF-8 copies, array growth), so results are byte for byte those of {@link MessageReader} and
 * {@link MessageBuilder}; setting a oneof member takes {@link MessageBuilder}'s own path.
 *
 * <p><b>Internal hook, not API.</b> It is public only because generated classes live in the user's
 * packages; its signatures take {@link FieldLayout}, a {@code dev.ferrule.internal} type, and may change
 * in any release. Passing a layout or child type that does not belong to the reader's or builder's type
 * reads or writes the wrong slots of that message's own arena record; it cannot reach outside the
 * arena, since every access goes through the arena's bounds-checked {@link java.nio.ByteBuffer}
 * (an offset past it is an {@link IndexOutOfBoundsException}), and both engines read arena records
 * through bounds-checked code (the Rust engine forbids {@code unsafe}). The misuse sweep of the public
 * API (MisuseTest) leaves this class out for these reasons and checks the containment instead.
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

    /** Whether a singular field is set ({@link MessageReader#has}). */
    public static boolean has(MessageReader r, FieldLayout l) {
        r.checkAttached();
        return r.has(l);
    }

    /** For a oneof member: the number of the member of its oneof that is set, or 0. */
    public static int oneofCase(MessageReader r, FieldLayout member) {
        r.checkAttached();
        return r.record == 0 ? 0 : r.memory.getInt(r.record + member.oneofCaseAt);
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

    // ------------------------------------------------------------------ write path

    /** Marks a singular field present (hasbit, or oneof case clearing the other member) and returns its slot. */
    private static int present(MessageBuilder b, FieldLayout l) {
        b.check();
        return b.present(l);
    }

    /** Sets a singular 32-bit integer or enum field. */
    public static void setInt(MessageBuilder b, FieldInfo field, FieldLayout l, int value) {
        b.memory.putInt(present(b, l), value);
    }

    /** Sets a singular 64-bit integer field. */
    public static void setLong(MessageBuilder b, FieldInfo field, FieldLayout l, long value) {
        b.memory.putLong(present(b, l), value);
    }

    /** Sets a singular float field. */
    public static void setFloat(MessageBuilder b, FieldInfo field, FieldLayout l, float value) {
        setInt(b, field, l, Float.floatToRawIntBits(value));
    }

    /** Sets a singular double field. */
    public static void setDouble(MessageBuilder b, FieldInfo field, FieldLayout l, double value) {
        setLong(b, field, l, Double.doubleToRawLongBits(value));
    }

    /** Sets a singular bool field. */
    public static void setBool(MessageBuilder b, FieldInfo field, FieldLayout l, boolean value) {
        b.memory.put(present(b, l), (byte) (value ? 1 : 0));
    }

    /** Sets a singular string field (copied into the arena as UTF-8). */
    public static void setString(MessageBuilder b, FieldInfo field, FieldLayout l, CharSequence value) {
        b.writeView(present(b, l), value);
    }

    /** Sets a singular bytes field (copied into the arena). */
    public static void setBytes(MessageBuilder b, FieldInfo field, FieldLayout l, byte[] value) {
        b.writeView(present(b, l), value);
    }

    /** Appends an element of {@code size} bytes to a repeated field; returns its arena offset. */
    private static int appended(MessageBuilder b, FieldLayout l, int size) {
        b.check();
        return b.appendedAt(b.record + l.slot, size);
    }

    /** Appends to a repeated 32-bit integer or enum field. */
    public static void addInt(MessageBuilder b, FieldLayout l, int value) {
        b.memory.putInt(appended(b, l, 4), value);
    }

    /** Appends to a repeated 64-bit integer field. */
    public static void addLong(MessageBuilder b, FieldLayout l, long value) {
        b.memory.putLong(appended(b, l, 8), value);
    }

    /** Appends to a repeated float field. */
    public static void addFloat(MessageBuilder b, FieldLayout l, float value) {
        addInt(b, l, Float.floatToRawIntBits(value));
    }

    /** Appends to a repeated double field. */
    public static void addDouble(MessageBuilder b, FieldLayout l, double value) {
        addLong(b, l, Double.doubleToRawLongBits(value));
    }

    /** Appends to a repeated bool field. */
    public static void addBool(MessageBuilder b, FieldLayout l, boolean value) {
        b.memory.put(appended(b, l, 1), (byte) (value ? 1 : 0));
    }

    /** Appends to a repeated string field. */
    public static void addString(MessageBuilder b, FieldLayout l, CharSequence value) {
        b.check();
        // The text first: the element must not exist while an allocation may still fail.
        int view = b.copyUtf8(value);
        int length = MessageBuilder.utf8Length(value);
        int at = appended(b, l, 8);
        b.memory.putInt(at, view | ArenaLayout.REF_FLAG).putInt(at + 4, length);
    }

    /** Appends to a repeated bytes field. */
    public static void addBytes(MessageBuilder b, FieldLayout l, byte[] value) {
        b.check();
        int view = b.copyBytes(value);
        int at = appended(b, l, 8);
        b.memory.putInt(at, view | ArenaLayout.REF_FLAG).putInt(at + 4, value.length);
    }

    /** The singular message field of type {@code child}, created empty if absent, as a builder re-pointed into {@code into}. */
    public static MessageBuilder mutableMessage(MessageBuilder b, FieldInfo field, FieldLayout l, MessageType child,
            MessageBuilder into) {
        b.check();
        int record = b.memory.getInt(b.record + l.slot);
        boolean set = l.oneofCaseAt < 0 || b.memory.getInt(b.record + l.oneofCaseAt) == l.number;
        if (record == 0 || !set) {
            record = MessageBuilder.allocateRecord(child, b.arena);
            b.memory.putInt(present(b, l), record);
        } else {
            present(b, l);
        }
        return into.wrap(child, b.arena, record);
    }

    /** Appends a new, empty element of type {@code child} to a repeated message field; {@code into} builds it. */
    public static MessageBuilder addMessage(MessageBuilder b, FieldLayout l, MessageType child, MessageBuilder into) {
        b.check();
        int record = MessageBuilder.allocateRecord(child, b.arena);
        b.memory.putInt(appended(b, l, 4), record);
        return into.wrap(child, b.arena, record);
    }
}
