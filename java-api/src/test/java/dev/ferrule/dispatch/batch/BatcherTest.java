package dev.ferrule.dispatch.batch;

import static dev.ferrule.dispatch.batch.FakeDispatcher.FAIL;
import static dev.ferrule.dispatch.batch.FakeDispatcher.REVERSE;
import static dev.ferrule.dispatch.batch.FakeDispatcher.SLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.metrics.DispatchMetrics;
import dev.ferrule.dispatch.metrics.MetricsSnapshot;
import dev.ferrule.dispatch.metrics.Stage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private final FakeDispatcher fake = new FakeDispatcher();
    private final ManualClock clock = new ManualClock();
    private final DispatchMetrics metrics = DispatchMetrics.builder().methods(REVERSE, FAIL, SLOW).build();

    private Batcher.Builder manual() {
        return Batcher.builder(fake::newTarget).manualFlush().clock(clock).metrics(metrics)
                .maxDelay(Duration.ofMillis(10)).maxBatchSize(4).queueCapacity(100);
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String answer(CompletableFuture<ByteBuffer> f) throws Exception {
        ByteBuffer b = f.get(30, TimeUnit.SECONDS);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static FerruleException failure(CompletableFuture<ByteBuffer> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(FerruleException.class, e.getCause());
    }

    @Test
    void fullBatchIsDueAtOnceAndAnsweredInOneDispatch() throws Exception {
        try (Batcher batcher = manual().build()) {
            List<CompletableFuture<ByteBuffer>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                futures.add(batcher.submit(REVERSE, text("req" + i)));
            }
            assertEquals(0, batcher.flushDue(), "3 of 4 and no time passed: not due");
            futures.add(batcher.submit(REVERSE, text("req3")));
            assertEquals(4, batcher.flushDue());
            assertEquals(List.of(List.of("req0", "req1", "req2", "req3")), fake.batches);
            for (int i = 0; i < 4; i++) {
                assertEquals(i + "qer", answer(futures.get(i)));
            }
        }
    }

    @Test
    void partialBatchIsDueAfterMaxDelay() throws Exception {
        try (Batcher batcher = manual().build()) {
            CompletableFuture<ByteBuffer> f = batcher.submit(REVERSE, text("abc"));
            clock.advance(Duration.ofMillis(9));
            assertEquals(0, batcher.flushDue());
            assertFalse(f.isDone());
            clock.advance(Duration.ofMillis(1));
            assertEquals(1, batcher.flushDue());
            assertEquals("cba", answer(f));
        }
    }

    @Test
    void batchesNeverExceedMaxBatchSize() throws Exception {
        try (Batcher batcher = manual().build()) {
            List<CompletableFuture<ByteBuffer>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(batcher.submit(REVERSE, text("r" + i)));
            }
            assertEquals(10, batcher.flush());
            assertEquals(List.of(4, 4, 2), fake.batches.stream().map(List::size).toList());
            for (int i = 0; i < 10; i++) {
                assertEquals(i + "r", answer(futures.get(i)));
            }
        }
    }

    @Test
    void aTargetTakingFewerRequestsPerCallIsCalledUntilTheBatchIsDone() throws Exception {
        try (Batcher batcher = Batcher.builder(() -> fake.newTarget(3)).manualFlush().maxBatchSize(10).build()) {
            List<CompletableFuture<ByteBuffer>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(batcher.submit(REVERSE, text("r" + i)));
            }
            assertEquals(10, batcher.flush());
            assertEquals(List.of(3, 3, 3, 1), fake.batches.stream().map(List::size).toList());
            for (int i = 0; i < 10; i++) {
                assertEquals(i + "r", answer(futures.get(i)));
            }
        }
    }

    @Test
    void rejectPolicyRefusesTheNewRequestWithOverloaded() throws Exception {
        try (Batcher batcher = manual().queueCapacity(2).overflow(OverflowPolicy.reject()).build()) {
            CompletableFuture<ByteBuffer> a = batcher.submit(REVERSE, text("a"));
            CompletableFuture<ByteBuffer> b = batcher.submit(REVERSE, text("b"));
            CompletableFuture<ByteBuffer> c = batcher.submit(REVERSE, text("c"));
            assertEquals(ErrorCode.DISPATCH_OVERLOADED, failure(c).code());
            assertEquals(2, batcher.flush());
            assertEquals("a", answer(a));
            assertEquals("b", answer(b));
            assertEquals(List.of(List.of("a", "b")), fake.batches, "the refused request never reached a handler");
            MetricsSnapshot s = metrics.snapshot();
            assertEquals(1, s.rejections());
            assertEquals(1, s.errors(ErrorCode.DISPATCH_OVERLOADED));
        }
    }

    @Test
    void dropOldestPolicyRefusesTheOldestAndKeepsTheNew() throws Exception {
        try (Batcher batcher = manual().queueCapacity(2).overflow(OverflowPolicy.dropOldest()).build()) {
            CompletableFuture<ByteBuffer> a = batcher.submit(REVERSE, text("a"));
            CompletableFuture<ByteBuffer> b = batcher.submit(REVERSE, text("b"));
            CompletableFuture<ByteBuffer> c = batcher.submit(REVERSE, text("c"));
            FerruleException dropped = failure(a);
            assertEquals(ErrorCode.DISPATCH_DROPPED, dropped.code());
            assertTrue(dropped.getMessage().contains("DROP_OLDEST"), dropped.getMessage());
            assertEquals(2, batcher.flush());
            assertEquals("b", answer(b));
            assertEquals("c", answer(c));
            assertEquals(List.of(List.of("b", "c")), fake.batches);
            assertEquals(1, metrics.snapshot().rejections());
        }
    }

    @Test
    void blockPolicyWaitsForRoomThenQueues() throws Exception {
        try (Batcher batcher = manual().queueCapacity(1).overflow(OverflowPolicy.block(Duration.ofMinutes(5))).build()) {
            CompletableFuture<ByteBuffer> a = batcher.submit(REVERSE, text("a"));
            CompletableFuture<CompletableFuture<ByteBuffer>> b = new CompletableFuture<>();
            Thread submitter = new Thread(() -> b.complete(batcher.submit(REVERSE, text("b"))));
            submitter.start();
            awaitBlocked(submitter);
            assertFalse(b.isDone(), "the submitter must wait while the queue is full");
            int flushed = batcher.flush(); // makes room; the submitter may get in before flush() returns
            CompletableFuture<ByteBuffer> queued = b.get(30, TimeUnit.SECONDS);
            flushed += batcher.flush();
            assertEquals(2, flushed);
            assertEquals("a", answer(a));
            assertEquals("b", answer(queued));
            assertEquals(0, metrics.snapshot().rejections());
        }
    }

    @Test
    void blockPolicyRefusesAfterItsTimeout() throws Exception {
        try (Batcher batcher = manual().queueCapacity(1).overflow(OverflowPolicy.block(Duration.ofMillis(20))).build()) {
            CompletableFuture<ByteBuffer> a = batcher.submit(REVERSE, text("a"));
            CompletableFuture<ByteBuffer> b = batcher.submit(REVERSE, text("b"));
            FerruleException e = failure(b);
            assertEquals(ErrorCode.DISPATCH_OVERLOADED, e.code());
            assertTrue(e.getMessage().contains("BLOCK"), e.getMessage());
            batcher.flush();
            assertEquals("a", answer(a));
            assertEquals(1, metrics.snapshot().rejections());
        }
    }

    @Test
    void expiredRequestIsAnsweredDeadlineExceededWithoutRunningItsHandler() throws Exception {
        try (Batcher batcher = manual().build()) {
            CompletableFuture<ByteBuffer> late = batcher.submit(REVERSE, text("late"), Duration.ofMillis(5));
            CompletableFuture<ByteBuffer> onTime = batcher.submit(REVERSE, text("ontime"), Duration.ofMillis(50));
            clock.advance(Duration.ofMillis(10));
            assertEquals(2, batcher.flushDue());
            assertEquals(ErrorCode.DISPATCH_DEADLINE_EXCEEDED, failure(late).code());
            assertEquals("emitno", answer(onTime));
            assertEquals(List.of(List.of("ontime")), fake.batches);
            MetricsSnapshot s = metrics.snapshot();
            assertEquals(1, s.errors(ErrorCode.DISPATCH_DEADLINE_EXCEEDED));
            assertEquals(0, s.rejections(), "an expired request is not an overload rejection");
            assertEquals(2, s.stage(Stage.QUEUE_WAIT).count());
            assertEquals(10_000_000, s.stage(Stage.QUEUE_WAIT).maxNanos(), 10_000_000 / 100.0);
        }
    }

    @Test
    void errorFramesCompleteWithTheirCode() throws Exception {
        try (Batcher batcher = manual().build()) {
            CompletableFuture<ByteBuffer> bad = batcher.submit(FAIL, text("x"));
            CompletableFuture<ByteBuffer> good = batcher.submit(REVERSE, text("xy"));
            batcher.flush();
            FerruleException e = failure(bad);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("handler refused 'x'"), e.getMessage());
            assertEquals("yx", answer(good));
        }
    }

    @Test
    void aFailingTargetFailsItsBatchWithoutLosingLaterOnes() throws Exception {
        boolean[] fail = {true};
        try (Batcher batcher = Batcher.builder(() -> {
                    BatchTarget real = fake.newTarget();
                    return (in, out) -> {
                        if (fail[0]) {
                            throw new IllegalStateException("boom");
                        }
                        real.dispatch(in, out);
                    };
                }).manualFlush().maxBatchSize(4).build()) {
            CompletableFuture<ByteBuffer> first = batcher.submit(REVERSE, text("1"));
            batcher.flush();
            assertEquals(ErrorCode.INTERNAL, failure(first).code());
            fail[0] = false;
            CompletableFuture<ByteBuffer> second = batcher.submit(REVERSE, text("12"));
            batcher.flush();
            assertEquals("21", answer(second));
        }
    }

    @Test
    void slowMethodsNeverHoldUpTheFastPath() throws Exception {
        try (Batcher batcher = Batcher.builder(fake::newTarget).slowMethod(SLOW).maxBatchSize(8)
                .maxDelay(Duration.ZERO).build()) {
            CompletableFuture<ByteBuffer> slow = batcher.submit(SLOW, text("slow"));
            assertTrue(fake.slowStarted.await(30, TimeUnit.SECONDS));
            // The slow handler is now blocked until released; fast requests must still be answered.
            List<CompletableFuture<ByteBuffer>> fast = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                fast.add(batcher.submit(REVERSE, text("f" + i)));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(new StringBuilder("f" + i).reverse().toString(), answer(fast.get(i)));
            }
            assertFalse(slow.isDone());
            fake.releaseSlow.countDown();
            assertEquals("wols", answer(slow));
        }
    }

    @Test
    void aFullSlowExecutorRefusesSlowRequestsWithOverloaded() throws Exception {
        try (Batcher batcher = manual().slowMethod(SLOW).slowExecutor(1, 1).build()) {
            CompletableFuture<ByteBuffer> running = batcher.submit(SLOW, text("s1"));
            batcher.flush();
            assertTrue(fake.slowStarted.await(30, TimeUnit.SECONDS));
            CompletableFuture<ByteBuffer> waiting = batcher.submit(SLOW, text("s2"));
            CompletableFuture<ByteBuffer> refused = batcher.submit(SLOW, text("s3"));
            CompletableFuture<ByteBuffer> fast = batcher.submit(REVERSE, text("ok"));
            batcher.flush();
            assertEquals(ErrorCode.DISPATCH_OVERLOADED, failure(refused).code());
            assertEquals("ko", answer(fast));
            fake.releaseSlow.countDown();
            assertEquals("1s", answer(running));
            assertEquals("2s", answer(waiting));
        }
    }

    @Test
    void manyThreadsThroughTheFlusherThreadAllGetTheirOwnAnswers() throws Exception {
        int threads = 8;
        int perThread = 500;
        try (Batcher batcher = Batcher.builder(fake::newTarget).maxBatchSize(32).maxDelay(Duration.ofMillis(1))
                .queueCapacity(64).overflow(OverflowPolicy.block(Duration.ofMinutes(1))).metrics(metrics).build()) {
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try {
                        List<CompletableFuture<ByteBuffer>> mine = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            mine.add(batcher.submit(REVERSE, text(id + ":" + i)));
                        }
                        for (int i = 0; i < perThread; i++) {
                            String expected = new StringBuilder(id + ":" + i).reverse().toString();
                            assertEquals(expected, answer(mine.get(i)));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertEquals(List.of(), failures);
            assertEquals((long) threads * perThread, fake.batches.stream().mapToLong(List::size).sum());
            assertTrue(fake.batches.stream().allMatch(b -> b.size() <= 32));
            assertEquals(threads * perThread, metrics.snapshot().method(REVERSE).stage(Stage.QUEUE_WAIT).count());
        }
    }

    @Test
    void closeFlushesWhatIsQueuedAndRefusesNewRequests() throws Exception {
        Batcher batcher = Batcher.builder(fake::newTarget).maxBatchSize(100).maxDelay(Duration.ofHours(1)).build();
        CompletableFuture<ByteBuffer> queued = batcher.submit(REVERSE, text("bye"));
        batcher.close();
        assertEquals("eyb", answer(queued));
        assertEquals(ErrorCode.DISPATCH_CLOSED, failure(batcher.submit(REVERSE, text("late"))).code());
    }

    private static void awaitBlocked(Thread t) throws InterruptedException, TimeoutException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > until) {
                throw new TimeoutException("submitter never blocked: " + t.getState());
            }
            Thread.sleep(1);
        }
    }
}
