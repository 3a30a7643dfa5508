package dev.ferrule.internal;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.schema.Schema;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * The Rust engine, one JNI crossing per call.
 *
 * <p>A direct buffer's address is asked of JNI once per buffer and then cached here with the buffer
 * itself, so a codec that keeps working on the same buffers crosses into native code exactly once
 * per batch and never pays for {@code GetDirectBufferAddress} again. Holding the buffers also keeps
 * their memory alive while native code may touch it. Every call ends with reachability fences on this
 * backend (whose slots hold the buffers of the call) and on the schema, whose native tables a cleaner
 * frees once it is unreachable: without them the JIT may consider either dead while the engine still
 * reads its memory. Callers hold the codec's
 * {@link Confinement}, so one backend never runs two calls at once.
 */
final class NativeBackend implements Backend {
    private final AddressSlot source = new AddressSlot();
    private final AddressSlot output = new AddressSlot();
    private final AddressSlot table = new AddressSlot();
    private final AddressSlot roots = new AddressSlot();
    private final AddressSlot arena = new AddressSlot();
    private final AddressSlot call = new AddressSlot();

    @Override
    public BackendKind kind() {
        return BackendKind.NATIVE;
    }

    @Override
    public int decodeFrames(int format, ByteBuffer input, int start, int length, int maxPayloadLength,
            boolean endOfInput, ByteBuffer table, int capacity) {
        long in = source.of(input) + start;
        int status = NativeBindings.frameDecode0(format, in, length, start, maxPayloadLength, endOfInput,
                this.table.of(table), capacity);
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public int encodeFrames(int format, ByteBuffer payloads, int payloadsLength, ByteBuffer table, int count,
            ByteBuffer output, int start, int length, int maxPayloadLength) {
        long out = this.output.of(output) + start;
        int status = NativeBindings.frameEncode0(format, source.of(payloads), payloadsLength, this.table.of(table), count,
                out, length, maxPayloadLength);
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public int protoDecode(Schema schema, int message, ByteBuffer input, int start, int length, ByteBuffer arena,
            int maxDepth, ByteBuffer call) {
        long in = source.of(input) + start;
        int status = NativeBindings.protoDecode0(schema.nativeHandle(), message, in, length, start, this.arena.of(arena),
                arena.capacity(), maxDepth, this.call.of(call));
        Reference.reachabilityFence(schema);
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public int protoEncode(Schema schema, int message, int record, ByteBuffer arena, ByteBuffer input, ByteBuffer output,
            int start, int length, int maxDepth, ByteBuffer call) {
        long out = this.output.of(output) + start;
        int status = NativeBindings.protoEncode0(schema.nativeHandle(), message, record, this.arena.of(arena), arena.capacity(),
                source.of(input), input.capacity(), out, length, maxDepth, this.call.of(call));
        Reference.reachabilityFence(schema);
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public int protoDecodeBatch(Schema schema, int message, ByteBuffer input, int start, int length,
            int maxPayloadLength, boolean endOfInput, ByteBuffer table, ByteBuffer roots, int capacity,
            ByteBuffer arena, int maxDepth, ByteBuffer call) {
        long in = source.of(input) + start;
        int status = NativeBindings.protoDecodeGrpcBatch0(schema.nativeHandle(), message, in, length, start, maxPayloadLength,
                endOfInput, this.table.of(table), capacity, this.roots.of(roots), this.arena.of(arena), arena.capacity(),
                maxDepth, this.call.of(call));
        Reference.reachabilityFence(schema);
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public int protoEncodeBatch(Schema schema, int message, ByteBuffer roots, int count, ByteBuffer arena,
            ByteBuffer input, ByteBuffer output, int start, int length, int maxDepth, ByteBuffer call) {
        long out = this.output.of(output) + start;
        int status = NativeBindings.protoEncodeGrpcBatch0(schema.nativeHandle(), message, this.roots.of(roots), count,
                this.arena.of(arena), arena.capacity(), source.of(input), input.capacity(), out, length, maxDepth,
                this.call.of(call));
        Reference.reachabilityFence(schema);
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public int debugPanic() {
        return NativeBindings.debugPanic0();
    }

    /**
     * One buffer and its address. Holding the buffer keeps its memory alive while native code may
     * touch it, and the address is asked of JNI only when the buffer changes.
     */
    static final class AddressSlot {
        private ByteBuffer buffer;
        private long address;

        long of(ByteBuffer b) {
            if (b != buffer) {
                long a = addressOf(b);
                address = a;
                buffer = b;
                return a;
            }
            return address;
        }
    }

    private static long addressOf(ByteBuffer buffer) {
        long address = NativeBindings.bufferAddress0(buffer);
        if (address == 0) {
            // Callers check isDirect(); a zero address means the JVM refused to expose this buffer.
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "the JVM gives no address for this direct buffer");
        }
        return address;
    }
}
