package dev.ferrule.dispatch.metrics;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.DispatchListener;
import dev.ferrule.dispatch.MethodId;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import jdk.jfr.EventType;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency histograms per stage and per method, counters, JFR batch events and correlation-id log
 * lines for dispatch.
 *
 * <pre>{@code
 * DispatchMetrics metrics = DispatchMetrics.builder()
 *         .method("metrics.Stats/Summarize")
 *         .method("echo.Echo/Say")
 *         .build();
 * // handed to the dispatcher and the batcher, which record into it
 * MetricsSnapshot s = metrics.snapshot();
 * s.stage(Stage.HANDLER).p99Nanos();
 * s.method("echo.Echo/Say").stage(Stage.TOTAL).p50Nanos();
 * }</pre>
 *
 * <p>Recording is thread-safe, wait-free and allocates nothing: each histogram is an HdrHistogram
 * {@link Recorder} that writers update without locks and {@link #snapshot()} swaps out. Methods are
 * found by id in an open-addressing table fixed at build time; a request for a method that was not
 * registered counts in the overall figures and under {@value #OTHER_METHODS}.
 *
 * <p>Error log lines go to the {@code System.Logger} named {@value #LOGGER_NAME} at {@code DEBUG}
 * ({@code WARNING} for {@link ErrorCode#INTERNAL}), always with {@code correlationId=}, so a failed
 * request can be followed from the caller's log to the server's.
 */
public final class DispatchMetrics {
    /** The logger error lines are written to, unless the builder names another. */
    public static final String LOGGER_NAME = "dev.ferrule.dispatch";
    /** The name under which requests for unregistered methods are counted. */
    public static final String OTHER_METHODS = "(unregistered)";

    private static final int STAGES = Stage.values().length;
    private static final ErrorCode[] CODES = ErrorCode.values();
    private static final EventType BATCH_EVENT = EventType.getEventType(DispatchBatchEvent.class);

    private final long highestTrackableNanos;
    private final System.Logger logger;
    private final int[] slotKeys;
    private final MethodStats[] slotValues;
    private final int slotMask;
    private final List<MethodStats> methods;
    private final MethodStats other;
    private final StageSet overall;
    private final LongAdder requests = new LongAdder();
    private final LongAdder rejections = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder[] errorsByCode = new LongAdder[CODES.length];

    private DispatchMetrics(Builder builder) {
        this.highestTrackableNanos = builder.highestTrackableNanos;
        this.logger = builder.logger != null ? builder.logger : System.getLogger(LOGGER_NAME);
        this.methods = new ArrayList<>();
        int slots = Integer.highestOneBit(Math.max(4, builder.methods.size() * 2) - 1) << 1;
        this.slotKeys = new int[slots];
        this.slotValues = new MethodStats[slots];
        this.slotMask = slots - 1;
        for (Map.Entry<String, Integer> m : builder.methods.entrySet()) {
            MethodStats stats = new MethodStats(m.getKey(), m.getValue(), highestTrackableNanos);
            int slot = m.getValue() & slotMask;
            while (slotValues[slot] != null) {
                if (slotKeys[slot] == m.getValue()) {
                    throw new FerruleException(ErrorCode.DISPATCH_METHOD_INVALID, "methods " + slotValues[slot].name + " and " + m.getKey()
                            + " have the same id " + Integer.toUnsignedString(m.getValue()));
                }
                slot = (slot + 1) & slotMask;
            }
            slotKeys[slot] = m.getValue();
            slotValues[slot] = stats;
            methods.add(stats);
        }
        this.other = new MethodStats(OTHER_METHODS, 0, highestTrackableNanos);
        this.overall = new StageSet(highestTrackableNanos);
        for (int i = 0; i < errorsByCode.length; i++) {
            errorsByCode[i] = new LongAdder();
        }
    }

    /** A builder with no methods, a 60 s histogram range and the {@value #LOGGER_NAME} logger. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A new listener feeding these metrics, for {@code Dispatcher.builder(schema).listener(...)}: one
     * per dispatcher, since it keeps per-batch state (dispatchers are one per thread anyway).
     */
    public DispatchListener listener() {
        return new MetricsListener(this);
    }

    /**
     * Records one dispatched request. A stage that was not measured is passed as a negative value and
     * left out of its histogram.
     *
     * @param error {@code null} when the request was answered with a response, else the code of its
     *     error frame
     */
    public void recordRequest(int methodId, long correlationId, long queueWaitNanos, long decodeNanos,
            long handlerNanos, long encodeNanos, long totalNanos, ErrorCode error) {
        MethodStats m = find(methodId);
        requests.increment();
        m.requests.increment();
        record(m, Stage.QUEUE_WAIT, queueWaitNanos);
        record(m, Stage.DECODE, decodeNanos);
        record(m, Stage.HANDLER, handlerNanos);
        record(m, Stage.ENCODE, encodeNanos);
        record(m, Stage.TOTAL, totalNanos);
        if (error != null) {
            countError(m, methodId, correlationId, error, null);
        }
    }

    /**
     * Records the time a request waited in a caller-side queue before its batch was flushed; the
     * dispatcher records the other stages of the same request with {@link #recordRequest}.
     */
    public void recordQueueWait(int methodId, long queueWaitNanos) {
        record(find(methodId), Stage.QUEUE_WAIT, queueWaitNanos);
    }

    /**
     * Records a request answered with an error before any handler ran: refused by an overload policy
     * ({@code rejection} true) or past its deadline.
     */
    public void recordRefused(int methodId, long correlationId, ErrorCode error, boolean rejection, String detail) {
        Objects.requireNonNull(error, "error");
        MethodStats m = find(methodId);
        requests.increment();
        m.requests.increment();
        if (rejection) {
            rejections.increment();
        }
        countError(m, methodId, correlationId, error, detail);
    }

    /**
     * Records a request a dispatcher answered with an error frame, with the reason for the log line.
     * Use it instead of the {@code error} argument of {@link #recordRequest} when the detail is known.
     */
    public void recordError(int methodId, long correlationId, ErrorCode error, String detail) {
        countError(find(methodId), methodId, correlationId, Objects.requireNonNull(error, "error"), detail);
    }

    /** One request's handler time (from the listener's per-request call). */
    void recordHandler(int methodId, long handlerNanos) {
        record(find(methodId), Stage.HANDLER, handlerNanos);
    }

    /**
     * {@code count} requests of one method that shared a batch, and so its decode, encode and total
     * times: one histogram update each, whatever the count.
     */
    void recordBatchStages(int methodId, long count, long decodeNanos, long encodeNanos, long totalNanos) {
        MethodStats m = find(methodId);
        requests.add(count);
        m.requests.add(count);
        record(m, Stage.DECODE, decodeNanos, count);
        record(m, Stage.ENCODE, encodeNanos, count);
        record(m, Stage.TOTAL, totalNanos, count);
    }

    /** Records one dispatch call and, when the JFR event is enabled, emits a {@link DispatchBatchEvent}. */
    public void recordBatch(BatchStats stats) {
        Objects.requireNonNull(stats, "stats");
        batches.increment();
        // Asking the event type first keeps the disabled case free of the event object's allocation.
        if (BATCH_EVENT.isEnabled()) {
            DispatchBatchEvent event = new DispatchBatchEvent();
            event.requests = stats.requests;
            event.errors = stats.errors;
            event.firstCorrelationId = stats.firstCorrelationId;
            event.bytesIn = stats.bytesIn;
            event.bytesOut = stats.bytesOut;
            event.decodeNanos = stats.decodeNanos;
            event.handlerNanos = stats.handlerNanos;
            event.encodeNanos = stats.encodeNanos;
            event.totalNanos = stats.totalNanos;
            event.commit();
        }
    }

    /**
     * Counters and percentiles since these metrics were built. Each call folds what was recorded since
     * the previous one into running totals, so it costs the same however long the process has run.
     */
    public synchronized MetricsSnapshot snapshot() {
        Map<String, MetricsSnapshot.MethodSnapshot> perMethod = new LinkedHashMap<>();
        for (MethodStats m : methods) {
            perMethod.put(m.name, m.snapshot());
        }
        if (other.requests.sum() > 0) {
            perMethod.put(other.name, other.snapshot());
        }
        Map<ErrorCode, Long> errors = new EnumMap<>(ErrorCode.class);
        for (int i = 0; i < errorsByCode.length; i++) {
            long n = errorsByCode[i].sum();
            if (n > 0) {
                errors.put(CODES[i], n);
            }
        }
        return new MetricsSnapshot(requests.sum(), rejections.sum(), batches.sum(), errors, overall.summaries(),
                perMethod);
    }

    private void record(MethodStats m, Stage stage, long nanos) {
        record(m, stage, nanos, 1);
    }

    private void record(MethodStats m, Stage stage, long nanos, long count) {
        if (nanos < 0 || count <= 0) {
            return;
        }
        long value = Math.min(nanos, highestTrackableNanos);
        overall.recorders[stage.ordinal()].recordValueWithCount(value, count);
        m.stages.recorders[stage.ordinal()].recordValueWithCount(value, count);
    }

    private void countError(MethodStats m, int methodId, long correlationId, ErrorCode error, String detail) {
        errorsByCode[error.ordinal()].increment();
        m.errors.increment();
        Level level = error == ErrorCode.INTERNAL ? Level.WARNING : Level.DEBUG;
        if (logger.isLoggable(level)) {
            String method = m == other ? "id " + Integer.toUnsignedString(methodId) : m.name;
            logger.log(level, "dispatch error correlationId=" + Long.toUnsignedString(correlationId) + " method="
                    + method + " code=" + error.name() + "(" + error.code() + ") grpc=" + error.grpcStatus()
                    + (detail == null ? "" : ": " + detail));
        }
    }

    private MethodStats find(int methodId) {
        int slot = methodId & slotMask;
        MethodStats m;
        while ((m = slotValues[slot]) != null) {
            if (slotKeys[slot] == methodId) {
                return m;
            }
            slot = (slot + 1) & slotMask;
        }
        return other;
    }

    /** One Recorder per stage plus the running totals that snapshots fold intervals into. */
    private static final class StageSet {
        final Recorder[] recorders = new Recorder[STAGES];
        final Histogram[] totals = new Histogram[STAGES];
        final Histogram[] intervals = new Histogram[STAGES];

        StageSet(long highestTrackableNanos) {
            for (int i = 0; i < STAGES; i++) {
                // Two significant digits (1%): a stage's 5 histograms of one method take ~0.5 MB, not ~4 MB.
                recorders[i] = new Recorder(1, highestTrackableNanos, 2);
                totals[i] = new Histogram(1, highestTrackableNanos, 2);
            }
        }

        Map<Stage, LatencySummary> summaries() {
            Map<Stage, LatencySummary> out = new EnumMap<>(Stage.class);
            for (int i = 0; i < STAGES; i++) {
                intervals[i] = recorders[i].getIntervalHistogram(intervals[i]);
                totals[i].add(intervals[i]);
                out.put(Stage.of(i), LatencySummary.of(totals[i]));
            }
            return out;
        }
    }

    private static final class MethodStats {
        final String name;
        final int id;
        final StageSet stages;
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();

        MethodStats(String name, int id, long highestTrackableNanos) {
            this.name = name;
            this.id = id;
            this.stages = new StageSet(highestTrackableNanos);
        }

        MetricsSnapshot.MethodSnapshot snapshot() {
            return new MetricsSnapshot.MethodSnapshot(name, id, requests.sum(), errors.sum(), stages.summaries());
        }
    }

    /** Settings for {@link DispatchMetrics}. */
    public static final class Builder {
        private final Map<String, Integer> methods = new LinkedHashMap<>();
        private long highestTrackableNanos = 60_000_000_000L;
        private System.Logger logger;

        private Builder() {}

        /** Keeps separate figures for this method ({@code pkg.Service/Method}). */
        public Builder method(String method) {
            Objects.requireNonNull(method, "a method name is null");
            methods.put(method, MethodId.checked(method));
            return this;
        }

        /** Keeps separate figures for each of these methods. */
        public Builder methods(String... names) {
            Arrays.stream(names).forEach(this::method);
            return this;
        }

        /**
         * The largest latency the histograms resolve (default 60 s); longer ones are recorded as this
         * value.
         */
        public Builder highestTrackableNanos(long nanos) {
            if (nanos < 2) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "highestTrackableNanos=" + nanos
                        + " must be at least 2");
            }
            this.highestTrackableNanos = nanos;
            return this;
        }

        /** Where error lines go; default the {@code System.Logger} named {@value DispatchMetrics#LOGGER_NAME}. */
        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /** Metrics with these settings. */
        public DispatchMetrics build() {
            return new DispatchMetrics(this);
        }
    }
}
