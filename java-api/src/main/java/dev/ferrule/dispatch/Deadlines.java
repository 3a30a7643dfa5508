package dev.ferrule.dispatch;

/**
 * Per-request deadlines, asked once per Java-handled request just before its handler would run. A
 * request whose deadline is not after {@link System#nanoTime()} is answered
 * {@link dev.ferrule.ErrorCode#DISPATCH_DEADLINE_EXCEEDED} and its handler does not run.
 */
@FunctionalInterface
public interface Deadlines {
    /** No request has a deadline. */
    Deadlines NONE = (methodId, correlationId) -> CallContext.NO_DEADLINE;

    /** The deadline of the request, a {@link System#nanoTime()} instant, or {@link CallContext#NO_DEADLINE}. */
    long deadlineNanos(int methodId, long correlationId);
}
