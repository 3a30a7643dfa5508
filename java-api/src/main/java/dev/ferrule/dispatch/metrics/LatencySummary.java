package dev.ferrule.dispatch.metrics;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency histogram at the time of a snapshot, in nanoseconds. Values are as
 * precise as the histogram: within 1% for per-method histograms, 0.1% for the overall ones.
 *
 * @param count how many values were recorded
 * @param minNanos the smallest value, 0 when {@code count} is 0
 * @param meanNanos the arithmetic mean
 * @param p50Nanos the median
 * @param p90Nanos the 90th percentile
 * @param p99Nanos the 99th percentile
 * @param p999Nanos the 99.9th percentile
 * @param maxNanos the largest value
 */
public record LatencySummary(long count, long minNanos, double meanNanos, long p50Nanos, long p90Nanos,
        long p99Nanos, long p999Nanos, long maxNanos) {

    /** The summary of a histogram with nothing recorded. */
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0);

    static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(h.getTotalCount(), h.getMinValue(), h.getMean(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    @Override
    public String toString() {
        return "count=" + count + " p50=" + p50Nanos + "ns p90=" + p90Nanos + "ns p99=" + p99Nanos + "ns p99.9="
                + p999Nanos + "ns max=" + maxNanos + "ns";
    }
}
