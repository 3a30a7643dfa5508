package dev.ferrule.dispatch;

/**
 * The observability seam: called on the dispatching thread with {@link System#nanoTime()} stamps, and
 * never allocating itself. Implementations must not allocate per call either if the dispatcher is to
 * stay allocation-free; {@code ctx} is reused, so copy what you keep.
 */
public interface DispatchListener {
    /** Records nothing. */
    DispatchListener NONE = new DispatchListener() {};

    /**
     * Once per Java-handled request, after its handler ran (or was skipped for an expired deadline).
     *
     * @param errorCode 0 for a response, else the {@link dev.ferrule.ErrorCode} number of its error frame
     * @param handlerNanos time spent in the handler; 0 if it did not run
     */
    default void onRequest(CallContext ctx, int errorCode, long handlerNanos) {}

    /**
     * Once per {@link Dispatcher#dispatch} call that consumed requests. Stages: decode (and Rust
     * handlers) = {@code firstPassNanos - startNanos}; Java handlers = {@code javaHandledNanos -
     * firstPassNanos}; encode = {@code endNanos - javaHandledNanos}; total = {@code endNanos - startNanos}.
     *
     * @param requests requests consumed
     * @param errors error frames among their responses
     */
    default void onBatch(int requests, int errors, long startNanos, long firstPassNanos, long javaHandledNanos,
            long endNanos) {}
}
