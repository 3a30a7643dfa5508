package dev.ferrule.examples.nio;

import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFlags;
import dev.ferrule.frame.FrameTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * A client that keeps up to {@code window} requests in flight on one connection: a writer thread
 * sends request frames as long as the window has room, the calling thread reads response frames,
 * matches each to its request by correlation id, checks it and records its round trip.
 */
public final class PipeliningClient implements AutoCloseable {
    private final SocketChannel channel;
    // Codecs are for one thread at a time (CONCURRENT_USE otherwise): the reading thread and the writer
    // thread each have their own.
    private final FrameCodec readCodec = FrameCodec.builder().build();
    private final FrameCodec writeCodec = FrameCodec.builder().build();

    private PipeliningClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects (blocking) to {@code address}. */
    public static PipeliningClient connect(InetSocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new PipeliningClient(channel);
    }

    /** What the run makes and checks. */
    public interface Exchange {
        /** The payload of request {@code index} (0-based), written at {@code into}'s position. */
        void request(int index, ByteBuffer into);

        /**
         * Whether {@code response[offset, offset + length)} is the right answer to request {@code index};
         * {@code error} says whether the frame is an error frame.
         */
        boolean check(int index, boolean error, ByteBuffer response, int offset, int length);
    }

    /** What a run saw. */
    public record Result(long responses, long mismatches, long nanos) {}

    /**
     * Sends {@code count} requests for {@code methodId} with at most {@code window} unanswered, and
     * reads every response.
     *
     * @param latency receives each request's round trip in nanoseconds, or {@code null}
     * @throws IOException when the connection fails or a response never comes within a minute
     */
    public Result run(int methodId, int count, int window, Exchange exchange, Histogram latency)
            throws IOException, InterruptedException {
        Objects.requireNonNull(exchange, "exchange");
        long[] sentAt = new long[count];
        Semaphore room = new Semaphore(window);
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        long start = System.nanoTime();
        Thread writer = new Thread(() -> {
            try {
                write(methodId, count, exchange, sentAt, room);
            } catch (Throwable e) {
                writeFailure.set(e);
            }
        }, "ferrule-client-writer");
        writer.start();
        long responses = 0;
        long mismatches = 0;
        ByteBuffer in = ByteBuffer.allocateDirect(8 << 20);
        FrameTable frames = FrameTable.allocate(256);
        try {
            while (responses < count) {
                if (channel.read(in) < 0) {
                    throw new IOException("the server closed the connection after " + responses + " responses");
                }
                long now = System.nanoTime();
                in.flip();
                while (readCodec.decode(in, frames) > 0) {
                    for (int i = 0; i < frames.count(); i++) {
                        long id = frames.correlationId(i);
                        int index = (int) (id - 1);
                        boolean known = id >= 1 && id <= count;
                        if (!known || !exchange.check(index, (frames.flags(i) & FrameFlags.ERROR) != 0, in,
                                frames.payloadOffset(i), frames.payloadLength(i))) {
                            mismatches++;
                        }
                        if (known && latency != null) {
                            latency.recordValue(Math.max(0, now - sentAt[index]));
                        }
                        responses++;
                        room.release();
                    }
                }
                in.compact();
                if (writeFailure.get() != null) {
                    throw new IOException("writing requests failed", writeFailure.get());
                }
            }
        } finally {
            writer.join(TimeUnit.MINUTES.toMillis(1));
        }
        return new Result(responses, mismatches, System.nanoTime() - start);
    }

    private void write(int methodId, int count, Exchange exchange, long[] sentAt, Semaphore room)
            throws IOException, InterruptedException {
        ByteBuffer payloads = ByteBuffer.allocateDirect(4 << 20);
        ByteBuffer out = ByteBuffer.allocateDirect(8 << 20);
        FrameTable frames = FrameTable.allocate(256);
        int next = 0;
        while (next < count) {
            if (!room.tryAcquire(1, TimeUnit.MINUTES)) {
                throw new IOException("no response for a minute");
            }
            // Send every request the window has room for in one write.
            int drained = room.drainPermits();
            int more = Math.min(Math.min(drained, frames.capacity() - 1), count - next - 1);
            frames.clear();
            payloads.clear();
            int batch = 0;
            // One request always; more while the window has room and the buffer is under half full.
            do {
                int offset = payloads.position();
                exchange.request(next + batch, payloads);
                frames.add(next + batch + 1, methodId, 0, offset, payloads.position() - offset);
                batch++;
            } while (batch <= more && payloads.position() < payloads.capacity() / 2);
            room.release(drained - (batch - 1));
            payloads.flip();
            out.clear();
            writeCodec.encode(frames, payloads, out);
            out.flip();
            long now = System.nanoTime();
            for (int k = 0; k < batch; k++) {
                sentAt[next + k] = now;
            }
            while (out.hasRemaining()) {
                channel.write(out);
            }
            next += batch;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
