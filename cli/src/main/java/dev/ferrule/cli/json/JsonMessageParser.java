package dev.ferrule.cli.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.FieldType;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the proto3 JSON mapping into a {@link MessageBuilder}, accepting what protobuf-java-util's
 * {@code JsonFormat.parser()} accepts with its default settings: fields by JSON name or proto name,
 * integers as JSON numbers or strings (also {@code 1.0} and {@code 1e3} when integral), enums by name
 * or number, bytes in standard or URL-safe base64, {@code null} for an absent field, the well-known
 * types' special forms, and {@code Any} with a type URL resolved against the schema. The JSON text is
 * read by Gson in the same lenient mode JsonFormat reads it in.
 *
 * <p>One parser per codec; not thread-safe.
 */
public final class JsonMessageParser {
    private static final int RECURSION_LIMIT = 100;
    private static final int MAX_NUMERIC_STRING_LENGTH = 1000;
    private static final BigDecimal MAX_UINT32 = new BigDecimal(0xFFFFFFFFL);
    private static final BigDecimal MAX_UINT64 = new BigDecimal(new BigInteger("FFFFFFFFFFFFFFFF", 16));
    private static final double EPSILON = 1e-6;
    private static final BigDecimal MORE_THAN_ONE = new BigDecimal(String.valueOf(1.0 + EPSILON));
    private static final BigDecimal MAX_DOUBLE = new BigDecimal(String.valueOf(Double.MAX_VALUE)).multiply(MORE_THAN_ONE);
    private static final BigDecimal MIN_DOUBLE = new BigDecimal(String.valueOf(-Double.MAX_VALUE)).multiply(MORE_THAN_ONE);

    /** What {@link #parseFieldValue} returns for a message-typed field: build it from this JSON. */
    private record Nested(JsonElement json) {}

    private final ProtoCodec codec;
    private final Schema schema;
    private final CompiledSchema compiled;
    private final List<String> path = new ArrayList<>();
    private final Map<MessageType, Boolean> requiredCache = new HashMap<>();
    private Arena arena;
    private int depth;

    /** A parser for messages of {@code schema}, built and encoded with {@code codec} (over the same schema). */
    public JsonMessageParser(ProtoCodec codec, Schema schema) {
        this.codec = codec;
        this.schema = schema;
        this.compiled = schema.compiled();
    }

    /**
     * Parses one JSON document (nothing but whitespace may follow it) and returns the message's binary
     * encoding.
     *
     * @throws JsonException if the text is not JSON or does not fit {@code type}
     */
    public byte[] toBinary(MessageType type, String json) {
        Documents documents = documents(new StringReader(json));
        if (!documents.hasNext()) {
            return toBinary(type, JsonNull.INSTANCE);
        }
        byte[] bytes = documents.next(type);
        if (documents.hasNext()) {
            throw new JsonException("", "the JSON document is followed by more text (" + documents.position() + ")");
        }
        return bytes;
    }

    /** The JSON values in {@code text}, one after another (whitespace between them is ignored). */
    public Documents documents(Reader text) {
        return new Documents(text);
    }

    /** Consecutive top-level JSON values, each parsed and encoded as one message. */
    public final class Documents {
        private final JsonReader reader;

        Documents(Reader text) {
            reader = new JsonReader(text);
            reader.setStrictness(Strictness.LENIENT); // as JsonParser.parseReader reads for JsonFormat
        }

        /** Whether another value follows. */
        public boolean hasNext() {
            try {
                return reader.peek() != JsonToken.END_DOCUMENT;
            } catch (EOFException e) {
                return false; // empty input
            } catch (IOException | RuntimeException e) {
                throw new JsonException("", "invalid JSON: " + e.getMessage(), e);
            }
        }

        /** Where the reader is, for messages: "line L column C". */
        String position() {
            String s = reader.toString();
            int at = s.indexOf(" at ");
            return at < 0 ? s : s.substring(at + 4);
        }

        /** Parses the next value as a {@code type} message and returns its binary encoding. */
        public byte[] next(MessageType type) {
            JsonElement element;
            try {
                element = JsonParser.parseReader(reader);
            } catch (RuntimeException e) { // JsonParseException, and whatever else a malformed text may cause
                throw new JsonException("", "invalid JSON: " + e.getMessage(), e);
            }
            return toBinary(type, element);
        }
    }

    private byte[] toBinary(MessageType type, JsonElement json) {
        int capacity = 64 << 10;
        while (true) {
            if (arena == null || arena.capacity() < capacity) {
                arena = Arena.allocate(capacity);
            }
            arena.reset();
            path.clear();
            depth = 0;
            try {
                MessageBuilder root = codec.newMessage(type, arena, new MessageBuilder());
                merge(json, root);
                checkRequired(root);
                return encode(root);
            } catch (FerruleException e) {
                if (e.code() != ErrorCode.ARENA_EXHAUSTED || capacity >= (1 << 30)) {
                    throw e;
                }
                capacity *= 4;
            }
        }
    }

    private byte[] encode(MessageBuilder message) {
        ByteBuffer output = ByteBuffer.allocateDirect(Math.max(1, codec.encodedLength(message)));
        int n = codec.encode(message, output);
        byte[] bytes = new byte[n];
        output.flip().get(bytes);
        return bytes;
    }

    private JsonException error(String message) {
        return new JsonException(String.join("", path), message);
    }

    private JsonException error(String message, Throwable cause) {
        return new JsonException(String.join("", path), message, cause);
    }

    private void push(String segment) {
        path.add(path.isEmpty() ? segment : "." + segment);
    }

    private void pop() {
        path.remove(path.size() - 1);
    }

    private void enter() {
        if (depth >= RECURSION_LIMIT) {
            throw error("Hit recursion limit.");
        }
        depth++;
    }

    private void leave() {
        depth--;
    }

    // ---- messages ----------------------------------------------------------------------------------

    private void merge(JsonElement json, MessageBuilder builder) {
        String name = builder.type().name();
        switch (name) {
            case WellKnownTypes.ANY -> mergeAny(json, builder);
            case WellKnownTypes.TIMESTAMP -> mergeTimestamp(json, builder);
            case WellKnownTypes.DURATION -> mergeDuration(json, builder);
            case WellKnownTypes.FIELD_MASK -> mergeFieldMask(json, builder);
            case WellKnownTypes.STRUCT -> mergeStruct(json, builder);
            case WellKnownTypes.VALUE -> mergeValue(json, builder);
            case WellKnownTypes.LIST_VALUE -> mergeListValue(json, builder);
            default -> {
                if (WellKnownTypes.isWrapper(name)) {
                    mergeWrapper(json, builder);
                } else {
                    mergeMessage(json, builder, false);
                }
            }
        }
    }

    /** Which fields of one JSON object have been set, as protobuf-java's hasField would say. */
    private static final class Seen {
        final Set<FieldInfo> fields = new HashSet<>();
        final Map<Integer, FieldInfo> oneofs = new HashMap<>();
    }

    private void mergeMessage(JsonElement json, MessageBuilder builder, boolean skipTypeUrl) {
        if (!(json instanceof JsonObject object)) {
            throw error("Expect message object but got: " + json);
        }
        MessageType type = builder.type();
        Seen seen = new Seen();
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            String key = entry.getKey();
            if (skipTypeUrl && key.equals("@type")) {
                continue;
            }
            int f = compiled.findField(type.index(), key);
            if (f < 0) {
                throw error("Cannot find field: " + key + " in message " + type.name());
            }
            FieldInfo field = type.fields().get(f - compiled.firstField(type.index()));
            push(field.name());
            mergeField(field, entry.getValue(), builder, seen);
            pop();
        }
    }

    private static String fullName(FieldInfo field) {
        return field.owner().name() + "." + field.name();
    }

    private void mergeField(FieldInfo field, JsonElement json, MessageBuilder builder, Seen seen) {
        if (seen.fields.contains(field)) {
            throw error("Field " + fullName(field) + " has already been set.");
        }
        if (field.isRepeated() && json instanceof JsonNull) {
            return; // null means absent, for every field type
        }
        if (field.isMap()) {
            mergeMapField(field, json, builder, seen);
        } else if (field.isRepeated()) {
            mergeRepeatedField(field, json, builder, seen);
        } else {
            Object value = parseFieldValue(field, json);
            if (value == null) {
                return; // null means absent
            }
            int f = field.index();
            if (compiled.cardinality(f) == CompiledSchema.ONEOF) {
                FieldInfo other = seen.oneofs.get(compiled.presence(f));
                if (other != null) {
                    throw error("Cannot set field " + fullName(field) + " because another field " + fullName(other)
                            + " belonging to the same oneof has already been set ");
                }
                seen.oneofs.put(compiled.presence(f), field);
            }
            set(builder, field, value);
            if (compiled.cardinality(f) != CompiledSchema.IMPLICIT || !isDefault(value)) {
                seen.fields.add(field);
            }
        }
    }

    /** Whether setting a field without presence to this value leaves it unset, as in DynamicMessage. */
    private static boolean isDefault(Object value) {
        if (value instanceof Integer i) {
            return i == 0;
        } else if (value instanceof Long l) {
            return l == 0;
        } else if (value instanceof Float f) {
            return f.equals(0f);
        } else if (value instanceof Double d) {
            return d.equals(0d);
        } else if (value instanceof Boolean b) {
            return !b;
        } else if (value instanceof String s) {
            return s.isEmpty();
        } else if (value instanceof byte[] b) {
            return b.length == 0;
        }
        return false;
    }

    private void mergeMapField(FieldInfo field, JsonElement json, MessageBuilder builder, Seen seen) {
        if (!(json instanceof JsonObject object)) {
            throw error("Expect a map object but found: " + json);
        }
        MessageType entryType = field.messageType();
        FieldInfo keyField = entryType.field(1);
        FieldInfo valueField = entryType.field(2);
        MessageBuilder entryBuilder = new MessageBuilder();
        String segment = path.get(path.size() - 1);
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            path.set(path.size() - 1, segment + "[" + quote(entry.getKey()) + "]");
            Object key = parseFieldValue(keyField, new JsonPrimitive(entry.getKey()));
            Object value = parseFieldValue(valueField, entry.getValue());
            if (value == null) {
                throw error("Map value cannot be null.");
            }
            builder.addMessage(field, entryBuilder);
            set(entryBuilder, keyField, key);
            set(entryBuilder, valueField, value);
            seen.fields.add(field);
        }
        path.set(path.size() - 1, segment);
    }

    private static String quote(String key) {
        return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void mergeRepeatedField(FieldInfo field, JsonElement json, MessageBuilder builder, Seen seen) {
        if (!(json instanceof JsonArray array)) {
            throw error("Expected an array for " + field.name() + " but found " + json);
        }
        String segment = path.get(path.size() - 1);
        for (int i = 0; i < array.size(); ++i) {
            path.set(path.size() - 1, segment + "[" + i + "]");
            Object value = parseFieldValue(field, array.get(i));
            if (value == null) {
                throw error("Repeated field elements cannot be null in field: " + fullName(field));
            }
            add(builder, field, value);
            seen.fields.add(field);
        }
        path.set(path.size() - 1, segment);
    }

    // ---- values ------------------------------------------------------------------------------------

    /**
     * The value for one field (or element) as JsonFormat's parseFieldValue computes it: a boxed scalar,
     * an Integer enum number, a byte[], a {@link Nested} for a message, or null for "absent".
     */
    private Object parseFieldValue(FieldInfo field, JsonElement json) {
        FieldType type = field.type();
        if (json instanceof JsonNull) {
            if (type == FieldType.MESSAGE && field.messageType().name().equals(WellKnownTypes.VALUE)) {
                // For every other type null means absence; for Value it is the null_value kind.
                return new Nested(json);
            } else if (type == FieldType.ENUM && field.enumTypeName().equals(WellKnownTypes.NULL_VALUE)) {
                return 0;
            }
            return null;
        } else if (json instanceof JsonObject && !type.isMessage()) {
            throw error("Invalid value: " + json + " for expected type: " + type);
        }
        return switch (type) {
            case INT32, SINT32, SFIXED32 -> parseInt32(json);
            case INT64, SINT64, SFIXED64 -> parseInt64(json);
            case BOOL -> parseBool(json);
            case FLOAT -> parseFloat(json);
            case DOUBLE -> parseDouble(json);
            case UINT32, FIXED32 -> parseUint32(json);
            case UINT64, FIXED64 -> parseUint64(json);
            case STRING -> json.getAsString();
            case BYTES -> parseBytes(json);
            case ENUM -> parseEnum(field, json);
            case MESSAGE, GROUP -> new Nested(json);
        };
    }

    private void set(MessageBuilder builder, FieldInfo field, Object value) {
        switch (field.type()) {
            case DOUBLE -> builder.setDouble(field, (Double) value);
            case FLOAT -> builder.setFloat(field, (Float) value);
            case BOOL -> builder.setBool(field, (Boolean) value);
            case STRING -> builder.setString(field, (String) value);
            case BYTES -> builder.setBytes(field, (byte[]) value);
            case MESSAGE, GROUP -> build(((Nested) value).json(), builder.mutableMessage(field, new MessageBuilder()));
            default -> {
                if (field.type().isLong()) {
                    builder.setLong(field, (Long) value);
                } else {
                    builder.setInt(field, (Integer) value);
                }
            }
        }
    }

    private void add(MessageBuilder builder, FieldInfo field, Object value) {
        switch (field.type()) {
            case DOUBLE -> builder.addDouble(field, (Double) value);
            case FLOAT -> builder.addFloat(field, (Float) value);
            case BOOL -> builder.addBool(field, (Boolean) value);
            case STRING -> builder.addString(field, (String) value);
            case BYTES -> builder.addBytes(field, (byte[]) value);
            case MESSAGE, GROUP -> build(((Nested) value).json(), builder.addMessage(field, new MessageBuilder()));
            default -> {
                if (field.type().isLong()) {
                    builder.addLong(field, (Long) value);
                } else {
                    builder.addInt(field, (Integer) value);
                }
            }
        }
    }

    /** Fills a new sub-message from its JSON, one level deeper. */
    private void build(JsonElement json, MessageBuilder sub) {
        enter();
        merge(json, sub);
        leave();
    }

    private BigDecimal parseBigDecimal(String value) {
        if (value.length() > MAX_NUMERIC_STRING_LENGTH) {
            throw error("Numeric value is too long: " + value.length() + " characters");
        }
        return new BigDecimal(value);
    }

    private int parseInt32(JsonElement json) {
        try {
            return Integer.parseInt(json.getAsString());
        } catch (RuntimeException e) {
            // JSON does not tell 1 from 1.000: accept any integral number.
        }
        try {
            return parseBigDecimal(json.getAsString()).intValueExact();
        } catch (RuntimeException e) {
            throw error("Not an int32 value: " + json, e);
        }
    }

    private long parseInt64(JsonElement json) {
        try {
            return Long.parseLong(json.getAsString());
        } catch (RuntimeException e) {
            // as above
        }
        try {
            return parseBigDecimal(json.getAsString()).longValueExact();
        } catch (RuntimeException e) {
            throw error("Not an int64 value: " + json, e);
        }
    }

    private int parseUint32(JsonElement json) {
        long result;
        try {
            result = Long.parseLong(json.getAsString());
        } catch (RuntimeException e) {
            BigDecimal value;
            try {
                value = parseBigDecimal(json.getAsString());
            } catch (RuntimeException e2) {
                throw error("Not an uint32 value: " + json, e2);
            }
            if (value.signum() < 0 || value.compareTo(MAX_UINT32) > 0) {
                throw error("Out of range uint32 value: " + json);
            }
            if (value.remainder(BigDecimal.ONE).signum() != 0) {
                throw error("Not an uint32 value: " + json);
            }
            return value.intValue();
        }
        if (result < 0 || result > 0xFFFFFFFFL) {
            throw error("Out of range uint32 value: " + json);
        }
        return (int) result;
    }

    private long parseUint64(JsonElement json) {
        try {
            return Long.parseUnsignedLong(json.getAsString());
        } catch (RuntimeException e) {
            // as above
        }
        BigDecimal value;
        try {
            value = parseBigDecimal(json.getAsString());
        } catch (RuntimeException e) {
            throw error("Not an uint64 value: " + json, e);
        }
        if (value.signum() < 0 || value.compareTo(MAX_UINT64) > 0) {
            throw error("Out of range uint64 value: " + json);
        }
        if (value.remainder(BigDecimal.ONE).signum() != 0) {
            throw error("Not an uint64 value: " + json);
        }
        return value.longValue();
    }

    private boolean parseBool(JsonElement json) {
        String s = asString(json, "bool");
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false")) {
            return false;
        }
        throw error("Invalid bool value: " + json);
    }

    private String asString(JsonElement json, String what) {
        try {
            return json.getAsString();
        } catch (RuntimeException e) {
            throw error("Not a " + what + " value: " + json, e);
        }
    }

    private float parseFloat(JsonElement json) {
        String s = asString(json, "float");
        switch (s) {
            case "NaN" -> {
                return Float.NaN;
            }
            case "Infinity" -> {
                return Float.POSITIVE_INFINITY;
            }
            case "-Infinity" -> {
                return Float.NEGATIVE_INFINITY;
            }
            default -> { }
        }
        double value;
        try {
            // Parsed as a double and range-checked: Float.parseFloat would accept any double.
            value = Double.parseDouble(s);
        } catch (RuntimeException e) {
            throw error("Not a float value: " + json, e);
        }
        if (value > Float.MAX_VALUE * (1.0 + EPSILON) || value < -Float.MAX_VALUE * (1.0 + EPSILON)) {
            throw error("Out of range float value: " + json);
        }
        return (float) value;
    }

    private double parseDouble(JsonElement json) {
        String s = asString(json, "double");
        switch (s) {
            case "NaN" -> {
                return Double.NaN;
            }
            case "Infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> { }
        }
        BigDecimal value;
        try {
            value = parseBigDecimal(s);
        } catch (RuntimeException e) {
            throw error("Not a double value: " + json, e);
        }
        if (value.compareTo(MAX_DOUBLE) > 0 || value.compareTo(MIN_DOUBLE) < 0) {
            throw error("Out of range double value: " + json);
        }
        return value.doubleValue();
    }

    private byte[] parseBytes(JsonElement json) {
        String s = asString(json, "bytes");
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(s);
            } catch (IllegalArgumentException e2) {
                throw error("Not a bytes value (base64): " + json, e2);
            }
        }
    }

    private int parseEnum(FieldInfo field, JsonElement json) {
        int e = compiled.typeRef(field.index());
        String name;
        try {
            name = json.getAsString();
        } catch (UnsupportedOperationException | IllegalStateException ex) {
            throw error("Invalid enum value: " + json + " for enum type: " + field.enumTypeName(), ex);
        }
        for (int v = compiled.firstValue(e), end = v + compiled.valueCount(e); v < end; v++) {
            if (compiled.valueName(v).equals(name)) {
                return compiled.valueNumber(v);
            }
        }
        Integer number = null;
        try {
            number = parseInt32(json);
        } catch (JsonException ex) {
            // not a number either
        }
        if (number != null && (!compiled.isClosed(e) || compiled.hasValue(e, number))) {
            return number;
        }
        throw error("Invalid enum value: " + json + " for enum type: " + field.enumTypeName());
    }

    // ---- well-known types --------------------------------------------------------------------------

    private FieldInfo wktField(MessageType type, String name, FieldType expected) {
        for (FieldInfo f : type.fields()) {
            if (f.name().equals(name) && (expected == null || f.type() == expected)) {
                return f;
            }
        }
        throw error("Invalid " + type.name() + " type: no field " + name);
    }

    private void mergeAny(JsonElement json, MessageBuilder builder) {
        MessageType type = builder.type();
        FieldInfo typeUrlField = wktField(type, "type_url", FieldType.STRING);
        FieldInfo valueField = wktField(type, "value", FieldType.BYTES);
        if (!(json instanceof JsonObject object)) {
            throw error("Expect message object but got: " + json);
        }
        if (object.entrySet().isEmpty()) {
            return;
        }
        JsonElement typeUrlElement = object.get("@type");
        if (typeUrlElement == null) {
            throw error("Missing type url when parsing: " + json);
        }
        String typeUrl = asString(typeUrlElement, "type URL");
        String[] parts = typeUrl.split("/");
        if (parts.length == 1) {
            throw error("Invalid type url found: " + typeUrl);
        }
        String typeName = parts[parts.length - 1];
        if (compiled.messageIndex(typeName) < 0) {
            throw error("Cannot resolve type: " + typeUrl);
        }
        MessageType contentType = schema.message(typeName);
        builder.setString(typeUrlField, typeUrl);
        MessageBuilder content = codec.newMessage(contentType, arena, new MessageBuilder());
        enter();
        if (WellKnownTypes.isSpecial(contentType.name())) {
            JsonElement value = object.get("value");
            if (value != null) {
                push("value");
                merge(value, content);
                pop();
            }
        } else {
            mergeMessage(json, content, true);
        }
        leave();
        checkRequired(content);
        builder.setBytes(valueField, encode(content));
    }

    private void mergeWrapper(JsonElement json, MessageBuilder builder) {
        FieldInfo field = wktField(builder.type(), "value", null);
        Object value = parseFieldValue(field, json);
        if (value == null) {
            throw error("a " + builder.type().name() + " cannot be null here");
        }
        set(builder, field, value);
    }

    private void mergeTimestamp(JsonElement json, MessageBuilder builder) {
        long[] t;
        try {
            t = WellKnownTypes.parseTimestamp(json.getAsString());
        } catch (RuntimeException e) {
            throw error("Failed to parse timestamp: " + json + " (" + e.getMessage() + ")", e);
        }
        builder.setLong(wktField(builder.type(), "seconds", FieldType.INT64), t[0]);
        builder.setInt(wktField(builder.type(), "nanos", FieldType.INT32), (int) t[1]);
    }

    private void mergeDuration(JsonElement json, MessageBuilder builder) {
        long[] d;
        try {
            d = WellKnownTypes.parseDuration(json.getAsString());
        } catch (RuntimeException e) {
            throw error("Failed to parse duration: " + json + " (" + e.getMessage() + ")", e);
        }
        builder.setLong(wktField(builder.type(), "seconds", FieldType.INT64), d[0]);
        builder.setInt(wktField(builder.type(), "nanos", FieldType.INT32), (int) d[1]);
    }

    private void mergeFieldMask(JsonElement json, MessageBuilder builder) {
        FieldInfo paths = wktField(builder.type(), "paths", FieldType.STRING);
        for (String p : asString(json, "FieldMask").split(",")) {
            if (!p.isEmpty()) {
                builder.addString(paths, WellKnownTypes.pathFromJson(p));
            }
        }
    }

    private void mergeStruct(JsonElement json, MessageBuilder builder) {
        if (!(json instanceof JsonObject object)) {
            throw error("Expect a map object but found: " + json);
        }
        FieldInfo fields = wktField(builder.type(), "fields", FieldType.MESSAGE);
        MessageBuilder entry = new MessageBuilder();
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            push(quote(e.getKey()));
            enter();
            builder.addMessage(fields, entry);
            MessageType entryType = entry.type();
            entry.setString(entryType.field(1), e.getKey());
            mergeValue(e.getValue(), entry.mutableMessage(entryType.field(2), new MessageBuilder()));
            leave();
            pop();
        }
    }

    private void mergeListValue(JsonElement json, MessageBuilder builder) {
        if (!(json instanceof JsonArray array)) {
            throw error("Expected an array but found: " + json);
        }
        FieldInfo values = wktField(builder.type(), "values", FieldType.MESSAGE);
        for (int i = 0; i < array.size(); ++i) {
            push("[" + i + "]");
            enter();
            mergeValue(array.get(i), builder.addMessage(values, new MessageBuilder()));
            leave();
            pop();
        }
    }

    private void mergeValue(JsonElement json, MessageBuilder builder) {
        MessageType type = builder.type();
        if (json instanceof JsonPrimitive primitive) {
            if (primitive.isBoolean()) {
                builder.setBool(wktField(type, "bool_value", FieldType.BOOL), primitive.getAsBoolean());
            } else if (primitive.isNumber()) {
                builder.setDouble(wktField(type, "number_value", FieldType.DOUBLE), primitive.getAsDouble());
            } else {
                builder.setString(wktField(type, "string_value", FieldType.STRING), primitive.getAsString());
            }
        } else if (json instanceof JsonObject) {
            mergeStruct(json, builder.mutableMessage(wktField(type, "struct_value", FieldType.MESSAGE), new MessageBuilder()));
        } else if (json instanceof JsonArray) {
            mergeListValue(json, builder.mutableMessage(wktField(type, "list_value", FieldType.MESSAGE), new MessageBuilder()));
        } else {
            builder.setInt(wktField(type, "null_value", FieldType.ENUM), 0);
        }
    }

    // ---- required fields ---------------------------------------------------------------------------

    /** protobuf-java's build() refuses a message whose proto2 required fields are missing; so do we. */
    private void checkRequired(MessageBuilder message) {
        List<String> missing = new ArrayList<>();
        findMissing(message.reader(new MessageReader()), "", missing);
        if (!missing.isEmpty()) {
            throw error("Message missing required fields: " + String.join(", ", missing));
        }
    }

    /** Whether messages of this type can hold a required field, themselves or in a sub-message. */
    private boolean mayMissRequired(MessageType type) {
        Boolean known = requiredCache.get(type);
        if (known == null) {
            known = false;
            Set<MessageType> reached = new HashSet<>();
            List<MessageType> pending = new ArrayList<>(List.of(type));
            reached.add(type);
            while (!pending.isEmpty() && !known) {
                for (FieldInfo field : pending.remove(pending.size() - 1).fields()) {
                    if (compiled.cardinality(field.index()) == CompiledSchema.REQUIRED) {
                        known = true;
                    } else if (field.type().isMessage() && reached.add(field.messageType())) {
                        pending.add(field.messageType());
                    }
                }
            }
            requiredCache.put(type, known);
        }
        return known;
    }

    private void findMissing(MessageReader message, String prefix, List<String> missing) {
        if (!mayMissRequired(message.type())) {
            return;
        }
        for (FieldInfo field : message.type().fields()) {
            int f = field.index();
            if (compiled.cardinality(f) == CompiledSchema.REQUIRED && !message.has(field)) {
                missing.add(prefix + field.name());
            }
            if (!field.type().isMessage()) {
                continue;
            }
            if (field.isRepeated()) {
                for (int i = 0, n = message.count(field); i < n; i++) {
                    findMissing(message.getMessage(field, i, new MessageReader()),
                            prefix + field.name() + "[" + i + "].", missing);
                }
            } else if (message.has(field)) {
                findMissing(message.getMessage(field, new MessageReader()), prefix + field.name() + ".", missing);
            }
        }
    }
}
