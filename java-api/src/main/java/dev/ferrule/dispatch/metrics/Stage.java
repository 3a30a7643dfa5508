package dev.ferrule.dispatch.metrics;

/**
 * The stages a dispatched request passes through; each has its own latency histogram, overall and
 * per method.
 *
 * <pre>
 *  submit ──queue wait──▶ batch flushed ──decode──▶ routed ──handler──▶ answered ──encode──▶ written
 *  |◀──────────────────────────────────────── total ────────────────────────────────────────────▶|
 * </pre>
 *
 * <p>Queue wait is only known to callers that queue (the batcher); a request decoded straight from a
 * socket has none and its total starts at decode.
 */
public enum Stage {
    /** From submission to the batcher until its batch is flushed. */
    QUEUE_WAIT,
    /** Decoding the request frame and, for Java handlers, wrapping the request message. */
    DECODE,
    /** Running the handler, Java or native. */
    HANDLER,
    /** Writing the response or error frame. */
    ENCODE,
    /** From the first stage to the response frame being written. */
    TOTAL;

    private static final Stage[] VALUES = values();

    static Stage of(int ordinal) {
        return VALUES[ordinal];
    }
}
