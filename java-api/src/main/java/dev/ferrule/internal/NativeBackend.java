package dev.ferrule.internal;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.ByteBuffer;

/**
 * The Rust engine, one JNI crossing per call.
 *
 * <p>A direct buffer's address is asked of JNI once per buffer and then cached here with the buffer
 * itself, so a codec that keeps working on the same buffers crosses into native code exactly once
 * per batch and never pays for {@code GetDirectBufferAddress} again. Holding the buffers also keeps
 * their memory alive while native code may touch it.
 */
final class NativeBackend implements Backend {
    private ByteBuffer sourceBuffer;
    private long sourceAddress;
    private ByteBuffer outputBuffer;
    private long outputAddress;
    private ByteBuffer tableBuffer;
    private long tableAddress;

    @Override
    public BackendKind kind() {
        return BackendKind.NATIVE;
    }

    @Override
    public int decodeFrames(int format, ByteBuffer input, int start, int length, int maxPayloadLength,
            boolean endOfInput, ByteBuffer table, int capacity) {
        long in = source(input) + start;
        return NativeBindings.frameDecode0(format, in, length, start, maxPayloadLength, endOfInput, table(table), capacity);
    }

    @Override
    public int encodeFrames(int format, ByteBuffer payloads, int payloadsLength, ByteBuffer table, int count,
            ByteBuffer output, int start, int length, int maxPayloadLength) {
        long out = output(output) + start;
        return NativeBindings.frameEncode0(format, source(payloads), payloadsLength, table(table), count, out, length,
                maxPayloadLength);
    }

    @Override
    public int debugPanic() {
        return NativeBindings.debugPanic0();
    }

    private long source(ByteBuffer buffer) {
        if (buffer != sourceBuffer) {
            sourceAddress = addressOf(buffer);
            sourceBuffer = buffer;
        }
        return sourceAddress;
    }

    private long output(ByteBuffer buffer) {
        if (buffer != outputBuffer) {
            outputAddress = addressOf(buffer);
            outputBuffer = buffer;
        }
        return outputAddress;
    }

    private long table(ByteBuffer buffer) {
        if (buffer != tableBuffer) {
            tableAddress = addressOf(buffer);
            tableBuffer = buffer;
        }
        return tableAddress;
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
