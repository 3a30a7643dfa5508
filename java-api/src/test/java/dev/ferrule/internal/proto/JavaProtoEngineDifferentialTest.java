package dev.ferrule.internal.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import dev.ferrule.ErrorCode;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.TestProtos;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java engine against protobuf-java's DynamicMessage: random messages serialized by protobuf-java
 * must decode to the same field values and encode back to exactly protobuf-java's bytes; random
 * mutations of those bytes must be accepted or rejected alike; and reordered, repeated top-level
 * fields (merges, oneof switches, unknown fields out of order) must re-encode byte for byte like
 * protobuf-java.
 */
class JavaProtoEngineDifferentialTest {
    private static final CompiledSchema SCHEMA = TestProtos.compile(TestProtos.everything());
    private static final ProtoHarness HARNESS = new ProtoHarness(SCHEMA, TestProtos.everything());
    private static final Map<String, int[]> COUNTS = Collections.synchronizedMap(new TreeMap<>());

    private static int iterations(String type) {
        return type.startsWith("ferrule.") ? 3000 : 1000;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ferrule.test2.AllTypes2", "ferrule.test3.AllTypes3", "ferrule.test2.Req", "ferrule.test2.Nested2",
        "ferrule.test3.Nested3", "ferrule.mixed2.Mixed2", "ferrule.mixed3.Mixed3",
        "google.protobuf.FileDescriptorSet", "google.protobuf.DescriptorProto", "google.protobuf.Struct",
        "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Any", "google.protobuf.Timestamp",
        "google.protobuf.Duration", "google.protobuf.FieldMask", "google.protobuf.Empty", "google.protobuf.Type",
        "google.protobuf.Api", "google.protobuf.Int32Value", "google.protobuf.UInt64Value",
        "google.protobuf.BoolValue", "google.protobuf.BytesValue", "google.protobuf.StringValue",
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue",
    })
    void randomMessagesRoundTrip(String type) throws IOException {
        Descriptor d = HARNESS.descriptor(type);
        int m = HARNESS.message(type);
        RandomMessages random = new RandomMessages(type.hashCode());
        int accepted = 0;
        int missingRequired = 0;
        for (int i = 0; i < iterations(type); i++) {
            DynamicMessage original = random.message(d);
            byte[] bytes = original.toByteArray();
            DynamicMessage expected;
            try {
                expected = DynamicMessage.parseFrom(d, bytes);
            } catch (Exception e) {
                int status = HARNESS.decode(m, bytes);
                assertEquals(ErrorCode.PROTO_REQUIRED_FIELD_MISSING.code(), status,
                        type + " #" + i + ": protobuf-java rejects (" + e.getMessage() + ")");
                missingRequired++;
                continue;
            }
            roundTrip(type, m, bytes, expected, "#" + i);
            accepted++;
        }
        count(type + " random accepted", accepted);
        count(type + " random missing-required", missingRequired);
        assertTrue(accepted > 0);
    }

    /** Decodes, compares every field, re-encodes, and requires protobuf-java's exact bytes. */
    private static void roundTrip(String type, int m, byte[] bytes, DynamicMessage expected, String what) {
        int status = HARNESS.decode(m, bytes);
        if (status != 0) {
            fail(type + " " + what + ": decode failed with " + status + " at " + CallBlock.errorOffset(HARNESS.call)
                    + " path " + HARNESS.path() + " for " + hex(bytes));
        }
        HARNESS.assertRecord(expected, m, HARNESS.root, type);
        assertEquals(Set.of(), HARNESS.divergences, type + " " + what + ": canonical input " + hex(bytes));
        byte[] encoded = HARNESS.encode(m);
        byte[] reference = expected.toByteArray();
        if (!Arrays.equals(reference, encoded)) {
            fail(type + " " + what + ": encode differs\n input " + hex(bytes) + "\n    pj " + hex(reference)
                    + "\nferrule " + hex(encoded));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ferrule.test2.AllTypes2", "ferrule.test3.AllTypes3", "ferrule.test2.Req", "ferrule.mixed2.Mixed2",
        "ferrule.mixed3.Mixed3", "google.protobuf.FileDescriptorSet", "google.protobuf.Struct", "google.protobuf.Any",
        "google.protobuf.Type",
    })
    void mutatedBytesAreAcceptedOrRejectedAlike(String type) throws IOException {
        Descriptor d = HARNESS.descriptor(type);
        int m = HARNESS.message(type);
        RandomMessages random = new RandomMessages(~type.hashCode());
        Random r = random.random();
        int agreedAccept = 0;
        int agreedReject = 0;
        int nonCanonical = 0;
        List<String> divergences = new ArrayList<>();
        for (int i = 0; i < iterations(type); i++) {
            byte[] bytes = mutate(random.message(d).toByteArray(), r);
            DynamicMessage expected = null;
            String rejection = null;
            try {
                expected = DynamicMessage.parseFrom(d, bytes);
            } catch (Exception e) {
                rejection = e.getMessage();
            }
            int status = HARNESS.decode(m, bytes);
            if ((status == 0) != (expected != null)) {
                String divergence = classify(status, bytes);
                if (divergence == null) {
                    fail(type + " #" + i + ": protobuf-java " + (expected != null ? "accepts" : "rejects (" + rejection
                            + ")") + ", Ferrule " + (status == 0 ? "accepts" : "rejects with " + status + " at "
                            + CallBlock.errorOffset(HARNESS.call) + " path " + HARNESS.path()) + ": " + hex(bytes));
                }
                divergences.add(divergence);
                count(type + " divergence: " + divergence, 1);
                continue;
            }
            if (expected == null) {
                agreedReject++;
                continue;
            }
            agreedAccept++;
            HARNESS.assertRecord(expected, m, HARNESS.root, type);
            byte[] encoded = HARNESS.encode(m);
            byte[] reference = expected.toByteArray();
            if (!Arrays.equals(reference, encoded)) {
                // Only documented divergences on non-canonical input may change the bytes; the re-encoding
                // must still mean the same message to protobuf-java (except for an absent map enum value).
                nonCanonical++;
                assertTrue(!HARNESS.divergences.isEmpty(), type + " #" + i + ": unexplained re-encoding difference\n in  "
                        + hex(bytes) + "\n pj  " + hex(reference) + "\n fer " + hex(encoded));
                if (!HARNESS.divergences.contains(ProtoHarness.ABSENT_MAP_ENUM)) {
                    assertEquals(expected, DynamicMessage.parseFrom(d, encoded), type + " #" + i + ": " + hex(bytes));
                }
            }
            for (String divergence : HARNESS.divergences) {
                count(type + " divergence: " + divergence, 1);
            }
            // protobuf-java's own output is canonical: Ferrule must reproduce it byte for byte.
            roundTrip(type, m, reference, DynamicMessage.parseFrom(d, reference), "#" + i + " canonical");
        }
        count(type + " mutated agree-accept", agreedAccept);
        count(type + " mutated agree-reject", agreedReject);
        count(type + " mutated accepted, re-encoding differs (non-canonical input)", nonCanonical);
        count(type + " mutated documented accept/reject divergences", divergences.size());
        assertTrue(agreedReject > 0 && agreedAccept > 0);
    }

    /** A documented accept/reject divergence, or null. */
    private static String classify(int status, byte[] bytes) {
        int errorAt = (int) CallBlock.errorOffset(HARNESS.call) - ProtoHarness.BASE;
        if (status == ErrorCode.PROTO_MALFORMED_VARINT.code() && errorAt + 10 <= bytes.length) {
            // protobuf-java's array decoder (readRawVarint64 fast path, 10+ bytes left) takes a 10th byte
            // with the continuation bit as the last one when its low bit is 1; its stream decoder rejects.
            boolean nineContinue = true;
            for (int i = errorAt; i < errorAt + 9; i++) {
                nineContinue &= bytes[i] < 0;
            }
            if (nineContinue && (bytes[errorAt + 9] & 0x81) == 0x81) {
                return "protobuf-java accepts a 10th varint byte with the continuation bit";
            }
        }
        if (status == ErrorCode.PROTO_BAD_LENGTH.code()) {
            // protobuf-java reads a length as the low 32 bits of its varint: 2^32 + n is n to it.
            int at = errorAt;
            long length = 0;
            for (int shift = 0, i = at; shift < 64 && i < bytes.length; shift += 7, i++) {
                length |= (long) (bytes[i] & 0x7F) << shift;
                if (bytes[i] >= 0) {
                    break;
                }
            }
            if ((length >>> 32) != 0 && (int) length >= 0) {
                return "length varint above 32 bits";
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ferrule.test2.AllTypes2", "ferrule.test3.AllTypes3", "ferrule.test2.Req", "ferrule.mixed2.Mixed2",
        "ferrule.mixed3.Mixed3", "google.protobuf.FileDescriptorSet", "google.protobuf.Struct",
        "google.protobuf.Value",
    })
    void reorderedAndRepeatedFieldsReEncodeLikeProtobufJava(String type) throws IOException {
        Descriptor d = HARNESS.descriptor(type);
        int m = HARNESS.message(type);
        RandomMessages random = new RandomMessages(type.hashCode() * 31L);
        Random r = random.random();
        int checked = 0;
        for (int i = 0; i < iterations(type); i++) {
            List<byte[]> fields = new ArrayList<>();
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
                fields.addAll(topLevelFields(random.message(d).toByteArray()));
            }
            fields.addAll(topLevelFields(random.unknownFields(d, 0, r.nextInt(4)).toByteArray()));
            Collections.shuffle(fields, r);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] f : fields) {
                out.writeBytes(f);
            }
            byte[] bytes = out.toByteArray();
            DynamicMessage expected;
            try {
                expected = DynamicMessage.parseFrom(d, bytes);
            } catch (Exception e) {
                assertEquals(ErrorCode.PROTO_REQUIRED_FIELD_MISSING.code(), HARNESS.decode(m, bytes), e.getMessage());
                continue;
            }
            roundTrip(type, m, bytes, expected, "#" + i + " shuffled");
            checked++;
        }
        count(type + " shuffled", checked);
    }

    /** Splits a serialized message into its top-level fields, each with its tag. */
    static List<byte[]> topLevelFields(byte[] bytes) throws IOException {
        List<byte[]> fields = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        while (!in.isAtEnd()) {
            int start = in.getTotalBytesRead();
            int tag = in.readTag();
            in.skipField(tag);
            fields.add(Arrays.copyOfRange(bytes, start, in.getTotalBytesRead()));
        }
        return fields;
    }

    static byte[] mutate(byte[] in, Random r) {
        if (in.length == 0) {
            return new byte[] {(byte) r.nextInt(256)};
        }
        byte[] out = in.clone();
        int mutations = 1 + r.nextInt(3);
        for (int k = 0; k < mutations && out.length > 0; k++) {
            int at = r.nextInt(out.length);
            switch (r.nextInt(7)) {
                case 0 -> out[at] = (byte) r.nextInt(256);
                case 1 -> out = Arrays.copyOf(out, at);
                case 2 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) r.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                case 3 -> {
                    int n = Math.min(out.length - at, 1 + r.nextInt(4));
                    byte[] shorter = new byte[out.length - n];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + n, shorter, at, out.length - at - n);
                    out = shorter;
                }
                case 4 -> out[at] = (byte) (out[at] | 0x80);
                case 5 -> out[at] = (byte) (out[at] ^ (1 << r.nextInt(8)));
                default -> {
                    int n = Math.min(out.length - at, 1 + r.nextInt(8));
                    byte[] longer = Arrays.copyOf(out, out.length + n);
                    System.arraycopy(out, at, longer, out.length, n);
                    out = longer;
                }
            }
        }
        return out;
    }

    private static void count(String what, int n) {
        COUNTS.merge(what, new int[] {n}, (a, b) -> new int[] {a[0] + b[0]});
    }

    @AfterAll
    static void report() {
        StringBuilder s = new StringBuilder("Differential test counts:\n");
        COUNTS.forEach((k, v) -> s.append(String.format("  %8d  %s%n", v[0], k)));
        System.out.print(s);
    }

    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
