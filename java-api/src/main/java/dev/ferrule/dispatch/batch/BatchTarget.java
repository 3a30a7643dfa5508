package dev.ferrule.dispatch.batch;

import java.nio.ByteBuffer;

/**
 * Where a {@link Batcher} (or a server loop) sends framed requests: anything with the dispatcher's
 * shape. Only {@link #dispatch} is required; a target that can hold back responses when the output
 * is full (as the dispatcher does) also implements {@link #hasPending()} and {@link #drain}.
 */
@FunctionalInterface
public interface BatchTarget {
    /**
     * Handles request frames in {@code in} from its position, advancing it past the ones consumed (a
     * partial tail stays), and writes one response or error frame per request, with the request's
     * correlation id, into {@code out} from its position, advancing it.
     */
    void dispatch(ByteBuffer in, ByteBuffer out);

    /** Whether responses are held back for want of room in an earlier {@code out}. */
    default boolean hasPending() {
        return false;
    }

    /** Writes held-back responses into {@code out} without consuming requests. */
    default void drain(ByteBuffer out) {}
}
