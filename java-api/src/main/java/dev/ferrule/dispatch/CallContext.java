package dev.ferrule.dispatch;

/**
 * What a Java handler knows about the call it serves. The dispatcher reuses one instance for every
 * request: valid only during the handler call.
 */
public final class CallContext {
    /** The deadline of a request that has none. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private String method;
    private int methodId;
    private long correlationId;
    private long deadlineNanos = NO_DEADLINE;

    CallContext() {}

    void set(String method, int methodId, long correlationId, long deadlineNanos) {
        this.method = method;
        this.methodId = methodId;
        this.correlationId = correlationId;
        this.deadlineNanos = deadlineNanos;
    }

    /** The full method name, {@code pkg.Service/Method}. */
    public String method() {
        return method;
    }

    /** The method id from the request frame ({@link MethodId}). */
    public int methodId() {
        return methodId;
    }

    /** The request's correlation id, which its response carries. */
    public long correlationId() {
        return correlationId;
    }

    /** The request's deadline as a {@link System#nanoTime()} instant, or {@link #NO_DEADLINE}. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Whether the request has a deadline. */
    public boolean hasDeadline() {
        return deadlineNanos != NO_DEADLINE;
    }

    /** {@code pkg.Service/Method#<correlation id>}, for log lines. */
    @Override
    public String toString() {
        return method + "#" + Long.toUnsignedString(correlationId);
    }
}
