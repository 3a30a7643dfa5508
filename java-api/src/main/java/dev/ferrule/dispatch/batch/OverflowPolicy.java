package dev.ferrule.dispatch.batch;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Batcher#submit} does when the queue already holds its capacity of requests. A request
 * refused by a policy completes with {@link dev.ferrule.ErrorCode#DISPATCH_OVERLOADED} (a dropped one with
 * {@link dev.ferrule.ErrorCode#DISPATCH_DROPPED}) and counts as a rejection in the metrics.
 */
public final class OverflowPolicy {
    /** The three behaviours. */
    public enum Kind {
        /** Wait for room up to a timeout, then refuse the new request. */
        BLOCK,
        /** Refuse the new request at once. */
        REJECT,
        /** Make room by refusing the oldest queued request, and queue the new one. */
        DROP_OLDEST
    }

    private static final OverflowPolicy REJECT = new OverflowPolicy(Kind.REJECT, Duration.ZERO);
    private static final OverflowPolicy DROP_OLDEST = new OverflowPolicy(Kind.DROP_OLDEST, Duration.ZERO);

    private final Kind kind;
    private final Duration timeout;

    private OverflowPolicy(Kind kind, Duration timeout) {
        this.kind = kind;
        this.timeout = timeout;
    }

    /** The submitting thread waits up to {@code timeout} for room, then the request is refused. */
    public static OverflowPolicy block(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "timeout=" + timeout + " must not be negative");
        }
        return new OverflowPolicy(Kind.BLOCK, timeout);
    }

    /** The new request is refused at once. */
    public static OverflowPolicy reject() {
        return REJECT;
    }

    /** The oldest queued request is refused to make room for the new one. */
    public static OverflowPolicy dropOldest() {
        return DROP_OLDEST;
    }

    /** Which behaviour. */
    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#BLOCK}, how long a submitter waits; otherwise zero. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return kind == Kind.BLOCK ? "BLOCK(" + timeout + ")" : kind.name();
    }
}
