package dev.ferrule.internal;

import dev.ferrule.BackendKind;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;

/**
 * The engine half of a dispatcher (docs/dispatch.md): native (one JNI call per pass) or pure Java, with
 * the same results byte for byte for Java-handled methods. Callers have validated every argument.
 * Not thread-safe: one per dispatcher.
 */
public interface DispatchEngine extends AutoCloseable {
    /** A dispatch engine of {@code kind} for {@code schema}. */
    static DispatchEngine create(BackendKind kind, Schema schema) {
        if (kind == BackendKind.NATIVE) {
            // Loads and verifies the library, or says why it cannot be used.
            Backends.create(BackendKind.NATIVE);
            return new NativeDispatchEngine(schema);
        }
        return new JavaDispatchEngine(schema);
    }

    /** Which engine this is. */
    BackendKind kind();

    /**
     * Routes requests for {@code methodId} ({@link DispatchLayout#ROUTE_JAVA}, {@code ROUTE_NATIVE},
     * {@code ROUTE_UNAVAILABLE}); for Java routes, the Java method index and the request type.
     *
     * @return whether the route was taken: {@code ROUTE_NATIVE} is refused when the library has no Rust
     *     handler for the method (always, for the Java engine)
     */
    boolean route(int methodId, int kind, int javaIndex, int requestType);

    /**
     * The first pass over {@code in[start, start + length)}: up to {@code capacity} requests; Java-handled
     * ones decoded into {@code arena} and described in {@code table}, every other answered in
     * {@code out[outStart, outStart + outLength)}. Results in the table header; returns 0 or the frame
     * error code (only when no request was consumed).
     */
    int firstPass(ByteBuffer in, int start, int length, int maxPayloadLength, ByteBuffer out, int outStart,
            int outLength, ByteBuffer table, int capacity, ByteBuffer arena, int maxDepth);

    /**
     * Encodes the response entries {@code [first, first + count)} of {@code table} as response frames into
     * {@code out[outStart, outStart + outLength)}, stopping before the first that does not fit. Frames
     * and bytes written go to the table header; returns 0 or the error of a bad response record (its
     * index in the error offset).
     */
    int encode(ByteBuffer table, int first, int count, ByteBuffer arena, ByteBuffer input, ByteBuffer statuses,
            ByteBuffer out, int outStart, int outLength, int maxDepth);

    /** Bytes of first-pass responses kept inside the engine for lack of output room. */
    long pending();

    /** Writes pending bytes into {@code out[start, start + length)}; returns how many. */
    int drain(ByteBuffer out, int start, int length);

    /** Whether to measure each Rust handler's time for the listener (native only; off by default). */
    default void timeHandlers(boolean enabled) {}

    /** Test hook: adds the library's test accelerators (native only). */
    default void addTestHandlers() {}

    @Override
    void close();
}
