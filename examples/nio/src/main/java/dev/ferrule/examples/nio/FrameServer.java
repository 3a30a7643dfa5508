package dev.ferrule.examples.nio;

import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.batch.BatchTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A single-threaded NIO server: each connection has its own direct input and output buffers and its
 * own dispatch target; every read hands all complete request frames to the target in one call and
 * writes the response frames back.
 *
 * <pre>
 *  socket ──read──▶ in [ frame | frame | frame | part… ]
 *                        └──── target.dispatch(in, out) ────┘   partial tail kept (in.compact())
 *  socket ◀─write── out [ resp | resp | resp ]             responses the target held back: drain(out)
 * </pre>
 *
 * <p>Backpressure: while responses are waiting for the socket (a slow reader), the connection stops
 * reading, so a client that does not read cannot make the server buffer without bound. A frame larger
 * than the input buffer grows it, up to {@code maxBufferBytes}; beyond that, or on a damaged stream
 * (a frame error from the target), the connection is closed.
 */
public final class FrameServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ferrule.examples.nio");

    private final Selector selector;
    private final ServerSocketChannel server;
    private final Supplier<? extends BatchTarget> targets;
    private final int bufferBytes;
    private final int maxBufferBytes;
    private final Thread loop;
    private volatile boolean running = true;

    private FrameServer(InetSocketAddress address, Supplier<? extends BatchTarget> targets, int bufferBytes,
            int maxBufferBytes) throws IOException {
        this.targets = Objects.requireNonNull(targets, "targets");
        this.bufferBytes = bufferBytes;
        this.maxBufferBytes = maxBufferBytes;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(address);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.loop = new Thread(this::run, "ferrule-nio-server");
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * Starts serving on {@code address} (port 0 picks a free one).
     *
     * @param targets makes one dispatch target per connection (a dispatcher is one per thread and
     *     holds back responses per stream, so connections do not share one)
     * @param bufferBytes initial size of each connection's input and output buffers
     * @param maxBufferBytes the largest a buffer may grow to hold one frame
     */
    public static FrameServer start(InetSocketAddress address, Supplier<? extends BatchTarget> targets,
            int bufferBytes, int maxBufferBytes) throws IOException {
        if (bufferBytes < 64 || maxBufferBytes < bufferBytes) {
            throw new IllegalArgumentException("bufferBytes=" + bufferBytes + " maxBufferBytes=" + maxBufferBytes);
        }
        return new FrameServer(address, targets, bufferBytes, maxBufferBytes);
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
    }

    private void run() {
        try {
            while (running) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        ((Connection) key.attachment()).ready(key);
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.log(System.Logger.Level.ERROR, "server loop stopped", e);
        } finally {
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key);
            }
            try {
                selector.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the selector", e);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel = server.accept();
        if (channel == null) {
            return;
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        key.attach(new Connection(channel, targets.get()));
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a connection", e);
        }
    }

    /** One client: its socket, buffers and dispatch target. */
    private final class Connection {
        private final SocketChannel channel;
        private final BatchTarget target;
        private ByteBuffer in = ByteBuffer.allocateDirect(bufferBytes);
        /** Write mode: [0, position) is waiting for the socket. */
        private ByteBuffer out = ByteBuffer.allocateDirect(bufferBytes);

        Connection(SocketChannel channel, BatchTarget target) {
            this.channel = channel;
            this.target = target;
        }

        void ready(SelectionKey key) {
            try {
                if (key.isReadable() && in.hasRemaining() && channel.read(in) < 0) {
                    closeQuietly(key);
                    return;
                }
                serve(key);
            } catch (IOException | FerruleException e) {
                // A peer that went away, or a damaged stream (frame error): nothing more can be answered.
                LOG.log(System.Logger.Level.DEBUG, "closing connection " + channel + ": " + e);
                closeQuietly(key);
            }
        }

        private void serve(SelectionKey key) throws IOException {
            while (true) {
                if (out.position() > 0) {
                    out.flip();
                    channel.write(out);
                    out.compact();
                    if (out.position() > 0) {
                        break; // the socket is full: wait for OP_WRITE, read nothing meanwhile
                    }
                }
                if (target.hasPending()) {
                    int before = out.position();
                    target.drain(out);
                    if (out.position() == before) {
                        out = grow(out, "a response");
                    }
                    continue;
                }
                in.flip();
                int consumedBefore = in.position();
                if (in.hasRemaining()) {
                    target.dispatch(in, out);
                }
                boolean consumed = in.position() != consumedBefore;
                in.compact();
                if (!consumed && out.position() == 0 && !target.hasPending()) {
                    break;
                }
            }
            boolean writing = out.position() > 0 || target.hasPending();
            if (!writing && !in.hasRemaining()) {
                in = grow(in, "a request frame"); // a frame longer than the buffer
            }
            key.interestOps(writing ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private ByteBuffer grow(ByteBuffer buffer, String what) throws IOException {
            if (buffer.capacity() >= maxBufferBytes) {
                throw new IOException(what + " does not fit in maxBufferBytes=" + maxBufferBytes);
            }
            ByteBuffer bigger = ByteBuffer.allocateDirect((int) Math.min(maxBufferBytes, buffer.capacity() * 2L));
            buffer.flip();
            bigger.put(buffer);
            return bigger;
        }
    }
}
