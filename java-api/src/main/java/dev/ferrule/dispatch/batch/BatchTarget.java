package dev.ferrule.dispatch.batch;

import dev.ferrule.dispatch.Deadlines;
import dev.ferrule.dispatch.Dispatcher;
import java.nio.ByteBuffer;
import java.util.Objects;

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

    /**
     * As {@link #dispatch(ByteBuffer, ByteBuffer)}, telling the target each request's deadline; a
     * target that has no use for deadlines ignores them (the default).
     */
    default void dispatch(ByteBuffer in, ByteBuffer out, Deadlines deadlines) {
        dispatch(in, out);
    }

    /** Whether responses are held back for want of room in an earlier {@code out}. */
    default boolean hasPending() {
        return false;
    }

    /** Writes held-back responses into {@code out} without consuming requests. */
    default void drain(ByteBuffer out) {}

    /**
     * A target dispatching through {@code dispatcher}, deadlines, held-back responses and all. Like the
     * dispatcher, it is for one thread: give a {@link Batcher} a supplier making one per call.
     */
    static BatchTarget of(Dispatcher dispatcher) {
        Objects.requireNonNull(dispatcher, "dispatcher");
        return new BatchTarget() {
            @Override
            public void dispatch(ByteBuffer in, ByteBuffer out) {
                dispatcher.dispatch(in, out);
            }

            @Override
            public void dispatch(ByteBuffer in, ByteBuffer out, Deadlines deadlines) {
                dispatcher.dispatch(in, out, deadlines);
            }

            @Override
            public boolean hasPending() {
                return dispatcher.hasPending();
            }

            @Override
            public void drain(ByteBuffer out) {
                dispatcher.drain(out);
            }
        };
    }
}
