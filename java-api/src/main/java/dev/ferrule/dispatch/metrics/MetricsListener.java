package dev.ferrule.dispatch.metrics;

import dev.ferrule.ErrorCode;
import dev.ferrule.dispatch.CallContext;
import dev.ferrule.dispatch.DispatchListener;

/**
 * Feeds one dispatcher's stamps into {@link DispatchMetrics}; made by
 * {@link DispatchMetrics#listener()}, one per dispatcher (so, like the dispatcher, one per thread).
 *
 * <p>Stage values of a request are those of its batch, since a batch is decoded, handled and encoded
 * together: decode = the first pass (frame and message decoding, and native handlers), encode = writing
 * the Java responses, total = the whole call; handler = the request's own Java handler time. Within a
 * batch, requests of one method are recorded as one histogram entry with a count, so recording costs
 * per distinct method, not per request.
 */
final class MetricsListener implements DispatchListener {
    private final DispatchMetrics metrics;
    private final BatchStats stats = new BatchStats();
    /** The distinct method ids of the Java-handled requests of the current batch, with counts. */
    private int[] methods = new int[8];
    private long[] counts = new long[8];
    private int distinct;
    private int javaRequests;
    private int javaErrors;
    private long firstCorrelationId;

    MetricsListener(DispatchMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onRequest(CallContext ctx, int errorCode, long handlerNanos) {
        int methodId = ctx.methodId();
        if (javaRequests++ == 0) {
            firstCorrelationId = ctx.correlationId();
        }
        countMethod(methodId);
        metrics.recordHandler(methodId, handlerNanos);
        if (errorCode != 0) {
            javaErrors++;
            ErrorCode code = ErrorCode.fromCode(errorCode);
            metrics.recordError(methodId, ctx.correlationId(), code == null ? ErrorCode.INTERNAL : code,
                    code == null ? "unknown error code " + errorCode + " in " + ctx : null);
        }
    }

    @Override
    public void onBatch(int requests, int errors, long startNanos, long firstPassNanos, long javaHandledNanos,
            long endNanos) {
        long decode = firstPassNanos - startNanos;
        long encode = endNanos - javaHandledNanos;
        long total = endNanos - startNanos;
        for (int i = 0; i < distinct; i++) {
            metrics.recordBatchStages(methods[i], counts[i], decode, encode, total);
        }
        int firstPassRequests = requests - javaRequests;
        if (firstPassRequests > 0) {
            // Native handlers and the dispatcher's own error answers are not reported one by one.
            metrics.recordBatchStages(DispatchMetrics.NATIVE_OR_REFUSED, firstPassRequests, decode, -1, total);
        }
        metrics.recordFirstPassErrors(Math.max(0, errors - javaErrors));
        stats.clear();
        stats.requests = requests;
        stats.errors = errors;
        stats.nativeRequests = firstPassRequests;
        stats.firstCorrelationId = firstCorrelationId;
        stats.decodeNanos = decode;
        stats.handlerNanos = javaHandledNanos - firstPassNanos;
        stats.encodeNanos = encode;
        stats.totalNanos = total;
        metrics.recordBatch(stats);
        distinct = 0;
        javaRequests = 0;
        javaErrors = 0;
        firstCorrelationId = 0;
    }

    private void countMethod(int methodId) {
        for (int i = 0; i < distinct; i++) {
            if (methods[i] == methodId) {
                counts[i]++;
                return;
            }
        }
        if (distinct == methods.length) {
            methods = java.util.Arrays.copyOf(methods, distinct * 2);
            counts = java.util.Arrays.copyOf(counts, distinct * 2);
        }
        methods[distinct] = methodId;
        counts[distinct++] = 1;
    }
}
