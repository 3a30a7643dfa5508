package dev.ferrule.internal.schema;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code google.protobuf.FileDescriptorSet}, read from its wire bytes with a small hand-written
 * reader that keeps only the descriptor.proto fields the schema compiler needs and skips everything
 * else (every wire type, groups included). Scalars follow protobuf's rules: the last occurrence wins,
 * and an embedded message that occurs twice is merged.
 */
final class DescriptorSet {
    private DescriptorSet() {}

    static final int LABEL_OPTIONAL = 1;
    static final int LABEL_REQUIRED = 2;
    static final int LABEL_REPEATED = 3;

    static final class FileDesc {
        String name = "";
        String packageName = "";
        String syntax; // null when absent
        boolean javaStringCheckUtf8;
        final List<MessageDesc> messages = new ArrayList<>();
        final List<EnumDesc> enums = new ArrayList<>();
    }

    static final class MessageDesc {
        String name = "";
        boolean mapEntry;
        boolean messageSetWireFormat;
        final List<FieldDesc> fields = new ArrayList<>();
        final List<MessageDesc> nested = new ArrayList<>();
        final List<EnumDesc> enums = new ArrayList<>();
        final List<String> oneofs = new ArrayList<>();
    }

    static final class FieldDesc {
        String name = "";
        int number;
        int label = LABEL_OPTIONAL;
        int type; // 0 when absent
        String typeName; // null when absent
        String defaultValue; // null when absent
        int oneofIndex = -1;
        boolean hasOneofIndex;
        String jsonName; // null when absent
        Boolean packed; // null when absent
        boolean proto3Optional;
        boolean hasExtendee;
    }

    static final class EnumDesc {
        String name = "";
        final List<EnumValueDesc> values = new ArrayList<>();
    }

    static final class EnumValueDesc {
        String name = "";
        int number;
    }

    /** Parses a serialized FileDescriptorSet; {@code SCHEMA_INVALID} if its wire bytes are malformed. */
    static List<FileDesc> parse(byte[] bytes) {
        Reader r = new Reader(bytes, 0, bytes.length);
        List<FileDesc> files = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            if (tag == (1 << 3 | 2)) {
                FileDesc file = new FileDesc();
                parseFile(r.sub(), file);
                files.add(file);
            } else {
                r.skip(tag);
            }
        }
        return files;
    }

    private static void parseFile(Reader r, FileDesc f) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case 1 << 3 | 2 -> f.name = r.string();
                case 2 << 3 | 2 -> f.packageName = r.string();
                case 4 << 3 | 2 -> {
                    MessageDesc m = new MessageDesc();
                    parseMessage(r.sub(), m);
                    f.messages.add(m);
                }
                case 5 << 3 | 2 -> {
                    EnumDesc e = new EnumDesc();
                    parseEnum(r.sub(), e);
                    f.enums.add(e);
                }
                case 8 << 3 | 2 -> parseFileOptions(r.sub(), f);
                case 12 << 3 | 2 -> f.syntax = r.string();
                default -> r.skip(tag);
            }
        }
    }

    private static void parseFileOptions(Reader r, FileDesc f) {
        while (r.more()) {
            int tag = r.tag();
            if (tag == (27 << 3)) {
                f.javaStringCheckUtf8 = r.varint() != 0;
            } else {
                r.skip(tag);
            }
        }
    }

    private static void parseMessage(Reader r, MessageDesc m) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case 1 << 3 | 2 -> m.name = r.string();
                case 2 << 3 | 2 -> {
                    FieldDesc field = new FieldDesc();
                    parseField(r.sub(), field);
                    m.fields.add(field);
                }
                case 3 << 3 | 2 -> {
                    MessageDesc nested = new MessageDesc();
                    parseMessage(r.sub(), nested);
                    m.nested.add(nested);
                }
                case 4 << 3 | 2 -> {
                    EnumDesc e = new EnumDesc();
                    parseEnum(r.sub(), e);
                    m.enums.add(e);
                }
                case 7 << 3 | 2 -> parseMessageOptions(r.sub(), m);
                case 8 << 3 | 2 -> m.oneofs.add(parseOneof(r.sub()));
                default -> r.skip(tag);
            }
        }
    }

    private static void parseMessageOptions(Reader r, MessageDesc m) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case 1 << 3 -> m.messageSetWireFormat = r.varint() != 0;
                case 7 << 3 -> m.mapEntry = r.varint() != 0;
                default -> r.skip(tag);
            }
        }
    }

    private static String parseOneof(Reader r) {
        String name = "";
        while (r.more()) {
            int tag = r.tag();
            if (tag == (1 << 3 | 2)) {
                name = r.string();
            } else {
                r.skip(tag);
            }
        }
        return name;
    }

    private static void parseField(Reader r, FieldDesc f) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case 1 << 3 | 2 -> f.name = r.string();
                case 2 << 3 | 2 -> {
                    r.string();
                    f.hasExtendee = true;
                }
                case 3 << 3 -> f.number = (int) r.varint();
                case 4 << 3 -> f.label = (int) r.varint();
                case 5 << 3 -> f.type = (int) r.varint();
                case 6 << 3 | 2 -> f.typeName = r.string();
                case 7 << 3 | 2 -> f.defaultValue = r.string();
                case 8 << 3 | 2 -> parseFieldOptions(r.sub(), f);
                case 9 << 3 -> {
                    f.oneofIndex = (int) r.varint();
                    f.hasOneofIndex = true;
                }
                case 10 << 3 | 2 -> f.jsonName = r.string();
                case 17 << 3 -> f.proto3Optional = r.varint() != 0;
                default -> r.skip(tag);
            }
        }
    }

    private static void parseFieldOptions(Reader r, FieldDesc f) {
        while (r.more()) {
            int tag = r.tag();
            if (tag == (2 << 3)) {
                f.packed = r.varint() != 0;
            } else {
                r.skip(tag);
            }
        }
    }

    private static void parseEnum(Reader r, EnumDesc e) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case 1 << 3 | 2 -> e.name = r.string();
                case 2 << 3 | 2 -> {
                    EnumValueDesc v = new EnumValueDesc();
                    parseEnumValue(r.sub(), v);
                    e.values.add(v);
                }
                default -> r.skip(tag);
            }
        }
    }

    private static void parseEnumValue(Reader r, EnumValueDesc v) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case 1 << 3 | 2 -> v.name = r.string();
                case 2 << 3 -> v.number = (int) r.varint();
                default -> r.skip(tag);
            }
        }
    }

    /** A reader of protobuf wire format over {@code bytes[pos, end)}. */
    private static final class Reader {
        private static final int MAX_GROUP_DEPTH = 100;

        private final byte[] bytes;
        private int pos;
        private final int end;

        Reader(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            int tag = (int) varint();
            if (tag >>> 3 == 0) {
                throw malformed("field number 0");
            }
            return tag;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw malformed("truncated varint");
                }
                byte b = bytes[pos++];
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw malformed("varint longer than 10 bytes");
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw malformed("length runs past the end");
            }
            return (int) n;
        }

        String string() {
            int n = length();
            String s = new String(bytes, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        Reader sub() {
            int n = length();
            Reader r = new Reader(bytes, pos, pos + n);
            pos += n;
            return r;
        }

        void skip(int tag) {
            skip(tag, 0);
        }

        private void skip(int tag, int depth) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(length());
                case 3 -> {
                    if (depth >= MAX_GROUP_DEPTH) {
                        throw malformed("groups nested too deeply");
                    }
                    while (true) {
                        if (!more()) {
                            throw malformed("unterminated group");
                        }
                        int inner = tag();
                        if ((inner & 7) == 4) {
                            if (inner >>> 3 != tag >>> 3) {
                                throw malformed("mismatched end group");
                            }
                            return;
                        }
                        skip(inner, depth + 1);
                    }
                }
                case 5 -> advance(4);
                default -> throw malformed("unexpected wire type " + (tag & 7));
            }
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw malformed("truncated field");
            }
            pos += n;
        }

        private static FerruleException malformed(String what) {
            return new FerruleException(ErrorCode.SCHEMA_INVALID, "descriptor set is malformed: " + what);
        }
    }
}
