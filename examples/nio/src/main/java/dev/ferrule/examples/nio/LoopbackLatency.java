package dev.ferrule.examples.nio;

import dev.ferrule.Ferrule;
import dev.ferrule.dispatch.batch.BatchTarget;
import dev.ferrule.dispatch.metrics.DispatchMetrics;
import dev.ferrule.schema.Schema;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Measures, in one run on loopback, the round trip of one echo request at a time through the NIO
 * server and dispatcher next to the raw TCP round trip of the same bytes (a blocking echo socket), and
 * the throughput with 64 requests in flight. Prints a Markdown table.
 *
 * <p>{@code java -cp ... dev.ferrule.examples.nio.LoopbackLatency [requests] [textBytes]}
 */
public final class LoopbackLatency {
    private LoopbackLatency() {}

    /** Runs the measurement; arguments: request count (default 20000), text bytes (default 64). */
    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int textBytes = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Schema schema = EchoService.schema();
        DispatchMetrics metrics = DispatchMetrics.builder().method(EchoService.SAY).build();
        String text = "x".repeat(textBytes);
        PipeliningClient.Exchange exchange = new EchoExchange(text);

        System.out.printf(Locale.ROOT, "backend: %s, %d requests of %d text bytes, loopback%n%n",
                Ferrule.defaultBackend(), requests, textBytes);
        System.out.println("| path | in flight | p50 µs | p90 µs | p99 µs | p99.9 µs | requests/s |");
        System.out.println("|---|---|---|---|---|---|---|");
        try (RawEchoServer raw = new RawEchoServer();
                FrameServer server = FrameServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        () -> BatchTarget.of(EchoService.dispatcher(schema, metrics.listener())), 64 << 10, 16 << 20)) {
            for (int round = 0; round < 2; round++) { // the first round warms up both paths
                boolean print = round == 1;
                measure("raw TCP echo", raw.address(), requests, 1, exchange, print);
                measure("NIO server + dispatch", server.address(), requests, 1, exchange, print);
                measure("raw TCP echo", raw.address(), requests, 64, exchange, print);
                measure("NIO server + dispatch", server.address(), requests, 64, exchange, print);
            }
        }
        System.out.println();
        System.out.println("server-side stages (both rounds):");
        System.out.println(metrics.snapshot());
    }

    private static void measure(String name, InetSocketAddress address, int requests, int window,
            PipeliningClient.Exchange exchange, boolean print) throws Exception {
        Histogram latency = new Histogram(3_600_000_000_000L, 3);
        PipeliningClient.Result result;
        try (PipeliningClient client = PipeliningClient.connect(address)) {
            result = client.run(EchoService.SAY_ID, requests, window, exchange, latency);
        }
        if (result.mismatches() != 0) {
            throw new IllegalStateException(name + ": " + result.mismatches() + " wrong responses");
        }
        if (print) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.0f |%n", name, window,
                    latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(90) / 1e3,
                    latency.getValueAtPercentile(99) / 1e3, latency.getValueAtPercentile(99.9) / 1e3,
                    result.responses() * 1e9 / result.nanos());
        }
    }

    /** Echo requests whose expected answer is the request payload itself. */
    static final class EchoExchange implements PipeliningClient.Exchange {
        private final String text;
        private final ByteBuffer expected;

        EchoExchange(String text) {
            this.text = text;
            this.expected = ByteBuffer.allocate(text.length() * 3 + 32);
        }

        @Override
        public void request(int index, ByteBuffer into) {
            EchoService.writeRequest(text, index + 1L, into);
        }

        @Override
        public boolean check(int index, boolean error, ByteBuffer response, int offset, int length) {
            expected.clear();
            EchoService.writeRequest(text, index + 1L, expected);
            expected.flip();
            return !error && response.slice(offset, length).equals(expected);
        }
    }
}
