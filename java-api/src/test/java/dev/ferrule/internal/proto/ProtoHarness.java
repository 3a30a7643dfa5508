package dev.ferrule.internal.proto;

import static dev.ferrule.internal.schema.CompiledSchema.ALWAYS;
import static dev.ferrule.internal.schema.CompiledSchema.IMPLICIT;
import static dev.ferrule.internal.schema.CompiledSchema.ONEOF;
import static dev.ferrule.internal.schema.CompiledSchema.OPTIONAL;
import static dev.ferrule.internal.schema.CompiledSchema.REQUIRED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import dev.ferrule.internal.schema.CompiledSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the Java engine from tests: decodes byte arrays placed at a non-zero base offset (so that
 * absolute offsets are exercised), encodes records, and reads records back to compare them with
 * protobuf-java messages, the oracle.
 */
final class ProtoHarness {
    static final int BASE = 3;

    final CompiledSchema schema;
    final JavaProtoEngine engine = new JavaProtoEngine();
    final Map<String, Descriptor> descriptors = new HashMap<>();

    static final String NON_CANONICAL_UNKNOWN = "non-varint unknown field kept byte for byte (non-minimal tag or length, group)";
    static final String LOOSE_STRING = "unvalidated string with bad UTF-8 kept (protobuf-java's DynamicMessage writes U+FFFD)";
    static final String ABSENT_MAP_ENUM = "absent map enum value is the first declared value in protobuf-java";

    /** Documented divergences from protobuf-java met by the last {@link #assertRecord}. */
    final java.util.Set<String> divergences = new java.util.TreeSet<>();

    ByteBuffer input;
    ByteBuffer arena;
    ByteBuffer call;
    int status;
    int root;

    ProtoHarness(CompiledSchema schema, List<FileDescriptor> files) {
        this.schema = schema;
        for (FileDescriptor f : files) {
            index(f);
        }
    }

    private void index(FileDescriptor f) {
        for (FileDescriptor dep : f.getDependencies()) {
            index(dep);
        }
        for (Descriptor d : f.getMessageTypes()) {
            index(d);
        }
    }

    private void index(Descriptor d) {
        descriptors.put(d.getFullName(), d);
        for (Descriptor nested : d.getNestedTypes()) {
            index(nested);
        }
    }

    Descriptor descriptor(String name) {
        Descriptor d = descriptors.get(name);
        if (d == null) {
            throw new AssertionError("no descriptor " + name);
        }
        return d;
    }

    int message(String name) {
        int m = schema.messageIndex(name);
        assertTrue(m >= 0, name);
        return m;
    }

    /** Decodes {@code bytes} (placed at {@link #BASE}) into a fresh arena; returns the status. */
    int decode(int message, byte[] bytes, int arenaCapacity, int maxDepth) {
        divergences.clear();
        input = ByteBuffer.allocateDirect(BASE + bytes.length + 5);
        input.put(BASE, bytes);
        // The arena is reused (reset, not cleared) whenever its size allows: records must not depend on
        // what earlier decodes left in it.
        if (arena == null || arena.capacity() != arenaCapacity) {
            arena = ArenaLayout.allocateArena(arenaCapacity);
        } else {
            ArenaLayout.reset(arena);
        }
        if (call == null || call.capacity() != CallBlock.length(maxDepth)) {
            call = CallBlock.allocate(maxDepth);
        }
        status = engine.decode(schema, message, input, BASE, bytes.length, arena, arenaCapacity, maxDepth, call);
        root = CallBlock.rootRecord(call);
        return status;
    }

    int decode(int message, byte[] bytes) {
        return decode(message, bytes, 1 << 22, 100);
    }

    /** Encodes the last decoded root; fails the test on an error. */
    byte[] encode(int message) {
        return encode(message, root, 100);
    }

    byte[] encode(int message, int record, int maxDepth) {
        ByteBuffer c = CallBlock.allocate(maxDepth);
        int st = engine.encode(schema, message, record, arena, arena.capacity(), input, ByteBuffer.allocateDirect(0), 0,
                0, maxDepth, c);
        if (st != dev.ferrule.ErrorCode.BUFFER_TOO_SMALL.code()) {
            assertEquals(0, st, "encode size status " + st);
        }
        long size = CallBlock.bytes(c);
        ByteBuffer out = ByteBuffer.allocate((int) size + 7);
        st = engine.encode(schema, message, record, arena, arena.capacity(), input, out, 7, (int) size, maxDepth, c);
        assertEquals(0, st, "encode status");
        assertEquals(size, CallBlock.bytes(c));
        byte[] bytes = new byte[(int) size];
        out.get(7, bytes);
        return bytes;
    }

    String path() {
        return CallBlock.describePath(call);
    }

    // ---------------------------------------------------------------------------------------------
    // Reading records back

    byte[] view(int at) {
        int offset = arena.getInt(at);
        int length = arena.getInt(at + 4);
        byte[] b = new byte[length];
        if (ArenaLayout.isArenaRef(offset)) {
            arena.get(ArenaLayout.viewPosition(offset), b);
        } else {
            input.get(offset, b);
        }
        return b;
    }

    private boolean has(int m, int rec, int f) {
        return switch (schema.cardinality(f)) {
            case OPTIONAL, REQUIRED -> ArenaLayout.hasbit(arena, rec, schema.presence(f));
            case ONEOF -> ArenaLayout.oneofCase(arena, rec, schema.oneofOffset(m), schema.presence(f)) == schema.number(f);
            default -> true;
        };
    }

    /** Asserts that record {@code rec} of message {@code m} holds exactly what {@code expected} does. */
    void assertRecord(Message expected, int m, int rec, String path) {
        Descriptor d = expected.getDescriptorForType();
        assertEquals(d.getFullName(), schema.messageName(m), path);
        if (rec == 0) {
            assertTrue(expected.getAllFields().isEmpty() && expected.getUnknownFields().asMap().isEmpty(),
                    path + ": an absent record stands for an empty message");
            return;
        }
        for (FieldDescriptor fd : d.getFields()) {
            int f = schema.findField(m, fd.getNumber());
            String where = path + "." + fd.getName();
            int slotAt = rec + schema.slot(f);
            if (fd.isRepeated()) {
                List<?> values = (List<?>) expected.getField(fd);
                int count = ArenaLayout.arrayCount(arena, slotAt);
                assertEquals(values.size(), count, where + " count");
                int first = ArenaLayout.arrayFirst(arena, slotAt);
                int size = ArenaLayout.elementSize(schema.type(f));
                if (count > 0) {
                    assertTrue(ArenaLayout.arrayCapacity(arena, first) >= count, where + " capacity");
                }
                for (int i = 0; i < count; i++) {
                    assertValue(fd, f, values.get(i), first + i * size, where + "[" + i + "]");
                }
                continue;
            }
            boolean has = has(m, rec, f);
            int card = schema.cardinality(f);
            if (card != IMPLICIT && card != ALWAYS) {
                assertEquals(expected.hasField(fd), has, where + " presence");
            }
            if (!has) {
                int slotSize = fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? 4
                        : ArenaLayout.elementSize(schema.type(f));
                for (int i = 0; i < slotSize; i++) {
                    assertEquals(0, arena.get(slotAt + i), where + ": an absent field's slot is zero");
                }
                continue;
            }
            assertValue(fd, f, expected.getField(fd), slotAt, where);
        }
        // Unknown fields: the views, parsed by protobuf-java, make the same set.
        int slotAt = rec + schema.unknownSlot(m);
        UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
        for (int i = 0; i < ArenaLayout.arrayCount(arena, slotAt); i++) {
            byte[] field = view(ArenaLayout.arrayFirst(arena, slotAt) + 8 * i);
            try {
                CodedInputStream cis = CodedInputStream.newInstance(field);
                int tag = cis.readTag();
                int known = schema.findField(m, tag >>> 3);
                if ((tag & 7) == 0 && known >= 0 && (schema.flags(known) & CompiledSchema.FLAG_CLOSED_ENUM) != 0) {
                    // A closed enum's unknown value: protobuf-java keeps it as an int (sign-extended), the view
                    // keeps the varint as it was (spec: its bytes go to the unknown fields).
                    long value = cis.readInt64();
                    if (value != (int) value) {
                        divergences.add("closed-enum unknown value with bits above 32 kept whole");
                    }
                    unknown.mergeField(tag >>> 3, UnknownFieldSet.Field.newBuilder().addVarint((int) value).build());
                    continue;
                }
                UnknownFieldSet.Builder one = UnknownFieldSet.newBuilder();
                one.mergeFieldFrom(tag, cis);
                assertTrue(cis.isAtEnd(), path + ": an unknown view holds exactly one field");
                if ((tag & 7) != 0 && !java.util.Arrays.equals(one.build().toByteArray(), field)) {
                    // Spec: unknown fields other than varints are written back byte for byte; protobuf-java
                    // re-encodes tags and lengths minimally and sorts group contents.
                    divergences.add(NON_CANONICAL_UNKNOWN);
                }
                unknown.mergeFrom(one.build());
            } catch (IOException e) {
                throw new AssertionError(path + ": unknown view does not parse", e);
            }
        }
        assertEquals(expected.getUnknownFields(), unknown.build(), path + " unknown fields");
    }

    private void assertValue(FieldDescriptor fd, int f, Object value, int at, String where) {
        switch (fd.getJavaType()) {
            case INT -> assertEquals((int) (Integer) value, arena.getInt(at), where);
            case LONG -> assertEquals((long) (Long) value, arena.getLong(at), where);
            case FLOAT -> assertEquals(Float.floatToRawIntBits((Float) value), arena.getInt(at), where);
            case DOUBLE -> assertEquals(Double.doubleToRawLongBits((Double) value), arena.getLong(at), where);
            case BOOLEAN -> assertEquals((Boolean) value ? 1 : 0, arena.get(at), where);
            case STRING -> {
                if ((schema.flags(f) & CompiledSchema.FLAG_VALIDATE_UTF8) != 0) {
                    assertArrayEquals(((String) value).getBytes(StandardCharsets.UTF_8), view(at), where);
                } else {
                    // protobuf-java decodes unvalidated strings loosely (bad UTF-8 becomes U+FFFD); the view
                    // keeps the original bytes.
                    byte[] bytes = view(at);
                    assertEquals(value, new String(bytes, StandardCharsets.UTF_8), where);
                    if (!JavaProtoEngine.validUtf8(ByteBuffer.wrap(bytes), 0, bytes.length)) {
                        divergences.add(LOOSE_STRING);
                    }
                }
            }
            case BYTE_STRING -> assertArrayEquals(((ByteString) value).toByteArray(), view(at), where);
            case ENUM -> {
                int first = fd.getEnumType().getValues().get(0).getNumber();
                if (schema.cardinality(f) == ALWAYS && arena.getInt(at) == 0 && first != 0
                        && ((EnumValueDescriptor) value).getNumber() == first) {
                    // A map entry without its (closed) enum value: protobuf-java reads and writes the enum's
                    // first declared value, which the compiled schema does not carry (spec gap).
                    divergences.add(ABSENT_MAP_ENUM);
                    return;
                }
                assertEquals(((EnumValueDescriptor) value).getNumber(), arena.getInt(at), where);
            }
            case MESSAGE -> assertRecord((Message) value, schema.typeRef(f), arena.getInt(at), where);
            default -> throw new AssertionError(where);
        }
    }

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, bytes);
        return b;
    }
}
