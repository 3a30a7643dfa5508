package dev.ferrule.dispatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.ErrorCode;
import dev.ferrule.dispatch.MethodId;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatchMetricsTest {
    private static final String ECHO = "test.Echo/Say";
    private static final String SUM = "test.Stats/Sum";
    private static final int ECHO_ID = MethodId.of(ECHO);
    private static final int SUM_ID = MethodId.of(SUM);

    @Test
    void percentilesPerStageAndPerMethod() {
        DispatchMetrics metrics = DispatchMetrics.builder().methods(ECHO, SUM).build();
        for (int i = 1; i <= 100; i++) {
            metrics.recordRequest(ECHO_ID, i, -1, 100, i * 1000L, 50, i * 1000L + 150, null);
        }
        metrics.recordRequest(SUM_ID, 101, 5, 100, 7_000_000, 50, 7_000_150, null);
        MetricsSnapshot s = metrics.snapshot();

        assertEquals(101, s.requests());
        assertEquals(0, s.errors());
        LatencySummary echoHandler = s.method(ECHO).stage(Stage.HANDLER);
        assertEquals(100, echoHandler.count());
        assertEquals(50_000, echoHandler.p50Nanos(), 50_000 * 0.01);
        assertEquals(99_000, echoHandler.p99Nanos(), 99_000 * 0.01);
        assertEquals(100_000, echoHandler.maxNanos(), 100_000 * 0.01);
        assertEquals(1_000, echoHandler.minNanos(), 1_000 * 0.01);
        assertEquals(0, s.method(ECHO).stage(Stage.QUEUE_WAIT).count(), "negative = not measured");
        assertEquals(1, s.method(SUM).stage(Stage.QUEUE_WAIT).count());
        assertEquals(101, s.stage(Stage.HANDLER).count());
        assertEquals(7_000_000, s.stage(Stage.HANDLER).maxNanos(), 7_000_000 * 0.01);
        assertEquals(101, s.stage(Stage.DECODE).count());
    }

    @Test
    void snapshotsAreCumulativeAndImmutable() {
        DispatchMetrics metrics = DispatchMetrics.builder().method(ECHO).build();
        metrics.recordRequest(ECHO_ID, 1, -1, 10, 10, 10, 30, null);
        MetricsSnapshot first = metrics.snapshot();
        metrics.recordRequest(ECHO_ID, 2, -1, 10, 10, 10, 30, null);
        MetricsSnapshot second = metrics.snapshot();
        assertEquals(1, first.stage(Stage.TOTAL).count());
        assertEquals(2, second.stage(Stage.TOTAL).count());
        assertEquals(2, second.method(ECHO).requests());
        assertThrows(UnsupportedOperationException.class, () -> second.methods().clear());
    }

    @Test
    void errorsByCodeRejectionsAndUnregisteredMethods() {
        DispatchMetrics metrics = DispatchMetrics.builder().method(ECHO).logger(new CapturingLogger()).build();
        metrics.recordRequest(ECHO_ID, 1, -1, 1, 1, 1, 3, ErrorCode.DISPATCH_HANDLER_FAILED);
        metrics.recordRefused(ECHO_ID, 2, ErrorCode.DISPATCH_OVERLOADED, true, "queue full");
        metrics.recordRefused(ECHO_ID, 3, ErrorCode.DISPATCH_DROPPED, true, "dropped");
        metrics.recordRefused(ECHO_ID, 4, ErrorCode.DISPATCH_DEADLINE_EXCEEDED, false, "late");
        metrics.recordRequest(12345, 5, -1, 1, 1, 1, 3, ErrorCode.DISPATCH_UNKNOWN_METHOD);
        MetricsSnapshot s = metrics.snapshot();
        assertEquals(5, s.requests());
        assertEquals(5, s.errors());
        assertEquals(2, s.rejections());
        assertEquals(1, s.errors(ErrorCode.DISPATCH_OVERLOADED));
        assertEquals(1, s.errors(ErrorCode.DISPATCH_DEADLINE_EXCEEDED));
        assertEquals(0, s.errors(ErrorCode.INTERNAL));
        assertEquals(4, s.method(ECHO).errors());
        assertEquals(1, s.method(DispatchMetrics.OTHER_METHODS).requests());
        assertNull(s.method("nobody.Never/Registered"));
    }

    @Test
    void errorLogLinesCarryTheCorrelationId() {
        CapturingLogger log = new CapturingLogger();
        DispatchMetrics metrics = DispatchMetrics.builder().method(ECHO).logger(log).build();
        metrics.recordError(ECHO_ID, 0xFFFF_FFFF_FFFF_FFFEL, ErrorCode.DISPATCH_HANDLER_FAILED, "boom");
        metrics.recordRefused(ECHO_ID, 77, ErrorCode.DISPATCH_OVERLOADED, true, "queue full");
        assertEquals(2, log.lines.size());
        assertEquals("DEBUG dispatch error correlationId=18446744073709551614 method=test.Echo/Say"
                + " code=DISPATCH_HANDLER_FAILED(301) grpc=UNKNOWN: boom", log.lines.get(0));
        assertTrue(log.lines.get(1).contains("correlationId=77 "), log.lines.get(1));
    }

    @Test
    void recordingAllocatesNothingInSteadyState() {
        DispatchMetrics metrics = DispatchMetrics.builder().methods(ECHO, SUM).build();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BatchStats stats = new BatchStats();
        Runnable work = () -> {
            for (int i = 0; i < 100_000; i++) {
                metrics.recordRequest((i & 1) == 0 ? ECHO_ID : SUM_ID, i, 10, 20 + i, 30 + i, 40, 100 + i, null);
                metrics.recordQueueWait(ECHO_ID, i);
                if ((i & 63) == 0) {
                    stats.clear().requests = 64;
                    metrics.recordBatch(stats);
                }
            }
        };
        work.run(); // warm up
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        work.run();
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        // 200,000 recordings: a single allocation per record would be megabytes.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes");
    }

    @Test
    void jfrEventPerBatch(@TempDir Path dir) throws Exception {
        DispatchMetrics metrics = DispatchMetrics.builder().build();
        Path file = dir.resolve("dispatch.jfr");
        try (Recording recording = new Recording()) {
            recording.enable(DispatchBatchEvent.NAME);
            recording.start();
            for (int i = 0; i < 3; i++) {
                BatchStats stats = new BatchStats();
                stats.requests = 16 + i;
                stats.errors = i;
                stats.firstCorrelationId = 1000 + i;
                stats.bytesIn = 640;
                stats.bytesOut = 320;
                stats.decodeNanos = 100;
                stats.handlerNanos = 200;
                stats.encodeNanos = 300;
                stats.totalNanos = 600;
                metrics.recordBatch(stats);
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(DispatchBatchEvent.NAME)).toList();
        assertEquals(3, events.size());
        RecordedEvent last = events.get(2);
        assertEquals(18, last.getInt("requests"));
        assertEquals(2, last.getInt("errors"));
        assertEquals(1002, last.getLong("firstCorrelationId"));
        assertEquals(600, last.getDuration("totalNanos").toNanos());
        assertEquals(3, metrics.snapshot().batches());
        assertTrue(Files.size(file) > 0);
    }

    /** Keeps every line logged at any level. */
    static final class CapturingLogger implements System.Logger {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "capture";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            lines.add(level + " " + msgSupplier.get());
        }
    }
}
