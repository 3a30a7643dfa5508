package dev.ferrule.tests.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.ferrule.BackendKind;
import dev.ferrule.cli.json.JsonException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ferrule's JSON parser against protobuf-java-util's JsonFormat.parser(): the same JSON must give the
 * same bytes as protobuf-java's serialization of what JsonFormat parsed, or both must refuse it.
 *
 * <p>The random Any payloads carry no map fields: JsonFormat builds an Any's content as a
 * DynamicMessage, which leaves a map entry's default key or value out of the wire (generated code and
 * Ferrule write both), so those bytes legitimately differ. For the same reason Struct keys are never
 * empty in these messages.
 */
class JsonParserTest {
    static final String P = TestProtos.PACKAGE + ".";

    static Stream<Arguments> backendsAndTypes() {
        return JsonSupport.backends().flatMap(b -> JsonPrinterTest.ROOT_TYPES.stream().map(t -> Arguments.of(b, t)));
    }

    static JsonFormat.Parser oracle() {
        return JsonFormat.parser().usingTypeRegistry(TestProtos.get().registry());
    }

    /** protobuf-java's bytes for the JSON, or null if JsonFormat refuses it. */
    static byte[] expected(String type, String json) {
        Message message = expectedMessage(type, json);
        return message == null ? null : message.toByteArray();
    }

    /** What JsonFormat parses the JSON to, or null if it refuses it. */
    static Message expectedMessage(String type, String json) {
        try {
            Message.Builder builder = TestProtos.get().newBuilder(type);
            oracle().merge(json, builder);
            return builder.build();
        } catch (Exception e) {
            return null;
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void jsonFormatOutputParsesToTheSameBytes(BackendKind backend, String type) throws Exception {
        TestProtos protos = TestProtos.get();
        JsonSupport ferrule = new JsonSupport(protos.schema(), backend);
        RandomMessages random = new RandomMessages(type.hashCode() * 31L + 7, 4,
                JsonPrinterTest.builders(JsonPrinterTest.ANY_TYPES), false);
        JsonFormat.Printer printer = JsonPrinterTest.oracle();
        int rounds = type.startsWith("google.protobuf.") ? 150 : 400;
        for (int i = 0; i < rounds; i++) {
            Message message = random.message(protos.newBuilder(type), 0, false);
            String json = printer.print(message);
            Message reparsed = expectedMessage(type, json);
            if (reparsed == null) {
                fail("JsonFormat does not parse its own output: " + json);
            }
            byte[] expected = reparsed.toByteArray();
            byte[] actual = ferrule.parse(type, json);
            int round = i;
            assertArrayEquals(expected, actual, () -> "round " + round + " of " + type + ": " + json + "\nexpected "
                    + HexFormat.of().formatHex(expected) + "\nactual   " + HexFormat.of().formatHex(actual));
            // And back: Ferrule prints what it parsed as JsonFormat prints what it parsed (not always the
            // original JSON: JsonFormat reads -0.0 in a double field as 0, for one).
            assertEquals(printer.print(reparsed), ferrule.print(type, actual));
        }
    }

    /** JSON that JsonFormat's printer never writes but its parser accepts, or refuses. */
    static final List<String[]> HANDWRITTEN = List.of(
            new String[] {P + "AllKinds", "{\"f_int32\": \"12\", \"fInt64\": 1e3, \"fUint32\": 4294967295,"
                    + " \"fUint64\": \"18446744073709551615\", \"fSint32\": -5.0, \"f_sint64\": \"-9223372036854775808\"}"},
            new String[] {P + "AllKinds", "{\"fInt64\": 1.0e18, \"fFixed64\": \"1e19\", \"fSfixed32\": \"-2147483648\"}"},
            new String[] {P + "AllKinds", "{\"fEnum\": \"BLUE\", \"rEnum\": [1, \"GREEN\", 77, -3, \"2\"], \"oEnum\": 0}"},
            new String[] {P + "AllKinds", "{\"fBytes\": \"-_8\", \"rBytes\": [\"AQID\", \"AQI\", \"_-8=\", \"\", \"+/8=\"]}"},
            new String[] {P + "AllKinds", "{\"fBool\": \"true\", \"rBool\": [false, \"false\", true]}"},
            new String[] {P + "AllKinds", "{\"fFloat\": \"NaN\", \"fDouble\": \"-Infinity\", \"rFloat\": [1e38, \"3.5\","
                    + " \"Infinity\", -0.0, 3.4028235e38], \"rDouble\": [1e308, \"-0\", 5e-324, 0.1]}"},
            new String[] {P + "AllKinds", "{\"fFloat\": 1e39}"},
            new String[] {P + "AllKinds", "{\"fDouble\": 1e309}"},
            new String[] {P + "AllKinds", "{\"fInt32\": 2147483648}"},
            new String[] {P + "AllKinds", "{\"fInt32\": 1.5}"},
            new String[] {P + "AllKinds", "{\"fUint32\": -1}"},
            new String[] {P + "AllKinds", "{\"fUint64\": \"18446744073709551616\"}"},
            new String[] {P + "AllKinds", "{\"fUint64\": 1.5e1}"},
            new String[] {P + "AllKinds", "{\"fBool\": 1}"},
            new String[] {P + "AllKinds", "{\"fBytes\": \"!!\"}"},
            new String[] {P + "AllKinds", "{\"fEnum\": \"PURPLE\"}"},
            new String[] {P + "AllKinds", "{\"fMessage\": null, \"fString\": null, \"rInt32\": null, \"mInt32\": null,"
                    + " \"cMessage\": null, \"oInt32\": null}"},
            new String[] {P + "AllKinds", "{\"rInt32\": [1, null]}"},
            new String[] {P + "AllKinds", "{\"mInt32\": {\"1\": \"a\", \"-2\": \"b\"}, \"mBool\": {\"true\": \"t\", \"false\": \"f\"},"
                    + " \"mUint64\": {\"18446744073709551615\": \"-1\"}, \"mValue\": {\"k\": null, \"\": 1}, \"mNull\": {\"n\": null},"
                    + " \"mSfixed64\": {\"0\": {}}, \"mString\": {\"\": \"\"}, \"mSint64\": {\"1e2\": 1}}"},
            new String[] {P + "AllKinds", "{\"mBool\": {\"yes\": \"x\"}}"},
            new String[] {P + "AllKinds", "{\"mInt32\": {\"1\": null}}"},
            new String[] {P + "AllKinds", "{\"mInt32\": []}"},
            new String[] {P + "AllKinds", "{\"renamed\": \"x\"}"},
            new String[] {P + "AllKinds", "{\"custom_name\": \"y\"}"},
            new String[] {P + "AllKinds", "{\"customName\": \"y\"}"},
            new String[] {P + "AllKinds", "{\"renamed\": \"x\", \"custom_name\": \"y\"}"},
            new String[] {P + "AllKinds", "{\"fInt32\": 0, \"f_int32\": 5}"},
            new String[] {P + "AllKinds", "{\"fInt32\": 5, \"f_int32\": 6}"},
            new String[] {P + "AllKinds", "{\"rInt32\": [], \"r_int32\": [3]}"},
            new String[] {P + "AllKinds", "{\"fieldWith2UnderScores\": 4}"},
            new String[] {P + "AllKinds", "{\"cString\": \"a\", \"cInt64\": 5}"},
            new String[] {P + "AllKinds", "{\"cString\": null, \"cInt64\": \"5\"}"},
            new String[] {P + "AllKinds", "{\"cNull\": null}"},
            new String[] {P + "AllKinds", "{\"cValue\": null}"},
            new String[] {P + "AllKinds", "{\"cValue\": {\"a\": [1, \"b\", null, false, {}]}}"},
            new String[] {P + "AllKinds", "{\"oInt32\": 0, \"oString\": \"\", \"oBool\": false, \"oBytes\": \"\"}"},
            new String[] {P + "AllKinds", "{\"nullValue\": null, \"rNull\": [null, 0, \"NULL_VALUE\"]}"},
            new String[] {P + "AllKinds", "{\"unknownField\": 1}"},
            new String[] {P + "AllKinds", "{\"fInt32\": {}}"},
            new String[] {P + "AllKinds", "{\"fMessage\": []}"},
            new String[] {P + "AllKinds", "{\"rInt32\": 5}"},
            new String[] {P + "AllKinds", "{\"fMessage\": {\"a\": 1, \"children\": [{}, {\"b\": \"x\", \"color\": \"RED\"}]}}"},
            new String[] {P + "AllKinds", "{fInt32: 5, 'fString': 'x', \"rString\": [\"\\u00e9\\ud83d\\ude00\\n\"]}"},
            new String[] {P + "AllKinds", "{\"fString\": 5, \"fInt32\": [7], \"rString\": [true]}"},
            new String[] {P + "AllKinds", "{\"fString\": \"lone \\ud800 surrogate\"}"},
            new String[] {P + "AllKinds", "null"},
            new String[] {P + "AllKinds", "[]"},
            new String[] {P + "AllKinds", "{\"fInt32\": 1"},
            new String[] {P + "WellKnown", "{\"ts\": \"1972-01-01T10:00:20.021-05:00\", \"dur\": \"-1.5s\", \"mask\": \"fooBar,baz.quxQuux\","
                    + " \"wInt64\": \"5\", \"wBool\": false, \"wString\": null, \"wBytes\": \"AQ==\", \"empty\": {}, \"wUint32\": 0}"},
            new String[] {P + "WellKnown", "{\"ts\": \"2020-01-01T00:00:00.123456789123Z\"}"},
            new String[] {P + "WellKnown", "{\"ts\": \"2020-01-01T00:00:00.1+01:30\"}"},
            new String[] {P + "WellKnown", "{\"ts\": \"2020-01-01T00:00:00z\"}"},
            new String[] {P + "WellKnown", "{\"ts\": \"0001-01-01T00:00:00Z\", \"rTs\": [\"9999-12-31T23:59:59.999999999Z\"]}"},
            new String[] {P + "WellKnown", "{\"ts\": \"10000-01-01T00:00:00Z\"}"},
            new String[] {P + "WellKnown", "{\"ts\": \"2020-02-30T00:00:00Z\"}"},
            new String[] {P + "WellKnown", "{\"ts\": 5}"},
            new String[] {P + "WellKnown", "{\"dur\": \"315576000000.999999999s\"}"},
            new String[] {P + "WellKnown", "{\"dur\": \"315576000001s\"}"},
            new String[] {P + "WellKnown", "{\"dur\": \"1.5\"}"},
            new String[] {P + "WellKnown", "{\"dur\": \"-0.5s\", \"rDur\": [\"0s\", \"1.000000001s\", \"-3s\"]}"},
            new String[] {P + "WellKnown", "{\"mask\": \"\", \"struct\": {}, \"list\": [], \"value\": null}"},
            new String[] {P + "WellKnown", "{\"struct\": {\"a\": [1, \"x\", null, true, {\"b\": {}}], \"c\": 1e400},"
                    + " \"value\": 3, \"list\": [[], {}, \"NaN\"], \"rValue\": [null, 1, \"s\"]}"},
            new String[] {P + "WellKnown", "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\", \"value\": \"1s\"}}"},
            new String[] {P + "WellKnown", "{\"any\": {\"@type\": \"type.googleapis.com/ferrule.json.test.Inner\", \"a\": 5, \"b\": \"x\"}}"},
            new String[] {P + "WellKnown", "{\"any\": {\"b\": \"x\", \"@type\": \"example.com/ferrule.json.test.Inner\"}}"},
            new String[] {P + "WellKnown", "{\"any\": {}}"},
            new String[] {P + "WellKnown", "{\"any\": {\"a\": 1}}"},
            new String[] {P + "WellKnown", "{\"any\": {\"@type\": \"type.googleapis.com/nope.Nope\"}}"},
            new String[] {P + "WellKnown", "{\"any\": {\"@type\": \"noslash\"}}"},
            new String[] {P + "WellKnown", "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Int64Value\", \"value\": \"7\"}}"},
            new String[] {P + "WellKnown", "{\"any\": {\"@type\": \"type.googleapis.com/google.protobuf.Timestamp\"}}"},
            new String[] {P + "WellKnown", "{\"rAny\": [{\"@type\": \"type.googleapis.com/google.protobuf.Value\", \"value\": null},"
                    + " {\"@type\": \"type.googleapis.com/google.protobuf.Any\", \"value\": {\"@type\":"
                    + " \"type.googleapis.com/google.protobuf.Struct\", \"value\": {\"z\": 1}}}]}"},
            new String[] {P + "WellKnown", "{\"kTs\": null, \"kString\": \"x\"}"},
            new String[] {P + "WellKnown", "{\"kTs\": \"1970-01-01T00:00:00Z\", \"kString\": \"x\"}"},
            new String[] {P + "WellKnown", "{\"mAny\": {\"1\": {}}, \"mTs\": {\"a\": \"1970-01-01T00:00:01Z\"}}"},
            new String[] {P + "WellKnown", "{\"wInt32\": \"1.0\", \"wUint64\": 1e2, \"wFloat\": \"-Infinity\", \"wDouble\": 0}"},
            new String[] {P + "WellKnown", "{\"empty\": {\"x\": 1}}"},
            new String[] {P + "Legacy", "{\"req\": 1, \"c\": \"ONE\", \"late\": 6, \"i\": 42, \"s\": \"hello\", \"flag\": true}"},
            new String[] {P + "Legacy", "{\"req\": 1, \"c\": 7}"},
            new String[] {P + "Legacy", "{\"req\": 1, \"c\": 2, \"cs\": [0, \"TWO\"], \"closedMap\": {\"k\": \"ONE\"}}"},
            new String[] {P + "Legacy", "{\"req\": 1, \"g\": {\"x\": 1}, \"r\": [{\"z\": 2}, {}], \"os\": \"\"}"},
            new String[] {P + "Legacy", "{\"c\": \"ONE\"}"},
            new String[] {P + "Legacy", "{\"req\": 1, \"child\": {\"i\": 1}}"},
            new String[] {P + "Legacy", "{\"req\": 1, \"child\": {\"req\": 2, \"child\": {\"req\": 3}}, \"f\": \"NaN\", \"u\": 0}"},
            new String[] {"google.protobuf.Timestamp", "\"2020-02-29T12:00:00Z\""},
            new String[] {"google.protobuf.Value", "[1, {\"a\": null}]"},
            new String[] {"google.protobuf.Value", "null"},
            new String[] {"google.protobuf.Struct", "{}"},
            new String[] {"google.protobuf.Struct", "[]"},
            new String[] {"google.protobuf.ListValue", "[]"},
            new String[] {"google.protobuf.Int64Value", "\"12\""},
            new String[] {"google.protobuf.Int64Value", "null"},
            new String[] {"google.protobuf.Any", "{}"},
            new String[] {"google.protobuf.FieldMask", "\"\""},
            new String[] {"google.protobuf.FieldMask", "\"a,,bC\""},
            new String[] {"google.protobuf.Duration", "\"1s\""});

    static Stream<Arguments> handwritten() {
        return JsonSupport.backends().flatMap(b -> HANDWRITTEN.stream().map(c -> Arguments.of(b, c[0], c[1])));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("handwritten")
    void acceptsWhatJsonFormatAcceptsAndRefusesWhatItRefuses(BackendKind backend, String type, String json) {
        JsonSupport ferrule = new JsonSupport(TestProtos.get().schema(), backend);
        byte[] expected = expected(type, json);
        byte[] actual;
        try {
            actual = ferrule.parse(type, json);
        } catch (JsonException e) {
            if (expected != null) {
                fail("Ferrule refuses what JsonFormat accepts: " + e.getMessage() + "; expected "
                        + HexFormat.of().formatHex(expected), e);
            }
            return;
        }
        if (expected == null) {
            fail("Ferrule accepts what JsonFormat refuses: " + HexFormat.of().formatHex(actual));
        }
        assertArrayEquals(expected, actual, () -> "expected " + HexFormat.of().formatHex(expected) + "\nactual   "
                + HexFormat.of().formatHex(actual));
    }
}
