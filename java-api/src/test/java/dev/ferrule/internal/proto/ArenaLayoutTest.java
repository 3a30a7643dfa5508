package dev.ferrule.internal.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.TestProtos;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ArenaLayoutTest {
    @Test
    void allocationsAreAlignedZeroedAndBounded() {
        ByteBuffer arena = ArenaLayout.allocateArena(64);
        for (int i = 16; i < 64; i++) {
            arena.put(i, (byte) 0x7F);
        }
        assertEquals(16, ArenaLayout.allocate(arena, 64, 1));
        assertEquals(24, ArenaLayout.used(arena));
        assertEquals(0, arena.getLong(16));
        assertEquals(24, ArenaLayout.allocate(arena, 64, 0));
        assertEquals(24, ArenaLayout.allocate(arena, 64, 9));
        assertEquals(40, ArenaLayout.used(arena));
        assertEquals(0, arena.getLong(32));
        assertEquals(ArenaLayout.FULL, ArenaLayout.allocate(arena, 64, 25));
        assertEquals(40, ArenaLayout.used(arena), "a failed allocation takes nothing");
        assertEquals(40, ArenaLayout.allocate(arena, 64, 24));
        assertEquals(ArenaLayout.FULL, ArenaLayout.allocate(arena, 64, 1));
        assertEquals(ArenaLayout.FULL, ArenaLayout.allocate(arena, 64, Long.MAX_VALUE / 2));
        ArenaLayout.reset(arena);
        assertEquals(16, ArenaLayout.used(arena));
        assertTrue(ArenaLayout.validHeader(arena, 64));
        assertFalse(ArenaLayout.validHeader(arena, 128));
        // Large allocations are zero-filled too.
        ByteBuffer big = ArenaLayout.allocateArena(20000);
        for (int i = 16; i < 20000; i++) {
            big.put(i, (byte) 1);
        }
        int at = ArenaLayout.allocate(big, 20000, 10000);
        for (int i = at; i < at + 10000; i++) {
            assertEquals(0, big.get(i));
        }
    }

    @Test
    void appendGrowsByTheRule() {
        ByteBuffer arena = ArenaLayout.allocateArena(4096);
        int slot = ArenaLayout.allocate(arena, 4096, 8);
        int[] capacities = new int[20];
        for (int i = 0; i < 20; i++) {
            int at = ArenaLayout.append(arena, 4096, slot, 4);
            arena.putInt(at, i * 10);
            capacities[i] = ArenaLayout.arrayCapacity(arena, ArenaLayout.arrayFirst(arena, slot));
        }
        assertArrayEquals(new int[] {4, 4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 32, 32, 32, 32},
                capacities);
        int first = ArenaLayout.arrayFirst(arena, slot);
        assertEquals(20, ArenaLayout.arrayCount(arena, slot));
        for (int i = 0; i < 20; i++) {
            assertEquals(i * 10, arena.getInt(first + 4 * i));
        }
        // Blocks: 8 + 16, 8 + 32, 8 + 64, 8 + 128 bytes after the 8-byte slot.
        assertEquals(24 + 24 + 40 + 72 + 8, first);
        assertEquals(first + 128, ArenaLayout.used(arena));
    }

    @Test
    void appendFailsCleanly() {
        ByteBuffer arena = ArenaLayout.allocateArena(64);
        int slot = ArenaLayout.allocate(arena, 64, 8);
        for (int i = 0; i < 4; i++) {
            assertTrue(ArenaLayout.append(arena, 64, slot, 4) != ArenaLayout.FULL);
        }
        int used = ArenaLayout.used(arena);
        assertEquals(ArenaLayout.FULL, ArenaLayout.append(arena, 64, slot, 4));
        assertEquals(4, ArenaLayout.arrayCount(arena, slot));
        assertEquals(used, ArenaLayout.used(arena));
    }

    @Test
    void viewsHasbitsAndOneofs() {
        ByteBuffer arena = ArenaLayout.allocateArena(256);
        long view = ArenaLayout.copyInView(arena, 256, new byte[] {1, 2, 3});
        int at = ArenaLayout.allocate(arena, 256, 8);
        ArenaLayout.putView(arena, at, view);
        assertTrue(ArenaLayout.isArenaRef(ArenaLayout.viewOffset(arena, at)));
        assertEquals(16, ArenaLayout.viewPosition(ArenaLayout.viewOffset(arena, at)));
        assertEquals(3, ArenaLayout.viewLength(arena, at));
        assertEquals(2, arena.get(17));
        int record = ArenaLayout.allocate(arena, 256, 16);
        ArenaLayout.setHasbit(arena, record, 33);
        assertTrue(ArenaLayout.hasbit(arena, record, 33));
        assertEquals(2, arena.getInt(record + 4));
        ArenaLayout.clearHasbit(arena, record, 33);
        assertFalse(ArenaLayout.hasbit(arena, record, 33));
        ArenaLayout.setOneofCase(arena, record, 8, 1, 42);
        assertEquals(42, ArenaLayout.oneofCase(arena, record, 8, 1));
        assertEquals(-1, ArenaLayout.copyInView(arena, 256, new byte[1000]));
    }

    @Test
    void steadyStateDecodeAndEncodeAllocateNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        CompiledSchema schema = TestProtos.compile(TestProtos.everything());
        ProtoHarness h = new ProtoHarness(schema, TestProtos.everything());
        int m = h.message("ferrule.test2.AllTypes2");
        byte[] bytes = new RandomMessages(3).message(h.descriptor("ferrule.test2.AllTypes2")).toByteArray();
        ByteBuffer input = ProtoHarness.direct(bytes);
        ByteBuffer arena = ArenaLayout.allocateArena(1 << 20);
        ByteBuffer out = ByteBuffer.allocateDirect(bytes.length * 2);
        ByteBuffer call = CallBlock.allocate(100);
        JavaProtoEngine engine = new JavaProtoEngine();
        long before = 0;
        for (int round = 0; round < 2; round++) {
            before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2000; i++) {
                ArenaLayout.reset(arena);
                assertEquals(0, engine.decode(schema, m, input, 0, bytes.length, arena, arena.capacity(), 100, call));
                assertEquals(0, engine.encode(schema, m, CallBlock.rootRecord(call), arena, arena.capacity(), input,
                        out, 0, out.capacity(), 100, call));
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, "steady state allocated " + allocated + " bytes");
    }
}
