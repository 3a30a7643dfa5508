package dev.ferrule.dispatch.batch;

import java.nio.ByteBuffer;

/**
 * Where a {@link Batcher} sends a batch: anything with the dispatcher's shape, such as
 * {@code dispatcher::dispatch}.
 */
@FunctionalInterface
public interface BatchTarget {
    /**
     * Handles every request frame in {@code in} from its position to its limit and writes one
     * response or error frame per request, with the request's correlation id, into {@code out} from
     * its position, advancing it.
     */
    void dispatch(ByteBuffer in, ByteBuffer out);
}
