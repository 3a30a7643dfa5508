package dev.ferrule.examples.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.ErrorCode;
import dev.ferrule.dispatch.batch.BatchTarget;
import dev.ferrule.dispatch.metrics.DispatchMetrics;
import dev.ferrule.dispatch.metrics.MetricsSnapshot;
import dev.ferrule.dispatch.metrics.Stage;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFlags;
import dev.ferrule.frame.FrameTable;
import dev.ferrule.schema.Schema;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Client and server over loopback: every response must be its request's echo. */
class LoopbackTest {
    private static final Schema SCHEMA = EchoService.schema();
    private final DispatchMetrics metrics = DispatchMetrics.builder().method(EchoService.SAY).build();
    private FrameServer server;

    @BeforeEach
    void start() throws Exception {
        // Small buffers, so partial frames, growth and backpressure all happen.
        server = FrameServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> BatchTarget.of(EchoService.dispatcher(SCHEMA, metrics.listener())), 4096, 8 << 20);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void pipelinedClientsEachGetEveryAnswerRight() throws Exception {
        int clients = 4;
        int requests = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<PipeliningClient.Result>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String text = "client-" + c + "-" + "y".repeat(c * 50);
                Callable<PipeliningClient.Result> run = () -> {
                    try (PipeliningClient client = PipeliningClient.connect(server.address())) {
                        return client.run(EchoService.SAY_ID, requests, 64, new LoopbackLatency.EchoExchange(text), null);
                    }
                };
                results.add(pool.submit(run));
            }
            for (Future<PipeliningClient.Result> f : results) {
                PipeliningClient.Result r = f.get(2, TimeUnit.MINUTES);
                assertEquals(requests, r.responses());
                assertEquals(0, r.mismatches());
            }
        } finally {
            pool.shutdownNow();
        }
        MetricsSnapshot s = metrics.snapshot();
        assertEquals((long) clients * requests, s.method(EchoService.SAY).requests());
        assertEquals(0, s.errors());
        assertTrue(s.stage(Stage.HANDLER).count() > 0);
    }

    @Test
    void aClientThatStopsReadingIsNotOverrun() throws Exception {
        // Send far more requests than the server's buffers and the socket buffers hold before reading
        // anything: the server must stop reading instead of buffering without bound, then catch up.
        int requests = 200_000;
        String text = "z".repeat(200);
        LoopbackLatency.EchoExchange exchange = new LoopbackLatency.EchoExchange(text);
        byte[] wire = frames(exchange, requests, EchoService.SAY_ID);
        AtomicLong written = new AtomicLong();
        try (Socket socket = new Socket()) {
            socket.connect(server.address());
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int at = 0; at < wire.length; at += 64 << 10) {
                        int n = Math.min(64 << 10, wire.length - at);
                        out.write(wire, at, n);
                        written.addAndGet(n);
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            // Wait until the writer makes no progress: the kernel buffers are full and the server has
            // stopped reading, holding only its own bounded buffers.
            long last = -1;
            int still = 0;
            for (int i = 0; i < 600 && still < 10 && writer.isAlive(); i++) {
                Thread.sleep(50);
                long now = written.get();
                still = now == last ? still + 1 : 0;
                last = now;
            }
            assertTrue(written.get() < wire.length,
                    "all " + wire.length + " bytes were accepted although nobody read a response");
            long answered = readAll(socket.getInputStream(), exchange, requests);
            assertEquals(requests, answered);
            writer.join(TimeUnit.MINUTES.toMillis(1));
            assertEquals(wire.length, written.get());
        }
    }

    @Test
    void requestsSplitAtEveryByteAreStillAnswered() throws Exception {
        LoopbackLatency.EchoExchange exchange = new LoopbackLatency.EchoExchange("split");
        byte[] wire = frames(exchange, 20, EchoService.SAY_ID);
        try (Socket socket = new Socket()) {
            socket.connect(server.address());
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            for (byte b : wire) {
                out.write(b);
                out.flush();
            }
            assertEquals(20, readAll(socket.getInputStream(), exchange, 20));
        }
    }

    @Test
    void aFrameLargerThanTheBuffersGrowsThem() throws Exception {
        LoopbackLatency.EchoExchange exchange = new LoopbackLatency.EchoExchange("big".repeat(100_000));
        try (PipeliningClient client = PipeliningClient.connect(server.address())) {
            PipeliningClient.Result r = client.run(EchoService.SAY_ID, 3, 3, exchange, null);
            assertEquals(3, r.responses());
            assertEquals(0, r.mismatches());
        }
    }

    @Test
    void anUnknownMethodGetsAnErrorFrameWithItsCorrelationId() throws Exception {
        int unknown = 12345;
        try (Socket socket = new Socket()) {
            socket.connect(server.address());
            socket.getOutputStream().write(frames(new LoopbackLatency.EchoExchange("?"), 1, unknown));
            ByteBuffer in = ByteBuffer.allocateDirect(4096);
            FrameTable table = FrameTable.allocate(1);
            FrameCodec codec = FrameCodec.builder().build();
            InputStream stream = socket.getInputStream();
            while (table.count() == 0) {
                int b = stream.read();
                assertTrue(b >= 0, "connection closed before the error frame");
                in.put((byte) b);
                in.flip();
                codec.decode(in, table);
                in.compact();
            }
            assertEquals(1, table.correlationId(0));
            assertEquals(FrameFlags.RESPONSE | FrameFlags.ERROR, table.flags(0));
            assertEquals(unknown, table.methodId(0));
        }
        assertEquals(1, metrics.snapshot().errors(ErrorCode.DISPATCH_UNKNOWN_METHOD));
    }

    /** {@code count} request frames, correlation ids 1..count, as one byte array. */
    private static byte[] frames(PipeliningClient.Exchange exchange, int count, int methodId) {
        ByteBuffer payloads = ByteBuffer.allocateDirect(count * 512 + (1 << 20));
        FrameTable table = FrameTable.allocate(count);
        for (int i = 0; i < count; i++) {
            int offset = payloads.position();
            exchange.request(i, payloads);
            table.add(i + 1, methodId, 0, offset, payloads.position() - offset);
        }
        payloads.flip();
        FrameCodec codec = FrameCodec.builder().build();
        ByteBuffer out = ByteBuffer.allocateDirect((int) codec.encodedLength(table));
        codec.encode(table, payloads, out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /** Reads response frames until {@code count} arrived; returns how many matched their request. */
    private static long readAll(InputStream stream, PipeliningClient.Exchange exchange, int count) throws Exception {
        ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
        FrameTable table = FrameTable.allocate(1024);
        FrameCodec codec = FrameCodec.builder().build();
        byte[] chunk = new byte[64 << 10];
        long seen = 0;
        long matched = 0;
        while (seen < count) {
            int n = stream.read(chunk, 0, Math.min(chunk.length, in.remaining()));
            assertTrue(n > 0, "connection closed after " + seen + " responses");
            in.put(chunk, 0, n);
            in.flip();
            while (codec.decode(in, table) > 0) {
                for (int i = 0; i < table.count(); i++) {
                    int index = (int) table.correlationId(i) - 1;
                    if (exchange.check(index, (table.flags(i) & FrameFlags.ERROR) != 0, in, table.payloadOffset(i),
                            table.payloadLength(i))) {
                        matched++;
                    }
                    seen++;
                }
            }
            in.compact();
        }
        return matched;
    }
}
