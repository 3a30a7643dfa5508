package dev.ferrule.internal.schema;

import static dev.ferrule.internal.Abi.SCHEMA_ENUM_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_ENUM_VALUE_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_FIELD_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_HEADER_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_MAGIC;
import static dev.ferrule.internal.Abi.SCHEMA_MESSAGE_LENGTH;
import static dev.ferrule.internal.Abi.SCHEMA_VERSION;
import static dev.ferrule.internal.schema.CompiledSchema.ALWAYS;
import static dev.ferrule.internal.schema.CompiledSchema.ENUM_CLOSED;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_CLOSED_ENUM;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_HAS_DEFAULT;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_MAP;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_PACKED;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_VALIDATE_UTF8;
import static dev.ferrule.internal.schema.CompiledSchema.IMPLICIT;
import static dev.ferrule.internal.schema.CompiledSchema.MESSAGE_MAP_ENTRY;
import static dev.ferrule.internal.schema.CompiledSchema.ONEOF;
import static dev.ferrule.internal.schema.CompiledSchema.OPTIONAL;
import static dev.ferrule.internal.schema.CompiledSchema.REPEATED;
import static dev.ferrule.internal.schema.CompiledSchema.REQUIRED;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_BOOL;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_BYTES;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_DOUBLE;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_ENUM;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_FIXED32;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_FIXED64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_FLOAT;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_GROUP;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_INT32;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_INT64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_MESSAGE;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_SFIXED32;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_SFIXED64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_SINT32;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_SINT64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_STRING;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_UINT32;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_UINT64;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.schema.DescriptorSet.EnumDesc;
import dev.ferrule.internal.schema.DescriptorSet.EnumValueDesc;
import dev.ferrule.internal.schema.DescriptorSet.FieldDesc;
import dev.ferrule.internal.schema.DescriptorSet.FileDesc;
import dev.ferrule.internal.schema.DescriptorSet.MessageDesc;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a serialized {@code google.protobuf.FileDescriptorSet} (as {@code protoc
 * --include_imports --descriptor_set_out} writes it) into a compiled schema (docs/message-layout.md,
 * section 1).
 *
 * <p>Field semantics follow protobuf-java's {@code Descriptors}, the reference: cardinality and
 * presence, packing, UTF-8 validation (proto3 strings, map entry strings, and proto2 strings of files
 * with {@code java_string_check_utf8}), enum closedness (a field is closed when its enum is declared
 * in a proto2 file <em>or</em> the field itself is, protobuf-java's legacy behaviour), json names and
 * explicit defaults.
 *
 * <p>Output is deterministic. Messages are numbered file by file in set order, each file's messages
 * depth first in declaration order (a message before its nested types; synthesized map entries are
 * nested types like any other). Enums are numbered file by file: the file's top-level enums, then
 * each message's enums in the same depth-first message order. A message's fields are sorted by
 * number; an enum's values by number (stable: aliases keep declaration order).
 *
 * <p>Record layout: hasbit words (one hasbit per OPTIONAL or REQUIRED field, in field number order),
 * then one oneof case word per real oneof (declaration order), then slots by decreasing natural
 * alignment: first the 8-byte slots in field number order followed by the unknown-fields slot, then
 * the 4-byte slots, then the 1-byte slots, each group in field number order; the record size is
 * rounded up to 8 (at least 8). Oneof members have slots of their own (no sharing).
 */
public final class SchemaCompiler {
    private SchemaCompiler() {}

    private static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

    /** Compiles a serialized FileDescriptorSet; {@code SCHEMA_INVALID} if it is malformed or inconsistent. */
    public static byte[] compile(byte[] fileDescriptorSet) {
        return new Compilation(DescriptorSet.parse(fileDescriptorSet)).run();
    }

    /** The slot size of a field: 8, 4 or 1 bytes (docs/message-layout.md, section 2). */
    static int slotSize(int type, int cardinality) {
        if (cardinality == REPEATED) {
            return 8;
        }
        return switch (type) {
            case TYPE_DOUBLE, TYPE_INT64, TYPE_UINT64, TYPE_FIXED64, TYPE_SFIXED64, TYPE_SINT64, TYPE_STRING,
                    TYPE_BYTES -> 8;
            case TYPE_BOOL -> 1;
            default -> 4;
        };
    }

    private static FerruleException invalid(String what) {
        return new FerruleException(ErrorCode.SCHEMA_INVALID, "descriptor set: " + what);
    }

    private static final class MessageInfo {
        final FileDesc file;
        final MessageDesc desc;
        final String fullName;
        final int index;
        final boolean proto3;
        final List<FieldInfo> fields = new ArrayList<>();
        boolean[] syntheticOneof;
        int[] realOneofIndex;
        int realOneofs;
        int hasbits;
        int recordSize;
        int unknownSlot;
        int oneofOffset;
        int firstField;

        MessageInfo(FileDesc file, MessageDesc desc, String fullName, int index) {
            this.file = file;
            this.desc = desc;
            this.fullName = fullName;
            this.index = index;
            this.proto3 = "proto3".equals(file.syntax);
        }
    }

    private static final class EnumInfo {
        final FileDesc file;
        final EnumDesc desc;
        final String fullName;
        final int index;
        final boolean closed;

        EnumInfo(FileDesc file, EnumDesc desc, String fullName, int index) {
            this.file = file;
            this.desc = desc;
            this.fullName = fullName;
            this.index = index;
            this.closed = !"proto3".equals(file.syntax);
        }
    }

    private static final class FieldInfo {
        final FieldDesc desc;
        int type;
        int cardinality;
        int flags;
        int slot;
        int presence = -1;
        int typeRef = -1;
        String jsonName;
        long defaultBits;
        byte[] defaultBytes; // STRING/BYTES defaults, placed in the strings area

        FieldInfo(FieldDesc desc) {
            this.desc = desc;
        }
    }

    private static final class Compilation {
        private final List<FileDesc> files;
        private final List<MessageInfo> messages = new ArrayList<>();
        private final List<EnumInfo> enums = new ArrayList<>();
        private final Map<String, Object> symbols = new HashMap<>(); // MessageInfo or EnumInfo
        private final Set<String> packages = new HashSet<>();

        Compilation(List<FileDesc> files) {
            this.files = files;
        }

        byte[] run() {
            for (FileDesc file : files) {
                checkSyntax(file);
                String prefix = file.packageName.isEmpty() ? "" : file.packageName + ".";
                registerPackage(file.packageName);
                for (EnumDesc e : file.enums) {
                    addEnum(file, e, prefix + e.name);
                }
                for (MessageDesc m : file.messages) {
                    addMessage(file, m, prefix + m.name);
                }
            }
            for (MessageInfo m : messages) {
                resolveFields(m);
            }
            for (MessageInfo m : messages) {
                layout(m);
            }
            return write();
        }

        private void checkSyntax(FileDesc file) {
            String syntax = file.syntax;
            if (syntax == null || syntax.isEmpty() || syntax.equals("proto2") || syntax.equals("proto3")) {
                return;
            }
            if (syntax.equals("editions")) {
                throw invalid(file.name + ": editions are not supported yet");
            }
            throw invalid(file.name + ": unrecognized syntax \"" + syntax + "\"");
        }

        private void registerPackage(String pkg) {
            while (!pkg.isEmpty()) {
                packages.add(pkg);
                int dot = pkg.lastIndexOf('.');
                pkg = dot < 0 ? "" : pkg.substring(0, dot);
            }
        }

        private void define(String fullName, Object info) {
            if (symbols.putIfAbsent(fullName, info) != null) {
                throw invalid("\"" + fullName + "\" is defined more than once");
            }
        }

        private void addEnum(FileDesc file, EnumDesc e, String fullName) {
            if (e.values.isEmpty()) {
                throw invalid("enum " + fullName + " has no values");
            }
            EnumInfo info = new EnumInfo(file, e, fullName, enums.size());
            enums.add(info);
            define(fullName, info);
        }

        /** Numbers this message, then its enums, then its nested messages, depth first. */
        private void addMessage(FileDesc file, MessageDesc m, String fullName) {
            if (m.messageSetWireFormat) {
                throw invalid("message " + fullName + ": message_set_wire_format is not supported");
            }
            MessageInfo info = new MessageInfo(file, m, fullName, messages.size());
            messages.add(info);
            define(fullName, info);
            for (EnumDesc e : m.enums) {
                addEnum(file, e, fullName + "." + e.name);
            }
            for (MessageDesc nested : m.nested) {
                addMessage(file, nested, fullName + "." + nested.name);
            }
        }

        /** protobuf's name lookup: innermost scope first, compound names resolved by their first part. */
        private Object lookup(String name, String scope) {
            if (name.startsWith(".")) {
                return symbols.get(name.substring(1));
            }
            int firstDot = name.indexOf('.');
            String firstPart = firstDot < 0 ? name : name.substring(0, firstDot);
            String scopeToTry = scope;
            while (true) {
                int dot = scopeToTry.lastIndexOf('.');
                if (dot < 0) {
                    return symbols.get(name);
                }
                String base = scopeToTry.substring(0, dot + 1);
                String candidate = base + firstPart;
                if (symbols.containsKey(candidate) || packages.contains(candidate)) {
                    return firstDot < 0 ? symbols.get(candidate) : symbols.get(base + name);
                }
                scopeToTry = scopeToTry.substring(0, dot);
            }
        }

        private void resolveFields(MessageInfo m) {
            MessageDesc d = m.desc;
            String where = "message " + m.fullName;
            // Synthetic oneofs hold exactly one proto3 optional field and nothing else.
            int oneofCount = d.oneofs.size();
            int[] members = new int[oneofCount];
            boolean[] allProto3Optional = new boolean[oneofCount];
            java.util.Arrays.fill(allProto3Optional, true);
            for (FieldDesc f : d.fields) {
                if (f.hasExtendee) {
                    throw invalid(where + ": field " + f.name + " is an extension");
                }
                if (f.hasOneofIndex) {
                    if (f.oneofIndex < 0 || f.oneofIndex >= oneofCount) {
                        throw invalid(where + ": field " + f.name + " has oneof_index out of range");
                    }
                    members[f.oneofIndex]++;
                    allProto3Optional[f.oneofIndex] &= f.proto3Optional;
                }
            }
            m.syntheticOneof = new boolean[oneofCount];
            m.realOneofIndex = new int[oneofCount];
            for (int o = 0; o < oneofCount; o++) {
                m.syntheticOneof[o] = members[o] == 1 && allProto3Optional[o];
                m.realOneofIndex[o] = m.syntheticOneof[o] ? -1 : m.realOneofs++;
            }

            Set<String> names = new HashSet<>();
            for (MessageDesc nested : d.nested) {
                names.add(nested.name);
            }
            for (EnumDesc e : d.enums) {
                names.add(e.name);
            }
            for (FieldDesc f : d.fields) {
                if (!names.add(f.name)) {
                    throw invalid(where + ": \"" + f.name + "\" is already defined");
                }
                m.fields.add(resolveField(m, f, where + " field " + f.name));
            }
            m.fields.sort(Comparator.comparingInt(fi -> fi.desc.number));
            for (int i = 1; i < m.fields.size(); i++) {
                if (m.fields.get(i).desc.number == m.fields.get(i - 1).desc.number) {
                    throw invalid(where + ": field number " + m.fields.get(i).desc.number + " is used twice");
                }
            }
            if (d.mapEntry) {
                if (m.fields.size() != 2 || m.fields.get(0).desc.number != 1 || m.fields.get(1).desc.number != 2) {
                    throw invalid(where + ": a map entry must have exactly the fields key = 1 and value = 2");
                }
            }
        }

        private FieldInfo resolveField(MessageInfo m, FieldDesc f, String where) {
            FieldInfo fi = new FieldInfo(f);
            if (f.number <= 0 || f.number > MAX_FIELD_NUMBER) {
                throw invalid(where + ": field number " + f.number + " is out of range");
            }
            if (f.label < 1 || f.label > 3) {
                throw invalid(where + ": unknown label " + f.label);
            }
            int type = f.type;
            Object target = null;
            if (f.typeName != null) {
                target = lookup(f.typeName, m.fullName + "." + f.name);
                if (target == null) {
                    throw invalid(where + ": type \"" + f.typeName + "\" is not defined");
                }
                if (type == 0) {
                    type = target instanceof MessageInfo ? TYPE_MESSAGE : TYPE_ENUM;
                }
            }
            if (type < TYPE_DOUBLE || type > TYPE_SINT64) {
                throw invalid(where + ": unknown or missing type " + type);
            }
            fi.type = type;
            if (type == TYPE_MESSAGE || type == TYPE_GROUP) {
                if (!(target instanceof MessageInfo)) {
                    throw invalid(where + ": \"" + f.typeName + "\" is not a message type");
                }
                fi.typeRef = ((MessageInfo) target).index;
            } else if (type == TYPE_ENUM) {
                if (!(target instanceof EnumInfo)) {
                    throw invalid(where + ": \"" + f.typeName + "\" is not an enum type");
                }
                fi.typeRef = ((EnumInfo) target).index;
            } else if (f.typeName != null) {
                throw invalid(where + ": a field of primitive type has a type_name");
            }

            boolean repeated = f.label == DescriptorSet.LABEL_REPEATED;
            boolean message = type == TYPE_MESSAGE || type == TYPE_GROUP;
            boolean realOneof = f.hasOneofIndex && !m.syntheticOneof[f.oneofIndex];
            if (realOneof && f.label != DescriptorSet.LABEL_OPTIONAL) {
                throw invalid(where + ": a oneof member must be optional");
            }
            if (m.desc.mapEntry) {
                fi.cardinality = ALWAYS;
            } else if (repeated) {
                fi.cardinality = REPEATED;
            } else if (realOneof) {
                fi.cardinality = ONEOF;
                fi.presence = m.realOneofIndex[f.oneofIndex];
            } else if (f.label == DescriptorSet.LABEL_REQUIRED) {
                fi.cardinality = REQUIRED;
            } else if (message || !m.proto3 || f.proto3Optional) {
                fi.cardinality = OPTIONAL;
            } else {
                fi.cardinality = IMPLICIT;
            }

            boolean packable = repeated && !message && type != TYPE_STRING && type != TYPE_BYTES;
            if (Boolean.TRUE.equals(f.packed) && !packable) {
                throw invalid(where + ": [packed = true] can only be specified for repeated primitive fields");
            }
            if (packable && (m.proto3 ? !Boolean.FALSE.equals(f.packed) : Boolean.TRUE.equals(f.packed))) {
                fi.flags |= FLAG_PACKED;
            }
            if (type == TYPE_STRING && (m.desc.mapEntry || m.proto3 || m.file.javaStringCheckUtf8)) {
                fi.flags |= FLAG_VALIDATE_UTF8;
            }
            if (type == TYPE_ENUM && (enums.get(fi.typeRef).closed || !m.proto3)) {
                fi.flags |= FLAG_CLOSED_ENUM;
            }
            if (repeated && type == TYPE_MESSAGE && messages.get(fi.typeRef).desc.mapEntry) {
                fi.flags |= FLAG_MAP;
            }
            fi.jsonName = f.jsonName != null ? f.jsonName : jsonName(f.name);
            if (f.defaultValue != null) {
                if (repeated) {
                    throw invalid(where + ": repeated fields cannot have default values");
                }
                if (message) {
                    throw invalid(where + ": message fields cannot have default values");
                }
                fi.flags |= FLAG_HAS_DEFAULT;
                parseDefault(fi, f.defaultValue, where);
            } else if (type == TYPE_ENUM && !repeated && !enums.get(fi.typeRef).desc.values.isEmpty()) {
                // protobuf's implicit default for an enum is its first declared value, which is 0 in
                // proto3 but may be anything in proto2 (descriptor.proto's Type starts at TYPE_DOUBLE = 1).
                fi.defaultBits = enums.get(fi.typeRef).desc.values.get(0).number;
            }
            return fi;
        }

        private void parseDefault(FieldInfo fi, String text, String where) {
            try {
                switch (fi.type) {
                    case TYPE_INT32, TYPE_SINT32, TYPE_SFIXED32 -> fi.defaultBits =
                            (int) DefaultValues.parseInteger(text, true, false);
                    case TYPE_UINT32, TYPE_FIXED32 -> fi.defaultBits = (int) DefaultValues.parseInteger(text, false, false);
                    case TYPE_INT64, TYPE_SINT64, TYPE_SFIXED64 -> fi.defaultBits =
                            DefaultValues.parseInteger(text, true, true);
                    case TYPE_UINT64, TYPE_FIXED64 -> fi.defaultBits = DefaultValues.parseInteger(text, false, true);
                    case TYPE_FLOAT -> fi.defaultBits =
                            Integer.toUnsignedLong(Float.floatToRawIntBits(DefaultValues.parseFloat(text)));
                    case TYPE_DOUBLE -> fi.defaultBits = Double.doubleToRawLongBits(DefaultValues.parseDouble(text));
                    case TYPE_BOOL -> fi.defaultBits = DefaultValues.parseBool(text) ? 1 : 0;
                    case TYPE_STRING -> fi.defaultBytes = text.getBytes(StandardCharsets.UTF_8);
                    case TYPE_BYTES -> fi.defaultBytes = DefaultValues.unescapeBytes(text);
                    case TYPE_ENUM -> {
                        EnumDesc e = enums.get(fi.typeRef).desc;
                        EnumValueDesc found = null;
                        for (EnumValueDesc v : e.values) {
                            if (v.name.equals(text)) {
                                found = v;
                                break;
                            }
                        }
                        if (found == null) {
                            throw invalid(where + ": unknown enum default value \"" + text + "\"");
                        }
                        fi.defaultBits = found.number;
                    }
                    default -> throw invalid(where + ": this type cannot have a default value");
                }
            } catch (IllegalArgumentException e) {
                throw new FerruleException(ErrorCode.SCHEMA_INVALID,
                        "descriptor set: " + where + ": could not parse default value \"" + text + "\"", e);
            }
        }

        private void layout(MessageInfo m) {
            int hasbit = 0;
            for (FieldInfo f : m.fields) {
                if (f.cardinality == OPTIONAL || f.cardinality == REQUIRED) {
                    f.presence = hasbit++;
                }
            }
            m.hasbits = hasbit;
            m.oneofOffset = 4 * ((hasbit + 31) / 32);
            int at = align8(m.oneofOffset + 4 * m.realOneofs);
            for (FieldInfo f : m.fields) {
                if (slotSize(f.type, f.cardinality) == 8) {
                    f.slot = at;
                    at += 8;
                }
            }
            m.unknownSlot = at;
            at += 8;
            for (int size : new int[] {4, 1}) {
                for (FieldInfo f : m.fields) {
                    if (slotSize(f.type, f.cardinality) == size) {
                        f.slot = at;
                        at += size;
                    }
                }
            }
            m.recordSize = Math.max(8, align8(at));
        }

        private static int align8(int n) {
            return (n + 7) & ~7;
        }

        private byte[] write() {
            Strings strings = new Strings();
            int fieldCount = 0;
            for (MessageInfo m : messages) {
                m.firstField = fieldCount;
                fieldCount += m.fields.size();
            }
            int valueCount = 0;
            for (EnumInfo e : enums) {
                valueCount += e.desc.values.size();
            }
            long total = (long) SCHEMA_HEADER_LENGTH + (long) messages.size() * SCHEMA_MESSAGE_LENGTH
                    + (long) fieldCount * SCHEMA_FIELD_LENGTH + (long) enums.size() * SCHEMA_ENUM_LENGTH
                    + (long) valueCount * SCHEMA_ENUM_VALUE_LENGTH;
            if (total > Integer.MAX_VALUE / 2) {
                throw invalid("too large to compile");
            }
            ByteBuffer tables = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
            tables.putInt(0, SCHEMA_MAGIC).putInt(4, SCHEMA_VERSION);
            tables.putInt(8, messages.size()).putInt(12, fieldCount);
            tables.putInt(16, enums.size()).putInt(20, valueCount);

            int at = SCHEMA_HEADER_LENGTH;
            for (MessageInfo m : messages) {
                strings.put(tables, at, m.fullName);
                tables.putInt(at + 8, m.firstField).putInt(at + 12, m.fields.size());
                tables.putInt(at + 16, m.recordSize).putInt(at + 20, m.hasbits).putInt(at + 24, m.realOneofs);
                tables.putInt(at + 28, m.desc.mapEntry ? MESSAGE_MAP_ENTRY : 0);
                tables.putInt(at + 32, m.unknownSlot).putInt(at + 36, m.oneofOffset);
                at += SCHEMA_MESSAGE_LENGTH;
            }
            for (MessageInfo m : messages) {
                for (FieldInfo f : m.fields) {
                    tables.putInt(at, f.desc.number);
                    tables.put(at + 4, (byte) f.type).put(at + 5, (byte) f.cardinality).put(at + 6, (byte) f.flags);
                    tables.putInt(at + 8, f.slot).putInt(at + 12, f.presence).putInt(at + 16, f.typeRef);
                    strings.put(tables, at + 20, f.desc.name);
                    strings.put(tables, at + 28, f.jsonName);
                    long bits = f.defaultBits;
                    if (f.defaultBytes != null) {
                        long ref = strings.add(f.defaultBytes);
                        bits = ref;
                    }
                    tables.putLong(at + 40, bits);
                    at += SCHEMA_FIELD_LENGTH;
                }
            }
            int firstValue = 0;
            for (EnumInfo e : enums) {
                strings.put(tables, at, e.fullName);
                tables.putInt(at + 8, firstValue).putInt(at + 12, e.desc.values.size());
                tables.putInt(at + 16, e.closed ? ENUM_CLOSED : 0);
                firstValue += e.desc.values.size();
                at += SCHEMA_ENUM_LENGTH;
            }
            for (EnumInfo e : enums) {
                List<EnumValueDesc> values = new ArrayList<>(e.desc.values);
                values.sort(Comparator.comparingInt(v -> v.number)); // stable: aliases keep their order
                for (EnumValueDesc v : values) {
                    tables.putInt(at, v.number);
                    strings.put(tables, at + 4, v.name);
                    at += SCHEMA_ENUM_VALUE_LENGTH;
                }
            }
            byte[] stringBytes = strings.bytes();
            tables.putInt(24, stringBytes.length);
            byte[] out = new byte[(int) total + stringBytes.length];
            tables.get(0, out, 0, (int) total);
            System.arraycopy(stringBytes, 0, out, (int) total, stringBytes.length);
            return out;
        }
    }

    /** The strings area: each distinct byte sequence stored once, in first-use order. */
    private static final class Strings {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Map<String, Long> refs = new HashMap<>();

        /** Writes the view of {@code s} at {@code at}. */
        void put(ByteBuffer tables, int at, String s) {
            tables.putLong(at, add(s.getBytes(StandardCharsets.UTF_8)));
        }

        /** The view (low 32 offset, high 32 length) of these bytes. */
        long add(byte[] b) {
            String key = new String(b, StandardCharsets.ISO_8859_1);
            Long ref = refs.get(key);
            if (ref == null) {
                ref = (long) bytes.size() | (long) b.length << 32;
                bytes.writeBytes(b);
                refs.put(key, ref);
            }
            return ref;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /** protoc's default json_name: drop underscores and capitalize the letter after each. */
    static String jsonName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                upper = true;
            } else if (upper) {
                out.append('a' <= c && c <= 'z' ? (char) (c - 'a' + 'A') : c);
                upper = false;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
