package dev.ferrule.internal.proto;

import static dev.ferrule.internal.Abi.ARENA_ARRAY_HEADER_LENGTH;
import static dev.ferrule.internal.Abi.ARENA_ARRAY_MIN_CAPACITY;
import static dev.ferrule.internal.Abi.ARENA_HEADER_LENGTH;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_BOOL;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_BYTES;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_DOUBLE;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_FIXED64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_INT64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_SFIXED64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_SINT64;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_STRING;
import static dev.ferrule.internal.schema.CompiledSchema.TYPE_UINT64;

import dev.ferrule.internal.Abi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Arenas and records (docs/message-layout.md, section 2): the rules both engines and the message
 * builders share, as static helpers over the arena's little-endian buffer (absolute indexes).
 *
 * <pre>
 * arena header: 0 u32 used (starts at 16, a multiple of 8) | 4 u32 capacity | 8 reserved | 12 reserved
 * record:       hasbit words | oneof case words | slots (see the compiled schema)
 * array block:  u32 capacity | u32 reserved | capacity elements; the slot holds (first element, count)
 * view:         u32 offset | u32 length; offset bit 31 (ARENA_REF_FLAG) = an arena offset, else input
 * </pre>
 *
 * <p>Allocations are rounded up to 8 bytes, zero-filled and taken at {@code used}. Offset 0 (the
 * header) means "none", so every allocator here returns 0 when the arena is exhausted. The
 * {@code capacity} argument is authoritative over the header's capacity field.
 */
public final class ArenaLayout {
    private ArenaLayout() {}

    public static final int USED_AT = 0;
    public static final int CAPACITY_AT = 4;

    /** {@code ARENA_REF_FLAG} as an int: set in a view offset whose bytes live in the arena. */
    public static final int REF_FLAG = (int) Abi.ARENA_REF_FLAG;

    /** What the allocators return when the arena has no room: offset 0, the header, means "none". */
    public static final int FULL = 0;

    /** {@code NO_INDEX} as an int. */
    public static final int NO_INDEX = (int) Abi.NO_INDEX;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(4096).asReadOnlyBuffer();

    /** A zeroed direct arena of {@code capacity} bytes with its header written. */
    public static ByteBuffer allocateArena(int capacity) {
        ByteBuffer arena = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        init(arena, capacity);
        return arena;
    }

    /** Writes a fresh header: nothing allocated. */
    public static void init(ByteBuffer arena, int capacity) {
        arena.putInt(USED_AT, ARENA_HEADER_LENGTH).putInt(CAPACITY_AT, capacity).putLong(8, 0);
    }

    /** Frees everything: the next allocation starts after the header again. */
    public static void reset(ByteBuffer arena) {
        arena.putInt(USED_AT, ARENA_HEADER_LENGTH);
    }

    public static int used(ByteBuffer arena) {
        return arena.getInt(USED_AT);
    }

    public static void setUsed(ByteBuffer arena, int used) {
        arena.putInt(USED_AT, used);
    }

    /** Whether the header's {@code used} is sane for an arena of {@code capacity} bytes. */
    public static boolean validHeader(ByteBuffer arena, int capacity) {
        if (capacity < ARENA_HEADER_LENGTH || capacity > arena.capacity()) {
            return false;
        }
        int used = used(arena);
        return used >= ARENA_HEADER_LENGTH && used <= capacity && (used & 7) == 0;
    }

    /** {@code n} rounded up to a multiple of 8 (as a long: no overflow). */
    public static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /**
     * Allocates {@code size} zero-filled bytes (rounded up to 8) at {@code used}; returns their
     * offset, or {@link #FULL} if they do not fit in {@code capacity}.
     */
    public static int allocate(ByteBuffer arena, int capacity, long size) {
        int used = used(arena);
        long rounded = align8(size);
        if (rounded > capacity - (long) used) {
            return 0;
        }
        zero(arena, used, (int) rounded);
        arena.putInt(USED_AT, used + (int) rounded);
        return used;
    }

    /** Zero-fills {@code [at, at + length)}; {@code length} a multiple of 8. */
    public static void zero(ByteBuffer arena, int at, int length) {
        if (length <= 16) {
            for (int i = 0; i < length; i += 8) {
                arena.putLong(at + i, 0);
            }
            return;
        }
        int chunk = ZEROS.capacity();
        while (length > 0) {
            int n = Math.min(chunk, length);
            arena.put(at, ZEROS, 0, n);
            at += n;
            length -= n;
        }
    }

    /** The element size of a repeated field of this type: 8, 4 or 1 bytes. */
    public static int elementSize(int type) {
        return switch (type) {
            case TYPE_DOUBLE, TYPE_INT64, TYPE_UINT64, TYPE_FIXED64, TYPE_SFIXED64, TYPE_SINT64, TYPE_STRING,
                    TYPE_BYTES -> 8;
            case TYPE_BOOL -> 1;
            default -> 4;
        };
    }

    /** Arena offset of the first element of the repeated field whose slot is at {@code slotAt}, 0 if none. */
    public static int arrayFirst(ByteBuffer arena, int slotAt) {
        return arena.getInt(slotAt);
    }

    public static int arrayCount(ByteBuffer arena, int slotAt) {
        return arena.getInt(slotAt + 4);
    }

    /** Capacity of the array block whose first element is at {@code first} (0 if {@code first} is 0). */
    public static int arrayCapacity(ByteBuffer arena, int first) {
        return first == 0 ? 0 : arena.getInt(first - ARENA_ARRAY_HEADER_LENGTH);
    }

    /**
     * Appends one element to the repeated field whose slot is at {@code slotAt}: grows the array by
     * the rule of section 2 when it is full (a new block of {@code max(ARENA_ARRAY_MIN_CAPACITY,
     * 2 × capacity)} elements, the old elements copied, the slot repointed), then counts the element.
     * Returns the new element's arena offset (its bytes are zero only if the block is new), or 0 if
     * the arena is exhausted ({@link #FULL}), in which case nothing changed.
     */
    public static int append(ByteBuffer arena, int capacity, int slotAt, int elementSize) {
        int first = arena.getInt(slotAt);
        int count = arena.getInt(slotAt + 4);
        if (count == arrayCapacity(arena, first)) {
            first = grow(arena, capacity, slotAt, first, count, elementSize);
            if (first == 0) {
                return 0;
            }
        }
        arena.putInt(slotAt + 4, count + 1);
        return first + count * elementSize;
    }

    /** Moves a full array to a block twice as large; returns the new first element offset, or 0. */
    static int grow(ByteBuffer arena, int capacity, int slotAt, int first, int count, int elementSize) {
        long newCapacity = Math.max(ARENA_ARRAY_MIN_CAPACITY, 2L * count);
        if (newCapacity > Integer.MAX_VALUE) {
            return 0;
        }
        int block = allocate(arena, capacity, ARENA_ARRAY_HEADER_LENGTH + newCapacity * elementSize);
        if (block == 0) {
            return 0;
        }
        arena.putInt(block, (int) newCapacity);
        int newFirst = block + ARENA_ARRAY_HEADER_LENGTH;
        if (count > 0) {
            arena.put(newFirst, arena, first, count * elementSize);
        }
        arena.putInt(slotAt, newFirst);
        return newFirst;
    }

    /** Copies {@code length} bytes of {@code src} at {@code srcAt} into the arena; returns the arena offset or 0. */
    public static int copyIn(ByteBuffer arena, int capacity, ByteBuffer src, int srcAt, int length) {
        int at = allocate(arena, capacity, length);
        if (at != 0 && length > 0) {
            arena.put(at, src, srcAt, length);
        }
        return at;
    }

    /** Copies bytes into the arena; returns the view (see {@link #view}) or -1 if the arena is exhausted. */
    public static long copyInView(ByteBuffer arena, int capacity, byte[] bytes) {
        int at = allocate(arena, capacity, bytes.length);
        if (at == 0) {
            return -1;
        }
        arena.put(at, bytes);
        return view(at | REF_FLAG, bytes.length);
    }

    /** A view as one long: low 32 bits the offset (with {@link #REF_FLAG} for arena bytes), high 32 the length. */
    public static long view(int offset, int length) {
        return Integer.toUnsignedLong(offset) | (long) length << 32;
    }

    public static int viewOffset(ByteBuffer arena, int at) {
        return arena.getInt(at);
    }

    public static int viewLength(ByteBuffer arena, int at) {
        return arena.getInt(at + 4);
    }

    public static void putView(ByteBuffer arena, int at, long view) {
        arena.putLong(at, view);
    }

    public static boolean isArenaRef(int viewOffset) {
        return (viewOffset & REF_FLAG) != 0;
    }

    /** The offset of a view's bytes in the arena or the input, without the flag. */
    public static int viewPosition(int viewOffset) {
        return viewOffset & ~REF_FLAG;
    }

    public static boolean hasbit(ByteBuffer arena, int record, int index) {
        return (arena.getInt(record + 4 * (index >>> 5)) & (1 << index)) != 0;
    }

    public static void setHasbit(ByteBuffer arena, int record, int index) {
        int at = record + 4 * (index >>> 5);
        arena.putInt(at, arena.getInt(at) | 1 << index);
    }

    public static void clearHasbit(ByteBuffer arena, int record, int index) {
        int at = record + 4 * (index >>> 5);
        arena.putInt(at, arena.getInt(at) & ~(1 << index));
    }

    /** The field number of the member set in oneof {@code index}, 0 if none. */
    public static int oneofCase(ByteBuffer arena, int record, int oneofOffset, int index) {
        return arena.getInt(record + oneofOffset + 4 * index);
    }

    public static void setOneofCase(ByteBuffer arena, int record, int oneofOffset, int index, int number) {
        arena.putInt(record + oneofOffset + 4 * index, number);
    }
}
