package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFormat;
import dev.ferrule.frame.FrameTable;
import dev.ferrule.internal.Diagnostics;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBatch;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thread-safety contract (dev.ferrule.proto package documentation, docs/reliability.md section 5):
 * many threads share one schema, each with its own codec, arena, batch and flyweights, and every result is
 * checked against protobuf-java; objects the contract confines to one thread at a time refuse a second
 * thread with {@link ErrorCode#CONCURRENT_USE} instead of handing two engine calls one block of memory;
 * a closed arena is refused on every thread; engine panics on some threads leave the others serving.
 */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int MESSAGES = 64;
    /** How long a misuse race may take to show itself before the test gives up (never reached in practice). */
    private static final long RACE_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static final MessageType REQUEST = OtlpProtoTest.REQUEST;
    private static final FieldInfo RESOURCE_SPANS = REQUEST.field("resource_spans");
    private static final List<byte[]> WIRE = new ArrayList<>();
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        Random r = new Random(2026);
        for (int i = 0; i < MESSAGES; i++) {
            WIRE.add(OtlpProtoTest.randomTrace(r, 1 + r.nextInt(8)).toByteArray());
        }
        pool = Executors.newFixedThreadPool(THREADS + 2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }

    private static <T> List<T> all(List<Callable<T>> tasks) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(task));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(120, TimeUnit.SECONDS));
        }
        return results;
    }

    /** Decodes and re-encodes message {@code i}; asserts the bytes and a field match protobuf-java's. */
    private static void roundTrip(ProtoCodec codec, Arena arena, MessageReader reader, ByteBuffer out, int i)
            throws Exception {
        byte[] wire = WIRE.get(i);
        ByteBuffer in = Backends.direct(wire);
        arena.reset();
        codec.decode(REQUEST, in, arena, reader);
        assertEquals(ExportTraceServiceRequest.parseFrom(wire).getResourceSpansCount(), reader.count(RESOURCE_SPANS));
        out.clear();
        int n = codec.encode(reader, out);
        assertArrayEquals(wire, Backends.bytes(out, 0, n), "message " + i + " on " + codec.backend());
    }

    @Test
    void manyThreadsShareOneSchemaWithTheirOwnCodecsAndArenas() throws Exception {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            BackendKind backend = t % 2 == 0 ? BackendKind.NATIVE : BackendKind.JAVA;
            int seed = t;
            tasks.add(() -> {
                // The codec is built on the worker: codecs, arenas and flyweights are per thread, the schema shared.
                ProtoCodec codec = ProtoCodec.builder(OtlpProtoTest.OTLP).backend(backend).build();
                Arena arena = Arena.allocate(1 << 18);
                MessageReader reader = new MessageReader();
                ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
                MessageBatch batch = MessageBatch.allocate(16);
                Random r = new Random(seed);
                int checked = 0;
                for (int round = 0; round < 300; round++) {
                    roundTrip(codec, arena, reader, out, r.nextInt(MESSAGES));
                    checked++;
                    if (round % 50 == 0) {
                        checked += batchRoundTrip(codec, arena, batch, out, r);
                    }
                }
                return checked;
            });
        }
        for (int t = 0; t < THREADS / 2; t++) {
            BackendKind backend = t % 2 == 0 ? BackendKind.NATIVE : BackendKind.JAVA;
            tasks.add(() -> framesRoundTrip(backend));
        }
        for (int checked : all(tasks)) {
            assertTrue(checked >= 300, "every task checked its results");
        }
    }

    private static int batchRoundTrip(ProtoCodec codec, Arena arena, MessageBatch batch, ByteBuffer out, Random r)
            throws Exception {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            messages.add(WIRE.get(r.nextInt(MESSAGES)));
        }
        byte[] stream = BatchDecodeTest.frame(messages);
        arena.reset();
        codec.decodeBatch(REQUEST, Backends.direct(stream), arena, batch, true);
        assertEquals(5, batch.count());
        out.clear();
        int n = codec.encodeBatch(batch, out);
        assertArrayEquals(stream, Backends.bytes(out, 0, n));
        return 5;
    }

    private static int framesRoundTrip(BackendKind backend) {
        Random r = new Random(backend.ordinal());
        FrameCodec codec = Backends.codec(backend, FrameFormat.FERRULE);
        FrameTable table = FrameTable.allocate(8);
        int checked = 0;
        for (int round = 0; round < 300; round++) {
            List<FrameCodecTest.Frame> frames = FrameCodecTest.randomFrames(r, FrameFormat.FERRULE, 1 + r.nextInt(8), 200);
            ByteBuffer stream = FrameCodecTest.encode(codec, frames);
            codec.decode(stream, table, true);
            assertEquals(frames.size(), table.count());
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(frames.get(i).correlation(), table.correlationId(i));
                assertEquals(frames.get(i).payload().length, table.payloadLength(i));
            }
            checked++;
        }
        return checked;
    }

    /**
     * Two threads hammer one codec (each with its own arena): every call either completes with the right
     * bytes or is refused with CONCURRENT_USE, and refusals do happen.
     */
    @Test
    void aCodecSharedByTwoThreadsRefusesTheSecondInsteadOfMixingTheirCalls() throws Exception {
        for (BackendKind backend : new BackendKind[] {BackendKind.NATIVE, BackendKind.JAVA}) {
            ProtoCodec shared = ProtoCodec.builder(OtlpProtoTest.OTLP).backend(backend).build();
            long[] counts = race(2, t -> {
                Arena arena = Arena.allocate(1 << 18);
                MessageReader reader = new MessageReader();
                ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
                Random r = new Random(t);
                return () -> roundTrip(shared, arena, reader, out, r.nextInt(MESSAGES));
            });
            assertTrue(counts[0] > 0, backend + ": some calls completed, each with the right bytes");
            assertTrue(counts[1] > 0, backend + ": a second thread in the codec was refused");
        }
    }

    /**
     * Two threads with their own codecs decode into, and reset, one arena: the arena is refused to the second
     * thread while the first one's engine call runs, and a reader whose arena was reset by the other thread
     * is stale; whatever completes is right.
     */
    @Test
    void anArenaSharedByTwoThreadsIsNeverWrittenByBoth() throws Exception {
        Arena shared = Arena.allocate(1 << 18);
        long[] counts = race(2, t -> {
            ProtoCodec codec = ProtoCodec.builder(OtlpProtoTest.OTLP)
                    .backend(t == 0 ? BackendKind.NATIVE : BackendKind.JAVA).build();
            MessageReader reader = new MessageReader();
            ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
            Random r = new Random(t);
            return () -> roundTrip(codec, shared, reader, out, r.nextInt(MESSAGES));
        });
        assertTrue(counts[0] > 0, "some round trips completed, each with the right bytes");
        assertTrue(counts[1] > 0, "the arena was refused to a second thread");
    }

    /** A frame table shared by two threads' codecs: the same rule. */
    @Test
    void aFrameTableSharedByTwoThreadsIsNeverFilledByBoth() throws Exception {
        FrameTable shared = FrameTable.allocate(8);
        long[] counts = race(2, t -> {
            FrameCodec codec = Backends.codec(t == 0 ? BackendKind.NATIVE : BackendKind.JAVA, FrameFormat.GRPC);
            Random r = new Random(t);
            return () -> {
                List<FrameCodecTest.Frame> frames = FrameCodecTest.randomFrames(r, FrameFormat.GRPC, 8, 300);
                ByteBuffer stream = FrameCodecTest.encode(codec, frames);
                codec.decode(stream, shared, true);
                // The table may be refilled by the other thread as soon as this call returns; what this call
                // consumed is this thread's own.
                assertEquals(FrameCodecTest.encode(codec, frames).limit(), stream.position());
            };
        });
        assertTrue(counts[0] > 0 && counts[1] > 0, "completed " + counts[0] + ", refused " + counts[1]);
    }

    interface Step {
        void run() throws Exception;
    }

    interface Worker {
        Step make(int thread) throws Exception;
    }

    /**
     * Runs {@code threads} workers at once until both outcomes have been seen at least 50 times or the
     * deadline passes; returns {completed, refused with CONCURRENT_USE or ARENA_STALE}. Any other failure
     * fails the test.
     */
    private static long[] race(int threads, Worker worker) throws Exception {
        AtomicLong completed = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(threads);
        long deadline = System.nanoTime() + RACE_DEADLINE_NANOS;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            tasks.add(() -> {
                Step step = worker.make(thread);
                ready.countDown();
                ready.await();
                while (!done.get()) {
                    try {
                        step.run();
                        completed.incrementAndGet();
                    } catch (FerruleException e) {
                        if (e.code() != ErrorCode.CONCURRENT_USE && e.code() != ErrorCode.ARENA_STALE) {
                            throw e;
                        }
                        refused.incrementAndGet();
                    }
                    if ((completed.get() >= 50 && refused.get() >= 50) || System.nanoTime() > deadline) {
                        done.set(true);
                    }
                }
                return null;
            });
        }
        all(tasks);
        return new long[] {completed.get(), refused.get()};
    }

    @Test
    void aClosedArenaIsRefusedOnEveryThreadAndItsViewsAreStale() throws Exception {
        ProtoCodec codec = ProtoCodec.builder(OtlpProtoTest.OTLP).backend(BackendKind.NATIVE).build();
        Arena arena = Arena.allocate(1 << 16);
        MessageReader reader = codec.decode(REQUEST, Backends.direct(WIRE.get(0)), arena);
        MessageBuilder builder = codec.newMessage(REQUEST, arena, new MessageBuilder());
        MessageBatch batch = MessageBatch.allocate(2).add(reader);
        arena.close();
        arena.close(); // twice is allowed
        assertTrue(arena.isClosed());
        // Another thread, started after the close, sees it too (Thread.start orders the two).
        List<ErrorCode> codes = all(List.of(
                () -> assertThrows(FerruleException.class, () -> reader.count(RESOURCE_SPANS)).code(),
                () -> assertThrows(FerruleException.class, () -> reader.getMessage(RESOURCE_SPANS, 0, new MessageReader())).code(),
                () -> assertThrows(FerruleException.class, () -> builder.type()).code(),
                () -> assertThrows(FerruleException.class, () -> codec.encode(reader, ByteBuffer.allocateDirect(4096))).code(),
                () -> assertThrows(FerruleException.class, () -> codec.encodeBatch(batch, ByteBuffer.allocateDirect(4096))).code(),
                () -> assertThrows(FerruleException.class, () -> codec.decode(REQUEST, Backends.direct(WIRE.get(1)), arena)).code(),
                () -> assertThrows(FerruleException.class, () -> codec.newMessage(REQUEST, arena, new MessageBuilder())).code(),
                () -> assertThrows(FerruleException.class, arena::reset).code(),
                () -> assertThrows(FerruleException.class, arena::used).code(),
                () -> assertThrows(FerruleException.class, arena::contents).code()));
        for (ErrorCode code : codes) {
            assertEquals(ErrorCode.ARENA_STALE, code);
        }
        assertEquals(1 << 16, arena.capacity());
        assertTrue(arena.toString().contains("closed"), arena.toString());
    }

    /** Resetting or closing an arena while another thread's engine call runs on it is refused; the call completes intact. */
    @Test
    void anArenaCannotBeResetOrClosedUnderARunningCall() throws Exception {
        ProtoCodec codec = ProtoCodec.builder(OtlpProtoTest.OTLP).backend(BackendKind.NATIVE).build();
        // A large batch keeps the engine busy long enough for the main thread to try.
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            messages.add(WIRE.get(i % MESSAGES));
        }
        ByteBuffer stream = Backends.direct(BatchDecodeTest.frame(messages));
        MessageBatch batch = MessageBatch.allocate(1000);
        Arena arena = Arena.allocate(16 << 20);
        long deadline = System.nanoTime() + RACE_DEADLINE_NANOS;
        int refusedResets = 0;
        int refusedCloses = 0;
        for (int round = 0; (refusedResets == 0 || refusedCloses == 0) && System.nanoTime() < deadline; round++) {
            Arena target = arena;
            target.reset();
            stream.position(0);
            CountDownLatch started = new CountDownLatch(1);
            Future<Object> decoding = pool.submit(() -> {
                started.countDown();
                try {
                    return codec.decodeBatch(REQUEST, stream, target, batch, true);
                } catch (FerruleException e) {
                    return e;
                }
            });
            started.await();
            boolean close = round % 2 == 1;
            try {
                if (close) {
                    target.close();
                    arena = Arena.allocate(16 << 20);
                } else {
                    target.reset();
                }
                // Succeeded: the call had not begun yet, or had ended.
            } catch (FerruleException e) {
                assertEquals(ErrorCode.CONCURRENT_USE, e.code(), e::getMessage);
                assertTrue(!target.isClosed());
                if (close) {
                    refusedCloses++;
                } else {
                    refusedResets++;
                }
            }
            Object result = decoding.get(60, TimeUnit.SECONDS);
            if (result instanceof FerruleException e) {
                // Only a close that got in before the call began can fail it.
                assertEquals(ErrorCode.ARENA_STALE, e.code(), e::getMessage);
                assertTrue(target.isClosed());
            } else {
                assertEquals(stream.limit(), result);
                assertEquals(1000, batch.count());
            }
        }
        assertTrue(refusedResets > 0, "a reset during a running call was refused");
        assertTrue(refusedCloses > 0, "a close during a running call was refused");
    }

    /** Engine panics on some threads while others decode: every decode is still right. */
    @Test
    void panicsOnSomeThreadsLeaveTheOthersServing() throws Exception {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            tasks.add(() -> {
                // Few panics (each prints a line from Rust's panic hook), interleaved with the decodes.
                for (int i = 0; i < 25; i++) {
                    assertEquals(ErrorCode.INTERNAL.code(), Diagnostics.forceEngineFailure(BackendKind.NATIVE));
                    Thread.sleep(1);
                }
                return 200;
            });
            int seed = t;
            tasks.add(() -> {
                ProtoCodec codec = ProtoCodec.builder(OtlpProtoTest.OTLP).backend(BackendKind.NATIVE).build();
                Arena arena = Arena.allocate(1 << 18);
                MessageReader reader = new MessageReader();
                ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
                Random r = new Random(seed);
                for (int i = 0; i < 200; i++) {
                    roundTrip(codec, arena, reader, out, r.nextInt(MESSAGES));
                }
                return 200;
            });
        }
        for (int n : all(tasks)) {
            assertEquals(200, n);
        }
    }
}
