package dev.ferrule.internal.schema;

import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumOptions;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Test schemas, hand-built with protobuf-java's descriptor builders, and helpers that turn
 * protobuf-java {@link FileDescriptor}s into FileDescriptorSets and compiled schemas. protobuf-java
 * is the oracle: every schema here is first accepted by {@code FileDescriptor.buildFrom}.
 */
public final class TestProtos {
    private TestProtos() {}

    /** The scalar types, in descriptor.proto order, with a short name for field names. */
    public static final Type[] SCALARS = {
        Type.TYPE_DOUBLE, Type.TYPE_FLOAT, Type.TYPE_INT64, Type.TYPE_UINT64, Type.TYPE_INT32, Type.TYPE_FIXED64,
        Type.TYPE_FIXED32, Type.TYPE_BOOL, Type.TYPE_STRING, Type.TYPE_BYTES, Type.TYPE_UINT32, Type.TYPE_SFIXED32,
        Type.TYPE_SFIXED64, Type.TYPE_SINT32, Type.TYPE_SINT64,
    };

    /** The types a map key may have. */
    public static final Type[] MAP_KEYS = {
        Type.TYPE_INT32, Type.TYPE_INT64, Type.TYPE_UINT32, Type.TYPE_UINT64, Type.TYPE_SINT32, Type.TYPE_SINT64,
        Type.TYPE_FIXED32, Type.TYPE_FIXED64, Type.TYPE_SFIXED32, Type.TYPE_SFIXED64, Type.TYPE_BOOL, Type.TYPE_STRING,
    };

    public static String shortName(Type type) {
        return type.name().substring(5).toLowerCase();
    }

    public static boolean numeric(Type type) {
        return type != Type.TYPE_STRING && type != Type.TYPE_BYTES && type != Type.TYPE_MESSAGE
                && type != Type.TYPE_GROUP;
    }

    public static FieldDescriptorProto.Builder field(String name, int number, Label label, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setLabel(label).setType(type);
    }

    public static FieldDescriptorProto.Builder field(String name, int number, Label label, Type type, String typeName) {
        return field(name, number, label, type).setTypeName(typeName);
    }

    public static EnumDescriptorProto enumType(String name, Object... namesAndNumbers) {
        EnumDescriptorProto.Builder e = EnumDescriptorProto.newBuilder().setName(name);
        for (int i = 0; i < namesAndNumbers.length; i += 2) {
            e.addValue(EnumValueDescriptorProto.newBuilder().setName((String) namesAndNumbers[i])
                    .setNumber((Integer) namesAndNumbers[i + 1]));
        }
        return e.build();
    }

    /** Adds map field {@code name} with a synthesized entry type, as protoc does. */
    public static void addMap(DescriptorProto.Builder message, String scope, String name, int number, Type keyType,
            Type valueType, String valueTypeName) {
        String entryName = camel(name) + "Entry";
        FieldDescriptorProto.Builder value = field("value", 2, Label.LABEL_OPTIONAL, valueType);
        if (valueTypeName != null) {
            value.setTypeName(valueTypeName);
        }
        message.addNestedType(DescriptorProto.newBuilder().setName(entryName)
                .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                .addField(field("key", 1, Label.LABEL_OPTIONAL, keyType))
                .addField(value));
        message.addField(field(name, number, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, "." + scope + "." + entryName));
    }

    private static String camel(String name) {
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char c : name.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** A proto2 file: defaults of every type, required, closed enums, groups, packed=true, extensions. */
    public static FileDescriptorProto proto2() {
        String pkg = "ferrule.test2";
        DescriptorProto.Builder all = DescriptorProto.newBuilder().setName("AllTypes2");
        String[][] defaults = {
            {"double", "-inf"}, {"float", "1.5e3"}, {"int64", "-9223372036854775808"},
            {"uint64", "18446744073709551615"}, {"int32", "-0x10"}, {"fixed64", "0x8000000000000000"},
            {"fixed32", "4294967295"}, {"bool", "true"}, {"string", "h\u00e9llo \"world\""},
            {"bytes", "\\001\\x7f\\u00e9\\n\\\\\\'\\\"\\?a\\t\\1234"}, {"uint32", "017"}, {"sfixed32", "-2147483648"},
            {"sfixed64", "0x7fffffffffffffff"}, {"sint32", "2147483647"}, {"sint64", "-1"},
        };
        int n = 1;
        for (int i = 0; i < SCALARS.length; i++) {
            all.addField(field("o_" + shortName(SCALARS[i]), n++, Label.LABEL_OPTIONAL, SCALARS[i])
                    .setDefaultValue(defaults[i][1]));
        }
        all.addField(field("o_enum", n++, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test2.Color2")
                .setDefaultValue("BLUE"));
        all.addField(field("o_message", n++, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test2.Nested2"));
        all.addField(field("ogroup", n++, Label.LABEL_OPTIONAL, Type.TYPE_GROUP, ".ferrule.test2.AllTypes2.OGroup"));
        all.addNestedType(DescriptorProto.newBuilder().setName("OGroup")
                .addField(field("a", 100, Label.LABEL_OPTIONAL, Type.TYPE_INT32))
                .addField(field("b", 101, Label.LABEL_REPEATED, Type.TYPE_STRING))
                .addField(field("inner", 102, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test2.Nested2")));
        all.addField(field("plain_float", n++, Label.LABEL_OPTIONAL, Type.TYPE_FLOAT).setDefaultValue("nan"));
        all.addField(field("plain_double", n++, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE).setDefaultValue("1e-300"));
        n = 31;
        for (Type t : SCALARS) {
            all.addField(field("r_" + shortName(t), n++, Label.LABEL_REPEATED, t));
        }
        all.addField(field("r_enum", n++, Label.LABEL_REPEATED, Type.TYPE_ENUM, ".ferrule.test2.Color2"));
        all.addField(field("r_message", n++, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".ferrule.test2.Nested2"));
        all.addField(field("rgroup", n++, Label.LABEL_REPEATED, Type.TYPE_GROUP, ".ferrule.test2.AllTypes2.RGroup"));
        all.addNestedType(DescriptorProto.newBuilder().setName("RGroup")
                .addField(field("c", 200, Label.LABEL_OPTIONAL, Type.TYPE_SINT64))
                .addField(field("d", 201, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test2.Color2")));
        n = 51;
        for (Type t : SCALARS) {
            if (numeric(t)) {
                all.addField(field("p_" + shortName(t), n++, Label.LABEL_REPEATED, t)
                        .setOptions(FieldOptions.newBuilder().setPacked(true)));
            }
        }
        all.addField(field("p_enum", n++, Label.LABEL_REPEATED, Type.TYPE_ENUM, ".ferrule.test2.Color2")
                .setOptions(FieldOptions.newBuilder().setPacked(true)));
        all.addOneofDecl(OneofDescriptorProto.newBuilder().setName("choice"));
        all.addField(field("c_int32", 70, Label.LABEL_OPTIONAL, Type.TYPE_INT32).setOneofIndex(0));
        all.addField(field("c_string", 71, Label.LABEL_OPTIONAL, Type.TYPE_STRING).setOneofIndex(0));
        all.addField(field("c_message", 72, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test2.Nested2")
                .setOneofIndex(0));
        all.addField(field("c_enum", 73, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test2.Color2").setOneofIndex(0));
        all.addField(field("c_bytes", 74, Label.LABEL_OPTIONAL, Type.TYPE_BYTES).setOneofIndex(0));
        all.addField(field("c_double", 75, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE).setOneofIndex(0));
        addMap(all, pkg + ".AllTypes2", "m_enum", 80, Type.TYPE_INT32, Type.TYPE_ENUM, ".ferrule.test2.Color2");
        addMap(all, pkg + ".AllTypes2", "m_message", 81, Type.TYPE_STRING, Type.TYPE_MESSAGE, ".ferrule.test2.Nested2");
        addMap(all, pkg + ".AllTypes2", "m_bytes", 82, Type.TYPE_SINT64, Type.TYPE_BYTES, null);
        all.addField(field("big_number", 536870911, Label.LABEL_OPTIONAL, Type.TYPE_INT32));
        all.addField(field("camel_case_name_", 90, Label.LABEL_OPTIONAL, Type.TYPE_INT32));
        all.addField(field("with_json", 91, Label.LABEL_OPTIONAL, Type.TYPE_INT32).setJsonName("customJson"));
        all.addExtensionRange(DescriptorProto.ExtensionRange.newBuilder().setStart(1000).setEnd(2000));

        DescriptorProto nested = DescriptorProto.newBuilder().setName("Nested2")
                .addField(field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT32))
                .addField(field("child", 2, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test2.Nested2"))
                .addField(field("xs", 3, Label.LABEL_REPEATED, Type.TYPE_INT32))
                .addField(field("s", 4, Label.LABEL_OPTIONAL, Type.TYPE_STRING))
                .addField(field("e", 5, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test2.Color2"))
                .build();

        DescriptorProto.Builder req = DescriptorProto.newBuilder().setName("Req")
                .addField(field("id", 1, Label.LABEL_REQUIRED, Type.TYPE_INT32))
                .addField(field("inner", 2, Label.LABEL_REQUIRED, Type.TYPE_MESSAGE, ".ferrule.test2.Req.Inner"))
                .addField(field("child", 3, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test2.Req"))
                .addField(field("kids", 4, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".ferrule.test2.Req.Inner"))
                .addField(field("note", 6, Label.LABEL_OPTIONAL, Type.TYPE_STRING));
        req.addNestedType(DescriptorProto.newBuilder().setName("Inner")
                .addField(field("x", 1, Label.LABEL_REQUIRED, Type.TYPE_INT64))
                .addField(field("y", 2, Label.LABEL_OPTIONAL, Type.TYPE_INT64)));
        addMap(req, pkg + ".Req", "by_id", 5, Type.TYPE_INT32, Type.TYPE_MESSAGE, ".ferrule.test2.Req.Inner");

        return FileDescriptorProto.newBuilder().setName("ferrule/test/types2.proto").setPackage(pkg)
                .addEnumType(EnumDescriptorProto.newBuilder(enumType("Color2", "GREEN", 1, "RED", 2, "BLUE", -3,
                        "CRIMSON", 2, "HUGE", 2147483647)).setOptions(EnumOptions.newBuilder().setAllowAlias(true)))
                .addEnumType(enumType("Zero2", "Z0", 0, "Z1", 1))
                .addMessageType(all)
                .addMessageType(nested)
                .addMessageType(req)
                .addExtension(field("ext_int", 1000, Label.LABEL_OPTIONAL, Type.TYPE_INT32)
                        .setExtendee(".ferrule.test2.AllTypes2"))
                .build();
    }

    /** A proto3 file: implicit and optional scalars, maps of every key type, oneofs, packing, open enums. */
    public static FileDescriptorProto proto3() {
        String pkg = "ferrule.test3";
        String scope = pkg + ".AllTypes3";
        DescriptorProto.Builder all = DescriptorProto.newBuilder().setName("AllTypes3");
        int n = 1;
        for (Type t : SCALARS) {
            all.addField(field("s_" + shortName(t), n++, Label.LABEL_OPTIONAL, t));
        }
        all.addField(field("s_enum", n++, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test3.Color3"));
        all.addField(field("s_message", n++, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test3.Nested3"));
        n = 21;
        int oneof = 0;
        List<FieldDescriptorProto.Builder> optionals = new ArrayList<>();
        for (Type t : SCALARS) {
            optionals.add(field("o_" + shortName(t), n++, Label.LABEL_OPTIONAL, t).setProto3Optional(true));
        }
        optionals.add(field("o_enum", n++, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test3.Color3")
                .setProto3Optional(true));
        optionals.add(field("o_message", n++, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test3.Nested3")
                .setProto3Optional(true));
        n = 41;
        for (Type t : SCALARS) {
            all.addField(field("r_" + shortName(t), n++, Label.LABEL_REPEATED, t));
        }
        all.addField(field("r_enum", n++, Label.LABEL_REPEATED, Type.TYPE_ENUM, ".ferrule.test3.Color3"));
        all.addField(field("r_message", n++, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".ferrule.test3.Nested3"));
        all.addField(field("u_int32", 61, Label.LABEL_REPEATED, Type.TYPE_INT32)
                .setOptions(FieldOptions.newBuilder().setPacked(false)));
        all.addField(field("u_double", 62, Label.LABEL_REPEATED, Type.TYPE_DOUBLE)
                .setOptions(FieldOptions.newBuilder().setPacked(false)));
        all.addField(field("u_enum", 63, Label.LABEL_REPEATED, Type.TYPE_ENUM, ".ferrule.test3.Color3")
                .setOptions(FieldOptions.newBuilder().setPacked(false)));
        all.addField(field("u_sint64", 64, Label.LABEL_REPEATED, Type.TYPE_SINT64)
                .setOptions(FieldOptions.newBuilder().setPacked(false)));
        all.addField(field("x_bool", 65, Label.LABEL_REPEATED, Type.TYPE_BOOL)
                .setOptions(FieldOptions.newBuilder().setPacked(true)));
        // Real oneofs first, then the synthetic ones of the proto3 optionals (protoc's order).
        all.addOneofDecl(OneofDescriptorProto.newBuilder().setName("kind"));
        all.addOneofDecl(OneofDescriptorProto.newBuilder().setName("other"));
        all.addField(field("k_int32", 71, Label.LABEL_OPTIONAL, Type.TYPE_INT32).setOneofIndex(0));
        all.addField(field("k_string", 72, Label.LABEL_OPTIONAL, Type.TYPE_STRING).setOneofIndex(0));
        all.addField(field("k_message", 73, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test3.Nested3")
                .setOneofIndex(0));
        all.addField(field("k_bytes", 74, Label.LABEL_OPTIONAL, Type.TYPE_BYTES).setOneofIndex(0));
        all.addField(field("k_enum", 75, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test3.Color3").setOneofIndex(0));
        all.addField(field("k_double", 76, Label.LABEL_OPTIONAL, Type.TYPE_DOUBLE).setOneofIndex(0));
        all.addField(field("k_bool", 77, Label.LABEL_OPTIONAL, Type.TYPE_BOOL).setOneofIndex(1));
        all.addField(field("k_uint64", 78, Label.LABEL_OPTIONAL, Type.TYPE_UINT64).setOneofIndex(1));
        oneof = 2;
        for (FieldDescriptorProto.Builder f : optionals) {
            all.addOneofDecl(OneofDescriptorProto.newBuilder().setName("_" + f.getName()));
            all.addField(f.setOneofIndex(oneof++));
        }
        n = 81;
        for (Type key : MAP_KEYS) {
            Type value = SCALARS[(n * 7) % SCALARS.length];
            addMap(all, scope, "m_" + shortName(key), n++, key, value, null);
        }
        addMap(all, scope, "m_message", n++, Type.TYPE_STRING, Type.TYPE_MESSAGE, ".ferrule.test3.Nested3");
        addMap(all, scope, "m_enum", n++, Type.TYPE_INT64, Type.TYPE_ENUM, ".ferrule.test3.Color3");
        addMap(all, scope, "m_text", n++, Type.TYPE_STRING, Type.TYPE_STRING, null);

        DescriptorProto.Builder nested = DescriptorProto.newBuilder().setName("Nested3")
                .addField(field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT32))
                .addField(field("child", 2, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test3.Nested3"))
                .addField(field("names", 3, Label.LABEL_REPEATED, Type.TYPE_STRING));
        addMap(nested, pkg + ".Nested3", "counts", 4, Type.TYPE_STRING, Type.TYPE_INT32, null);
        nested.addNestedType(DescriptorProto.newBuilder().setName("Deeper")
                .addField(field("z", 1, Label.LABEL_OPTIONAL, Type.TYPE_SINT32))
                .addEnumType(enumType("Inner", "I0", 0, "I1", 1)));
        nested.addField(field("deeper", 5, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, "Nested3.Deeper")); // relative

        return FileDescriptorProto.newBuilder().setName("ferrule/test/types3.proto").setPackage(pkg).setSyntax("proto3")
                .addEnumType(enumType("Color3", "ZERO", 0, "ONE", 1, "NEG", -1, "BIG", 1000000))
                .addMessageType(all)
                .addMessageType(nested)
                .build();
    }

    /** A proto2 file using an open proto3 enum (treated as closed by protobuf-java) and java_string_check_utf8. */
    public static FileDescriptorProto mixed2() {
        return FileDescriptorProto.newBuilder().setName("ferrule/test/mixed2.proto").setPackage("ferrule.mixed2")
                .addDependency("ferrule/test/types3.proto")
                .setOptions(FileOptions.newBuilder().setJavaStringCheckUtf8(true))
                .addMessageType(DescriptorProto.newBuilder().setName("Mixed2")
                        .addField(field("open_enum", 1, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test3.Color3"))
                        .addField(field("open_enums", 2, Label.LABEL_REPEATED, Type.TYPE_ENUM, ".ferrule.test3.Color3")
                                .setOptions(FieldOptions.newBuilder().setPacked(true)))
                        .addField(field("checked", 3, Label.LABEL_OPTIONAL, Type.TYPE_STRING))
                        .addField(field("msg", 4, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test3.Nested3")))
                .build();
    }

    /** A proto3 file using a proto2 (closed) enum whose first value is 0. */
    public static FileDescriptorProto mixed3() {
        return FileDescriptorProto.newBuilder().setName("ferrule/test/mixed3.proto").setPackage("ferrule.mixed3")
                .setSyntax("proto3").addDependency("ferrule/test/types2.proto")
                .addMessageType(DescriptorProto.newBuilder().setName("Mixed3")
                        .addField(field("closed_enum", 1, Label.LABEL_OPTIONAL, Type.TYPE_ENUM, ".ferrule.test2.Zero2"))
                        .addField(field("closed_enums", 2, Label.LABEL_REPEATED, Type.TYPE_ENUM, ".ferrule.test2.Zero2"))
                        .addField(field("n", 3, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".ferrule.test2.Nested2")))
                .build();
    }

    public static FileDescriptor build(FileDescriptorProto proto, FileDescriptor... deps) {
        try {
            return FileDescriptor.buildFrom(proto, deps);
        } catch (DescriptorValidationException e) {
            throw new AssertionError("protobuf-java rejects " + proto.getName() + ": " + e.getMessage(), e);
        }
    }

    public static FileDescriptor types2() {
        return Holder.TYPES2;
    }

    public static FileDescriptor types3() {
        return Holder.TYPES3;
    }

    public static FileDescriptor mixed2File() {
        return Holder.MIXED2;
    }

    public static FileDescriptor mixed3File() {
        return Holder.MIXED3;
    }

    private static final class Holder {
        static final FileDescriptor TYPES2 = build(proto2());
        static final FileDescriptor TYPES3 = build(proto3());
        static final FileDescriptor MIXED2 = build(mixed2(), TYPES3);
        static final FileDescriptor MIXED3 = build(mixed3(), TYPES2);
    }

    /** Every well-known type file shipped in protobuf-java. */
    public static List<FileDescriptor> wellKnownTypes() {
        return List.of(AnyProto.getDescriptor(), TimestampProto.getDescriptor(), DurationProto.getDescriptor(),
                StructProto.getDescriptor(), WrappersProto.getDescriptor(), FieldMaskProto.getDescriptor(),
                EmptyProto.getDescriptor(), SourceContextProto.getDescriptor(), TypeProto.getDescriptor(),
                ApiProto.getDescriptor());
    }

    public static FileDescriptor descriptorProto() {
        return DescriptorProtos.getDescriptor();
    }

    /** A FileDescriptorSet of these files and all their dependencies, dependencies first. */
    public static FileDescriptorSet setOf(List<FileDescriptor> files) {
        Set<FileDescriptor> ordered = new LinkedHashSet<>();
        for (FileDescriptor f : files) {
            addWithDependencies(f, ordered);
        }
        FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
        for (FileDescriptor f : ordered) {
            set.addFile(f.toProto());
        }
        return set.build();
    }

    private static void addWithDependencies(FileDescriptor f, Set<FileDescriptor> out) {
        if (out.contains(f)) {
            return;
        }
        for (FileDescriptor dep : f.getDependencies()) {
            addWithDependencies(dep, out);
        }
        out.add(f);
    }

    public static CompiledSchema compile(List<FileDescriptor> files) {
        return CompiledSchema.read(SchemaCompiler.compile(setOf(files).toByteArray()));
    }

    /** Every test file and everything protobuf-java ships, in one set. */
    public static List<FileDescriptor> everything() {
        List<FileDescriptor> files = new ArrayList<>(wellKnownTypes());
        files.add(descriptorProto());
        files.add(types2());
        files.add(types3());
        files.add(mixed2File());
        files.add(mixed3File());
        return files;
    }
}
