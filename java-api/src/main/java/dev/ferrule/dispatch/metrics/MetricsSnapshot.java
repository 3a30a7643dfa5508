package dev.ferrule.dispatch.metrics;

import dev.ferrule.ErrorCode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable picture of {@link DispatchMetrics} at one moment: counters and, per stage, latency
 * percentiles since the metrics were created, overall and per method.
 */
public final class MetricsSnapshot {
    private final long requests;
    private final long rejections;
    private final long batches;
    private final Map<ErrorCode, Long> errorsByCode;
    private final Map<Stage, LatencySummary> stages;
    private final Map<String, MethodSnapshot> methods;

    MetricsSnapshot(long requests, long rejections, long batches, Map<ErrorCode, Long> errorsByCode,
            Map<Stage, LatencySummary> stages, Map<String, MethodSnapshot> methods) {
        this.requests = requests;
        this.rejections = rejections;
        this.batches = batches;
        this.errorsByCode = Collections.unmodifiableMap(new EnumMap<>(errorsByCode));
        this.stages = Collections.unmodifiableMap(new EnumMap<>(stages));
        this.methods = Collections.unmodifiableMap(new LinkedHashMap<>(methods));
    }

    /** Requests recorded: dispatched ones and ones refused before dispatch. */
    public long requests() {
        return requests;
    }

    /** Requests answered with an error, of any code (including rejections and expired deadlines). */
    public long errors() {
        long sum = 0;
        for (long n : errorsByCode.values()) {
            sum += n;
        }
        return sum;
    }

    /** Requests answered with this error code. */
    public long errors(ErrorCode code) {
        return errorsByCode.getOrDefault(Objects.requireNonNull(code, "code"), 0L);
    }

    /** Non-zero error counts by code. */
    public Map<ErrorCode, Long> errorsByCode() {
        return errorsByCode;
    }

    /** Requests refused by an overload policy (rejected, dropped or timed out waiting for room). */
    public long rejections() {
        return rejections;
    }

    /** Batches dispatched. */
    public long batches() {
        return batches;
    }

    /** Latency of one stage over all methods. */
    public LatencySummary stage(Stage stage) {
        return stages.getOrDefault(Objects.requireNonNull(stage, "stage"), LatencySummary.EMPTY);
    }

    /** Per-method figures, by method name ({@code pkg.Service/Method}), in registration order. */
    public Map<String, MethodSnapshot> methods() {
        return methods;
    }

    /** The figures of one method, or {@code null} if it was never registered. */
    public MethodSnapshot method(String name) {
        return methods.get(Objects.requireNonNull(name, "name"));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(256);
        s.append("requests=").append(requests).append(" errors=").append(errors()).append(" rejections=")
                .append(rejections).append(" batches=").append(batches).append('\n');
        for (Stage stage : Stage.values()) {
            s.append("  ").append(stage).append(": ").append(stage(stage)).append('\n');
        }
        for (MethodSnapshot m : methods.values()) {
            s.append("  ").append(m.method()).append(" requests=").append(m.requests()).append(" errors=")
                    .append(m.errors()).append(" total: ").append(m.stage(Stage.TOTAL)).append('\n');
        }
        return s.toString();
    }

    /**
     * The figures of one method.
     *
     * @param method the method name, {@code pkg.Service/Method}
     * @param methodId its id in frame headers
     * @param requests requests recorded for it
     * @param errors of those, how many were answered with an error
     * @param stages latency per stage
     */
    public record MethodSnapshot(String method, int methodId, long requests, long errors,
            Map<Stage, LatencySummary> stages) {
        /** Makes an immutable copy of {@code stages}. */
        public MethodSnapshot {
            // EnumMap's copy constructor refuses an empty map that is not an EnumMap: copy entry by entry.
            EnumMap<Stage, LatencySummary> copy = new EnumMap<>(Stage.class);
            copy.putAll(Objects.requireNonNull(stages, "stages"));
            stages = Collections.unmodifiableMap(copy);
        }

        /** Latency of one stage for this method. */
        public LatencySummary stage(Stage stage) {
            return stages.getOrDefault(Objects.requireNonNull(stage, "stage"), LatencySummary.EMPTY);
        }
    }
}
