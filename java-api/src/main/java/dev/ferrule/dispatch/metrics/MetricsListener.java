package dev.ferrule.dispatch.metrics;

import dev.ferrule.ErrorCode;
import dev.ferrule.dispatch.CallContext;
import dev.ferrule.dispatch.DispatchListener;

/**
 * Feeds one dispatcher's stamps into {@link DispatchMetrics}; made by
 * {@link DispatchMetrics#listener()}, one per dispatcher (so, like the dispatcher, one per thread).
 *
 * <p>A request's handler time is its own (Java or Rust); its decode, encode and total times are those
 * of its batch, since a batch is decoded, handled and encoded together: decode = the first pass (frame
 * and message decoding, and the Rust handlers), encode = writing the Java responses, total = the whole
 * call. Within a batch, requests of one method share one histogram update with a count, so recording
 * those stages costs per distinct method, not per request.
 */
final class MetricsListener implements DispatchListener {
    private final DispatchMetrics metrics;
    private final BatchStats stats = new BatchStats();
    /** The distinct method ids of the current batch's requests, with counts. */
    private int[] methods = new int[8];
    private long[] counts = new long[8];
    private int distinct;
    private int seen;
    private long firstCorrelationId;

    MetricsListener(DispatchMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onRequest(CallContext ctx, int errorCode, long handlerNanos) {
        int methodId = ctx.methodId();
        if (seen++ == 0) {
            firstCorrelationId = ctx.correlationId();
        }
        countMethod(methodId);
        if (errorCode == 0 || handlerNanos > 0) {
            metrics.recordHandler(methodId, handlerNanos);
        }
        if (errorCode != 0) {
            ErrorCode code = ErrorCode.fromCode(errorCode);
            metrics.recordError(methodId, ctx.correlationId(), code == null ? ErrorCode.INTERNAL : code,
                    code == null ? "unknown error code " + errorCode + " for " + ctx : null);
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
        stats.clear();
        stats.requests = requests;
        stats.errors = errors;
        stats.firstCorrelationId = firstCorrelationId;
        stats.decodeNanos = decode;
        stats.handlerNanos = javaHandledNanos - firstPassNanos;
        stats.encodeNanos = encode;
        stats.totalNanos = total;
        metrics.recordBatch(stats);
        distinct = 0;
        seen = 0;
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
