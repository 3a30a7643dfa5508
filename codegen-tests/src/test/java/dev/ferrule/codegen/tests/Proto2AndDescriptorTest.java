package dev.ferrule.codegen.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.codegen.clash.ferrule.ClashesOuterClass;
import dev.ferrule.codegen.clash.ferrule.ClashesOuterClass.Clashes;
import dev.ferrule.codegen.test.ferrule.Kinds;
import dev.ferrule.codegen.test2.ferrule.Proto2Kinds;
import dev.ferrule.codegen.test2.ferrule.Proto2Kinds.Defaults;
import dev.ferrule.codegen.test2.ferrule.Proto2Kinds.Level;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.ProtoCodec;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * proto2 (defaults, required, groups, closed enums, aliases) with every type nested in the outer class;
 * descriptor.proto itself as a typed schema, reading a real descriptor set; and Java name clashes.
 */
class Proto2AndDescriptorTest {
    @ParameterizedTest
    @MethodSource("dev.ferrule.codegen.tests.OtlpTraceTest#backends")
    void absentProto2FieldsReadTheirDefaults(BackendKind backend) throws Exception {
        var expected = dev.ferrule.codegen.test2.Proto2Kinds.Defaults.newBuilder().setId(1).build();
        ProtoCodec codec = Engines.codec(Proto2Kinds.schema(), backend);
        Defaults d = new Defaults().decode(codec, Engines.direct(expected.toByteArray()), Arena.allocate(4096));
        assertEquals(expected.getI(), d.i());
        assertEquals(-7, d.i());
        assertFalse(d.hasI());
        assertEquals(expected.getS(), d.s());
        assertArrayEquals(expected.getB().toByteArray(), d.b());
        assertEquals(expected.getLevel().getNumber(), d.level());
        assertSame(Level.LOW, d.levelEnum());
        assertSame(Level.HIGH, d.level2Enum());
        assertEquals(1.5, d.d());
        assertTrue(d.flag());
        assertEquals(-1L, d.big());
        assertTrue(d.hasId());
        assertFalse(d.hasGrp());
        assertEquals(0, d.grp().x());
        assertSame(Defaults.Mode.MODE_A, d.modeEnum());
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.codegen.tests.OtlpTraceTest#backends")
    void proto2ReadsAndBuildsLikeProtobufJava(BackendKind backend) throws Exception {
        var expected = dev.ferrule.codegen.test2.Proto2Kinds.Defaults.newBuilder().setI(3).setS("").setB(ByteString.EMPTY)
                .setLevel(dev.ferrule.codegen.test2.Proto2Kinds.Level.HIGHEST).setId(-9).setD(0).setFlag(false)
                .setGrp(dev.ferrule.codegen.test2.Proto2Kinds.Defaults.Grp.newBuilder().setX(12))
                .addPackedInts(1).addPackedInts(-1).addLevels(dev.ferrule.codegen.test2.Proto2Kinds.Level.HIGH)
                .setBig(7).setMode(dev.ferrule.codegen.test2.Proto2Kinds.Defaults.Mode.MODE_ALSO_B).build();
        ProtoCodec codec = Engines.codec(Proto2Kinds.schema(), backend);
        Arena arena = Arena.allocate(4096);
        Defaults d = new Defaults().decode(codec, Engines.direct(expected.toByteArray()), arena);
        assertEquals(3, d.i());
        assertTrue(d.hasS());
        assertEquals("", d.s());
        assertTrue(d.hasB());
        assertSame(Level.HIGHEST, d.levelEnum());
        assertEquals(-9, d.id());
        assertTrue(d.hasGrp());
        assertEquals(12, d.grp().x());
        assertEquals(2, d.packedIntsCount());
        assertEquals(-1, d.packedInts(1));
        assertSame(Level.HIGH, d.levelsEnum(0));
        assertSame(Defaults.Mode.MODE_B, d.modeEnum());
        assertSame(Defaults.Mode.MODE_B, Defaults.Mode.MODE_ALSO_B);

        Defaults.Builder b = new Defaults.Builder().start(codec, arena).setI(3).setS("").setB(new byte[0])
                .setLevel(Level.HIGHEST).setId(-9).setD(0).setFlag(false);
        b.mutableGrp(new Defaults.Grp.Builder()).setX(12);
        b.addPackedInts(1).addPackedInts(-1).addLevels(Level.HIGH).setBig(7).setMode(Defaults.Mode.MODE_ALSO_B);
        ByteBuffer out = ByteBuffer.allocateDirect(b.encodedLength(codec));
        b.encode(codec, out);
        assertArrayEquals(expected.toByteArray(), Engines.written(out));
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.codegen.tests.OtlpTraceTest#backends")
    void missingRequiredFieldIsAnError(BackendKind backend) {
        ProtoCodec codec = Engines.codec(Proto2Kinds.schema(), backend);
        FerruleException e = assertThrows(FerruleException.class,
                () -> new Defaults().decode(codec, Engines.direct(new byte[] {8, 1}), Arena.allocate(4096)));
        assertEquals(ErrorCode.PROTO_REQUIRED_FIELD_MISSING, e.code());
    }

    /** descriptor.proto's typed flyweights read the OTLP descriptor set exactly as protobuf-java does. */
    @ParameterizedTest
    @MethodSource("dev.ferrule.codegen.tests.OtlpTraceTest#backends")
    void descriptorProtoReadsARealDescriptorSet(BackendKind backend) throws Exception {
        byte[] bytes = io.opentelemetry.proto.FerruleSchema.descriptorSet();
        var expected = DescriptorProtos.FileDescriptorSet.parseFrom(bytes);
        ProtoCodec codec = Engines.codec(Kinds.schema(), backend);
        var set = new com.google.protobuf.ferrule.DescriptorProtos.FileDescriptorSet()
                .decode(codec, Engines.direct(bytes), Arena.allocate(1 << 22));
        assertEquals(expected.getFileCount(), set.fileCount());
        var file = new com.google.protobuf.ferrule.DescriptorProtos.FileDescriptorProto();
        var message = new com.google.protobuf.ferrule.DescriptorProtos.DescriptorProto();
        var field = new com.google.protobuf.ferrule.DescriptorProtos.FieldDescriptorProto();
        int fields = 0;
        for (int i = 0; i < expected.getFileCount(); i++) {
            var f = expected.getFile(i);
            set.file(i, file);
            assertEquals(f.getName(), file.name());
            assertEquals(f.getPackage(), file.package_());
            assertEquals(f.getDependencyList(), AllKindsTest.range(file.dependencyCount(), file::dependency));
            assertEquals(f.getOptions().getJavaPackage(), file.options().javaPackage());
            assertEquals(f.getOptions().getJavaMultipleFiles(), file.options().javaMultipleFiles());
            assertEquals(f.getOptions().hasJavaOuterClassname(), file.options().hasJavaOuterClassname());
            assertEquals(f.getSyntax(), file.syntax());
            assertEquals(f.getMessageTypeCount(), file.messageTypeCount());
            for (int m = 0; m < f.getMessageTypeCount(); m++) {
                var md = f.getMessageType(m);
                file.messageType(m, message);
                assertEquals(md.getName(), message.name());
                assertEquals(md.getFieldCount(), message.fieldCount());
                for (int k = 0; k < md.getFieldCount(); k++) {
                    var fd = md.getField(k);
                    message.field(k, field);
                    assertEquals(fd.getName(), field.name());
                    assertEquals(fd.getNumber(), field.number());
                    assertEquals(fd.getLabel().getNumber(), field.label());
                    assertEquals(fd.getLabel().name(), field.labelEnum().name());
                    assertEquals(fd.getType().name(), field.typeEnum().name());
                    assertEquals(fd.getTypeName(), field.typeName());
                    assertEquals(fd.hasOneofIndex(), field.hasOneofIndex());
                    assertEquals(fd.getOneofIndex(), field.oneofIndex());
                    assertEquals(fd.getJsonName(), field.jsonName());
                    assertEquals(fd.getProto3Optional(), field.proto3Optional());
                    fields++;
                }
            }
        }
        assertTrue(fields > 100, "the OTLP schema has hundreds of fields, read " + fields);
    }

    /** Names Java cannot take as they are, renamed as docs/codegen.md says; checked by compiling and by use. */
    @ParameterizedTest
    @MethodSource("dev.ferrule.codegen.tests.OtlpTraceTest#backends")
    void clashingNamesRoundTrip(BackendKind backend) {
        ProtoCodec codec = Engines.codec(ClashesOuterClass.schema(), backend);
        Arena arena = Arena.allocate(8192);
        Clashes.Builder b = new Clashes.Builder().start(codec, arena).setClass_(1).addFoo2(2).addFoo2(3).setFooCount3(4)
                .setToString_("s").setMessage(5).setValueText("t").setValueCase8(8).setPackage_("p").putM12("k", 6)
                .setMCount13(13);
        b.mutableBuilder(new Clashes.Builder_.Builder()).setX(7);
        b.mutableSelf(new Clashes.Clashes_.Builder()).setY(9);
        ByteBuffer out = ByteBuffer.allocateDirect(b.encodedLength(codec));
        b.encode(codec, out);
        Clashes c = new Clashes().decode(codec, out.flip(), arena);
        assertEquals(1, c.class_());
        assertEquals(2, c.foo2Count());
        assertEquals(3, c.foo2(1));
        assertEquals(4, c.fooCount3());
        assertEquals("s", c.toString_());
        assertEquals(5, c.message());
        assertEquals(7, c.builder().x());
        assertEquals(Clashes.VALUE_TEXT_FIELD_NUMBER, c.valueCase());
        assertSame(Clashes.ValueCase.VALUE_TEXT, c.valueCaseEnum());
        assertEquals(8, c.valueCase8());
        assertEquals(9, c.self().y());
        assertEquals("p", c.package_());
        assertEquals(0, c.m12IndexOf("k"));
        assertEquals(6, c.m12Value(0));
        assertEquals(13, c.mCount13());
    }
}
