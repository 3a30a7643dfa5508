package dev.ferrule.codegen.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import dev.ferrule.BackendKind;
import dev.ferrule.codegen.test.ferrule.AllKinds;
import dev.ferrule.codegen.test.ferrule.Color;
import dev.ferrule.codegen.test.ferrule.Inner;
import dev.ferrule.codegen.test.ferrule.Kinds;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every proto3 field kind: scalars, strings, bytes, enums, messages, repeated (packed and not), proto3
 * optional, a oneof, maps of several key and value types. Random messages from protobuf-java are read
 * through the typed flyweights and rebuilt with the typed builders, on both engines.
 */
class AllKindsTest {
    private static final int MESSAGES = 60;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (BackendKind backend : Engines.both().toList()) {
            for (int seed = 0; seed < MESSAGES; seed++) {
                out.add(Arguments.of(backend, seed));
            }
        }
        return out.stream();
    }

    static dev.ferrule.codegen.test.AllKinds random(int seed) {
        Random r = new Random(seed);
        var b = dev.ferrule.codegen.test.AllKinds.newBuilder();
        if (seed == 0) {
            return b.build();
        }
        if (r.nextBoolean()) {
            b.setFDouble(r.nextBoolean() ? -0.0 : r.nextDouble() * 1e9).setFFloat(r.nextFloat() - 0.5f)
                    .setFInt64(r.nextLong()).setFUint64(r.nextLong()).setFInt32(r.nextInt())
                    .setFFixed64(r.nextLong()).setFFixed32(r.nextInt()).setFBool(r.nextBoolean())
                    .setFString(text(r)).setFBytes(ByteString.copyFrom(bytes(r))).setFUint32(r.nextInt())
                    .setFEnumValue(r.nextInt(5) - 3).setFSfixed32(r.nextInt()).setFSfixed64(r.nextLong())
                    .setFSint32(r.nextInt()).setFSint64(r.nextLong());
        }
        if (r.nextBoolean()) {
            b.setFMessage(inner(r, 2));
        }
        for (int i = r.nextInt(4); i > 0; i--) {
            b.addRInt32(r.nextInt()).addRInt64(r.nextLong()).addRString(text(r)).addRBytes(ByteString.copyFrom(bytes(r)))
                    .addRMessage(inner(r, 1)).addREnumValue(r.nextInt(6) - 3).addRDouble(r.nextDouble())
                    .addRBool(r.nextBoolean()).addRFloat(r.nextFloat()).addRSint64(r.nextLong()).addRFixed32(r.nextInt());
        }
        if (r.nextBoolean()) {
            b.setOInt32(r.nextBoolean() ? 0 : r.nextInt()).setOString(r.nextBoolean() ? "" : text(r))
                    .setOEnumValue(r.nextInt(3));
        }
        switch (r.nextInt(5)) {
            case 0 -> b.setCString(text(r));
            case 1 -> b.setCMessage(inner(r, 1));
            case 2 -> b.setCInt64(r.nextLong());
            case 3 -> b.setCEnumValue(r.nextInt(4));
            default -> { }
        }
        for (int i = r.nextInt(4); i > 0; i--) {
            b.putMStringInt32(text(r) + i, r.nextInt()).putMInt32String(r.nextInt(), text(r))
                    .putMStringInner("k" + r.nextInt(), inner(r, 1)).putMInt64ColorValue(r.nextLong(), r.nextInt(4) - 3)
                    .putMBoolBytes(r.nextBoolean(), ByteString.copyFrom(bytes(r)))
                    .putMUint32Double(r.nextInt(), r.nextDouble());
        }
        if (r.nextInt(4) == 0) {
            b.setFileDescriptor(com.google.protobuf.DescriptorProtos.FileDescriptorProto.newBuilder()
                    .setName("x.proto").setPackage("p").addMessageType(
                            com.google.protobuf.DescriptorProtos.DescriptorProto.newBuilder().setName("M")));
        }
        return b.build();
    }

    static dev.ferrule.codegen.test.Inner inner(Random r, int depth) {
        var b = dev.ferrule.codegen.test.Inner.newBuilder().setA(r.nextInt()).setB(text(r)).setColorValue(r.nextInt(3));
        for (int i = depth > 0 ? r.nextInt(3) : 0; i > 0; i--) {
            b.addChildren(inner(r, depth - 1));
        }
        return b.build();
    }

    static String text(Random r) {
        String[] pieces = {"", "a", "ünï", "🚀", "日本", "x y z", "\u0000"};
        StringBuilder s = new StringBuilder();
        for (int i = r.nextInt(4); i > 0; i--) {
            s.append(pieces[r.nextInt(pieces.length)]);
        }
        return s.toString();
    }

    static byte[] bytes(Random r) {
        byte[] b = new byte[r.nextInt(5)];
        r.nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void readsAndBuildsLikeProtobufJava(BackendKind backend, int seed) throws Exception {
        var expected = random(seed);
        byte[] bytes = expected.toByteArray();
        ProtoCodec codec = Engines.codec(Kinds.schema(), backend);
        Arena arena = Arena.allocate(1 << 20);
        AllKinds read = new AllKinds().decode(codec, Engines.direct(bytes), arena);
        assertAllKinds(expected, read);

        AllKinds.Builder built = new AllKinds.Builder().start(codec, arena);
        build(expected, built);
        ByteBuffer out = ByteBuffer.allocateDirect(built.encodedLength(codec) + 1);
        built.encode(codec, out);
        assertArrayEquals(bytes, Engines.written(out), "seed " + seed);
        assertAllKinds(expected, built.reader(new AllKinds()));
    }

    static void assertAllKinds(dev.ferrule.codegen.test.AllKinds p, AllKinds k) {
        Utf8View view = new Utf8View();
        assertEquals(Double.doubleToRawLongBits(p.getFDouble()), Double.doubleToRawLongBits(k.fDouble()));
        assertEquals(Float.floatToRawIntBits(p.getFFloat()), Float.floatToRawIntBits(k.fFloat()));
        assertEquals(p.getFInt64(), k.fInt64());
        assertEquals(p.getFUint64(), k.fUint64());
        assertEquals(p.getFInt32(), k.fInt32());
        assertEquals(p.getFFixed64(), k.fFixed64());
        assertEquals(p.getFFixed32(), k.fFixed32());
        assertEquals(p.getFBool(), k.fBool());
        assertEquals(p.getFString(), k.fString());
        assertEquals(p.getFString(), k.fString(view).toString());
        assertArrayEquals(p.getFBytes().toByteArray(), k.fBytes());
        assertEquals(p.getFUint32(), k.fUint32());
        assertEquals(p.getFEnumValue(), k.fEnum());
        assertEquals(p.getFEnum().name(), k.fEnumEnum().name());
        assertEquals(p.getFSfixed32(), k.fSfixed32());
        assertEquals(p.getFSfixed64(), k.fSfixed64());
        assertEquals(p.getFSint32(), k.fSint32());
        assertEquals(p.getFSint64(), k.fSint64());
        assertEquals(p.hasFMessage(), k.hasFMessage());
        assertInner(p.getFMessage(), k.fMessage());

        assertEquals(p.getRInt32List(), range(k.rInt32Count(), k::rInt32));
        assertEquals(p.getRInt64List(), range(k.rInt64Count(), k::rInt64));
        assertEquals(p.getRStringList(), range(k.rStringCount(), k::rString));
        assertEquals(p.getRBytesList(), range(k.rBytesCount(), i -> ByteString.copyFrom(k.rBytes(i))));
        assertEquals(p.getREnumValueList(), range(k.rEnumCount(), k::rEnum));
        assertEquals(p.getREnumList().stream().map(Enum::name).toList(),
                range(k.rEnumCount(), i -> k.rEnumEnum(i).name()));
        assertEquals(p.getRDoubleList(), range(k.rDoubleCount(), k::rDouble));
        assertEquals(p.getRBoolList(), range(k.rBoolCount(), k::rBool));
        assertEquals(p.getRFloatList(), range(k.rFloatCount(), k::rFloat));
        assertEquals(p.getRSint64List(), range(k.rSint64Count(), k::rSint64));
        assertEquals(p.getRFixed32List(), range(k.rFixed32Count(), k::rFixed32));
        assertEquals(p.getRMessageCount(), k.rMessageCount());
        Inner inner = new Inner();
        for (int i = 0; i < p.getRMessageCount(); i++) {
            assertInner(p.getRMessage(i), k.rMessage(i, inner));
            assertEquals(p.getRBytes(i).size(), k.rBytes(i, new Utf8View()).byteLength());
        }

        assertEquals(p.hasOInt32(), k.hasOInt32());
        assertEquals(p.getOInt32(), k.oInt32());
        assertEquals(p.hasOString(), k.hasOString());
        assertEquals(p.getOString(), k.oString());
        assertEquals(p.hasOEnum(), k.hasOEnum());
        assertEquals(p.getOEnumValue(), k.oEnum());

        assertEquals(p.getChoiceCase().getNumber(), k.choiceCase());
        assertEquals(p.getChoiceCase().name(), k.choiceCaseEnum().name());
        assertEquals(p.hasCString(), k.hasCString());
        assertEquals(p.getCString(), k.cString());
        assertEquals(p.hasCMessage(), k.hasCMessage());
        assertInner(p.getCMessage(), k.cMessage());
        assertEquals(p.getCInt64(), k.cInt64());
        assertEquals(p.getCEnumValue(), k.cEnum());

        assertMap(p.getMStringInt32Map(), k.mStringInt32Count(), k::mStringInt32Key, k::mStringInt32Value);
        for (var e : p.getMStringInt32Map().entrySet()) {
            assertEquals(e.getValue(), k.mStringInt32Value(k.mStringInt32IndexOf(e.getKey())));
        }
        assertEquals(-1, k.mStringInt32IndexOf("no such key"));
        assertMap(p.getMInt32StringMap(), k.mInt32StringCount(), k::mInt32StringKey, k::mInt32StringValue);
        assertMap(p.getMInt64ColorValueMap(), k.mInt64ColorCount(), k::mInt64ColorKey, k::mInt64ColorValue);
        for (var e : p.getMInt64ColorMap().entrySet()) {
            assertEquals(e.getValue().name(), k.mInt64ColorValueEnum(k.mInt64ColorIndexOf(e.getKey())).name());
        }
        assertMap(p.getMBoolBytesMap(), k.mBoolBytesCount(), k::mBoolBytesKey,
                i -> ByteString.copyFrom(k.mBoolBytesValue(i)));
        assertMap(p.getMUint32DoubleMap(), k.mUint32DoubleCount(), k::mUint32DoubleKey, k::mUint32DoubleValue);
        assertEquals(p.getMStringInnerCount(), k.mStringInnerCount());
        for (var e : p.getMStringInnerMap().entrySet()) {
            int i = k.mStringInnerIndexOf(e.getKey());
            assertEquals(e.getKey(), k.mStringInnerKey(i, new Utf8View()).toString());
            assertInner(e.getValue(), k.mStringInnerValue(i, new Inner()));
        }

        assertEquals(p.hasFileDescriptor(), k.hasFileDescriptor());
        var fd = k.fileDescriptor();
        assertEquals(p.getFileDescriptor().getName(), fd.name());
        assertEquals(p.getFileDescriptor().getPackage(), fd.package_());
        assertEquals(p.getFileDescriptor().getMessageTypeCount(), fd.messageTypeCount());
    }

    static void assertInner(dev.ferrule.codegen.test.Inner p, Inner k) {
        assertEquals(p.getA(), k.a());
        assertEquals(p.getB(), k.b());
        assertEquals(p.getColorValue(), k.color());
        assertEquals(p.getChildrenCount(), k.childrenCount());
        for (int i = 0; i < p.getChildrenCount(); i++) {
            assertInner(p.getChildren(i), k.children(i));
        }
    }

    interface IntTo<T> {
        T apply(int index);
    }

    static <T> List<T> range(int count, IntTo<T> element) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(element.apply(i));
        }
        return out;
    }

    /** protobuf-java keeps map entries in wire order, as the typed view does (keys are distinct here). */
    static <K, V> void assertMap(Map<K, V> expected, int count, IntTo<K> key, IntTo<V> value) {
        assertEquals(new ArrayList<>(expected.keySet()), range(count, key));
        assertEquals(new ArrayList<>(expected.values()), range(count, value));
    }

    /** Rebuilds {@code p} field by field with the typed builder, in field number order. */
    static void build(dev.ferrule.codegen.test.AllKinds p, AllKinds.Builder b) {
        b.setFDouble(p.getFDouble()).setFFloat(p.getFFloat()).setFInt64(p.getFInt64()).setFUint64(p.getFUint64())
                .setFInt32(p.getFInt32()).setFFixed64(p.getFFixed64()).setFFixed32(p.getFFixed32()).setFBool(p.getFBool())
                .setFString(p.getFString()).setFBytes(p.getFBytes().toByteArray()).setFUint32(p.getFUint32())
                .setFEnum(p.getFEnumValue()).setFSfixed32(p.getFSfixed32()).setFSfixed64(p.getFSfixed64())
                .setFSint32(p.getFSint32()).setFSint64(p.getFSint64());
        if (p.hasFMessage()) {
            buildInner(p.getFMessage(), b.mutableFMessage(new Inner.Builder()));
        }
        p.getRInt32List().forEach(b::addRInt32);
        p.getRInt64List().forEach(b::addRInt64);
        p.getRStringList().forEach(b::addRString);
        p.getRBytesList().forEach(x -> b.addRBytes(x.toByteArray()));
        p.getRMessageList().forEach(x -> buildInner(x, b.addRMessage(new Inner.Builder())));
        p.getREnumValueList().forEach(x -> b.addREnum(x));
        p.getRDoubleList().forEach(b::addRDouble);
        p.getRBoolList().forEach(b::addRBool);
        p.getRFloatList().forEach(b::addRFloat);
        p.getRSint64List().forEach(b::addRSint64);
        p.getRFixed32List().forEach(b::addRFixed32);
        if (p.hasOInt32()) {
            b.setOInt32(p.getOInt32());
        }
        if (p.hasOString()) {
            b.setOString(p.getOString());
        }
        if (p.hasOEnum()) {
            b.setOEnum(Color.forNumber(p.getOEnumValue()));
        }
        switch (p.getChoiceCase()) {
            case C_STRING -> b.setCString(p.getCString());
            case C_MESSAGE -> buildInner(p.getCMessage(), b.mutableCMessage(new Inner.Builder()));
            case C_INT64 -> b.setCInt64(p.getCInt64());
            case C_ENUM -> b.setCEnum(p.getCEnumValue());
            default -> { }
        }
        p.getMStringInt32Map().forEach(b::putMStringInt32);
        p.getMInt32StringMap().forEach(b::putMInt32String);
        p.getMStringInnerMap().forEach((key, v) -> buildInner(v, b.putMStringInner(key, new Inner.Builder())));
        p.getMInt64ColorValueMap().forEach((key, v) -> b.putMInt64Color(key, v));
        p.getMBoolBytesMap().forEach((key, v) -> b.putMBoolBytes(key, v.toByteArray()));
        p.getMUint32DoubleMap().forEach(b::putMUint32Double);
        if (p.hasFileDescriptor()) {
            var fd = b.mutableFileDescriptor(new com.google.protobuf.ferrule.DescriptorProtos.FileDescriptorProto.Builder())
                    .setName(p.getFileDescriptor().getName()).setPackage_(p.getFileDescriptor().getPackage());
            for (var m : p.getFileDescriptor().getMessageTypeList()) {
                fd.addMessageType(new com.google.protobuf.ferrule.DescriptorProtos.DescriptorProto.Builder())
                        .setName(m.getName());
            }
        }
    }

    static void buildInner(dev.ferrule.codegen.test.Inner p, Inner.Builder b) {
        b.setA(p.getA()).setB(p.getB()).setColor(p.getColorValue());
        p.getChildrenList().forEach(c -> buildInner(c, b.addChildren(new Inner.Builder())));
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.codegen.tests.OtlpTraceTest#backends")
    void settingAOneofMemberClearsTheOther(BackendKind backend) throws Exception {
        ProtoCodec codec = Engines.codec(Kinds.schema(), backend);
        AllKinds.Builder b = new AllKinds.Builder().start(codec, Arena.allocate(4096));
        b.setCString("first").setCInt64(5);
        AllKinds k = b.reader(new AllKinds());
        assertSame(AllKinds.ChoiceCase.C_INT64, k.choiceCaseEnum());
        assertEquals("", k.cString());
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        b.encode(codec, out);
        assertEquals(dev.ferrule.codegen.test.AllKinds.newBuilder().setCInt64(5).build(),
                dev.ferrule.codegen.test.AllKinds.parseFrom(Engines.written(out)));
        assertSame(Color.BLUE, Color.forNumber(Color.BLUE_VALUE));
        assertEquals(-3, Color.BLUE.number());
    }
}
