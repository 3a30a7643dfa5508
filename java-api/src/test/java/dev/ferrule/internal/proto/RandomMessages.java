package dev.ferrule.internal.proto;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.List;
import java.util.Random;

/**
 * Random protobuf-java messages for any descriptor: every field kind with edge values (negative
 * ints, extremes, -0.0, NaNs, empty and non-ASCII strings), nesting up to {@link #MAX_DEPTH}, maps,
 * oneofs, and unknown fields of every wire type (groups nested, numbers of known fields with a wire
 * type that does not match them).
 */
public final class RandomMessages {
    static final int MAX_DEPTH = 3;

    private final Random r;

    public RandomMessages(long seed) {
        this.r = new Random(seed);
    }

    public Random random() {
        return r;
    }

    public DynamicMessage message(Descriptor d) {
        return message(d, 0);
    }

    DynamicMessage message(Descriptor d, int depth) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(d);
        for (FieldDescriptor f : d.getFields()) {
            if (f.getRealContainingOneof() != null) {
                continue;
            }
            boolean message = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
            if (message && !f.isMapField() && depth >= MAX_DEPTH && !f.isRequired()) {
                continue;
            }
            if (f.isRepeated()) {
                if (r.nextInt(3) == 0) {
                    int n = r.nextInt(10) == 0 ? 10 + r.nextInt(40) : 1 + r.nextInt(5);
                    if (message) {
                        n = Math.min(n, depth >= 1 ? 2 : 4);
                    }
                    for (int i = 0; i < n; i++) {
                        b.addRepeatedField(f, value(f, depth));
                    }
                }
            } else if (f.isRequired() ? r.nextInt(40) != 0 : r.nextInt(2) == 0) {
                b.setField(f, value(f, depth));
            }
        }
        for (OneofDescriptor o : d.getRealOneofs()) {
            if (r.nextInt(3) != 0) {
                FieldDescriptor f = o.getField(r.nextInt(o.getFieldCount()));
                if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE || depth < MAX_DEPTH) {
                    b.setField(f, value(f, depth));
                }
            }
        }
        if (r.nextInt(5) == 0) {
            b.setUnknownFields(unknownFields(d, depth, 1 + r.nextInt(4)));
        }
        return b.buildPartial();
    }

    private Object value(FieldDescriptor f, int depth) {
        switch (f.getJavaType()) {
            case INT:
                return anInt();
            case LONG:
                return aLong();
            case FLOAT:
                return aFloat();
            case DOUBLE:
                return aDouble();
            case BOOLEAN:
                return r.nextBoolean();
            case STRING:
                return aString();
            case BYTE_STRING:
                return ByteString.copyFrom(bytes(r.nextInt(4) == 0 ? 0 : r.nextInt(20)));
            case ENUM: {
                EnumDescriptor e = f.getEnumType();
                if (!f.legacyEnumFieldTreatedAsClosed() && r.nextInt(4) == 0) {
                    return e.findValueByNumberCreatingIfUnknown(anInt());
                }
                return e.getValues().get(r.nextInt(e.getValues().size()));
            }
            case MESSAGE: {
                Descriptor type = f.getMessageType();
                if (type.getOptions().getMapEntry()) {
                    DynamicMessage.Builder entry = DynamicMessage.newBuilder(type);
                    for (FieldDescriptor kv : type.getFields()) {
                        if (r.nextInt(8) != 0) {
                            entry.setField(kv, value(kv, depth + 1));
                        }
                    }
                    return entry.buildPartial();
                }
                return depth + 1 > MAX_DEPTH ? DynamicMessage.getDefaultInstance(type) : message(type, depth + 1);
            }
            default:
                throw new AssertionError(f);
        }
    }

    int anInt() {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MIN_VALUE;
            case 3 -> Integer.MAX_VALUE;
            case 4 -> r.nextInt(128);
            case 5 -> -r.nextInt(1000);
            default -> r.nextInt();
        };
    }

    long aLong() {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MIN_VALUE;
            case 3 -> Long.MAX_VALUE;
            case 4 -> r.nextInt(128);
            case 5 -> r.nextInt();
            default -> r.nextLong() >> r.nextInt(64);
        };
    }

    private float aFloat() {
        return switch (r.nextInt(9)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> Float.NaN;
            case 3 -> Float.POSITIVE_INFINITY;
            case 4 -> Float.NEGATIVE_INFINITY;
            case 5 -> Float.MIN_VALUE;
            case 6 -> Float.intBitsToFloat(0x7fc00000 | r.nextInt(0x400000)); // quiet NaN with a payload
            default -> r.nextFloat() * 1e6f - 5e5f;
        };
    }

    private double aDouble() {
        return switch (r.nextInt(9)) {
            case 0 -> 0d;
            case 1 -> -0d;
            case 2 -> Double.NaN;
            case 3 -> Double.POSITIVE_INFINITY;
            case 4 -> Double.NEGATIVE_INFINITY;
            case 5 -> Double.MIN_VALUE;
            case 6 -> Double.longBitsToDouble(0x7ff8000000000000L | (r.nextLong() & 0xffffffffffffL));
            default -> r.nextGaussian() * 1e10;
        };
    }

    private static final String[] STRINGS = {"", "a", "hello", "h\u00e9llo", "\u65e5\u672c\u8a9e", "\ud83d\ude00 emoji",
        "\u0000nul", "tab\there", "\u07ff\u0800\uffff", "\ud800\udc00"};

    String aString() {
        if (r.nextInt(3) != 0) {
            return STRINGS[r.nextInt(STRINGS.length)];
        }
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(30);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(10);
            if (kind < 6) {
                s.append((char) (32 + r.nextInt(95)));
            } else if (kind < 8) {
                s.append((char) (0x80 + r.nextInt(0xD800 - 0x80)));
            } else {
                s.appendCodePoint(0x10000 + r.nextInt(0x10FFFF - 0x10000));
            }
        }
        return s.toString();
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Unknown fields for message {@code d}: never a known field with a wire type that matches it. */
    UnknownFieldSet unknownFields(Descriptor d, int depth, int count) {
        UnknownFieldSet.Builder set = UnknownFieldSet.newBuilder();
        for (int i = 0; i < count; i++) {
            int wire = new int[] {0, 1, 2, 3, 5}[r.nextInt(5)];
            if (wire == 3 && depth >= MAX_DEPTH + 2) {
                wire = 0;
            }
            int number = number(d, wire);
            UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
            switch (wire) {
                case 0 -> field.addVarint(aLong());
                case 1 -> field.addFixed64(aLong());
                case 5 -> field.addFixed32(anInt());
                case 2 -> field.addLengthDelimited(ByteString.copyFrom(bytes(r.nextInt(12))));
                default -> field.addGroup(unknownFields(null, depth + 1, r.nextInt(3)));
            }
            set.mergeField(number, field.build());
        }
        return set.build();
    }

    private int number(Descriptor d, int wire) {
        while (true) {
            int number = switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(20);
                case 1 -> 1 + r.nextInt(3000);
                case 2 -> 1 + r.nextInt((1 << 29) - 1);
                default -> d == null || d.getFields().isEmpty() ? 1 + r.nextInt(100)
                        : d.getFields().get(r.nextInt(d.getFields().size())).getNumber();
            };
            FieldDescriptor f = d == null ? null : d.findFieldByNumber(number);
            if (f == null) {
                return number;
            }
            int expected = switch (f.getType()) {
                case DOUBLE, FIXED64, SFIXED64 -> 1;
                case FLOAT, FIXED32, SFIXED32 -> 5;
                case STRING, BYTES, MESSAGE -> 2;
                case GROUP -> 3;
                default -> 0;
            };
            if (wire != expected && !(wire == 2 && f.isPackable())) {
                return number;
            }
        }
    }

    static boolean isMessage(Object value) {
        return value instanceof Message;
    }

    static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }
}
