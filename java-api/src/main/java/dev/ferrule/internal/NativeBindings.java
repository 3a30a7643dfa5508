package dev.ferrule.internal;

import java.nio.ByteBuffer;

/**
 * Every native entry point of Ferrule, and nothing else.
 *
 * <p>{@code javac -h} turns this class into the JNI header that the C glue implements; the glue's
 * {@code RegisterNatives} table is generated from that header, so this file is the only list of
 * native methods. Callers are the backends in this package, which have already checked every
 * buffer, offset and length: addresses passed here point into live direct memory that stays
 * reachable for the duration of the call.
 *
 * <p>Each method returns a status code ({@code 0} or an {@link dev.ferrule.ErrorCode} number);
 * results travel through the caller's table memory (see {@code docs/wire-format.md}).
 */
public final class NativeBindings {
    private NativeBindings() {}

    /** ABI version the library was built with; compared with {@link Abi#ABI_VERSION} at load. */
    static native int abiVersion0();

    /** Engine version string, e.g. {@code 0.1.0-SNAPSHOT}; compared with the Java API's version at load. */
    static native String engineVersion0();

    /**
     * Address of a direct buffer's first byte, or 0 if the buffer is not direct. Called once per
     * buffer, never per operation: callers cache the result with the buffer.
     */
    static native long bufferAddress0(ByteBuffer buffer);

    /**
     * Decodes frames from {@code [inputAddress, inputAddress + inputLength)} into a frame table.
     *
     * @param format {@link Abi#FORMAT_FERRULE} or {@link Abi#FORMAT_GRPC}
     * @param baseOffset buffer index of the first input byte; payload and error offsets are absolute
     * @param endOfInput whether a partial tail is an error ({@code FRAME_TRUNCATED}) rather than a wait
     * @param tableAddress address of the table header; {@code tableCapacity} entries follow it
     */
    static native int frameDecode0(
            int format,
            long inputAddress,
            int inputLength,
            long baseOffset,
            int maxPayloadLength,
            boolean endOfInput,
            long tableAddress,
            int tableCapacity);

    /**
     * Encodes the first {@code count} table entries as frames, reading payloads from
     * {@code [payloadsAddress, payloadsAddress + payloadsLength)} and writing to
     * {@code [outputAddress, outputAddress + outputLength)}.
     */
    static native int frameEncode0(
            int format,
            long payloadsAddress,
            int payloadsLength,
            long tableAddress,
            int count,
            long outputAddress,
            int outputLength,
            int maxPayloadLength);

    /**
     * Validates and loads a compiled schema (docs/message-layout.md, section 1) from
     * {@code [address, address + length)}; the engine keeps its own copy.
     *
     * @return a handle for the other proto calls, or 0 on failure with the reason in the call block
     */
    static native long schemaRegister0(long address, int length, long callBlock);

    /** Frees a schema handle; the caller guarantees no call uses it afterwards. */
    static native void schemaRelease0(long handle);

    /**
     * Decodes one message of type {@code message} from {@code [inputAddress, inputAddress + inputLength)}
     * into the arena (docs/message-layout.md, section 3); the root record offset goes to the call block.
     *
     * @param baseOffset buffer index of the first input byte; views and error offsets are absolute
     * @param arenaCapacity bytes of arena memory, authoritative over the arena header
     * @param maxDepth nesting limit; the call block has room for {@code maxDepth + 2} path entries
     */
    static native int protoDecode0(
            long schema,
            int message,
            long inputAddress,
            int inputLength,
            long baseOffset,
            long arenaAddress,
            int arenaCapacity,
            int maxDepth,
            long callBlock);

    /**
     * Encodes the record at {@code record} (an arena offset) as message type {@code message} into
     * {@code [outputAddress, outputAddress + outputLength)} (docs/message-layout.md, section 4). Views
     * without the arena flag read {@code [inputAddress, inputAddress + inputLength)}, whose index 0 is
     * buffer index 0. Bytes written, or required, go to the call block.
     */
    static native int protoEncode0(
            long schema,
            int message,
            int record,
            long arenaAddress,
            int arenaCapacity,
            long inputAddress,
            int inputLength,
            long outputAddress,
            int outputLength,
            int maxDepth,
            long callBlock);

    /**
     * Decodes the gRPC length-prefixed messages in {@code [inputAddress, inputAddress + inputLength)},
     * each as one message of type {@code message} into the arena, in one call (docs/message-layout.md,
     * section 6). Frames go to the frame table ({@code tableCapacity} entries), the root record of
     * message {@code i} to the u32 at {@code rootsAddress + 4 * i}; errors to the table header and the
     * call block.
     *
     * @param baseOffset buffer index of the first input byte; payload offsets, views and error offsets
     *     are absolute
     * @param maxPayloadLength longest message accepted; a longer frame is {@code FRAME_TOO_LARGE}
     * @param endOfInput whether a partial tail is an error ({@code FRAME_TRUNCATED}) rather than a wait
     * @param arenaCapacity bytes of arena memory, authoritative over the arena header
     * @param maxDepth nesting limit; the call block has room for {@code maxDepth + 2} path entries
     */
    static native int protoDecodeGrpcBatch0(
            long schema,
            int message,
            long inputAddress,
            int inputLength,
            long baseOffset,
            int maxPayloadLength,
            boolean endOfInput,
            long tableAddress,
            int tableCapacity,
            long rootsAddress,
            long arenaAddress,
            int arenaCapacity,
            int maxDepth,
            long callBlock);

    /**
     * Encodes the {@code count} records whose root offsets are the little-endian u32s at
     * {@code rootsAddress + 4 * i}, all of message type {@code message}, as consecutive gRPC
     * length-prefixed messages into {@code [outputAddress, outputAddress + outputLength)}, in one call
     * (docs/message-layout.md, section 7). A root of 0 is an empty message. Bytes written, or required
     * for the whole batch, go to the call block; a message's error has its index as the error offset.
     */
    static native int protoEncodeGrpcBatch0(
            long schema,
            int message,
            long rootsAddress,
            int count,
            long arenaAddress,
            int arenaCapacity,
            long inputAddress,
            int inputLength,
            long outputAddress,
            int outputLength,
            int maxDepth,
            long callBlock);

    /** A new native dispatcher with no route and no Rust handler; 0 if it could not be made. */
    static native long dispatcherNew0();

    /** Frees a native dispatcher; the caller guarantees no call uses it afterwards. */
    static native void dispatcherRelease0(long dispatcher);

    /**
     * Calls the library's accelerator hook ({@code ferrule_accelerators}), which registers the Rust
     * handlers compiled into it; the stock library registers none.
     */
    static native int acceleratorsRegister0(long dispatcher);

    /** Whether the first pass measures each Rust handler's time (off by default: two clock reads per request). */
    static native int dispatcherTimeHandlers0(long dispatcher, boolean enabled);

    /** Test hook: registers the stock library's test accelerators ({@code ferrule.test.v1.Accelerator/*}). */
    static native int dispatcherAddTestHandlers0(long dispatcher);

    /**
     * Routes {@code methodId}: kind 0 Java (decode as {@code requestType}, describe with {@code javaIndex}),
     * 1 native (its Rust handler; {@code DISPATCH_HANDLER_UNAVAILABLE} if the library has none), 2 unavailable.
     */
    static native int dispatcherRoute0(long dispatcher, int methodId, int kind, int javaIndex, int requestType);

    /**
     * The first pass of a dispatch (docs/dispatch.md): decodes the request frames in
     * {@code [inputAddress, inputAddress + inputLength)} (buffer index {@code baseOffset}), runs Rust
     * handlers, writes their and the dispatcher's own answers to the output, and describes Java-handled
     * requests (decoded into the arena) in the dispatch table; results in its header.
     */
    static native int dispatch0(
            long dispatcher,
            long schema,
            long inputAddress,
            int inputLength,
            long baseOffset,
            int maxPayloadLength,
            long outputAddress,
            int outputLength,
            long tableAddress,
            int tableCapacity,
            long arenaAddress,
            int arenaCapacity,
            int maxDepth);

    /**
     * Encodes the dispatch table's response entries {@code [first, first + count)} as response frames into
     * the output, stopping before the first that does not fit; results in the table header.
     */
    static native int dispatchEncode0(
            long schema,
            long tableAddress,
            int first,
            int count,
            long arenaAddress,
            int arenaCapacity,
            long inputAddress,
            int inputLength,
            long statusesAddress,
            int statusesLength,
            long outputAddress,
            int outputLength,
            int maxDepth);

    /** Writes bytes the dispatcher holds pending into the output; returns how many, or -1 on a bad argument. */
    static native long dispatchDrain0(long dispatcher, long outputAddress, int outputLength);

    /** Bytes the dispatcher holds pending. */
    static native long dispatchPending0(long dispatcher);

    /**
     * Test hook: makes the engine panic inside a native call. The panic must be caught at the C ABI
     * and come back as {@code INTERNAL}; the JVM keeps running.
     */
    static native int debugPanic0();

    /**
     * Benchmark hook: returns {@code length} and does nothing else, so that a benchmark can measure one
     * JNI crossing carrying the {@code (address, length)} pair every real entry point takes.
     */
    static native int emptyCall0(long address, int length);
}
