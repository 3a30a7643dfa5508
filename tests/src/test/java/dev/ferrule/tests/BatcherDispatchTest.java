package dev.ferrule.tests;

import static dev.ferrule.tests.DispatchTest.GREET;
import static dev.ferrule.tests.DispatchTest.SCHEMA;
import static dev.ferrule.tests.DispatchTest.SUM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.CallContext;
import dev.ferrule.dispatch.Dispatcher;
import dev.ferrule.dispatch.batch.BatchTarget;
import dev.ferrule.dispatch.batch.Batcher;
import dev.ferrule.dispatch.metrics.DispatchMetrics;
import dev.ferrule.dispatch.metrics.MetricsSnapshot;
import dev.ferrule.dispatch.metrics.Stage;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The batcher in front of a real dispatcher on both backends: mixed Java and Rust methods from many
 * threads, deadlines reaching handlers and expiring inside a batch, and the metrics listener's
 * figures, with protobuf-java writing the expected responses.
 */
class BatcherDispatchTest {
    private final Queue<String> greeted = new ConcurrentLinkedQueue<>();
    private final Queue<Long> deadlinesSeen = new ConcurrentLinkedQueue<>();

    private Dispatcher dispatcher(BackendKind backend, DispatchMetrics metrics) {
        MessageType greeting = SCHEMA.message("ferrule.test.v1.Greeting");
        MessageType reply = SCHEMA.message("ferrule.test.v1.Reply");
        MessageType values = SCHEMA.message("ferrule.test.v1.Values");
        MessageType total = SCHEMA.message("ferrule.test.v1.Total");
        FieldInfo name = greeting.field("name");
        FieldInfo times = greeting.field("times");
        FieldInfo text = reply.field("text");
        FieldInfo numbers = reply.field("numbers");
        FieldInfo value = values.field("values");
        FieldInfo sum = total.field("sum");
        FieldInfo count = total.field("count");
        Utf8View view = new Utf8View();
        return Dispatcher.builder(SCHEMA).backend(backend).testAccelerators().listener(metrics.listener())
                .handle(GREET, greeting, reply, (ctx, request, response) -> {
                    String who = request.getString(name, view).toString();
                    greeted.add(who);
                    deadlinesSeen.add(ctx.deadlineNanos());
                    if (who.startsWith("sleep")) {
                        Thread.sleep(Long.parseLong(who.substring(5)));
                    }
                    response.setString(text, "hello, " + who);
                    for (int i = 0; i < request.getInt(times); i++) {
                        response.addInt(numbers, i);
                    }
                })
                .nativeHandler(SUM, values, total, (ctx, request, response) -> {
                    double s = 0;
                    int n = request.count(value);
                    for (int i = 0; i < n; i++) {
                        s += request.getDouble(value, i);
                    }
                    response.setDouble(sum, s).setLong(count, n);
                })
                .build();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void mixedJavaAndRustRequestsFromManyThreads(BackendKind backend) throws Exception {
        DispatchMetrics metrics = DispatchMetrics.builder().methods(GREET, SUM).build();
        int threads = 4;
        int perThread = 200;
        try (Batcher batcher = Batcher.builder(() -> BatchTarget.of(dispatcher(backend, metrics)))
                .maxBatchSize(32).maxDelay(Duration.ofMillis(1)).metrics(metrics).build()) {
            List<Thread> workers = new ArrayList<>();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(new Thread(() -> {
                    try {
                        List<CompletableFuture<ByteBuffer>> futures = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            futures.add(i % 2 == 0
                                    ? batcher.submit(GREET, ByteBuffer.wrap(DispatchTest.greeting("t" + id + "-" + i, i % 5)))
                                    : batcher.submit(SUM, ByteBuffer.wrap(DispatchTest.values(id, i, 0.5))));
                        }
                        for (int i = 0; i < perThread; i++) {
                            byte[] expected = i % 2 == 0 ? DispatchTest.reply("hello, t" + id + "-" + i, i % 5)
                                    : DispatchTest.total(id + i + 0.5, 3);
                            assertArrayEquals(expected, bytes(futures.get(i).get(1, TimeUnit.MINUTES)), "request " + i);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertEquals(List.of(), List.copyOf(failures));
        }
        MetricsSnapshot s = metrics.snapshot();
        int total = threads * perThread;
        assertEquals(total, s.requests());
        assertEquals(0, s.errors());
        assertEquals(total / 2, s.method(GREET).requests());
        assertEquals(total / 2, s.method(GREET).stage(Stage.HANDLER).count());
        assertEquals(total / 2, s.method(SUM).requests());
        assertEquals(total / 2, s.method(SUM).stage(Stage.HANDLER).count(),
                backend == BackendKind.NATIVE ? "the Rust handler" : "the Java fallback");
        assertEquals(total, s.stage(Stage.QUEUE_WAIT).count());
        assertEquals(total, s.stage(Stage.TOTAL).count());
        assertTrue(s.batches() > 0 && s.batches() <= total);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void theCallersDeadlineReachesTheHandler(BackendKind backend) throws Exception {
        DispatchMetrics metrics = DispatchMetrics.builder().build();
        try (Batcher batcher = Batcher.builder(() -> BatchTarget.of(dispatcher(backend, metrics))).manualFlush()
                .build()) {
            long before = System.nanoTime();
            CompletableFuture<ByteBuffer> withDeadline = batcher.submit(GREET,
                    ByteBuffer.wrap(DispatchTest.greeting("a", 0)), Duration.ofHours(1));
            long after = System.nanoTime();
            CompletableFuture<ByteBuffer> without = batcher.submit(GREET, ByteBuffer.wrap(DispatchTest.greeting("b", 0)));
            batcher.flush();
            withDeadline.get(1, TimeUnit.MINUTES);
            without.get(1, TimeUnit.MINUTES);
            long seen = deadlinesSeen.poll();
            assertTrue(seen >= before + TimeUnit.HOURS.toNanos(1) && seen <= after + TimeUnit.HOURS.toNanos(1),
                    "deadline " + seen + " not within the submit window");
            assertEquals(CallContext.NO_DEADLINE, deadlinesSeen.poll());
        }
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void aDeadlinePassingInsideTheBatchSkipsTheHandler(BackendKind backend) throws Exception {
        DispatchMetrics metrics = DispatchMetrics.builder().method(GREET).build();
        AtomicLong frozen = new AtomicLong(); // the batcher's clock stands still: only the dispatcher sees time pass
        try (Batcher batcher = Batcher.builder(() -> BatchTarget.of(dispatcher(backend, metrics))).manualFlush()
                .clock(frozen::get).metrics(metrics).build()) {
            CompletableFuture<ByteBuffer> slow = batcher.submit(GREET, ByteBuffer.wrap(DispatchTest.greeting("sleep200", 0)));
            CompletableFuture<ByteBuffer> late = batcher.submit(GREET, ByteBuffer.wrap(DispatchTest.greeting("late", 0)),
                    Duration.ofMillis(50));
            batcher.flush();
            assertArrayEquals(DispatchTest.reply("hello, sleep200", 0), bytes(slow.get(1, TimeUnit.MINUTES)));
            ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(1, TimeUnit.MINUTES));
            FerruleException cause = assertInstanceOf(FerruleException.class, e.getCause());
            assertEquals(ErrorCode.DISPATCH_DEADLINE_EXCEEDED, cause.code());
            assertEquals(List.of("sleep200"), List.copyOf(greeted), "the late request's handler never ran");
        }
        assertEquals(1, metrics.snapshot().errors(ErrorCode.DISPATCH_DEADLINE_EXCEEDED));
    }
}
