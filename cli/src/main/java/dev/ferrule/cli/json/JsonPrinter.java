package dev.ferrule.cli.json;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.FieldType;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints decoded messages in the proto3 JSON mapping, character for character as protobuf-java-util's
 * {@code JsonFormat.printer()} does with its default settings: pretty-printed with a two-space indent,
 * fields in field-number order under their JSON names, fields without presence omitted when they hold
 * their default, 64-bit integers as strings, enums by name (numbers without a name as numbers), bytes
 * as padded standard base64, maps as objects, and the well-known types in their special forms. An
 * {@code Any} is resolved against the codec's schema.
 *
 * <p>Differences from JsonFormat: map entries with the same key appear once, the last value at the
 * first key's place (as protobuf-java's generated messages keep maps; its DynamicMessage would print
 * every entry). Not thread-safe; one printer per codec.
 */
public final class JsonPrinter {
    private static final String[] REPLACEMENTS = new String[128];

    static {
        for (int i = 0; i <= 0x1f; i++) {
            REPLACEMENTS[i] = String.format("\\u%04x", i);
        }
        REPLACEMENTS['"'] = "\\\"";
        REPLACEMENTS['\\'] = "\\\\";
        REPLACEMENTS['\t'] = "\\t";
        REPLACEMENTS['\b'] = "\\b";
        REPLACEMENTS['\n'] = "\\n";
        REPLACEMENTS['\r'] = "\\r";
        REPLACEMENTS['\f'] = "\\f";
        // Legal in JSON, escaped by JsonFormat (and Gson) against XSS in careless consumers.
        for (char c : "<>&='".toCharArray()) {
            REPLACEMENTS[c] = String.format("\\u%04x", (int) c);
        }
    }

    private final ProtoCodec codec;
    private final Schema schema;
    private final CompiledSchema compiled;
    /** Where the content of Any fields is decoded; replaced by a larger one when full. */
    private Arena scratch;
    /** Inputs of decoded Any contents: readers view them until the print ends. */
    private final List<ByteBuffer> anyInputs = new ArrayList<>();
    private final List<String> path = new ArrayList<>();
    private Generator out;

    /**
     * A printer for messages of {@code schema}; {@code codec} (over the same schema) decodes the
     * content of {@code Any} fields whose type URL names a type of the schema.
     */
    public JsonPrinter(ProtoCodec codec, Schema schema) {
        this.codec = codec;
        this.schema = schema;
        this.compiled = schema.compiled();
    }

    /** The message as JsonFormat prints it (no final newline). */
    public String print(MessageReader message) {
        StringBuilder s = new StringBuilder();
        appendTo(message, s);
        return s.toString();
    }

    /**
     * Appends the message as JsonFormat prints it (no final newline).
     *
     * @throws JsonException if the message has no JSON form: an Any whose type is not in the schema or
     *     whose content does not decode, a Timestamp or Duration out of range, a NaN or infinite
     *     google.protobuf.Value number
     */
    public void appendTo(MessageReader message, StringBuilder output) {
        out = new Generator(output);
        path.clear();
        anyInputs.clear();
        if (scratch != null) {
            scratch.reset();
        }
        try {
            write(message);
        } finally {
            out = null;
            anyInputs.clear();
        }
    }

    private JsonException error(String message) {
        return new JsonException(String.join("", path), message);
    }

    private void push(FieldInfo field, int index) {
        String name = (path.isEmpty() ? "" : ".") + field.name();
        path.add(index < 0 ? name : name + "[" + index + "]");
    }

    private void pop() {
        path.remove(path.size() - 1);
    }

    private void write(MessageReader message) {
        String name = message.type().name();
        if (WellKnownTypes.isSpecial(name)) {
            printSpecial(message, name);
        } else {
            printMessage(message, null);
        }
    }

    private void printSpecial(MessageReader message, String name) {
        switch (name) {
            case WellKnownTypes.ANY -> printAny(message);
            case WellKnownTypes.TIMESTAMP -> printTimestamp(message);
            case WellKnownTypes.DURATION -> printDuration(message);
            case WellKnownTypes.FIELD_MASK -> printFieldMask(message);
            case WellKnownTypes.STRUCT -> printStruct(message);
            case WellKnownTypes.VALUE -> printValue(message);
            case WellKnownTypes.LIST_VALUE -> printListValue(message);
            default -> printWrapper(message);
        }
    }

    // ---- regular messages --------------------------------------------------------------------------

    private void printMessage(MessageReader message, String typeUrl) {
        out.println("{");
        out.indent();
        boolean printed = false;
        if (typeUrl != null) {
            out.print("\"@type\": ");
            printQuoted(typeUrl);
            printed = true;
        }
        for (FieldInfo field : message.type().fields()) {
            if (!isSet(message, field)) {
                continue;
            }
            if (printed) {
                out.println(",");
            } else {
                printed = true;
            }
            printField(message, field);
        }
        if (printed) {
            out.println();
        }
        out.outdent();
        out.print("}");
    }

    /** Whether protobuf-java's {@code getAllFields()} would list the field. */
    private boolean isSet(MessageReader message, FieldInfo field) {
        if (field.isRepeated()) {
            return message.count(field) > 0;
        }
        if (compiled.cardinality(field.index()) != CompiledSchema.ALWAYS) {
            return message.has(field);
        }
        // A map entry's key or value read as a message of its own: like a field without presence.
        return switch (field.type()) {
            case DOUBLE -> Double.doubleToRawLongBits(message.getDouble(field)) != 0;
            case FLOAT -> Float.floatToRawIntBits(message.getFloat(field)) != 0;
            case BOOL -> message.getBool(field);
            case STRING -> message.getString(field).length() > 0;
            case BYTES -> message.getBytes(field).length > 0;
            case MESSAGE, GROUP -> message.getMessage(field, new MessageReader()).isPresent();
            default -> field.type().isLong() ? message.getLong(field) != 0 : message.getInt(field) != 0;
        };
    }

    private void printField(MessageReader message, FieldInfo field) {
        out.print("\"");
        out.print(field.jsonName());
        out.print("\": ");
        if (field.isMap()) {
            push(field, -1);
            printMap(message, field);
            pop();
        } else if (field.isRepeated()) {
            out.print("[");
            for (int i = 0, n = message.count(field); i < n; i++) {
                if (i > 0) {
                    out.print(", ");
                }
                push(field, i);
                printValue(message, field, i, false);
                pop();
            }
            out.print("]");
        } else {
            push(field, -1);
            printValue(message, field, -1, false);
            pop();
        }
    }

    /**
     * A map as a JSON object, entries in wire order; a key that occurs again keeps its first place and
     * takes its last value, as protobuf-java's maps do.
     */
    private void printMap(MessageReader message, FieldInfo field) {
        MessageType entryType = field.messageType();
        FieldInfo keyField = entryType.field(1);
        FieldInfo valueField = entryType.field(2);
        boolean closedEnumValue = valueField.type() == FieldType.ENUM
                && (compiled.flags(valueField.index()) & CompiledSchema.FLAG_CLOSED_ENUM) != 0;
        Map<String, MessageReader> entries = new LinkedHashMap<>();
        for (int i = 0, n = message.count(field); i < n; i++) {
            MessageReader entry = message.getMessage(field, i, new MessageReader());
            if (closedEnumValue && hasUnknownValue(entry)) {
                // protobuf-java drops an entry whose closed-enum value is not a value of the enum (it keeps
                // the entry's bytes as an unknown field of the map's message).
                continue;
            }
            entries.put(mapKey(entry, keyField), entry);
        }
        out.println("{");
        out.indent();
        boolean printed = false;
        for (Map.Entry<String, MessageReader> e : entries.entrySet()) {
            if (printed) {
                out.println(",");
            } else {
                printed = true;
            }
            printQuoted(e.getKey());
            out.print(": ");
            printValue(e.getValue(), valueField, -1, false);
        }
        if (printed) {
            out.println();
        }
        out.outdent();
        out.print("}");
    }

    /** Whether a map entry carries its value (field 2) among its unknown fields. */
    private static boolean hasUnknownValue(MessageReader entry) {
        for (int i = 0, n = entry.unknownFieldCount(); i < n; i++) {
            byte[] field = entry.unknownField(i);
            int tag = 0;
            for (int b = 0, shift = 0; b < field.length && b < 5; b++, shift += 7) {
                tag |= (field[b] & 0x7F) << shift;
                if (field[b] >= 0) {
                    break;
                }
            }
            if (tag >>> 3 == 2) {
                return true;
            }
        }
        return false;
    }

    /** The map key as text, before quoting: what JsonFormat prints between the quotes. */
    private static String mapKey(MessageReader entry, FieldInfo key) {
        return switch (key.type()) {
            case STRING -> entry.getString(key);
            case BOOL -> entry.getBool(key) ? "true" : "false";
            case UINT32, FIXED32 -> Integer.toUnsignedString(entry.getInt(key));
            case UINT64, FIXED64 -> Long.toUnsignedString(entry.getLong(key));
            default -> key.type().isLong() ? Long.toString(entry.getLong(key)) : Integer.toString(entry.getInt(key));
        };
    }

    /** One value of a field: the singular value ({@code index} -1) or element {@code index}. */
    private void printValue(MessageReader m, FieldInfo field, int index, boolean alwaysWithQuotes) {
        switch (field.type()) {
            case INT32, SINT32, SFIXED32 -> printNumber(Integer.toString(intOf(m, field, index)), alwaysWithQuotes);
            case INT64, SINT64, SFIXED64 -> printNumber(Long.toString(longOf(m, field, index)), true);
            case UINT32, FIXED32 -> printNumber(Integer.toUnsignedString(intOf(m, field, index)), alwaysWithQuotes);
            case UINT64, FIXED64 -> printNumber(Long.toUnsignedString(longOf(m, field, index)), true);
            case BOOL -> printNumber((index < 0 ? m.getBool(field) : m.getBool(field, index)) ? "true" : "false",
                    alwaysWithQuotes);
            case FLOAT -> {
                float v = index < 0 ? m.getFloat(field) : m.getFloat(field, index);
                if (Float.isNaN(v)) {
                    out.print("\"NaN\"");
                } else if (Float.isInfinite(v)) {
                    out.print(v < 0 ? "\"-Infinity\"" : "\"Infinity\"");
                } else {
                    printNumber(Float.toString(v), alwaysWithQuotes);
                }
            }
            case DOUBLE -> {
                double v = index < 0 ? m.getDouble(field) : m.getDouble(field, index);
                if (Double.isNaN(v)) {
                    out.print("\"NaN\"");
                } else if (Double.isInfinite(v)) {
                    out.print(v < 0 ? "\"-Infinity\"" : "\"Infinity\"");
                } else {
                    printNumber(Double.toString(v), alwaysWithQuotes);
                }
            }
            case STRING -> printQuoted(index < 0 ? m.getString(field) : m.getString(field, index));
            case BYTES -> {
                byte[] bytes = index < 0 ? m.getBytes(field) : m.getBytes(field, index);
                out.print("\"");
                out.print(Base64.getEncoder().encodeToString(bytes));
                out.print("\"");
            }
            case ENUM -> {
                int number = intOf(m, field, index);
                if (field.enumTypeName().equals(WellKnownTypes.NULL_VALUE)) {
                    printNumber("null", alwaysWithQuotes);
                } else {
                    String name = field.enumValueName(number);
                    if (name == null) {
                        out.print(Integer.toString(number));
                    } else {
                        out.print("\"");
                        out.print(name);
                        out.print("\"");
                    }
                }
            }
            case MESSAGE, GROUP -> write(index < 0 ? m.getMessage(field, new MessageReader())
                    : m.getMessage(field, index, new MessageReader()));
        }
    }

    private static int intOf(MessageReader m, FieldInfo field, int index) {
        return index < 0 ? m.getInt(field) : m.getInt(field, index);
    }

    private static long longOf(MessageReader m, FieldInfo field, int index) {
        return index < 0 ? m.getLong(field) : m.getLong(field, index);
    }

    private void printNumber(String text, boolean quoted) {
        if (quoted) {
            out.print("\"");
        }
        out.print(text);
        if (quoted) {
            out.print("\"");
        }
    }

    /** A string in double quotes with JsonFormat's escapes. */
    private void printQuoted(CharSequence value) {
        out.print("\"");
        int last = 0;
        int len = value.length();
        for (int i = 0; i < len; i++) {
            char c = value.charAt(i);
            String replacement = c < 128 ? REPLACEMENTS[c] : c == '\u2028' ? "\\u2028" : c == '\u2029' ? "\\u2029" : null;
            if (replacement == null) {
                continue;
            }
            out.print(value, last, i);
            out.print(replacement);
            last = i + 1;
        }
        out.print(value, last, len);
        out.print("\"");
    }

    // ---- well-known types --------------------------------------------------------------------------

    private FieldInfo wktField(MessageType type, String name, FieldType expected) {
        for (FieldInfo f : type.fields()) {
            if (f.name().equals(name) && (expected == null || f.type() == expected)) {
                return f;
            }
        }
        throw error("Invalid " + type.name() + " type: no field " + name + (expected == null ? "" : " of type " + expected));
    }

    private void printAny(MessageReader any) {
        MessageType type = any.type();
        FieldInfo typeUrlField = wktField(type, "type_url", FieldType.STRING);
        FieldInfo valueField = wktField(type, "value", FieldType.BYTES);
        String typeUrl = any.getString(typeUrlField);
        byte[] value = any.getBytes(valueField);
        if (typeUrl.isEmpty() && value.length == 0 && any.unknownFieldCount() == 0) {
            out.print("{}");
            return;
        }
        String[] parts = typeUrl.split("/");
        if (parts.length == 1) {
            throw error("Invalid type url found: " + typeUrl);
        }
        String typeName = parts[parts.length - 1];
        if (compiled.messageIndex(typeName) < 0) {
            throw error("Cannot find type for url: " + typeUrl);
        }
        MessageType contentType = schema.message(typeName);
        MessageReader content = decode(contentType, value);
        if (WellKnownTypes.isSpecial(contentType.name())) {
            out.println("{");
            out.indent();
            out.print("\"@type\": ");
            printQuoted(typeUrl);
            out.println(",");
            out.print("\"value\": ");
            printSpecial(content, contentType.name());
            out.println();
            out.outdent();
            out.print("}");
        } else {
            printMessage(content, typeUrl);
        }
    }

    private MessageReader decode(MessageType type, byte[] bytes) {
        ByteBuffer input = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        input.put(bytes).flip();
        anyInputs.add(input);
        while (true) {
            if (scratch == null) {
                scratch = Arena.allocate(Math.max(64 << 10, bytes.length * 8));
            }
            try {
                return codec.decode(type, input, scratch, new MessageReader());
            } catch (FerruleException e) {
                if (e.code() != ErrorCode.ARENA_EXHAUSTED || scratch.capacity() >= (1 << 30)) {
                    throw new JsonException(String.join("", path), "the content of this Any (" + type.name()
                            + ") does not decode: " + e.getMessage(), e);
                }
                // Readers into the old arena stay valid: it is only replaced, never reset.
                scratch = Arena.allocate(scratch.capacity() * 2);
                input.rewind();
            }
        }
    }

    private void printWrapper(MessageReader wrapper) {
        FieldInfo value = wktField(wrapper.type(), "value", null);
        printValue(wrapper, value, -1, false);
    }

    private void printTimestamp(MessageReader timestamp) {
        long seconds = timestamp.getLong(wktField(timestamp.type(), "seconds", FieldType.INT64));
        int nanos = timestamp.getInt(wktField(timestamp.type(), "nanos", FieldType.INT32));
        if (!WellKnownTypes.isValidTimestamp(seconds, nanos)) {
            throw error(WellKnownTypes.invalidTimestamp(seconds, nanos));
        }
        out.print("\"" + WellKnownTypes.formatTimestamp(seconds, nanos) + "\"");
    }

    private void printDuration(MessageReader duration) {
        long seconds = duration.getLong(wktField(duration.type(), "seconds", FieldType.INT64));
        int nanos = duration.getInt(wktField(duration.type(), "nanos", FieldType.INT32));
        try {
            out.print("\"" + WellKnownTypes.formatDuration(seconds, nanos) + "\"");
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private void printFieldMask(MessageReader mask) {
        FieldInfo paths = wktField(mask.type(), "paths", FieldType.STRING);
        StringBuilder joined = new StringBuilder();
        for (int i = 0, n = mask.count(paths); i < n; i++) {
            String p = mask.getString(paths, i);
            if (p.isEmpty()) {
                continue;
            }
            if (joined.length() > 0) {
                joined.append(',');
            }
            joined.append(WellKnownTypes.pathToJson(p));
        }
        printQuoted(joined);
    }

    private void printStruct(MessageReader struct) {
        FieldInfo fields = wktField(struct.type(), "fields", FieldType.MESSAGE);
        printMap(struct, fields);
    }

    private void printValue(MessageReader value) {
        MessageType type = value.type();
        FieldInfo nullValue = wktField(type, "null_value", FieldType.ENUM);
        int kind = value.isPresent() ? value.oneofCase(nullValue) : 0;
        if (kind == 0 || kind == nullValue.number()) {
            out.print("null");
            return;
        }
        FieldInfo field = type.field(kind);
        switch (field.name()) {
            case "number_value" -> {
                double d = value.getDouble(field);
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw error("google.protobuf.Value cannot encode double values for infinity or nan, because"
                            + " they would be parsed as a string.");
                }
                out.print(Double.toString(d));
            }
            case "string_value" -> printQuoted(value.getString(field));
            case "bool_value" -> out.print(value.getBool(field) ? "true" : "false");
            case "struct_value" -> {
                push(field, -1);
                printStruct(value.getMessage(field, new MessageReader()));
                pop();
            }
            case "list_value" -> {
                push(field, -1);
                printListValue(value.getMessage(field, new MessageReader()));
                pop();
            }
            default -> throw error("Invalid Value type.");
        }
    }

    private void printListValue(MessageReader list) {
        FieldInfo values = wktField(list.type(), "values", FieldType.MESSAGE);
        out.print("[");
        for (int i = 0, n = list.count(values); i < n; i++) {
            if (i > 0) {
                out.print(", ");
            }
            push(values, i);
            printValue(list.getMessage(values, i, new MessageReader()));
            pop();
        }
        out.print("]");
    }

    /** JsonFormat's PrettyTextGenerator: two spaces per level, inserted at the start of each line. */
    private static final class Generator {
        private final StringBuilder output;
        private final StringBuilder indent = new StringBuilder();
        private boolean atStartOfLine = true;

        Generator(StringBuilder output) {
            this.output = output;
        }

        void indent() {
            indent.append("  ");
        }

        void outdent() {
            indent.setLength(indent.length() - 2);
        }

        void print(CharSequence text) {
            print(text, 0, text.length());
        }

        void print(CharSequence text, int start, int end) {
            if (start == end) {
                return;
            }
            if (atStartOfLine) {
                atStartOfLine = false;
                output.append(indent);
            }
            output.append(text, start, end);
        }

        void println() {
            output.append('\n');
            atStartOfLine = true;
        }

        void println(CharSequence text) {
            print(text);
            println();
        }
    }
}
