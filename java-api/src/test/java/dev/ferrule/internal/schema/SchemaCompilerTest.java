package dev.ferrule.internal.schema;

import static dev.ferrule.internal.schema.CompiledSchema.ALWAYS;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_CLOSED_ENUM;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_HAS_DEFAULT;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_MAP;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_PACKED;
import static dev.ferrule.internal.schema.CompiledSchema.FLAG_VALIDATE_UTF8;
import static dev.ferrule.internal.schema.CompiledSchema.IMPLICIT;
import static dev.ferrule.internal.schema.CompiledSchema.ONEOF;
import static dev.ferrule.internal.schema.CompiledSchema.OPTIONAL;
import static dev.ferrule.internal.schema.CompiledSchema.REPEATED;
import static dev.ferrule.internal.schema.CompiledSchema.REQUIRED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The schema compiler against protobuf-java's Descriptors, the reference. */
class SchemaCompilerTest {
    @Test
    void descriptorProto() {
        check(List.of(TestProtos.descriptorProto()));
    }

    @Test
    void wellKnownTypes() {
        check(TestProtos.wellKnownTypes());
    }

    @Test
    void proto2() {
        check(List.of(TestProtos.types2()));
    }

    @Test
    void proto3() {
        check(List.of(TestProtos.types3()));
    }

    @Test
    void mixedSyntaxes() {
        check(List.of(TestProtos.mixed2File(), TestProtos.mixed3File()));
    }

    @Test
    void everythingTogether() {
        check(TestProtos.everything());
    }

    @Test
    void deterministic() {
        byte[] set = TestProtos.setOf(TestProtos.everything()).toByteArray();
        assertArrayEquals(SchemaCompiler.compile(set), SchemaCompiler.compile(set));
    }

    @Test
    void closedness() {
        CompiledSchema s = TestProtos.compile(List.of(TestProtos.mixed2File(), TestProtos.mixed3File()));
        int mixed2 = s.messageIndex("ferrule.mixed2.Mixed2");
        int mixed3 = s.messageIndex("ferrule.mixed3.Mixed3");
        // protobuf-java's legacy quirk: a proto2 field of an open (proto3) enum is treated as closed.
        assertTrue((s.flags(s.findField(mixed2, 1)) & FLAG_CLOSED_ENUM) != 0);
        assertFalse(s.isClosed(s.enumIndex("ferrule.test3.Color3")));
        // A proto3 field of a closed (proto2) enum is closed.
        assertTrue((s.flags(s.findField(mixed3, 1)) & FLAG_CLOSED_ENUM) != 0);
        assertTrue(s.isClosed(s.enumIndex("ferrule.test2.Zero2")));
        // java_string_check_utf8 makes a proto2 string validated.
        assertTrue((s.flags(s.findField(mixed2, 3)) & FLAG_VALIDATE_UTF8) != 0);
    }

    @Test
    void layoutIsNaturallyAlignedAndDisjoint() {
        CompiledSchema s = TestProtos.compile(TestProtos.everything());
        for (int m = 0; m < s.messageCount(); m++) {
            int size = s.recordSize(m);
            assertTrue(size >= 8 && size % 8 == 0);
            boolean[] taken = new boolean[size];
            int words = 4 * ((s.hasbitCount(m) + 31) / 32) + 4 * s.oneofCount(m);
            assertEquals(4 * ((s.hasbitCount(m) + 31) / 32), s.oneofOffset(m));
            for (int i = 0; i < words; i++) {
                taken[i] = true;
            }
            claim(taken, s.unknownSlot(m), 8, s.messageName(m) + " unknown slot");
            for (int f = s.firstField(m); f < s.firstField(m) + s.fieldCount(m); f++) {
                int slotSize = SchemaCompiler.slotSize(s.type(f), s.cardinality(f));
                assertEquals(0, s.slot(f) % slotSize, "alignment of " + s.fieldName(f));
                claim(taken, s.slot(f), slotSize, s.messageName(m) + "." + s.fieldName(f));
            }
        }
    }

    private static void claim(boolean[] taken, int at, int size, String what) {
        for (int i = at; i < at + size; i++) {
            assertFalse(taken[i], what + " overlaps");
            taken[i] = true;
        }
    }

    @Test
    void editionsAreRejected() {
        FileDescriptorProto editions = FileDescriptorProto.newBuilder().setName("e.proto").setSyntax("editions")
                .setEdition(com.google.protobuf.DescriptorProtos.Edition.EDITION_2023).build();
        FerruleException e = assertThrows(FerruleException.class, () -> SchemaCompiler.compile(
                FileDescriptorSet.newBuilder().addFile(editions).build().toByteArray()));
        assertEquals(ErrorCode.SCHEMA_INVALID, e.code());
        assertTrue(e.getMessage().contains("editions are not supported yet"), e.getMessage());
    }

    @Test
    void inconsistentDescriptorsAreRejected() {
        List<FileDescriptorProto> bad = new ArrayList<>();
        bad.add(file(message("M").addField(TestProtos.field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".no.Such"))));
        bad.add(file(message("M").addField(TestProtos.field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT32))
                .addField(TestProtos.field("b", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT32))));
        bad.add(file(message("M").addField(TestProtos.field("a", 0, Label.LABEL_OPTIONAL, Type.TYPE_INT32))));
        bad.add(file(message("M").addField(TestProtos.field("a", 1 << 29, Label.LABEL_OPTIONAL, Type.TYPE_INT32))));
        bad.add(file(message("M").addField(TestProtos.field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT32)
                .setDefaultValue("x"))));
        bad.add(file(message("M").addField(TestProtos.field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT32)
                .setDefaultValue("4294967296"))));
        bad.add(file(message("M").addField(TestProtos.field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_BYTES)
                .setDefaultValue("\\x"))));
        bad.add(file(message("M").addField(TestProtos.field("a", 1, Label.LABEL_REPEATED, Type.TYPE_STRING)
                .setOptions(com.google.protobuf.DescriptorProtos.FieldOptions.newBuilder().setPacked(true)))));
        bad.add(file(message("M").addField(TestProtos.field("a", 1, Label.LABEL_OPTIONAL, Type.TYPE_INT32)
                .setOneofIndex(3))));
        bad.add(file(message("M")).toBuilder().addMessageType(message("M")).build());
        for (FileDescriptorProto f : bad) {
            FerruleException e = assertThrows(FerruleException.class,
                    () -> SchemaCompiler.compile(FileDescriptorSet.newBuilder().addFile(f).build().toByteArray()),
                    f.toString());
            assertEquals(ErrorCode.SCHEMA_INVALID, e.code());
        }
    }

    @Test
    void malformedBytesAreRejected() {
        byte[] good = TestProtos.setOf(List.of(TestProtos.types2())).toByteArray();
        Random random = new Random(7);
        int rejected = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] bad = good.clone();
            bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            try {
                CompiledSchema.read(SchemaCompiler.compile(bad));
            } catch (FerruleException e) {
                assertEquals(ErrorCode.SCHEMA_INVALID, e.code());
                rejected++;
            }
        }
        assertTrue(rejected > 0);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        assertEquals(ErrorCode.SCHEMA_INVALID,
                assertThrows(FerruleException.class, () -> SchemaCompiler.compile(truncated)).code());
    }

    @Test
    void defaultsOfEveryKind() {
        String[][] cases = {
            {"int32", "0x7fffffff"}, {"int32", "-0"}, {"int32", "010"}, {"int32", "-2147483648"},
            {"uint32", "0xffffffff"}, {"uint32", "0"}, {"int64", "-0x8000000000000000"}, {"uint64", "01777777777777777777777"},
            {"sint64", "123456789012345678"}, {"fixed64", "18446744073709551615"}, {"float", "inf"}, {"float", "-inf"},
            {"float", "nan"}, {"float", "3.4028235e38"}, {"float", "1e-45"}, {"float", "0.1"}, {"double", "-0"},
            {"double", "2.2250738585072014E-308"}, {"double", "0x1p3"}, {"bool", "false"}, {"bool", "TRUE"},
            {"bool", "yes"}, {"string", ""}, {"string", "\\n is not unescaped"}, {"bytes", ""},
            {"bytes", "\\0\\00\\000\\0000"}, {"bytes", "\\377\\400\\777"}, {"bytes", "\\xf\\xff\\xfff"},
            {"bytes", "\\U0001F600\\u20ac"}, {"bytes", "\u00fcber"}, {"float", "1.5f"}, {"double", " 2 "},
        };
        DescriptorProto.Builder m = message("D");
        int n = 1;
        for (String[] c : cases) {
            Type type = Type.valueOf("TYPE_" + c[0].toUpperCase());
            m.addField(TestProtos.field("f" + n, n, Label.LABEL_OPTIONAL, type).setDefaultValue(c[1]));
            n++;
        }
        FileDescriptor fd = TestProtos.build(file(m));
        check(List.of(fd));
    }

    @Test
    void randomDefaultsAgreeWithProtobufJava() {
        Random random = new Random(11);
        String alphabet = "0123456789abcdefxXuU-+.eE\\'\"?ntrvabf \u00e9";
        Type[] types = {Type.TYPE_INT32, Type.TYPE_UINT32, Type.TYPE_INT64, Type.TYPE_UINT64, Type.TYPE_FLOAT,
            Type.TYPE_DOUBLE, Type.TYPE_BYTES, Type.TYPE_BOOL};
        int agreed = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            int len = random.nextInt(8);
            for (int k = 0; k < len; k++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            Type type = types[random.nextInt(types.length)];
            FileDescriptorProto proto = file(message("D").addField(
                    TestProtos.field("f", 1, Label.LABEL_OPTIONAL, type).setDefaultValue(text.toString())));
            FileDescriptor fd;
            try {
                fd = FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
            } catch (Exception e) {
                FerruleException fe = assertThrows(FerruleException.class, () -> SchemaCompiler.compile(
                        FileDescriptorSet.newBuilder().addFile(proto).build().toByteArray()), type + " " + text);
                assertEquals(ErrorCode.SCHEMA_INVALID, fe.code());
                continue;
            }
            check(List.of(fd));
            agreed++;
        }
        assertTrue(agreed > 300, "too few accepted defaults: " + agreed);
    }

    private static DescriptorProto.Builder message(String name) {
        return DescriptorProto.newBuilder().setName(name);
    }

    private static FileDescriptorProto file(DescriptorProto.Builder message) {
        return FileDescriptorProto.newBuilder().setName("t.proto").setPackage("t").addMessageType(message).build();
    }

    // ---------------------------------------------------------------------------------------------

    /** Compiles the files (with dependencies) and checks every message, field and enum against Descriptors. */
    static CompiledSchema check(List<FileDescriptor> files) {
        FileDescriptorSet set = TestProtos.setOf(files);
        CompiledSchema s = CompiledSchema.read(SchemaCompiler.compile(set.toByteArray()));
        SchemaValidator.validate(s);

        // Messages and enums in the documented order.
        List<Descriptor> messages = new ArrayList<>();
        List<EnumDescriptor> enums = new ArrayList<>();
        List<FileDescriptor> ordered = new ArrayList<>();
        for (var proto : set.getFileList()) {
            ordered.add(find(files, proto.getName()));
        }
        for (FileDescriptor f : ordered) {
            enums.addAll(f.getEnumTypes());
            for (Descriptor d : f.getMessageTypes()) {
                walk(d, messages, enums);
            }
        }
        assertEquals(messages.size(), s.messageCount());
        assertEquals(enums.size(), s.enumCount());
        int fieldIndex = 0;
        for (int m = 0; m < messages.size(); m++) {
            Descriptor d = messages.get(m);
            assertEquals(d.getFullName(), s.messageName(m));
            assertEquals(m, s.messageIndex(d.getFullName()));
            assertEquals(fieldIndex, s.firstField(m), d.getFullName());
            fieldIndex += d.getFields().size();
            checkMessage(s, m, d);
        }
        for (int e = 0; e < enums.size(); e++) {
            EnumDescriptor ed = enums.get(e);
            assertEquals(ed.getFullName(), s.enumName(e));
            assertEquals(ed.isClosed(), s.isClosed(e), ed.getFullName());
            List<EnumValueDescriptor> values = new ArrayList<>(ed.getValues());
            values.sort(Comparator.comparingInt(EnumValueDescriptor::getNumber));
            assertEquals(values.size(), s.valueCount(e));
            for (int v = 0; v < values.size(); v++) {
                assertEquals(values.get(v).getNumber(), s.valueNumber(s.firstValue(e) + v));
                assertEquals(values.get(v).getName(), s.valueName(s.firstValue(e) + v));
            }
        }
        return s;
    }

    private static FileDescriptor find(List<FileDescriptor> roots, String name) {
        List<FileDescriptor> queue = new ArrayList<>(roots);
        while (!queue.isEmpty()) {
            FileDescriptor f = queue.remove(0);
            if (f.getName().equals(name)) {
                return f;
            }
            queue.addAll(f.getDependencies());
        }
        throw new AssertionError(name);
    }

    private static void walk(Descriptor d, List<Descriptor> messages, List<EnumDescriptor> enums) {
        messages.add(d);
        enums.addAll(d.getEnumTypes());
        for (Descriptor nested : d.getNestedTypes()) {
            walk(nested, messages, enums);
        }
    }

    private static void checkMessage(CompiledSchema s, int m, Descriptor d) {
        boolean mapEntry = d.getOptions().getMapEntry();
        assertEquals(mapEntry, s.isMapEntry(m));
        List<FieldDescriptor> fields = new ArrayList<>(d.getFields());
        fields.sort(Comparator.comparingInt(FieldDescriptor::getNumber));
        assertEquals(fields.size(), s.fieldCount(m));
        List<OneofDescriptor> realOneofs = d.getRealOneofs();
        assertEquals(realOneofs.size(), s.oneofCount(m), d.getFullName());
        int hasbits = 0;
        boolean[] usedHasbit = new boolean[s.hasbitCount(m)];
        for (int i = 0; i < fields.size(); i++) {
            FieldDescriptor fd = fields.get(i);
            int f = s.firstField(m) + i;
            String where = fd.getFullName();
            assertEquals(fd.getNumber(), s.number(f), where);
            assertEquals(f, s.findField(m, fd.getNumber()));
            assertEquals(fd.getName(), s.fieldName(f), where);
            assertEquals(fd.getJsonName(), s.jsonName(f), where);
            assertEquals(fd.getType().toProto().getNumber(), s.type(f), where);

            int expectedCardinality;
            if (mapEntry) {
                expectedCardinality = ALWAYS;
            } else if (fd.isRepeated()) {
                expectedCardinality = REPEATED;
            } else if (fd.getRealContainingOneof() != null) {
                expectedCardinality = ONEOF;
            } else if (fd.isRequired()) {
                expectedCardinality = REQUIRED;
            } else if (fd.hasPresence()) {
                expectedCardinality = OPTIONAL;
            } else {
                expectedCardinality = IMPLICIT;
            }
            assertEquals(expectedCardinality, s.cardinality(f), where);
            int presence = s.presence(f);
            switch (expectedCardinality) {
                case OPTIONAL, REQUIRED -> {
                    assertFalse(usedHasbit[presence], where);
                    usedHasbit[presence] = true;
                    hasbits++;
                }
                case ONEOF -> assertEquals(realOneofs.indexOf(fd.getRealContainingOneof()), presence, where);
                default -> assertEquals(-1, presence, where);
            }

            int flags = s.flags(f);
            assertEquals(fd.isPacked(), (flags & FLAG_PACKED) != 0, where + " packed");
            assertEquals(fd.needsUtf8Check(), (flags & FLAG_VALIDATE_UTF8) != 0, where + " utf8");
            assertEquals(fd.getJavaType() == FieldDescriptor.JavaType.ENUM && fd.legacyEnumFieldTreatedAsClosed(),
                    (flags & FLAG_CLOSED_ENUM) != 0, where + " closed");
            assertEquals(fd.isMapField(), (flags & FLAG_MAP) != 0, where + " map");
            assertEquals(fd.hasDefaultValue(), (flags & FLAG_HAS_DEFAULT) != 0, where + " has default");
            if (fd.hasDefaultValue()) {
                checkDefault(s, f, fd);
            } else if (fd.getJavaType() == FieldDescriptor.JavaType.ENUM && !fd.isRepeated()) {
                // The implicit default of an enum field: its first declared value.
                assertEquals(((com.google.protobuf.Descriptors.EnumValueDescriptor) fd.getDefaultValue()).getNumber(),
                        (int) s.defaultBits(f), where + " implicit enum default");
            } else {
                assertEquals(0, s.defaultBits(f), where);
            }

            switch (fd.getJavaType()) {
                case MESSAGE -> assertEquals(fd.getMessageType().getFullName(), s.messageName(s.typeRef(f)), where);
                case ENUM -> assertEquals(fd.getEnumType().getFullName(), s.enumName(s.typeRef(f)), where);
                default -> assertEquals(-1, s.typeRef(f), where);
            }
        }
        assertEquals(hasbits, s.hasbitCount(m), d.getFullName());
    }

    private static void checkDefault(CompiledSchema s, int f, FieldDescriptor fd) {
        Object value = fd.getDefaultValue();
        long bits = s.defaultBits(f);
        String where = fd.getFullName() + " default \"" + fd.toProto().getDefaultValue() + "\"";
        switch (fd.getType()) {
            case INT32, SINT32, SFIXED32, UINT32, FIXED32 -> assertEquals((long) (Integer) value, bits, where);
            case INT64, SINT64, SFIXED64, UINT64, FIXED64 -> assertEquals((long) (Long) value, bits, where);
            case FLOAT -> assertEquals(Integer.toUnsignedLong(Float.floatToRawIntBits((Float) value)), bits, where);
            case DOUBLE -> assertEquals(Double.doubleToRawLongBits((Double) value), bits, where);
            case BOOL -> assertEquals((Boolean) value ? 1L : 0L, bits, where);
            case STRING -> assertArrayEquals(((String) value).getBytes(StandardCharsets.UTF_8), s.defaultBytes(f), where);
            case BYTES -> assertArrayEquals(((ByteString) value).toByteArray(), s.defaultBytes(f), where);
            case ENUM -> assertEquals(((EnumValueDescriptor) value).getNumber(), bits, where);
            default -> throw new AssertionError(where);
        }
    }
}
