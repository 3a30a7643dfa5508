package dev.ferrule.dispatch;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.Ferrule;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Abi;
import dev.ferrule.internal.DispatchEngine;
import dev.ferrule.internal.DispatchLayout;
import dev.ferrule.internal.StatusPayload;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoInternals;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Routes a buffer of Ferrule request frames to Java and Rust handlers and writes their response frames
 * (docs/dispatch.md).
 *
 * <pre>{@code
 * Dispatcher dispatcher = Dispatcher.builder(schema)
 *         .handle("demo.v1.Stats/Mean", metrics, summary, (ctx, request, response) -> ...)
 *         .nativeHandler("demo.v1.Stats/Quantiles", metrics, summary)
 *         .build();
 * while (channel.read(in) >= 0) {
 *     in.flip();
 *     dispatcher.dispatch(in, out);      // consumes whole requests, leaves a partial tail
 *     in.compact();
 *     ... write out, then out.clear() ...
 * }
 * }</pre>
 *
 * <p>One call costs at most two engine calls however many requests it handles: the first pass decodes
 * every request, runs the Rust handlers and answers what the dispatcher answers itself; Java handlers
 * then run over reused flyweights; one more call encodes their responses. Nothing is allocated per
 * request once warm. Not thread-safe: use one dispatcher per thread (they may share the schema).
 */
public final class Dispatcher implements AutoCloseable {
    /** Room an error status needs beyond its message. */
    private static final int STATUS_OVERHEAD = 32;

    /** {@link CallContext#method()} of a request whose method id is not registered. */
    public static final String UNKNOWN_METHOD = "<unknown>";

    /**
     * The output room {@link #dispatch} needs to consume requests: enough for any error frame the
     * dispatcher writes itself. With less room left it only writes pending responses.
     */
    public static final int MIN_OUTPUT_ROOM = 512;

    private final Schema schema;
    private final DispatchEngine engine;
    private final Method[] methods;
    private final DispatchListener listener;
    /** Whether anyone listens: per-request clock reads are made only then. */
    private final boolean observed;
    private final int maxBatch;
    private final int maxPayloadLength;
    private final int maxDepth;
    private final Arena requestArena;
    private final Arena responseArena;
    private final ByteBuffer requests;
    private final ByteBuffer responses;
    private ByteBuffer statuses = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer pending = ByteBuffer.allocateDirect(0);
    private int pendingStart;
    private int pendingEnd;

    /** Response arena bytes kept free before a Java handler runs: twice the largest response seen. */
    private int responseReserve = 64;
    /** Java responses of the current call already framed (after a response arena refill). */
    private int encodedUpTo;

    private final CallContext ctx = new CallContext();
    private final MessageReader reader = new MessageReader();
    private final MessageBuilder builder = new MessageBuilder();
    private final DispatchResult result = new DispatchResult();
    private boolean closed;

    private Dispatcher(Builder b) {
        this.schema = b.schema;
        BackendKind kind = b.backend == null ? Ferrule.defaultBackend() : b.backend;
        this.engine = DispatchEngine.create(kind, schema);
        if (kind == BackendKind.NATIVE) {
            schema.nativeHandle();
        }
        this.listener = b.listener;
        this.maxBatch = b.maxBatch;
        this.maxPayloadLength = b.maxPayloadLength;
        this.maxDepth = b.maxDepth;
        this.methods = b.methods.toArray(new Method[0]);
        if (b.testAccelerators) {
            engine.addTestHandlers();
        }
        this.observed = listener != DispatchListener.NONE;
        engine.timeHandlers(observed);
        for (int i = 0; i < methods.length; i++) {
            Method m = methods[i];
            int request = m.requestType.index();
            boolean routed = false;
            if (m.nativeOnly) {
                routed = engine.route(m.id, DispatchLayout.ROUTE_NATIVE, i, request);
            }
            if (!routed) {
                m.handler = m.nativeOnly ? m.fallback : m.handler;
                engine.route(m.id, m.handler == null ? DispatchLayout.ROUTE_UNAVAILABLE : DispatchLayout.ROUTE_JAVA, i,
                        request);
            }
            m.servedNatively = routed;
        }
        this.requestArena = Arena.allocate(b.arenaCapacity);
        this.responseArena = Arena.allocate(b.arenaCapacity);
        this.requests = DispatchLayout.allocate(maxBatch);
        this.responses = DispatchLayout.allocate(maxBatch);
    }

    /** Settings and handlers for a dispatcher over {@code schema}. */
    public static Builder builder(Schema schema) {
        return new Builder(Objects.requireNonNull(schema, "schema"));
    }

    /** The engine behind this dispatcher. */
    public BackendKind backend() {
        return engine.kind();
    }

    /**
     * Whether requests for {@code method} run a Rust handler inside the native call on this dispatcher
     * (false when the method has no native handler here and uses its Java fallback or is unavailable).
     */
    public boolean isNative(String method) {
        Objects.requireNonNull(method, "method");
        for (Method m : methods) {
            if (m.name.equals(method)) {
                return m.servedNatively;
            }
        }
        throw new FerruleException(ErrorCode.DISPATCH_UNKNOWN_METHOD, "no method " + method + " is registered");
    }

    /** {@link #dispatch(ByteBuffer, ByteBuffer, Deadlines)} with no deadlines. */
    public DispatchResult dispatch(ByteBuffer in, ByteBuffer out) {
        return dispatch(in, out, Deadlines.NONE);
    }

    /**
     * Dispatches every complete request frame in {@code in[position, limit)} (up to the batch limit) and
     * writes one response frame per request at {@code out.position()}; advances both positions. A
     * partial frame at the end is left for the next call. Pending responses (see {@link #drain}) are
     * written first, and no request is consumed while any remain.
     *
     * @throws FerruleException a frame error code with its absolute offset when the first frame of
     *     {@code in} is not a valid Ferrule frame (nothing consumed: the stream is damaged)
     */
    public DispatchResult dispatch(ByteBuffer in, ByteBuffer out, Deadlines deadlines) {
        checkOpen();
        requireDirect(in, "in");
        requireWritable(out);
        Objects.requireNonNull(deadlines, "deadlines");
        result.reset();
        long start = System.nanoTime();
        if (out.capacity() < MIN_OUTPUT_ROOM) {
            throw new FerruleException(ErrorCode.BUFFER_TOO_SMALL, "out has capacity=" + out.capacity()
                    + "; dispatch needs at least MIN_OUTPUT_ROOM=" + MIN_OUTPUT_ROOM);
        }
        int outBefore = out.position();
        drainInto(out);
        if (hasPending() || out.remaining() < MIN_OUTPUT_ROOM) {
            result.bytesWritten = out.position() - outBefore;
            result.pendingBytes = pendingBytes();
            return result;
        }
        int inStart = in.position();
        int inLength = in.limit() - inStart;
        int outStart = out.position();
        requestArena.reset();
        responseArena.reset();
        int status = engine.firstPass(in, inStart, inLength, maxPayloadLength, out, outStart, out.limit() - outStart,
                requests, maxBatch, ProtoInternals.memory(requestArena), maxDepth);
        if (status != 0) {
            ErrorCode code = ErrorCode.fromCode(status);
            long offset = requests.getLong(DispatchLayout.ERROR_OFFSET_AT);
            throw new FerruleException(code == null ? ErrorCode.INTERNAL : code, offset,
                    "dispatching: the input is not a valid Ferrule frame stream", null);
        }
        int consumed = (int) requests.getLong(DispatchLayout.CONSUMED_AT);
        int written = (int) requests.getLong(DispatchLayout.WRITTEN_AT);
        int javaCount = requests.getInt(DispatchLayout.COUNT_AT);
        result.requests = requests.getInt(DispatchLayout.REQUESTS_AT);
        result.errors = requests.getInt(DispatchLayout.ERRORS_AT);
        in.position(inStart + consumed);
        out.position(outStart + written);
        result.bytesConsumed = consumed;
        long firstPass = System.nanoTime();

        statuses.clear();
        int javaRun = 0;
        encodedUpTo = 0;
        for (int i = 0; i < result.requests; i++) {
            int e = DispatchLayout.entry(i);
            int outcome = requests.getInt(e + DispatchLayout.OUTCOME_AT);
            if ((outcome & DispatchLayout.ANSWERED) == 0) {
                if (responseArena.remaining() < responseReserve && javaRun > encodedUpTo) {
                    // The response arena may not hold another response: frame those built so far (in
                    // order) and start it afresh, rather than fail a handler with ARENA_EXHAUSTED.
                    encodeResponses(encodedUpTo, javaRun, in, out);
                    encodedUpTo = javaRun;
                    responseArena.reset();
                }
                int used = responseArena.used();
                runJava(i, javaRun++, in, deadlines);
                responseReserve = Math.max(responseReserve, 2 * (responseArena.used() - used));
            } else if (observed) {
                int index = requests.getInt(e + DispatchLayout.INDEX_AT);
                ctx.set(index < 0 ? UNKNOWN_METHOD : methods[index].name, requests.getInt(e + DispatchLayout.METHOD_AT),
                        requests.getLong(e + DispatchLayout.CORRELATION_AT), CallContext.NO_DEADLINE);
                listener.onRequest(ctx, outcome & ~DispatchLayout.ANSWERED, requests.getLong(e + DispatchLayout.NANOS_AT));
            }
        }
        long javaHandled = System.nanoTime();
        encodeResponses(encodedUpTo, javaCount, in, out);
        result.bytesWritten = out.position() - outBefore;
        result.pendingBytes = pendingBytes();
        long end = System.nanoTime();
        if (result.requests > 0) {
            listener.onBatch(result.requests, result.errors, start, firstPass, javaHandled, end);
        }
        return result;
    }

    private void runJava(int i, int response, ByteBuffer in, Deadlines deadlines) {
        int e = DispatchLayout.entry(i);
        long correlation = requests.getLong(e + DispatchLayout.CORRELATION_AT);
        int methodId = requests.getInt(e + DispatchLayout.METHOD_AT);
        Method m = methods[requests.getInt(e + DispatchLayout.INDEX_AT)];
        int root = requests.getInt(e + DispatchLayout.A_AT);
        long deadline = deadlines.deadlineNanos(methodId, correlation);
        ctx.set(m.name, methodId, correlation, deadline);
        int r = DispatchLayout.entry(response);
        responses.putLong(r + DispatchLayout.CORRELATION_AT, correlation).putInt(r + DispatchLayout.METHOD_AT, methodId);
        if (deadline != CallContext.NO_DEADLINE && deadline - System.nanoTime() <= 0) {
            error(r, ErrorCode.DISPATCH_DEADLINE_EXCEEDED, StatusPayload.description(ErrorCode.DISPATCH_DEADLINE_EXCEEDED));
            listener.onRequest(ctx, ErrorCode.DISPATCH_DEADLINE_EXCEEDED.code(), 0);
            return;
        }
        long before = observed ? System.nanoTime() : 0;
        int code = 0;
        try {
            ProtoInternals.wrap(reader, m.requestType, requestArena, in, root);
            ProtoInternals.newRecord(builder, m.responseType, responseArena);
            m.handler.handle(ctx, reader, builder);
            responses.putInt(r + DispatchLayout.INDEX_AT, DispatchLayout.KIND_MESSAGE)
                    .putInt(r + DispatchLayout.A_AT, m.responseType.index())
                    .putInt(r + DispatchLayout.B_AT, ProtoInternals.record(builder));
        } catch (FerruleException failure) {
            code = failure.code().code();
            error(r, failure.code(), utf8(failure.detail()));
        } catch (Exception failure) {
            code = ErrorCode.DISPATCH_HANDLER_FAILED.code();
            String message = failure.getMessage();
            error(r, ErrorCode.DISPATCH_HANDLER_FAILED, utf8(message == null ? failure.getClass().getName() : message));
        }
        if (observed) {
            listener.onRequest(ctx, code, System.nanoTime() - before);
        }
    }

    private static byte[] utf8(String text) {
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }

    /** Makes the response entry at byte index {@code e} an error status written into the statuses buffer. */
    private void error(int e, ErrorCode code, byte[] message) {
        int length = StatusPayload.length(code, message);
        if (statuses.remaining() < length) {
            int capacity = Math.max(statuses.capacity() * 2, statuses.position() + length + STATUS_OVERHEAD);
            ByteBuffer grown = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            grown.put(statuses.flip());
            statuses = grown;
        }
        int at = statuses.position();
        statuses.position(StatusPayload.write(statuses, at, code, message));
        responses.putInt(e + DispatchLayout.INDEX_AT, DispatchLayout.KIND_ERROR).putInt(e + DispatchLayout.A_AT, at)
                .putInt(e + DispatchLayout.B_AT, length);
        result.errors++;
    }

    /**
     * Encodes the Java responses into {@code out}; those that do not fit (and all after them, and all of
     * them when the first pass left bytes pending) go to the pending buffer. A response whose record
     * cannot be encoded is answered with an error frame carrying the encoder's code instead.
     */
    private void encodeResponses(int from, int count, ByteBuffer in, ByteBuffer out) {
        ByteBuffer arena = ProtoInternals.memory(responseArena);
        boolean toOut = engine.pending() == 0 && pendingEnd == pendingStart;
        int done = from;
        while (done < count) {
            ByteBuffer target = toOut ? out : pending;
            int start = toOut ? out.position() : pendingEnd;
            int room = toOut ? out.limit() - start : pending.capacity() - pendingEnd;
            int status = engine.encode(responses, done, count - done, arena, in, statuses, target, start, room, maxDepth);
            int written = (int) responses.getLong(DispatchLayout.WRITTEN_AT);
            if (toOut) {
                out.position(start + written);
            } else {
                pendingEnd += written;
            }
            done += responses.getInt(DispatchLayout.COUNT_AT);
            if (status != 0) {
                ErrorCode code = ErrorCode.fromCode(status);
                code = code == null ? ErrorCode.INTERNAL : code;
                error(DispatchLayout.entry(done), code, utf8("the handler's response could not be encoded: "
                        + code.description()));
            } else if (done < count) {
                if (toOut) {
                    toOut = false;
                } else {
                    growPending();
                }
            }
        }
    }

    private void growPending() {
        int live = pendingEnd - pendingStart;
        int capacity = Math.max(4096, pending.capacity() * 2);
        ByteBuffer grown = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        grown.put(0, pending, pendingStart, live);
        pending = grown;
        pendingStart = 0;
        pendingEnd = live;
    }

    /** Whether responses are waiting for output room. */
    public boolean hasPending() {
        return pendingBytes() > 0;
    }

    private long pendingBytes() {
        return engine.pending() + (pendingEnd - pendingStart);
    }

    /**
     * Writes pending responses (those a full output could not take) at {@code out.position()} without
     * consuming any request; returns the result of this call ({@link DispatchResult#pendingBytes()} says
     * what is left).
     */
    public DispatchResult drain(ByteBuffer out) {
        checkOpen();
        requireWritable(out);
        result.reset();
        int start = out.position();
        drainInto(out);
        result.bytesWritten = out.position() - start;
        result.pendingBytes = pendingBytes();
        return result;
    }

    private void drainInto(ByteBuffer out) {
        if (engine.pending() > 0) {
            int at = out.position();
            out.position(at + engine.drain(out, at, out.limit() - at));
        }
        if (engine.pending() == 0 && pendingEnd > pendingStart) {
            int n = Math.min(out.remaining(), pendingEnd - pendingStart);
            out.put(out.position(), pending, pendingStart, n);
            out.position(out.position() + n);
            pendingStart += n;
            if (pendingStart == pendingEnd) {
                pendingStart = 0;
                pendingEnd = 0;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new FerruleException(ErrorCode.DISPATCH_CLOSED, "this dispatcher is closed");
        }
    }

    private static void requireDirect(ByteBuffer buffer, String name) {
        Objects.requireNonNull(buffer, name);
        if (!buffer.isDirect()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, name + " must be a direct ByteBuffer");
        }
    }

    private static void requireWritable(ByteBuffer out) {
        requireDirect(out, "out");
        if (out.isReadOnly()) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "out is a read-only buffer");
        }
    }

    /** Releases the native dispatcher; pending responses are dropped. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            engine.close();
        }
    }

    /** One registered method. */
    private static final class Method {
        final String name;
        final int id;
        final MessageType requestType;
        final MessageType responseType;
        final boolean nativeOnly;
        final Handler fallback;
        Handler handler;
        boolean servedNatively;

        Method(String name, int id, MessageType requestType, MessageType responseType, Handler handler,
                boolean nativeOnly) {
            this.name = name;
            this.id = id;
            this.requestType = requestType;
            this.responseType = responseType;
            this.nativeOnly = nativeOnly;
            this.fallback = nativeOnly ? handler : null;
            this.handler = nativeOnly ? null : handler;
        }
    }

    /** Handlers and settings for a {@link Dispatcher}. */
    public static final class Builder {
        private final Schema schema;
        private final List<Method> methods = new ArrayList<>();
        private BackendKind backend;
        private DispatchListener listener = DispatchListener.NONE;
        private int arenaCapacity = 1 << 20;
        private int maxBatch = 256;
        private int maxPayloadLength = Abi.DEFAULT_MAX_PAYLOAD_LENGTH;
        private int maxDepth = Abi.DEFAULT_MAX_DEPTH;
        private boolean testAccelerators;

        private Builder(Schema schema) {
            this.schema = schema;
        }

        /**
         * Serves {@code method} ({@code pkg.Service/Method}) with a Java handler; requests decode as
         * {@code request}, the handler builds a {@code response}.
         *
         * @throws FerruleException {@link ErrorCode#DISPATCH_METHOD_INVALID} for a bad name, id 0 or an id
         *     already registered
         */
        public Builder handle(String method, MessageType request, MessageType response, Handler handler) {
            return add(method, request, response, Objects.requireNonNull(handler, "handler"), false);
        }

        /**
         * Serves {@code method} with the Rust handler compiled into the native library; where there is
         * none (the pure-Java backend, or a library without it) requests are answered
         * {@link ErrorCode#DISPATCH_HANDLER_UNAVAILABLE}.
         */
        public Builder nativeHandler(String method, MessageType request, MessageType response) {
            return add(method, request, response, null, true);
        }

        /** As {@link #nativeHandler(String, MessageType, MessageType)}, with a Java fallback where there is no Rust handler. */
        public Builder nativeHandler(String method, MessageType request, MessageType response, Handler javaFallback) {
            return add(method, request, response, Objects.requireNonNull(javaFallback, "javaFallback"), true);
        }

        private Builder add(String method, MessageType request, MessageType response, Handler handler, boolean nativeOnly) {
            Objects.requireNonNull(method, "method");
            for (MessageType type : new MessageType[] {request, response}) {
                Objects.requireNonNull(type, "message type");
                if (type.schema() != schema) {
                    throw new FerruleException(ErrorCode.INVALID_ARGUMENT, type.name() + " belongs to another schema");
                }
            }
            int id = MethodId.checked(method);
            for (Method m : methods) {
                if (m.id == id) {
                    throw new FerruleException(ErrorCode.DISPATCH_METHOD_INVALID, "method \"" + method + "\" has id "
                            + Integer.toUnsignedString(id, 16) + ", already registered for \"" + m.name + "\"");
                }
            }
            methods.add(new Method(method, id, request, response, handler, nativeOnly));
            return this;
        }

        /** Which engine to use; by default the one {@link Ferrule#defaultBackend()} names. */
        public Builder backend(BackendKind backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** Where per-request and per-batch timings go (default: nowhere). */
        public Builder listener(DispatchListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Bytes of each of the two per-batch arenas (requests, responses); default 1 MiB. */
        public Builder arenaCapacity(int arenaCapacity) {
            if (arenaCapacity < 64) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "arenaCapacity=" + arenaCapacity + " is under 64");
            }
            this.arenaCapacity = arenaCapacity;
            return this;
        }

        /** Most requests one {@link Dispatcher#dispatch} call consumes; default 256. */
        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 1 || maxBatch > 1 << 20) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "maxBatch=" + maxBatch + " must be 1 to 1048576");
            }
            this.maxBatch = maxBatch;
            return this;
        }

        /** Longest request payload; a longer frame is {@link ErrorCode#FRAME_TOO_LARGE}. Default 16 MiB. */
        public Builder maxPayloadLength(int maxPayloadLength) {
            if (maxPayloadLength < 0 || maxPayloadLength > Abi.MAX_PAYLOAD_LENGTH_LIMIT) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "maxPayloadLength=" + maxPayloadLength
                        + " must be 0 to " + Abi.MAX_PAYLOAD_LENGTH_LIMIT);
            }
            this.maxPayloadLength = maxPayloadLength;
            return this;
        }

        /** Deepest message nesting accepted; default 100. */
        public Builder maxDepth(int maxDepth) {
            if (maxDepth < 1 || maxDepth > 10_000) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "maxDepth=" + maxDepth + " must be 1 to 10000");
            }
            this.maxDepth = maxDepth;
            return this;
        }

        /**
         * Test hook: makes the native library's test accelerators ({@code ferrule.test.v1.Accelerator/Echo},
         * {@code /Sum}, {@code /Panic}, {@code /Fail}) available to {@link #nativeHandler}. Ignored by the
         * pure-Java backend.
         */
        public Builder testAccelerators() {
            this.testAccelerators = true;
            return this;
        }

        /** A dispatcher with these handlers and settings. */
        public Dispatcher build() {
            return new Dispatcher(this);
        }
    }
}
