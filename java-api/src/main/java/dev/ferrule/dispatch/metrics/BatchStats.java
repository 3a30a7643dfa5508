package dev.ferrule.dispatch.metrics;

/**
 * What one dispatch call did, reported once per batch: a mutable carrier that a dispatcher fills and
 * reuses, so reporting a batch allocates nothing. Times are nanoseconds; a stage that was not measured
 * is {@code -1}.
 */
public final class BatchStats {
    /** Request frames in the batch. */
    public int requests;
    /** Requests answered with an error frame. */
    public int errors;
    /** Correlation id of the first request frame, or 0. */
    public long firstCorrelationId;
    /** Request bytes consumed. */
    public long bytesIn;
    /** Response bytes written. */
    public long bytesOut;
    /** Time spent decoding the batch. */
    public long decodeNanos = -1;
    /** Time spent in handlers. */
    public long handlerNanos = -1;
    /** Time spent encoding responses. */
    public long encodeNanos = -1;
    /** Time for the whole call. */
    public long totalNanos = -1;

    /** Resets every field for the next batch. */
    public BatchStats clear() {
        requests = 0;
        errors = 0;
        firstCorrelationId = 0;
        bytesIn = 0;
        bytesOut = 0;
        decodeNanos = -1;
        handlerNanos = -1;
        encodeNanos = -1;
        totalNanos = -1;
        return this;
    }
}
