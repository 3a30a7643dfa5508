package dev.ferrule.dispatch.batch;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.MethodId;
import dev.ferrule.dispatch.metrics.DispatchMetrics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Collects requests from many threads into batches, so that a whole batch crosses into the
 * dispatcher (and, for native handlers, into the engine) once.
 *
 * <pre>{@code
 * Batcher batcher = Batcher.builder(() -> dispatcher::dispatch)
 *         .maxBatchSize(64)                       // flush when 64 requests are queued…
 *         .maxDelay(Duration.ofMillis(1))         // …or when the oldest has waited 1 ms
 *         .queueCapacity(4096)
 *         .overflow(OverflowPolicy.block(Duration.ofMillis(50)))
 *         .slowMethod("reports.Reports/Generate") // runs on the bounded slow executor
 *         .metrics(metrics)
 *         .build();
 * CompletableFuture<ByteBuffer> response =
 *         batcher.submit("metrics.Stats/Summarize", requestBytes, Duration.ofMillis(20));
 * }</pre>
 *
 * <p>A request completes with its response payload (a read-only heap buffer of its own), or with a
 * {@link FerruleException}: the code of the error frame the handler's failure produced,
 * {@link ErrorCode#DISPATCH_OVERLOADED} or {@link ErrorCode#DISPATCH_DROPPED} when the overflow policy
 * refused it, {@link ErrorCode#DISPATCH_CLOSED} when submitted after {@link #close()}, or
 * {@link ErrorCode#DISPATCH_DEADLINE_EXCEEDED} when its deadline passed before its batch was flushed (its
 * handler then never runs).
 *
 * <p>Requests for methods marked slow are taken out of the batch at flush time and dispatched on a
 * bounded executor, so a fast request never waits behind a slow handler; when that executor's queue is
 * full the slow request completes with {@link ErrorCode#DISPATCH_OVERLOADED}.
 *
 * <p>Futures complete on the flushing thread: chain heavy work with the {@code *Async} methods.
 */
public final class Batcher implements AutoCloseable {
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final int queueCapacity;
    private final OverflowPolicy overflow;
    private final long defaultTimeoutNanos;
    private final NanoClock clock;
    private final DispatchMetrics metrics;
    private final Set<Integer> slowMethodIds;
    private final int slowBatchSize;
    private final java.util.function.Supplier<? extends BatchTarget> targets;
    private final int maxResponseBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flushWanted = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Pending> queue;
    private boolean closed;

    private final AtomicLong nextCorrelationId = new AtomicLong(1);
    private final ReentrantLock fastLaneLock = new ReentrantLock();
    private final Lane fastLane;
    private final ThreadLocal<Lane> slowLanes;
    private final ThreadPoolExecutor slowExecutor;
    private final Thread flusher;

    private Batcher(Builder b) {
        this.maxBatchSize = b.maxBatchSize;
        this.maxDelayNanos = b.maxDelay.toNanos();
        this.queueCapacity = b.queueCapacity;
        this.overflow = b.overflow;
        this.defaultTimeoutNanos = b.defaultTimeout == null ? -1 : b.defaultTimeout.toNanos();
        this.clock = b.clock;
        this.metrics = b.metrics;
        this.slowMethodIds = Set.copyOf(b.slowMethodIds);
        this.slowBatchSize = b.slowBatchSize;
        this.targets = b.targets;
        this.maxResponseBytes = b.maxResponseBytes;
        this.queue = new ArrayDeque<>(Math.min(queueCapacity, 1 << 16));
        this.fastLane = new Lane(Objects.requireNonNull(targets.get(), "the targets supplier returned null"), clock,
                maxBatchSize, maxResponseBytes);
        this.slowLanes = ThreadLocal.withInitial(() -> new Lane(targets.get(), clock, slowBatchSize, maxResponseBytes));
        AtomicInteger threadNumber = new AtomicInteger();
        this.slowExecutor = new ThreadPoolExecutor(b.slowThreads, b.slowThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.slowQueueCapacity), r -> {
                    Thread t = new Thread(r, "ferrule-batcher-slow-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.slowExecutor.allowCoreThreadTimeOut(true);
        if (b.manualFlush) {
            this.flusher = null;
        } else {
            this.flusher = new Thread(this::flushLoop, "ferrule-batcher-flush");
            this.flusher.setDaemon(true);
            this.flusher.start();
        }
    }

    /**
     * A builder sending batches to targets made by {@code targets}: one per flushing thread, so a
     * target need not be thread-safe.
     */
    public static Builder builder(java.util.function.Supplier<? extends BatchTarget> targets) {
        return new Builder(targets);
    }

    /** Queues a request with the default timeout (none unless {@link Builder#defaultTimeout} set one). */
    public CompletableFuture<ByteBuffer> submit(String method, ByteBuffer request) {
        long deadline = defaultTimeoutNanos < 0 ? Long.MAX_VALUE : saturatedAdd(clock.nanoTime(), defaultTimeoutNanos);
        return submitWithDeadline(method, request, deadline);
    }

    /** Queues a request that must start within {@code timeout} from now, or be answered DEADLINE_EXCEEDED. */
    public CompletableFuture<ByteBuffer> submit(String method, ByteBuffer request, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return submitWithDeadline(method, request, saturatedAdd(clock.nanoTime(), timeout.toNanos()));
    }

    /**
     * Queues a request for {@code method} ({@code pkg.Service/Method}). The bytes from the request's
     * position to its limit are copied; its position is unchanged. A batcher that is closed answers
     * with a future failed with {@link ErrorCode#DISPATCH_CLOSED}.
     *
     * @param deadlineNanos the {@link NanoClock} time after which the request is answered
     *     {@link ErrorCode#DISPATCH_DEADLINE_EXCEEDED} instead of dispatched; {@link Long#MAX_VALUE} for none
     * @throws FerruleException {@link ErrorCode#DISPATCH_METHOD_INVALID} for a name that is not
     *     {@code pkg.Service/Method} (see {@link MethodId#checked})
     */
    public CompletableFuture<ByteBuffer> submitWithDeadline(String method, ByteBuffer request, long deadlineNanos) {
        Objects.requireNonNull(request, "request");
        int methodId = MethodId.checked(method);
        byte[] payload = new byte[request.remaining()];
        request.get(request.position(), payload);
        Pending p = new Pending(methodId, slowMethodIds.contains(methodId), nextCorrelationId.getAndIncrement(),
                payload, clock.nanoTime(), deadlineNanos);
        enqueue(p);
        return p.future;
    }

    /** Requests waiting for a flush. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * With {@link Builder#manualFlush()}: flushes one batch if one is due (full, or its oldest request
     * has waited {@code maxDelay}), on the calling thread.
     *
     * @return the number of requests taken from the queue
     */
    public int flushDue() {
        return flushOnce(false);
    }

    /**
     * Flushes everything queued now, on the calling thread, in batches of at most {@code maxBatchSize},
     * whether due or not.
     *
     * @return the number of requests taken from the queue
     */
    public int flush() {
        int total = 0;
        int n;
        while ((n = flushOnce(true)) > 0) {
            total += n;
        }
        return total;
    }

    /**
     * Stops accepting requests, flushes what is queued, and waits for slow requests already handed to
     * the slow executor.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            flushWanted.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        if (flusher != null) {
            joinUninterruptibly(flusher);
        }
        flush();
        slowExecutor.shutdown();
        try {
            slowExecutor.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void enqueue(Pending p) {
        Pending dropped = null;
        lock.lock();
        try {
            if (closed) {
                p.future.completeExceptionally(new FerruleException(ErrorCode.DISPATCH_CLOSED, "correlationId="
                        + p.correlationId + ": the batcher is closed"));
                return;
            }
            if (queue.size() >= queueCapacity) {
                switch (overflow.kind()) {
                    case REJECT -> {
                        refuse(p, ErrorCode.DISPATCH_OVERLOADED, "queue full (capacity " + queueCapacity
                                + ", policy REJECT)");
                        return;
                    }
                    case DROP_OLDEST -> dropped = queue.pollFirst();
                    case BLOCK -> {
                        long wait = overflow.timeout().toNanos();
                        while (queue.size() >= queueCapacity && !closed && wait > 0) {
                            wait = notFull.awaitNanos(wait);
                        }
                        if (closed) {
                            p.future.completeExceptionally(new FerruleException(ErrorCode.DISPATCH_CLOSED,
                                    "correlationId=" + p.correlationId + ": the batcher was closed while waiting"));
                            return;
                        }
                        if (queue.size() >= queueCapacity) {
                            refuse(p, ErrorCode.DISPATCH_OVERLOADED, "queue still full after waiting " + overflow.timeout()
                                    + " (capacity " + queueCapacity + ", policy BLOCK)");
                            return;
                        }
                    }
                }
            }
            queue.addLast(p);
            int size = queue.size();
            if (size == 1 || size >= maxBatchSize) {
                flushWanted.signal();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refuse(p, ErrorCode.DISPATCH_OVERLOADED, "interrupted while waiting for room in the queue");
        } finally {
            lock.unlock();
        }
        if (dropped != null) {
            refuse(dropped, ErrorCode.DISPATCH_DROPPED, "dropped as the oldest queued request to make room (capacity "
                    + queueCapacity + ", policy DROP_OLDEST)");
        }
    }

    private void refuse(Pending p, ErrorCode code, String detail) {
        if (metrics != null) {
            metrics.recordRefused(p.methodId, p.correlationId, code, true, detail);
        }
        p.future.completeExceptionally(new FerruleException(code, "correlationId=" + p.correlationId + ": " + detail));
    }

    private boolean due(long now) {
        Pending head = queue.peekFirst();
        return head != null && (closed || queue.size() >= maxBatchSize || now - head.enqueuedNanos >= maxDelayNanos);
    }

    private void flushLoop() {
        List<Pending> batch = new ArrayList<>(maxBatchSize);
        while (true) {
            lock.lock();
            try {
                while (true) {
                    long now = clock.nanoTime();
                    if (due(now)) {
                        break;
                    }
                    if (closed) {
                        return;
                    }
                    Pending head = queue.peekFirst();
                    if (head == null) {
                        flushWanted.awaitUninterruptibly();
                    } else {
                        flushWanted.awaitNanos(maxDelayNanos - (now - head.enqueuedNanos));
                    }
                }
                drain(batch);
            } catch (InterruptedException e) {
                // Only close() stops the flusher; an interrupt just re-checks the queue.
                continue;
            } finally {
                lock.unlock();
            }
            process(batch);
            batch.clear();
        }
    }

    private int flushOnce(boolean force) {
        List<Pending> batch = new ArrayList<>(maxBatchSize);
        lock.lock();
        try {
            if (queue.isEmpty() || (!force && !due(clock.nanoTime()))) {
                return 0;
            }
            drain(batch);
        } finally {
            lock.unlock();
        }
        process(batch);
        return batch.size();
    }

    /** Moves up to maxBatchSize requests from the queue into batch; the lock is held. */
    private void drain(List<Pending> batch) {
        for (int i = 0; i < maxBatchSize && !queue.isEmpty(); i++) {
            batch.add(queue.pollFirst());
        }
        notFull.signalAll();
    }

    private void process(List<Pending> batch) {
        long now = clock.nanoTime();
        List<Pending> fast = new ArrayList<>(batch.size());
        List<Pending> slow = null;
        for (Pending p : batch) {
            if (metrics != null) {
                metrics.recordQueueWait(p.methodId, now - p.enqueuedNanos);
            }
            if (expire(p, now)) {
                continue;
            }
            if (p.slow) {
                if (slow == null) {
                    slow = new ArrayList<>();
                }
                slow.add(p);
            } else {
                fast.add(p);
            }
        }
        if (slow != null) {
            for (int from = 0; from < slow.size(); from += slowBatchSize) {
                List<Pending> part = List.copyOf(slow.subList(from, Math.min(slow.size(), from + slowBatchSize)));
                try {
                    slowExecutor.execute(() -> runSlow(part));
                } catch (RejectedExecutionException e) {
                    for (Pending p : part) {
                        refuse(p, ErrorCode.DISPATCH_OVERLOADED, "the slow-method executor is full (" + slowExecutor.getMaximumPoolSize()
                                + " threads, queue " + slowExecutor.getQueue().size() + ")");
                    }
                }
            }
        }
        if (!fast.isEmpty()) {
            fastLaneLock.lock();
            try {
                fastLane.dispatch(fast);
            } finally {
                fastLaneLock.unlock();
            }
        }
    }

    private void runSlow(List<Pending> part) {
        long now = clock.nanoTime();
        List<Pending> live = new ArrayList<>(part.size());
        for (Pending p : part) {
            if (!expire(p, now)) {
                live.add(p);
            }
        }
        if (!live.isEmpty()) {
            slowLanes.get().dispatch(live);
        }
    }

    private boolean expire(Pending p, long now) {
        if (now - p.deadlineNanos < 0 || p.deadlineNanos == Long.MAX_VALUE) {
            return false;
        }
        String detail = "deadline passed " + (now - p.deadlineNanos) + " ns before the request was dispatched;"
                + " its handler did not run";
        if (metrics != null) {
            metrics.recordRefused(p.methodId, p.correlationId, ErrorCode.DISPATCH_DEADLINE_EXCEEDED, false, detail);
        }
        p.future.completeExceptionally(new FerruleException(ErrorCode.DISPATCH_DEADLINE_EXCEEDED,
                "correlationId=" + p.correlationId + ": " + detail));
        return true;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings for a {@link Batcher}. */
    public static final class Builder {
        private final java.util.function.Supplier<? extends BatchTarget> targets;
        private int maxBatchSize = 64;
        private Duration maxDelay = Duration.ofMillis(1);
        private int queueCapacity = 4096;
        private OverflowPolicy overflow = OverflowPolicy.block(Duration.ofSeconds(1));
        private Duration defaultTimeout;
        private NanoClock clock = NanoClock.system();
        private DispatchMetrics metrics;
        private final Set<Integer> slowMethodIds = new HashSet<>();
        private int slowThreads = 2;
        private int slowQueueCapacity = 256;
        private int slowBatchSize = 1;
        private int maxResponseBytes = 4 << 20;
        private boolean manualFlush;

        private Builder(java.util.function.Supplier<? extends BatchTarget> targets) {
            this.targets = Objects.requireNonNull(targets, "targets");
        }

        /** Flush as soon as this many requests are queued (default 64). */
        public Builder maxBatchSize(int n) {
            this.maxBatchSize = positive(n, "maxBatchSize");
            return this;
        }

        /** Flush when the oldest queued request has waited this long (default 1 ms; zero: at once). */
        public Builder maxDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "maxDelay=" + delay + " must not be negative");
            }
            this.maxDelay = delay;
            return this;
        }

        /** Most requests queued at once (default 4096); beyond it the overflow policy applies. */
        public Builder queueCapacity(int n) {
            this.queueCapacity = positive(n, "queueCapacity");
            return this;
        }

        /** What a submit does when the queue is full (default block for 1 s). */
        public Builder overflow(OverflowPolicy policy) {
            this.overflow = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The timeout of requests submitted without one (default none). */
        public Builder defaultTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "defaultTimeout=" + timeout + " must not be negative");
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /** The time source for deadlines and the maximum delay (default {@link System#nanoTime()}). */
        public Builder clock(NanoClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Records queue wait, rejections and expired deadlines here. */
        public Builder metrics(DispatchMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Dispatches requests for this method on the slow executor, never on the fast path. */
        public Builder slowMethod(String method) {
            slowMethodIds.add(MethodId.checked(method));
            return this;
        }

        /**
         * The slow executor: {@code threads} threads and room for {@code queueCapacity} waiting slow
         * batches (default 2 and 256); beyond that slow requests are answered OVERLOADED.
         */
        public Builder slowExecutor(int threads, int queueCapacity) {
            this.slowThreads = positive(threads, "threads");
            this.slowQueueCapacity = positive(queueCapacity, "queueCapacity");
            return this;
        }

        /** Slow requests per slow-executor task (default 1, so slow handlers run in parallel). */
        public Builder slowBatchSize(int n) {
            this.slowBatchSize = positive(n, "slowBatchSize");
            return this;
        }

        /**
         * The most room set aside up front for one batch's responses (default 4 MiB); a batch whose
         * responses need more grows its buffer when the target holds responses back.
         */
        public Builder maxResponseBytes(int n) {
            this.maxResponseBytes = positive(n, "maxResponseBytes");
            return this;
        }

        /**
         * No flusher thread: the application calls {@link Batcher#flushDue()} or {@link Batcher#flush()}
         * from its own loop (and tests drive the batcher deterministically).
         */
        public Builder manualFlush() {
            this.manualFlush = true;
            return this;
        }

        /** A batcher with these settings; unless {@link #manualFlush()}, its flusher thread starts now. */
        public Batcher build() {
            return new Batcher(this);
        }

        private static int positive(int n, String name) {
            if (n < 1) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, name + "=" + n + " must be at least 1");
            }
            return n;
        }
    }
}
