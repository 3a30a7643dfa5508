package dev.ferrule.tests.json;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Random messages of any type through protobuf-java's reflection, leaning on the values where JSON
 * printers go wrong: zero, extremes, NaN, infinities, -0.0, characters that must be escaped, unknown
 * enum numbers, empty and nested messages, and valid well-known-type values.
 */
final class RandomMessages {
    private static final String[] PIECES = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\b", "\f", "\r", "\u0000",
        "\u001f", "\u007f", "<", ">", "&", "=", "'", "é", "中文", "\u2028", "\u2029", "😀", "\uFFFD", "\u00a0", "%", "{", "}"};

    private final Random random;
    private final int maxDepth;
    /** The types google.protobuf.Any fields carry: one is picked and filled at random. */
    private final List<Supplier<Message.Builder>> anyTypes;
    /** Whether map fields may be filled inside an Any's payload (see JsonParserTest for why not). */
    private final boolean mapsInAny;

    RandomMessages(long seed, int maxDepth, List<Supplier<Message.Builder>> anyTypes, boolean mapsInAny) {
        this.random = new Random(seed);
        this.maxDepth = maxDepth;
        this.anyTypes = anyTypes;
        this.mapsInAny = mapsInAny;
    }

    Random random() {
        return random;
    }

    /** A random message from {@code builder}. */
    Message message(Message.Builder builder, int depth, boolean inAny) {
        fill(builder, depth, inAny);
        return builder.build();
    }

    void fill(Message.Builder b, int depth, boolean inAny) {
        Descriptor d = b.getDescriptorForType();
        switch (d.getFullName()) {
            case "google.protobuf.Timestamp" -> {
                long seconds = pick(-62135596800L, 253402300799L, 0L, 1700000000L,
                        -62135596800L + (long) (random.nextDouble() * (253402300799L + 62135596800L)));
                b.setField(d.findFieldByName("seconds"), seconds);
                b.setField(d.findFieldByName("nanos"), nanos());
            }
            case "google.protobuf.Duration" -> {
                long seconds = pick(0L, 1L, -1L, 315576000000L, -315576000000L, (long) random.nextInt(100000) - 50000);
                int nanos = nanos();
                if (seconds < 0 || (seconds == 0 && random.nextBoolean())) {
                    nanos = -nanos;
                }
                b.setField(d.findFieldByName("seconds"), seconds);
                b.setField(d.findFieldByName("nanos"), nanos);
            }
            case "google.protobuf.FieldMask" -> {
                for (int i = random.nextInt(4); i > 0; i--) {
                    b.addRepeatedField(d.findFieldByName("paths"),
                            pick("", "foo", "foo_bar", "foo_bar.baz_qux", "a.b.c", "x_y_z", "camel_case_path"));
                }
            }
            case "google.protobuf.Value" -> value(b, depth);
            case "google.protobuf.Struct" -> struct(b, depth);
            case "google.protobuf.ListValue" -> {
                for (int i = depth >= maxDepth ? 0 : random.nextInt(4); i > 0; i--) {
                    Message.Builder v = b.newBuilderForField(d.findFieldByName("values"));
                    value(v, depth + 1);
                    b.addRepeatedField(d.findFieldByName("values"), v.build());
                }
            }
            case "google.protobuf.Any" -> {
                if (random.nextInt(6) != 0 && depth < maxDepth && !anyTypes.isEmpty()) {
                    Message payload = message(anyTypes.get(random.nextInt(anyTypes.size())).get(), depth + 1, true);
                    String prefix = pick("type.googleapis.com/", "type.googleapis.com/", "example.com/a/b/");
                    Any any = Any.pack(payload, prefix.substring(0, prefix.length() - 1));
                    b.mergeFrom(any);
                }
            }
            default -> fields(b, depth, inAny);
        }
    }

    private int nanos() {
        return pick(0, 1, 999_999_999, 500_000_000, 123_000_000, 456_000, random.nextInt(1_000_000_000));
    }

    private void fields(Message.Builder b, int depth, boolean inAny) {
        for (FieldDescriptor fd : b.getDescriptorForType().getFields()) {
            boolean required = fd.isRequired();
            if (!required && random.nextInt(5) < 2) {
                continue;
            }
            if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= maxDepth && !required) {
                continue;
            }
            if (fd.isMapField()) {
                if (inAny && !mapsInAny) {
                    continue;
                }
                Descriptor entryType = fd.getMessageType();
                Set<Object> keys = new HashSet<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    Message.Builder entry = b.newBuilderForField(fd);
                    FieldDescriptor key = entryType.findFieldByNumber(1);
                    FieldDescriptor value = entryType.findFieldByNumber(2);
                    Object k = scalar(key, entry, depth, inAny);
                    if (!keys.add(k)) {
                        continue; // a builder keeps both entries, a parsed message one: see JsonPrinterTest
                    }
                    entry.setField(key, k);
                    entry.setField(value, value.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                            ? message(entry.newBuilderForField(value), depth + 1, inAny)
                            : scalar(value, entry, depth, inAny));
                    b.addRepeatedField(fd, entry.build());
                }
            } else if (fd.isRepeated()) {
                for (int i = random.nextInt(4); i > 0; i--) {
                    b.addRepeatedField(fd, value(fd, b, depth, inAny));
                }
            } else {
                b.setField(fd, value(fd, b, depth, inAny));
            }
        }
    }

    private Object value(FieldDescriptor fd, Message.Builder parent, int depth, boolean inAny) {
        if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            return message(parent.newBuilderForField(fd), depth + 1, inAny || fd.getMessageType().getFullName()
                    .equals("google.protobuf.Any"));
        }
        return scalar(fd, parent, depth, inAny);
    }

    private Object scalar(FieldDescriptor fd, Message.Builder parent, int depth, boolean inAny) {
        return switch (fd.getType()) {
            case INT32, SINT32, SFIXED32 -> pick(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, random.nextInt(),
                    random.nextInt(1000));
            case UINT32, FIXED32 -> pick(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, random.nextInt());
            case INT64, SINT64, SFIXED64, UINT64, FIXED64 -> pick(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE,
                    random.nextLong(), (long) random.nextInt(1000), 9007199254740993L);
            case BOOL -> random.nextBoolean();
            case FLOAT -> pick(0f, -0f, 1f, -1.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    Float.MAX_VALUE, Float.MIN_VALUE, 1e-10f, 3.4e38f, 0.1f, Float.intBitsToFloat(random.nextInt()),
                    random.nextFloat() * 1000);
            case DOUBLE -> pick(0d, -0d, 1d, -1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                    Double.MAX_VALUE, Double.MIN_VALUE, 1e-300, 1e21, 1e7, 0.1, 123456789.125,
                    Double.longBitsToDouble(random.nextLong()), random.nextDouble());
            case STRING -> text(false);
            case BYTES -> bytes();
            case ENUM -> enumValue(fd.getEnumType());
            case MESSAGE, GROUP -> message(parent.newBuilderForField(fd), depth + 1, inAny);
        };
    }

    private EnumValueDescriptor enumValue(EnumDescriptor type) {
        List<EnumValueDescriptor> values = type.getValues();
        if (type.getFullName().equals("google.protobuf.NullValue")) {
            return values.get(0);
        }
        if (!type.isClosed() && random.nextInt(5) == 0) {
            int number = pick(7, 100, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
            return type.findValueByNumberCreatingIfUnknown(number);
        }
        return values.get(random.nextInt(values.size()));
    }

    /** Random text; never empty when {@code nonEmpty} (Struct keys: see JsonParserTest). */
    String text(boolean nonEmpty) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(6);
        if (nonEmpty && n == 0) {
            n = 1;
        }
        for (int i = 0; i < n; i++) {
            s.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    private ByteString bytes() {
        byte[] b = new byte[pick(0, 1, 2, 3, 4, 16, random.nextInt(40))];
        random.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    private void value(Message.Builder b, int depth) {
        Descriptor d = b.getDescriptorForType();
        int kind = random.nextInt(depth >= maxDepth ? 4 : 6);
        switch (kind) {
            case 0 -> b.setField(d.findFieldByName("null_value"), d.findFieldByName("null_value").getEnumType().getValues().get(0));
            case 1 -> b.setField(d.findFieldByName("number_value"), pick(0d, -0d, 1.5, -3d, 1e300, Double.MIN_VALUE,
                    1e21, 123456789.0, random.nextDouble()));
            case 2 -> b.setField(d.findFieldByName("string_value"), text(false));
            case 3 -> b.setField(d.findFieldByName("bool_value"), random.nextBoolean());
            case 4 -> {
                FieldDescriptor f = d.findFieldByName("struct_value");
                Message.Builder s = b.newBuilderForField(f);
                struct(s, depth + 1);
                b.setField(f, s.build());
            }
            default -> {
                FieldDescriptor f = d.findFieldByName("list_value");
                Message.Builder l = b.newBuilderForField(f);
                fill(l, depth + 1, false);
                b.setField(f, l.build());
            }
        }
    }

    private void struct(Message.Builder b, int depth) {
        FieldDescriptor fields = b.getDescriptorForType().findFieldByName("fields");
        Set<String> keys = new HashSet<>();
        for (int i = depth >= maxDepth ? 0 : random.nextInt(4); i > 0; i--) {
            Message.Builder entry = b.newBuilderForField(fields);
            Descriptor entryType = fields.getMessageType();
            String key = text(true);
            if (!keys.add(key)) {
                continue;
            }
            entry.setField(entryType.findFieldByNumber(1), key);
            Message.Builder v = entry.newBuilderForField(entryType.findFieldByNumber(2));
            value(v, depth + 1);
            entry.setField(entryType.findFieldByNumber(2), v.build());
            b.addRepeatedField(fields, entry.build());
        }
    }

    @SafeVarargs
    final <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
