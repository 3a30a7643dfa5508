package dev.ferrule.tests.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.ferrule.BackendKind;
import dev.ferrule.cli.json.JsonException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ferrule's JSON printer against protobuf-java-util's JsonFormat.printer(), character for character. */
class JsonPrinterTest {
    static final String P = TestProtos.PACKAGE + ".";
    static final List<String> ROOT_TYPES = List.of(P + "AllKinds", P + "WellKnown", P + "Legacy", P + "Inner",
            "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask", "google.protobuf.Struct",
            "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Any", "google.protobuf.Empty",
            "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.UInt32Value",
            "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
            "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int32Value");
    /** What the random Any fields carry. */
    static final List<String> ANY_TYPES = List.of(P + "Inner", P + "AllKinds", P + "WellKnown", P + "Legacy",
            "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.Struct", "google.protobuf.Value",
            "google.protobuf.ListValue", "google.protobuf.Int64Value", "google.protobuf.StringValue",
            "google.protobuf.FieldMask", "google.protobuf.Any", "google.protobuf.Empty");

    static JsonFormat.Printer oracle() {
        return JsonFormat.printer().usingTypeRegistry(TestProtos.get().registry());
    }

    static List<Supplier<Message.Builder>> builders(List<String> types) {
        TestProtos protos = TestProtos.get();
        List<Supplier<Message.Builder>> list = new ArrayList<>();
        for (String t : types) {
            list.add(() -> protos.newBuilder(t));
        }
        return list;
    }

    static Stream<Arguments> backendsAndTypes() {
        return JsonSupport.backends().flatMap(b -> ROOT_TYPES.stream().map(t -> Arguments.of(b, t)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void randomMessagesPrintExactlyAsJsonFormat(BackendKind backend, String type) throws Exception {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        RandomMessages random = new RandomMessages(type.hashCode(), 4, builders(ANY_TYPES), true);
        JsonFormat.Printer oracle = oracle();
        int rounds = type.startsWith("google.protobuf.") ? 150 : 400;
        for (int i = 0; i < rounds; i++) {
            Message built = random.message(protos.newBuilder(type), 0, false);
            // What a reader of the bytes sees (a built message can keep a map in its list form).
            Message message = protos.newBuilder(type).mergeFrom(built.toByteArray()).build();
            String expected = oracle.print(message);
            String actual = ferrule.print(type, message.toByteArray());
            int round = i;
            assertEquals(expected, actual, () -> "round " + round + " of " + type + ", bytes "
                    + HexFormat.of().formatHex(message.toByteArray()));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void emptyMessagesAndDefaults(BackendKind backend) throws Exception {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        for (String type : ROOT_TYPES) {
            if (type.equals(P + "Legacy")) {
                continue; // has a required field
            }
            Message empty = protos.newBuilder(type).build();
            assertEquals(oracle().print(empty), ferrule.print(type, new byte[0]), type);
        }
        assertEquals("{\n}", ferrule.print(P + "AllKinds", new byte[0]));
        assertEquals("{}", ferrule.print("google.protobuf.Any", new byte[0]));
        assertEquals("null", ferrule.print("google.protobuf.Value", new byte[0]));
        assertEquals("\"1970-01-01T00:00:00Z\"", ferrule.print("google.protobuf.Timestamp", new byte[0]));
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void specialFloatsAndEscapes(BackendKind backend) throws Exception {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        Message.Builder b = protos.newBuilder(P + "AllKinds");
        Descriptor d = b.getDescriptorForType();
        b.setField(d.findFieldByName("f_float"), Float.NaN);
        b.setField(d.findFieldByName("f_double"), -0.0);
        b.setField(d.findFieldByName("o_double"), 0.0);
        b.setField(d.findFieldByName("f_string"), "<tag a='b'> & \"q\" \\ \u2028\u2029 \u0000\u001f\u007f é 😀 =");
        for (double v : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e21, 1e-7, 100.0}) {
            b.addRepeatedField(d.findFieldByName("r_double"), v);
        }
        for (float v : new float[] {Float.POSITIVE_INFINITY, -0.0f, 1.0e10f, 3.4028235e38f, 1.4e-45f}) {
            b.addRepeatedField(d.findFieldByName("r_float"), v);
        }
        Message message = b.build();
        String json = ferrule.print(message);
        assertEquals(oracle().print(message), json);
        assertTrue(json.contains("\"fFloat\": \"NaN\""), json);
        assertTrue(json.contains("\"fDouble\": -0.0"), json);
        assertTrue(json.contains("\"oDouble\": 0.0"), json);
        assertTrue(json.contains("\\u003ctag a\\u003d\\u0027b\\u0027\\u003e \\u0026 \\\"q\\\" \\\\ \\u2028\\u2029 \\u0000\\u001f"), json);
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void duplicateMapKeysKeepTheFirstPlaceAndTheLastValue(BackendKind backend) throws Exception {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        // Struct{a: 1, b: 2, a: 3} on the wire: protobuf-java's map keeps a where it came first, with 3.
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (String[] kv : new String[][] {{"a", "1"}, {"b", "2"}, {"a", "3"}}) {
            Struct one = Struct.newBuilder().putFields(kv[0], Value.newBuilder().setNumberValue(Double.parseDouble(kv[1])).build())
                    .build();
            one.writeTo(wire);
        }
        byte[] bytes = wire.toByteArray();
        Struct parsed = Struct.parseFrom(bytes);
        assertEquals(oracle().print(parsed), ferrule.print("google.protobuf.Struct", bytes));
        assertEquals("{\n  \"a\": 3.0,\n  \"b\": 2.0\n}", ferrule.print("google.protobuf.Struct", bytes));

        // The same for a map of the test schema: m_int32 {1: "x"}, {2: "y"}, {1: "z"}.
        Message.Builder b = protos.newBuilder(P + "AllKinds");
        ByteArrayOutputStream allKinds = new ByteArrayOutputStream();
        for (Object[] kv : new Object[][] {{1, "x"}, {2, "y"}, {1, "z"}}) {
            Message.Builder one = protos.newBuilder(P + "AllKinds");
            Descriptor d = one.getDescriptorForType();
            Message.Builder entry = one.newBuilderForField(d.findFieldByName("m_int32"));
            entry.setField(entry.getDescriptorForType().findFieldByNumber(1), kv[0]);
            entry.setField(entry.getDescriptorForType().findFieldByNumber(2), kv[1]);
            one.addRepeatedField(d.findFieldByName("m_int32"), entry.build());
            one.build().writeTo(allKinds);
        }
        Message merged = b.mergeFrom(allKinds.toByteArray()).build();
        assertEquals(oracle().print(merged), ferrule.print(P + "AllKinds", allKinds.toByteArray()));
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void proto2PresenceDefaultsClosedEnumsAndInvalidUtf8(BackendKind backend) throws Exception {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        HexFormat hex = HexFormat.of();
        List<String> cases = List.of(
                "4800",                             // req = 0 only: defaults are not printed
                "48000800120568656c6c6f",           // i = 0 and s = "hello": set, to the defaults, so printed
                "48001807",                         // c = 7: not a Closed value, so an unknown field, not printed
                "4800180142020107",                 // c = ONE, cs = [1, 7] packed: 7 is unknown
                "48002005" + "2000",                // late = FIFTH, then late = 0 (unknown: FIFTH stays)
                "480012036100ff",                   // s = "a\0\xff": proto2 strings are not validated
                "4800" + "53580154" + "92010161",   // group G {x: 1}, os = "a"
                "4800" + "6b70036c6b70046c",        // repeated group R {z: 3}, {z: 4}
                "4800" + "9d0100000000" + "29000000000000f87f" + "a0017f" + "a80101"); // f, d = NaN, u, neg
        for (String c : cases) {
            byte[] bytes = hex.parseHex(c);
            Message m = protos.newBuilder(P + "Legacy").mergeFrom(bytes).buildPartial();
            assertEquals(oracle().print(m), ferrule.print(P + "Legacy", bytes), c);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void mapEntriesWithoutKeyOrValue(BackendKind backend) throws Exception {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        HexFormat hex = HexFormat.of();
        List<String[]> cases = List.of(
                new String[] {P + "AllKinds", "9a05030a016b" + "9a050412020801" + "9a0500"}, // m_message: {k: absent}, {"": a=1}, {}
                new String[] {P + "AllKinds", "a205030a0176" + "a2050412020801"},          // m_value: {v: absent}, {"": ?}
                new String[] {P + "AllKinds", "fa04050d05000000" + "8a0500" + "da0400"},    // m_sfixed32 {5: absent}, m_bool {}, m_sint32 {}
                new String[] {P + "WellKnown", "ba0100" + "d20100" + "ba01030a0161"},       // m_ts {}, m_any {}, m_ts {a: absent}
                new String[] {P + "Legacy", "4800" + "7a050a01611001" + "7a030a0162"},    // closed_map {a: ONE}, {b: absent}
                new String[] {P + "Legacy", "4800" + "7a050a01611007" + "7a050a01621002"}); // closed_map {a: 7 (unknown)}, {b: TWO}
        for (String[] c : cases) {
            byte[] bytes = hex.parseHex(c[1]);
            Message m = protos.newBuilder(c[0]).mergeFrom(bytes).buildPartial();
            assertEquals(oracle().print(m), ferrule.print(c[0], bytes), c[1]);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.ferrule.tests.json.JsonSupport#backends")
    void valuesWithoutAJsonFormFail(BackendKind backend) {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        List<Message> bad = List.of(
                Any.newBuilder().setTypeUrl("type.googleapis.com/no.such.Type").build(),
                Any.newBuilder().setTypeUrl("no-slash").setValue(ByteString.copyFromUtf8("x")).build(),
                Any.newBuilder().setTypeUrl("type.googleapis.com/google.protobuf.Timestamp")
                        .setValue(ByteString.copyFrom(new byte[] {8})).build(), // truncated content
                Timestamp.newBuilder().setSeconds(253402300800L).build(),
                Timestamp.newBuilder().setNanos(-1).build(),
                com.google.protobuf.Duration.newBuilder().setSeconds(1).setNanos(-1).build(),
                Value.newBuilder().setNumberValue(Double.NaN).build(),
                Value.newBuilder().setListValue(com.google.protobuf.ListValue.newBuilder()
                        .addValues(Value.newBuilder().setNumberValue(Double.POSITIVE_INFINITY))).build());
        for (Message m : bad) {
            assertThrows(Exception.class, () -> oracle().print(m), m.toString());
            JsonException e = assertThrows(JsonException.class, () -> ferrule.print(m), m.toString());
            assertTrue(!e.getMessage().isEmpty());
        }
    }
}
