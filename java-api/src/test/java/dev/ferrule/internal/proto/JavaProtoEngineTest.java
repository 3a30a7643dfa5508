package dev.ferrule.internal.proto;

import static dev.ferrule.internal.proto.ProtoHarness.BASE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferrule.ErrorCode;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.TestProtos;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Error codes, offsets and paths; arena rules; encode errors; and the documented divergences. */
class JavaProtoEngineTest {
    private static final CompiledSchema SCHEMA = TestProtos.compile(TestProtos.everything());
    private final ProtoHarness h = new ProtoHarness(SCHEMA, TestProtos.everything());
    private final int all2 = h.message("ferrule.test2.AllTypes2");
    private final int all3 = h.message("ferrule.test3.AllTypes3");
    private final int nested2 = h.message("ferrule.test2.Nested2");
    private final int req = h.message("ferrule.test2.Req");

    private static final int TRUNCATED = ErrorCode.PROTO_TRUNCATED.code();
    private static final int MALFORMED_VARINT = ErrorCode.PROTO_MALFORMED_VARINT.code();
    private static final int INVALID_TAG = ErrorCode.PROTO_INVALID_TAG.code();
    private static final int INVALID_WIRE_TYPE = ErrorCode.PROTO_INVALID_WIRE_TYPE.code();
    private static final int BAD_LENGTH = ErrorCode.PROTO_BAD_LENGTH.code();
    private static final int INVALID_UTF8 = ErrorCode.PROTO_INVALID_UTF8.code();
    private static final int DEPTH_EXCEEDED = ErrorCode.PROTO_DEPTH_EXCEEDED.code();
    private static final int REQUIRED_MISSING = ErrorCode.PROTO_REQUIRED_FIELD_MISSING.code();
    private static final int ARENA_EXHAUSTED = ErrorCode.ARENA_EXHAUSTED.code();

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** Decodes and checks the error code, its offset (relative to the input start) and path. */
    private void fails(int message, byte[] input, int code, int offset, String path) {
        fails(message, input, 1 << 20, 100, code, offset, path);
    }

    private void fails(int message, byte[] input, int arena, int maxDepth, int code, int offset, String path) {
        int status = h.decode(message, input, arena, maxDepth);
        assertEquals(code, status, "status for " + HexFormat.of().formatHex(input));
        assertEquals(code, CallBlock.errorCode(h.call));
        long expectedOffset = offset < 0 ? 0 : BASE + offset;
        assertEquals(expectedOffset, CallBlock.errorOffset(h.call), "offset");
        assertEquals(path, h.path(), "path");
        assertEquals(0, CallBlock.rootRecord(h.call));
        assertEquals(16, ArenaLayout.used(h.arena), "a failed decode leaves the arena as it was");
    }

    private boolean protobufJavaAccepts(String type, byte[] input) {
        try {
            DynamicMessage.parseFrom(h.descriptor(type), input);
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 200 PROTO_TRUNCATED

    @Test
    void truncated() {
        fails(all2, bytes(0x28), TRUNCATED, 0, "5"); // int32 value missing
        fails(all2, bytes(0x31, 1, 2, 3), TRUNCATED, 0, "6"); // fixed64 cut short
        fails(all2, bytes(0x3D, 1), TRUNCATED, 0, "7"); // fixed32 cut short
        fails(all2, bytes(0x4A, 0x05, 'a'), TRUNCATED, 0, "9"); // string runs past the end
        fails(all2, bytes(0x28, 0x01, 0x8A), TRUNCATED, 2, ""); // a tag cut short is tag-level
        fails(all2, bytes(0x8A, 0x01, 0x02, 0x08, 0x96), TRUNCATED, 3, "17.1"); // inside a sub-message
        fails(all2, bytes(0x8A, 0x01, 0x05, 0x08), TRUNCATED, 0, "17"); // sub-message runs past the end
        fails(all2, bytes(0xCA, 0x03, 0x03, 1, 2, 3), TRUNCATED, 0, "57[0]"); // packed fixed32, 3 bytes
        fails(all2, bytes(0xCA, 0x03, 0x06, 1, 2, 3, 4, 5, 6), TRUNCATED, 0, "57[1]");
        fails(all2, bytes(0xBA, 0x03, 0x02, 0x01, 0x80), TRUNCATED, 0, "55[1]"); // varint cut by the run
        fails(all2, bytes(0x93, 0x01, 0xA0, 0x06, 0x01), TRUNCATED, 0, "18"); // group never ends
        fails(all2, bytes(0x8A, 0x01, 0x02, 0x93, 0x01), TRUNCATED, 3, "17.18"); // unknown group in a sub-message
        fails(all2, bytes(0xC2, 0x3E, 0x02, 0x01), TRUNCATED, 0, "1000"); // unknown field
        fails(all2, bytes(0xBA, 0x02, 0x01, 'a', 0xBA, 0x02), TRUNCATED, 4, "39[1]"); // repeated string, 2nd
        for (byte[] in : new byte[][] {bytes(0x28), bytes(0x4A, 0x05, 'a'), bytes(0x93, 0x01)}) {
            assertFalse(protobufJavaAccepts("ferrule.test2.AllTypes2", in));
        }
    }

    // 201 PROTO_MALFORMED_VARINT

    @Test
    void malformedVarint() {
        fails(all2, bytes(0x28, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x01), MALFORMED_VARINT, 1,
                "5");
        fails(all2, bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), MALFORMED_VARINT, 0, "");
        fails(all2, bytes(0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), MALFORMED_VARINT, 1,
                "9");
        fails(all2, bytes(0xBA, 0x03, 0x0C, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
                MALFORMED_VARINT, 4, "55[1]");
        // Ten bytes are fine, the tenth without its continuation bit.
        assertEquals(0, h.decode(all2, bytes(0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F)));
        assertFalse(protobufJavaAccepts("ferrule.test2.AllTypes2",
                bytes(0x28, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x01)));
    }

    // 202 PROTO_INVALID_TAG

    @Test
    void invalidTag() {
        fails(all2, bytes(0x00), INVALID_TAG, 0, "");
        fails(all2, bytes(0x02, 0x00), INVALID_TAG, 0, "");
        fails(all2, bytes(0x28, 0x01, 0x8A, 0x01, 0x01, 0x00), INVALID_TAG, 5, "17");
        fails(all2, bytes(0x80, 0x80, 0x80, 0x80, 0x10), INVALID_TAG, 0, ""); // number 0 in the low 32 bits
        assertFalse(protobufJavaAccepts("ferrule.test2.AllTypes2", bytes(0x00)));
    }

    // 203 PROTO_INVALID_WIRE_TYPE

    @Test
    void invalidWireType() {
        fails(all2, bytes(0x0E), INVALID_WIRE_TYPE, 0, "");
        fails(all2, bytes(0x0F), INVALID_WIRE_TYPE, 0, "");
        fails(all2, bytes(0x0C), INVALID_WIRE_TYPE, 0, ""); // END_GROUP outside a group
        fails(all2, bytes(0x93, 0x01, 0x9C, 0x01), INVALID_WIRE_TYPE, 2, "18"); // ends another group
        fails(all2, bytes(0x93, 0x01, 0xB2, 0x06, 0x02, 0x9C, 0x01), INVALID_WIRE_TYPE, 5, "18.102");
        fails(all2, bytes(0x8A, 0x01, 0x02, 0x8C, 0x01), INVALID_WIRE_TYPE, 3, "17"); // group end in a message
        fails(all2, bytes(0x0B, 0x10, 0x01, 0x14), INVALID_WIRE_TYPE, 3, "1"); // unknown group, wrong end
        assertFalse(protobufJavaAccepts("ferrule.test2.AllTypes2", bytes(0x0E)));
        assertFalse(protobufJavaAccepts("ferrule.test2.AllTypes2", bytes(0x93, 0x01, 0x9C, 0x01)));
    }

    // 204 PROTO_BAD_LENGTH

    @Test
    void badLength() {
        fails(all2, bytes(0x4A, 0x80, 0x80, 0x80, 0x80, 0x08), BAD_LENGTH, 1, "9"); // 2^31
        fails(all2, bytes(0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), BAD_LENGTH, 1, "9"); // 2^32 - 1
        fails(all2, bytes(0xC2, 0x3E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), BAD_LENGTH, 2, "1000"); // unknown field
        fails(all2, bytes(0xCA, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), BAD_LENGTH, 2, "57[0]"); // packed
        // 2^31 - 1 is a length, just not one that fits: truncated.
        fails(all2, bytes(0x4A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07), TRUNCATED, 0, "9");
        assertFalse(protobufJavaAccepts("ferrule.test2.AllTypes2", bytes(0x4A, 0x80, 0x80, 0x80, 0x80, 0x08)));
    }

    // 205 PROTO_INVALID_UTF8

    @Test
    void invalidUtf8() {
        fails(all3, bytes(0x4A, 0x02, 0xC0, 0x80), INVALID_UTF8, 2, "9"); // overlong
        fails(all3, bytes(0x4A, 0x03, 0xED, 0xA0, 0x80), INVALID_UTF8, 2, "9"); // surrogate
        fails(all3, bytes(0x4A, 0x04, 0xF4, 0x90, 0x80, 0x80), INVALID_UTF8, 2, "9"); // above U+10FFFF
        fails(all3, bytes(0x4A, 0x02, 0xE2, 0x82), INVALID_UTF8, 2, "9"); // cut short
        fails(all3, bytes(0x4A, 0x01, 0x80), INVALID_UTF8, 2, "9"); // lone continuation
        fails(all3, bytes(0x8A, 0x03, 0x01, 'a', 0x8A, 0x03, 0x01, 0xFF), INVALID_UTF8, 7, "49[1]");
        // Map entries validate even in proto2 (protobuf-java checks map strings always).
        fails(all2, bytes(0x8A, 0x05, 0x03, 0x0A, 0x01, 0xFF), INVALID_UTF8, 5, "81[0].1");
        // Valid: 1- to 4-byte sequences, U+10FFFF, long ASCII runs.
        assertEquals(0, h.decode(all3, bytes(0x4A, 0x0A, 'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF4, 0x8F, 0xBF, 0xBF)));
        byte[] ascii = new byte[100];
        java.util.Arrays.fill(ascii, (byte) 'x');
        ascii[0] = 0x4A;
        ascii[1] = 98;
        assertEquals(0, h.decode(all3, ascii));
        ascii[90] = (byte) 0xFF;
        fails(all3, ascii, INVALID_UTF8, 2, "9");
        // proto2 strings are not validated.
        assertEquals(0, h.decode(all2, bytes(0x4A, 0x01, 0xFF)));
        assertFalse(protobufJavaAccepts("ferrule.test3.AllTypes3", bytes(0x4A, 0x02, 0xC0, 0x80)));
    }

    // 206 PROTO_DEPTH_EXCEEDED

    private static byte[] nestedChildren(int depth) {
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x12);
            writeVarint(out, inner.length);
            out.writeBytes(inner);
            inner = out.toByteArray();
        }
        return inner;
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    @Test
    void depthExceeded() {
        assertEquals(0, h.decode(nested2, nestedChildren(3), 1 << 16, 3));
        byte[] four = nestedChildren(4);
        fails(nested2, four, 1 << 16, 3, DEPTH_EXCEEDED, 6, "2.2.2.2");
        // Unknown groups count too.
        fails(nested2, bytes(0x4B, 0x4B, 0x4B, 0x4B, 0x4C, 0x4C, 0x4C, 0x4C), 1 << 16, 3, DEPTH_EXCEEDED, 3,
                "9.9.9.9");
        assertEquals(0, h.decode(nested2, bytes(0x4B, 0x4B, 0x4B, 0x4C, 0x4C, 0x4C), 1 << 16, 3));
        fails(nested2, bytes(0x12, 0x00), 1 << 16, 0, DEPTH_EXCEEDED, 0, "2");
        // The default limit is protobuf-java's: 100 levels below the root pass, 101 do not.
        assertEquals(0, h.decode(nested2, nestedChildren(100)));
        assertTrue(protobufJavaAccepts("ferrule.test2.Nested2", nestedChildren(100)));
        assertEquals(DEPTH_EXCEEDED, h.decode(nested2, nestedChildren(101)));
        assertFalse(protobufJavaAccepts("ferrule.test2.Nested2", nestedChildren(101)));
    }

    @Test
    void deepNestingNeedsNoJavaStack() {
        byte[] deep = nestedChildren(20000);
        assertEquals(0, h.decode(nested2, deep, 1 << 24, 20000));
        assertArrayEquals(deep, h.encode(nested2, h.root, 20000));
        ByteBuffer call = CallBlock.allocate(100);
        int status = h.engine.encode(SCHEMA, nested2, h.root, h.arena, h.arena.capacity(), h.input,
                ByteBuffer.allocate(deep.length), 0, deep.length, 100, call);
        assertEquals(DEPTH_EXCEEDED, status);
        assertEquals(101, CallBlock.pathLength(call));
    }

    // 207 PROTO_REQUIRED_FIELD_MISSING

    @Test
    void requiredFieldMissing() {
        fails(req, bytes(), REQUIRED_MISSING, 0, "1");
        fails(req, bytes(0x08, 0x01), REQUIRED_MISSING, 0, "2");
        fails(req, bytes(0x08, 0x01, 0x12, 0x00), REQUIRED_MISSING, 4, "2.1");
        // The record's own required fields come before its sub-messages' (protobuf-java's order).
        fails(req, bytes(0x12, 0x00), REQUIRED_MISSING, 0, "1");
        // Repeated: the element's index; the offset is where that element's bytes start.
        fails(req, bytes(0x08, 0x01, 0x12, 0x02, 0x08, 0x01, 0x22, 0x02, 0x08, 0x05, 0x22, 0x00), REQUIRED_MISSING, 12,
                "4[1].1");
        // A merged sub-message: the second occurrence supplies the field.
        assertEquals(0, h.decode(req, bytes(0x08, 0x01, 0x12, 0x00, 0x12, 0x02, 0x08, 0x07)));
        // A map value that is absent is an empty message, whose required field is missing.
        fails(req, bytes(0x08, 0x01, 0x12, 0x02, 0x08, 0x01, 0x2A, 0x02, 0x08, 0x07), REQUIRED_MISSING, 8,
                "5[0].2.1");
        fails(req, bytes(0x08, 0x01, 0x12, 0x02, 0x08, 0x01, 0x2A, 0x04, 0x08, 0x07, 0x12, 0x00), REQUIRED_MISSING,
                12, "5[0].2.1");
        // Nested optional Req: its own required fields.
        fails(req, bytes(0x08, 0x01, 0x12, 0x02, 0x08, 0x01, 0x1A, 0x02, 0x08, 0x02), REQUIRED_MISSING, 8, "3.2");
        for (byte[] in : new byte[][] {bytes(), bytes(0x08, 0x01, 0x12, 0x02, 0x08, 0x01, 0x2A, 0x02, 0x08, 0x07)}) {
            assertFalse(protobufJavaAccepts("ferrule.test2.Req", in));
        }
        assertTrue(protobufJavaAccepts("ferrule.test2.Req", bytes(0x08, 0x01, 0x12, 0x00, 0x12, 0x02, 0x08, 0x07)));
    }

    // 208 PROTO_MESSAGE_TOO_LARGE: the caller (ProtoCodec) checks the size before the engine runs; the
    // engine has no size limit argument.

    // 209 ARENA_EXHAUSTED

    @Test
    void arenaExhausted() {
        fails(all2, bytes(0x28, 0x01), 16, 100, ARENA_EXHAUSTED, -1, ""); // not even the root record
        int room = 16 + SCHEMA.recordSize(all2);
        fails(all2, bytes(0x28, 0x01, 0x8A, 0x01, 0x00), room, 100, ARENA_EXHAUSTED, 2, "17");
        fails(all2, bytes(0x28, 0x01, 0x88, 0x02, 0x01), room, 100, ARENA_EXHAUSTED, 2, "33[0]"); // array block
        fails(all2, bytes(0xC2, 0x3E, 0x00), room, 100, ARENA_EXHAUSTED, 0, "1000"); // unknown field
        fails(all2, bytes(0x82, 0x04, 0x01, 0x01), room, 100, ARENA_EXHAUSTED, 0, "64[0]"); // packed
        // Exactly enough room: the array's first block.
        assertEquals(0, h.decode(all2, bytes(0x88, 0x02, 0x01), room + 8 + 32, 100));
    }

    // ---------------------------------------------------------------------------------------------
    // Arena rules

    @Test
    void arraysGrowByTheRuleAndPackedMatchesUnpacked() {
        // Nine int32 elements, unpacked (field 35) and packed (field 55): identical arenas.
        ByteArrayOutputStream unpacked = new ByteArrayOutputStream();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        packed.writeBytes(bytes(0xBA, 0x03, 9));
        for (int i = 1; i <= 9; i++) {
            unpacked.writeBytes(bytes(0xB8, 0x03, i)); // field 55 unpacked: the plain wire type matches
            packed.write(i);
        }
        assertEquals(0, h.decode(all2, unpacked.toByteArray()));
        byte[] arenaUnpacked = arenaBytes();
        int record = h.root;
        assertEquals(16, record);
        int size = SCHEMA.recordSize(all2);
        int slotAt = record + SCHEMA.slot(SCHEMA.findField(all2, 55));
        // Blocks of 4, 8 and 16 elements, one after the other, each 8-byte aligned.
        int block1 = record + size;
        int block2 = block1 + 8 + 16;
        int block3 = block2 + 8 + 32;
        assertEquals(block3 + 8, ArenaLayout.arrayFirst(h.arena, slotAt));
        assertEquals(9, ArenaLayout.arrayCount(h.arena, slotAt));
        assertEquals(16, ArenaLayout.arrayCapacity(h.arena, block3 + 8));
        assertEquals(4, h.arena.getInt(block1));
        assertEquals(8, h.arena.getInt(block2));
        assertEquals(block3 + 8 + 64, ArenaLayout.used(h.arena));
        assertEquals(0, h.decode(all2, packed.toByteArray()));
        assertArrayEquals(arenaUnpacked, arenaBytes());
        // Encoded packed, as the field says.
        assertArrayEquals(packed.toByteArray(), h.encode(all2));
    }

    @Test
    void boolArraysUseOneBytePerElement() {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++) {
            in.writeBytes(bytes(0xB0, 0x02, i & 1)); // r_bool, field 38
        }
        assertEquals(0, h.decode(all2, in.toByteArray()));
        int slotAt = h.root + SCHEMA.slot(SCHEMA.findField(all2, 38));
        int first = ArenaLayout.arrayFirst(h.arena, slotAt);
        assertEquals(h.root + SCHEMA.recordSize(all2) + 16 + 8, first); // 8 + 4 rounded to 16, then 8 + 8
        assertEquals(1, h.arena.get(first + 3));
        assertEquals(0, h.arena.get(first + 4));
        assertEquals(first + 8, ArenaLayout.used(h.arena));
    }

    @Test
    void repeatedMessageRecordComesBeforeItsArray() {
        assertEquals(0, h.decode(all2, bytes(0xFA, 0x02, 0x02, 0x08, 0x05))); // r_message (47) = {a: 5}
        int slotAt = h.root + SCHEMA.slot(SCHEMA.findField(all2, 47));
        int child = h.root + SCHEMA.recordSize(all2);
        int first = ArenaLayout.arrayFirst(h.arena, slotAt);
        assertEquals(child + SCHEMA.recordSize(nested2) + 8, first);
        assertEquals(child, h.arena.getInt(first));
        assertEquals(5, h.arena.getInt(child + SCHEMA.slot(SCHEMA.findField(nested2, 1))));
    }

    @Test
    void decodingIsDeterministicAndAppendsToAUsedArena() {
        byte[] in = new RandomMessages(5).message(h.descriptor("ferrule.test3.AllTypes3")).toByteArray();
        assertEquals(0, h.decode(all3, in));
        byte[] first = arenaBytes();
        assertEquals(0, h.decode(all3, in));
        assertArrayEquals(first, arenaBytes());
        // A second decode into the same arena starts at its used offset and leaves the first alone.
        int used = ArenaLayout.used(h.arena);
        ByteBuffer call = CallBlock.allocate(100);
        assertEquals(0, h.engine.decode(SCHEMA, all3, h.input, BASE, in.length, h.arena, h.arena.capacity(), 100, call));
        assertEquals(used, CallBlock.rootRecord(call));
        byte[] both = arenaBytes();
        // (All but the header's used field, which moved on.)
        assertArrayEquals(java.util.Arrays.copyOfRange(first, 4, first.length),
                java.util.Arrays.copyOfRange(both, 4, first.length));
        // And a dirty arena decodes the same as a clean one: allocations are zero-filled.
        ByteBuffer dirty = ArenaLayout.allocateArena(1 << 22);
        for (int i = 16; i < dirty.capacity(); i += 8) {
            dirty.putLong(i, -1);
        }
        assertEquals(0, h.engine.decode(SCHEMA, all3, h.input, BASE, in.length, dirty, dirty.capacity(), 100, call));
        byte[] dirtyBytes = new byte[first.length];
        dirty.get(0, dirtyBytes);
        assertArrayEquals(first, dirtyBytes);
    }

    @Test
    void viewsAreAbsoluteInputOffsets() {
        assertEquals(0, h.decode(all2, bytes(0x4A, 0x02, 'h', 'i')));
        int at = h.root + SCHEMA.slot(SCHEMA.findField(all2, 9));
        assertEquals(BASE + 2, h.arena.getInt(at));
        assertEquals(2, h.arena.getInt(at + 4));
    }

    @Test
    void oneofSwitchZeroesTheOldMemberAndMessagesMerge() throws Exception {
        // c_message {a: 1}, c_int32 7, c_message {xs: 2}: the second message is a new record.
        byte[] in = hex("c204 02 0801  b004 07  c204 02 1802");
        assertEquals(0, h.decode(all2, in));
        DynamicMessage expected = DynamicMessage.parseFrom(h.descriptor("ferrule.test2.AllTypes2"), in);
        h.assertRecord(expected, all2, h.root, "AllTypes2");
        assertArrayEquals(expected.toByteArray(), h.encode(all2));
        // o_message twice: merged (a overwritten, xs appended).
        in = hex("8a01 04 0801 1801  8a01 04 0802 1803");
        assertEquals(0, h.decode(all2, in));
        expected = DynamicMessage.parseFrom(h.descriptor("ferrule.test2.AllTypes2"), in);
        h.assertRecord(expected, all2, h.root, "AllTypes2");
        assertArrayEquals(hex("8a01 06 0802 1801 1803"), h.encode(all2));
    }

    @Test
    void closedEnumUnknownValues() throws Exception {
        Descriptor d = h.descriptor("ferrule.test2.AllTypes2");
        // Singular: not set, the field (tag and value) goes to the unknown fields.
        byte[] in = hex("8001 05");
        assertEquals(0, h.decode(all2, in));
        assertFalse(ArenaLayout.hasbit(h.arena, h.root, SCHEMA.presence(SCHEMA.findField(all2, 16))));
        assertArrayEquals(in, h.encode(all2));
        // Packed: known values kept, unknown ones re-encoded into the arena as plain varint fields.
        in = hex("8204 0e 01 05 02 fbffffffffffffffff01 7f");
        assertEquals(0, h.decode(all2, in));
        int unknownAt = h.root + SCHEMA.unknownSlot(all2);
        assertEquals(3, ArenaLayout.arrayCount(h.arena, unknownAt));
        int view = ArenaLayout.arrayFirst(h.arena, unknownAt);
        assertTrue(ArenaLayout.isArenaRef(h.arena.getInt(view)));
        assertArrayEquals(hex("8004 05"), h.view(view));
        assertArrayEquals(hex("8004 fbffffffffffffffff01"), h.view(view + 8));
        DynamicMessage expected = DynamicMessage.parseFrom(d, in);
        h.assertRecord(expected, all2, h.root, "AllTypes2");
        assertArrayEquals(expected.toByteArray(), h.encode(all2));
        // In a oneof: the member is not switched.
        in = hex("b004 07 c804 09");
        assertEquals(0, h.decode(all2, in));
        expected = DynamicMessage.parseFrom(d, in);
        h.assertRecord(expected, all2, h.root, "AllTypes2");
        assertArrayEquals(expected.toByteArray(), h.encode(all2));
    }

    @Test
    void unknownFieldsComeOutSortedLikeProtobufJava() throws Exception {
        // Numbers out of order, one number with every wire type, varints not minimal.
        byte[] in = hex("c23e 01 61  c03e 8100  c53e 01000000  c13e 0200000000000000  c33e 0801 c43e  c03e 05"
                + "  08 8000");
        Descriptor d = h.descriptor("ferrule.test2.AllTypes2");
        DynamicMessage expected = DynamicMessage.parseFrom(d, in);
        assertEquals(0, h.decode(all2, in));
        h.assertRecord(expected, all2, h.root, "AllTypes2");
        assertArrayEquals(expected.toByteArray(), h.encode(all2));
        assertArrayEquals(hex("0800 c03e01 c03e05 c53e01000000 c13e0200000000000000 c23e0161 c33e0801c43e"),
                h.encode(all2));
    }

    // ---------------------------------------------------------------------------------------------
    // Encode

    @Test
    void encodeBufferTooSmallWritesNothing() {
        assertEquals(0, h.decode(all2, hex("28 96 01 4a 02 6869")));
        ByteBuffer out = ByteBuffer.allocate(16);
        for (int i = 0; i < 16; i++) {
            out.put(i, (byte) 0x55);
        }
        ByteBuffer call = CallBlock.allocate(100);
        int status = h.engine.encode(SCHEMA, all2, h.root, h.arena, h.arena.capacity(), h.input, out, 2, 6, 100, call);
        assertEquals(ErrorCode.BUFFER_TOO_SMALL.code(), status);
        assertEquals(7, CallBlock.bytes(call));
        for (int i = 0; i < 16; i++) {
            assertEquals(0x55, out.get(i));
        }
        assertEquals(0, h.engine.encode(SCHEMA, all2, h.root, h.arena, h.arena.capacity(), h.input, out, 2, 7, 100, call));
        assertEquals(7, CallBlock.bytes(call));
        assertEquals(0x55, out.get(1));
        assertEquals(0x28, out.get(2));
        assertEquals(0x55, out.get(9));
    }

    @Test
    void encodeRejectsReferencesOutsideTheArenaOrInput() {
        ByteBuffer call = CallBlock.allocate(100);
        ByteBuffer out = ByteBuffer.allocate(100);
        assertEquals(0, h.decode(all2, hex("4a 02 6869")));
        int used = ArenaLayout.used(h.arena);
        assertEquals(ErrorCode.INVALID_ARGUMENT.code(),
                h.engine.encode(SCHEMA, all2, used, h.arena, h.arena.capacity(), h.input, out, 0, 100, 100, call));
        assertEquals(ErrorCode.INVALID_ARGUMENT.code(),
                h.engine.encode(SCHEMA, all2, 8, h.arena, h.arena.capacity(), h.input, out, 0, 100, 100, call));
        // A view past the input.
        int slotAt = h.root + SCHEMA.slot(SCHEMA.findField(all2, 9));
        h.arena.putInt(slotAt, h.input.capacity() - 1);
        assertEquals(ErrorCode.INVALID_ARGUMENT.code(),
                h.engine.encode(SCHEMA, all2, h.root, h.arena, h.arena.capacity(), h.input, out, 0, 100, 100, call));
        assertEquals(slotAt, CallBlock.errorOffset(call));
        assertEquals("9", CallBlock.describePath(call));
        // An arena view past used.
        h.arena.putInt(slotAt, used | ArenaLayout.REF_FLAG);
        assertEquals(ErrorCode.INVALID_ARGUMENT.code(),
                h.engine.encode(SCHEMA, all2, h.root, h.arena, h.arena.capacity(), h.input, out, 0, 100, 100, call));
        // A view into the arena (as builders write them) is fine.
        h.arena.putInt(slotAt, 16 | ArenaLayout.REF_FLAG);
        assertEquals(0, h.engine.encode(SCHEMA, all2, h.root, h.arena, h.arena.capacity(), h.input, out, 0, 100, 100,
                call));
        // A record that refers to itself is cut off by the depth limit.
        assertEquals(0, h.decode(nested2, hex("12 00")));
        int child = h.arena.getInt(h.root + SCHEMA.slot(SCHEMA.findField(nested2, 2)));
        h.arena.putInt(child + SCHEMA.slot(SCHEMA.findField(nested2, 2)), child);
        ArenaLayout.setHasbit(h.arena, child, SCHEMA.presence(SCHEMA.findField(nested2, 2)));
        assertEquals(DEPTH_EXCEEDED,
                h.engine.encode(SCHEMA, nested2, h.root, h.arena, h.arena.capacity(), h.input, out, 0, 100, 5, call));
        assertEquals("2.2.2.2.2.2", CallBlock.describePath(call));
    }

    @Test
    void encodeEdgeCasesMatchTheRustEngine() {
        ByteBuffer call = CallBlock.allocate(200);
        ByteBuffer out = ByteBuffer.allocate(100);
        // A cycle under a huge depth limit stops at what an acyclic tree in this arena could reach
        // (never below DEFAULT_MAX_DEPTH): here 100, so the path has 101 entries.
        assertEquals(0, h.decode(nested2, hex("12 00")));
        int slot = SCHEMA.slot(SCHEMA.findField(nested2, 2));
        int child = h.arena.getInt(h.root + slot);
        h.arena.putInt(child + slot, child);
        ArenaLayout.setHasbit(h.arena, child, SCHEMA.presence(SCHEMA.findField(nested2, 2)));
        assertEquals(DEPTH_EXCEEDED, h.engine.encode(SCHEMA, nested2, h.root, h.arena, h.arena.capacity(), h.input, out,
                0, 100, Integer.MAX_VALUE, call));
        assertEquals(101, CallBlock.pathLength(call));
        // An unknown varint view is written as its tag and value, whatever trails them.
        assertEquals(0, h.decode(nested2, hex("c03e 05")));
        h.arena.putInt(ArenaLayout.arrayFirst(h.arena, h.root + SCHEMA.unknownSlot(nested2)) + 4, 3);
        assertArrayEquals(hex("c03e 05"), h.encode(nested2));
        // Other unknown views are copied byte for byte, so each must hold exactly one whole field (fuzzing
        // finding F3): a fixed64 cut short, a length past the view, an unclosed group are refused at the view.
        for (String[] bad : new String[][] {{"c13e 0102030405060708", "5"}, {"c23e 03 616263", "4"},
                {"c33e 08 01 c43e", "4"}, {"c53e 01020304", "5"}}) {
            assertEquals(0, h.decode(nested2, hex(bad[0])));
            int view = ArenaLayout.arrayFirst(h.arena, h.root + SCHEMA.unknownSlot(nested2));
            assertArrayEquals(hex(bad[0]), h.encode(nested2), "the intact view is copied");
            h.arena.putInt(view + 4, Integer.parseInt(bad[1]));
            assertEquals(ErrorCode.INVALID_ARGUMENT.code(), h.engine.encode(SCHEMA, nested2, h.root, h.arena,
                    h.arena.capacity(), h.input, out, 0, 100, Integer.MAX_VALUE, call), bad[0]);
            assertEquals(view, CallBlock.errorOffset(call));
        }
        // Output past 2^31 - 1 bytes: PROTO_MESSAGE_TOO_LARGE, offset 0.
        byte[] big = new byte[1 << 20];
        big[0] = (byte) 0xC2; // r_bytes (field 40, wire type 2) of 1 MiB - 5 bytes
        big[1] = 0x02;
        big[2] = (byte) 0xFB;
        big[3] = (byte) 0xFF;
        big[4] = 0x3F;
        assertEquals(0, h.decode(all2, big, 1 << 20, 100));
        int slotAt = h.root + SCHEMA.slot(SCHEMA.findField(all2, 40));
        long view = h.arena.getLong(ArenaLayout.arrayFirst(h.arena, slotAt));
        for (int i = 1; i < 2100; i++) {
            int at = ArenaLayout.append(h.arena, h.arena.capacity(), slotAt, 8);
            assertNotEquals(ArenaLayout.FULL, at);
            ArenaLayout.putView(h.arena, at, view);
        }
        assertEquals(ErrorCode.PROTO_MESSAGE_TOO_LARGE.code(), h.engine.encode(SCHEMA, all2, h.root, h.arena,
                h.arena.capacity(), h.input, out, 0, 100, 100, call));
        assertEquals(0, CallBlock.errorOffset(call));
        assertEquals("", CallBlock.describePath(call));
    }

    @Test
    void mapEntriesAlwaysWriteKeyAndValue() throws Exception {
        Descriptor d = h.descriptor("ferrule.test2.AllTypes2");
        // m_message entries: empty, key only, value only.
        byte[] in = hex("8a05 00  8a05 03 0a0161  8a05 02 1200");
        assertEquals(0, h.decode(all2, in));
        DynamicMessage expected = DynamicMessage.parseFrom(d, in);
        h.assertRecord(expected, all2, h.root, "AllTypes2");
        assertArrayEquals(expected.toByteArray(), h.encode(all2));
        assertArrayEquals(hex("8a05 04 0a00 1200  8a05 05 0a0161 1200  8a05 04 0a00 1200"), h.encode(all2));
    }

    @Test
    void emptyMessageEncodesToNothing() {
        assertEquals(0, h.decode(all3, new byte[0]));
        assertEquals(0, h.encode(all3).length);
        ByteBuffer call = CallBlock.allocate(100);
        assertEquals(0, h.engine.encode(SCHEMA, all3, h.root, h.arena, h.arena.capacity(), null,
                ByteBuffer.allocate(0), 0, 0, 100, call));
    }

    @Test
    void invalidArgumentsAreRejected() {
        ByteBuffer call = CallBlock.allocate(100);
        ByteBuffer arena = ArenaLayout.allocateArena(1024);
        ByteBuffer in = ByteBuffer.allocateDirect(10);
        int invalid = ErrorCode.INVALID_ARGUMENT.code();
        assertEquals(invalid, h.engine.decode(SCHEMA, -1, in, 0, 1, arena, 1024, 100, call));
        assertEquals(invalid, h.engine.decode(SCHEMA, SCHEMA.messageCount(), in, 0, 1, arena, 1024, 100, call));
        assertEquals(invalid, h.engine.decode(SCHEMA, all2, in, 5, 6, arena, 1024, 100, call));
        assertEquals(invalid, h.engine.decode(SCHEMA, all2, in, 0, 1, arena, 2048, 100, call));
        ArenaLayout.setUsed(arena, 12);
        assertEquals(invalid, h.engine.decode(SCHEMA, all2, in, 0, 1, arena, 1024, 100, call));
        ArenaLayout.setUsed(arena, 2000);
        assertEquals(invalid, h.engine.decode(SCHEMA, all2, in, 0, 1, arena, 1024, 100, call));
    }

    // ---------------------------------------------------------------------------------------------
    // Documented divergences from protobuf-java (spec-mandated; see the report). Each test pins the
    // current behaviour and what protobuf-java does instead.

    @Test
    void divergenceClosedEnumUnknownValueKeepsBitsAbove32() throws Exception {
        byte[] in = hex("8001 8580808010"); // o_enum = 2^32 + 5: its low 32 bits (5) are no value of Color2
        assertEquals(0, h.decode(all2, in));
        assertArrayEquals(in, h.encode(all2));
        DynamicMessage pj = DynamicMessage.parseFrom(h.descriptor("ferrule.test2.AllTypes2"), in);
        assertArrayEquals(hex("8001 05"), pj.toByteArray()); // protobuf-java keeps the int
    }

    @Test
    void divergenceLengthVarintAbove32Bits() {
        byte[] in = hex("4a 8180808010 61"); // length 2^32 + 1
        assertEquals(BAD_LENGTH, h.decode(all2, in));
        assertTrue(protobufJavaAccepts("ferrule.test2.AllTypes2", in)); // reads the length as 1
    }

    @Test
    void divergenceTenthVarintByteWithContinuationBit() {
        byte[] in = hex("18 808080808080808080 81 2801");
        assertEquals(MALFORMED_VARINT, h.decode(all2, in));
        assertTrue(protobufJavaAccepts("ferrule.test2.AllTypes2", in)); // array decoder's fast path only
    }

    @Test
    void divergenceNonCanonicalUnknownFieldsAreKept() throws Exception {
        Descriptor d = h.descriptor("ferrule.test2.AllTypes2");
        byte[] in = hex("c23e 8100 78  c33e 1001 0802 c43e");
        assertEquals(0, h.decode(all2, in));
        assertArrayEquals(in, h.encode(all2));
        assertArrayEquals(hex("c23e 01 78  c33e 0802 1001 c43e"), DynamicMessage.parseFrom(d, in).toByteArray());
    }

    @Test
    void divergenceUnvalidatedStringWithBadUtf8() throws Exception {
        byte[] in = hex("4a 01 ff");
        assertEquals(0, h.decode(all2, in));
        assertArrayEquals(in, h.encode(all2));
        assertArrayEquals(hex("4a 03 efbfbd"),
                DynamicMessage.parseFrom(h.descriptor("ferrule.test2.AllTypes2"), in).toByteArray());
    }

    @Test
    void divergenceAbsentMapEnumValue() throws Exception {
        byte[] in = hex("8205 02 0801"); // m_enum entry {key: 1}; Color2's first value is GREEN = 1
        assertEquals(0, h.decode(all2, in));
        assertArrayEquals(hex("8205 04 0801 1000"), h.encode(all2));
        assertArrayEquals(hex("8205 04 0801 1001"),
                DynamicMessage.parseFrom(h.descriptor("ferrule.test2.AllTypes2"), in).toByteArray());
    }

    private byte[] arenaBytes() {
        byte[] b = new byte[ArenaLayout.used(h.arena)];
        h.arena.get(0, b);
        return b;
    }

    @Test
    void schemaValidationRejectsBrokenSchemas() {
        byte[] good = dev.ferrule.internal.schema.SchemaCompiler.compile(
                TestProtos.setOf(java.util.List.of(TestProtos.types2())).toByteArray());
        CompiledSchema ok = CompiledSchema.read(good);
        int m = ok.messageIndex("ferrule.test2.Nested2");
        int f = ok.firstField(m);
        int fieldAt = 32 + ok.messageCount() * 40 + f * 48;
        int messageAt = 32 + m * 40;
        byte[][] broken = {
            patchInt(good, fieldAt + 8, 1 << 20), // slot outside the record
            patchInt(good, fieldAt + 16, 5), // a type ref on an int32
            patchInt(good, fieldAt, 0), // field number 0
            patchInt(good, messageAt + 16, 12), // record size not a multiple of 8
            patchInt(good, messageAt + 32, 1 << 20), // unknown slot outside
            patchInt(good, fieldAt + 48, 1), // numbers not ascending
            patchInt(good, messageAt + 40 + 8, f), // the next message's fields overlap these
            patchInt(good, messageAt + 32, 0), // the unknown slot on the hasbit word (found by fuzzing)
            patchInt(good, fieldAt + 48 + 8, ok.slot(f)), // two fields in one slot
        };
        ByteBuffer call = CallBlock.allocate(10);
        for (byte[] b : broken) {
            CompiledSchema s;
            try {
                s = CompiledSchema.read(b);
            } catch (dev.ferrule.FerruleException e) {
                continue;
            }
            assertThrows(dev.ferrule.FerruleException.class,
                    () -> dev.ferrule.internal.schema.SchemaValidator.validate(s));
            assertEquals(ErrorCode.SCHEMA_INVALID.code(), new JavaProtoEngine().decode(s, 0,
                    ByteBuffer.allocate(1), 0, 0, ArenaLayout.allocateArena(256), 256, 10, call));
        }
        assertNotEquals(null, ok);
    }

    private static byte[] patchInt(byte[] b, int at, int value) {
        byte[] out = b.clone();
        ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return out;
    }
}
