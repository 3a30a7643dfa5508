package dev.ferrule.dispatch.batch;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.dispatch.CallContext;
import dev.ferrule.dispatch.Deadlines;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFlags;
import dev.ferrule.frame.FrameTable;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The buffers and codec one flushing thread uses to turn a list of requests into a framed batch, hand
 * it to its target in one call, and match the response frames to the requests. Not thread-safe.
 */
final class Lane implements Deadlines {
    private final BatchTarget target;
    private final NanoClock clock;
    private List<Pending> current = List.of();
    private int cursor;
    /** System.nanoTime() minus the clock's time, so deadlines reach the dispatcher on its time base. */
    private long toSystemTime;
    private final FrameCodec codec = FrameCodec.builder().build();
    private final FrameTable requests;
    private final FrameTable responses;
    private final int maxResponseBytes;
    private ByteBuffer payloads = ByteBuffer.allocateDirect(4096);
    private ByteBuffer in = ByteBuffer.allocateDirect(4096);
    private ByteBuffer out;

    Lane(BatchTarget target, NanoClock clock, int maxBatchSize, int maxResponseBytes) {
        this.target = target;
        this.clock = clock;
        this.requests = FrameTable.allocate(maxBatchSize);
        this.responses = FrameTable.allocate(maxBatchSize);
        this.maxResponseBytes = maxResponseBytes;
        this.out = ByteBuffer.allocateDirect(Math.min(maxResponseBytes, 64 << 10));
    }

    void dispatch(List<Pending> batch) {
        try {
            encode(batch);
            out.clear();
            current = batch;
            cursor = 0;
            toSystemTime = System.nanoTime() - clock.nanoTime();
            // A target may take fewer requests per call than the batch holds, or hold responses back
            // when out is full: keep calling until every request is consumed and every response written.
            while (in.hasRemaining() || target.hasPending()) {
                int consumedBefore = in.position();
                int writtenBefore = out.position();
                if (!out.hasRemaining()) {
                    out = grow(out);
                }
                if (target.hasPending()) {
                    target.drain(out);
                } else {
                    target.dispatch(in, out, this);
                }
                if (in.position() == consumedBefore && out.position() == writtenBefore) {
                    if (target.hasPending()) {
                        out = grow(out);
                    } else {
                        throw new FerruleException(ErrorCode.INTERNAL, "the dispatch target consumed none of "
                                + in.remaining() + " request bytes");
                    }
                }
            }
            out.flip();
            answer(batch);
        } catch (FerruleException e) {
            failAll(batch, e);
        } catch (RuntimeException e) {
            failAll(batch, new FerruleException(ErrorCode.INTERNAL, "the dispatch target failed: " + e, e));
        } finally {
            current = List.of();
        }
    }

    private void encode(List<Pending> batch) {
        long total = 0;
        for (Pending p : batch) {
            total += p.payload.length;
        }
        payloads = ensure(payloads, total);
        payloads.clear();
        requests.clear();
        for (Pending p : batch) {
            int offset = payloads.position();
            payloads.put(p.payload);
            requests.add(p.correlationId, p.methodId, 0, offset, p.payload.length);
        }
        payloads.flip();
        in = ensure(in, codec.encodedLength(requests));
        in.clear();
        codec.encode(requests, payloads, in);
        in.flip();
        // Responses are rarely much larger than requests; the cap keeps one huge batch from pinning memory.
        long wanted = Math.min(maxResponseBytes, Math.max(in.remaining() * 2L, 64 << 10));
        out = ensure(out, wanted);
    }

    private void answer(List<Pending> batch) {
        int answered = 0;
        while (out.hasRemaining() && answered < batch.size()) {
            codec.decode(out, responses, true);
            for (int i = 0; i < responses.count(); i++) {
                Pending p = find(batch, responses.correlationId(i), answered + i);
                if (p == null || p.future.isDone()) {
                    continue;
                }
                int offset = responses.payloadOffset(i);
                int length = responses.payloadLength(i);
                if ((responses.flags(i) & FrameFlags.ERROR) != 0) {
                    p.future.completeExceptionally(ErrorPayloads.toException(out, offset, length, p.correlationId));
                } else {
                    byte[] bytes = new byte[length];
                    out.get(offset, bytes);
                    p.future.complete(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
                }
            }
            answered += responses.count();
        }
        for (Pending p : batch) {
            if (!p.future.isDone()) {
                p.future.completeExceptionally(new FerruleException(ErrorCode.INTERNAL, "correlationId="
                        + p.correlationId + ": the dispatcher wrote no response frame for this request"));
            }
        }
    }

    /** The deadline of a request of the batch being dispatched, on {@link System#nanoTime()}'s base. */
    @Override
    public long deadlineNanos(int methodId, long correlationId) {
        // The dispatcher asks in request order, so the cursor almost always points at the answer.
        int index = indexOf(current, correlationId, cursor);
        if (index < 0) {
            return CallContext.NO_DEADLINE;
        }
        cursor = index + 1;
        Pending p = current.get(index);
        if (p.deadlineNanos == Long.MAX_VALUE) {
            return CallContext.NO_DEADLINE;
        }
        long deadline = p.deadlineNanos + toSystemTime;
        return deadline == CallContext.NO_DEADLINE ? deadline - 1 : deadline;
    }

    /** Responses usually come in request order, so the expected index is tried first. */
    private static Pending find(List<Pending> batch, long correlationId, int expected) {
        int index = indexOf(batch, correlationId, expected);
        return index < 0 ? null : batch.get(index);
    }

    private static int indexOf(List<Pending> batch, long correlationId, int expected) {
        if (expected < batch.size() && batch.get(expected).correlationId == correlationId) {
            return expected;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).correlationId == correlationId) {
                return i;
            }
        }
        return -1;
    }

    private static void failAll(List<Pending> batch, FerruleException e) {
        for (Pending p : batch) {
            p.future.completeExceptionally(e);
        }
    }

    /** A buffer of twice the capacity holding what {@code full} holds, in write mode. */
    private static ByteBuffer grow(ByteBuffer full) {
        long capacity = full.capacity() * 2L + 64;
        if (capacity > Integer.MAX_VALUE - 8) {
            throw new FerruleException(ErrorCode.BUFFER_TOO_SMALL, "a batch's responses need more than capacity="
                    + full.capacity() + " bytes; use a smaller maxBatchSize");
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect((int) capacity);
        full.flip();
        bigger.put(full);
        return bigger;
    }

    private static ByteBuffer ensure(ByteBuffer buffer, long needed) {
        if (buffer.capacity() >= needed) {
            return buffer;
        }
        if (needed > Integer.MAX_VALUE - 8) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "a batch of length=" + needed
                    + " does not fit in one buffer; use a smaller maxBatchSize");
        }
        long capacity = Math.max(needed, Math.min(Integer.MAX_VALUE - 8L, buffer.capacity() * 2L));
        return ByteBuffer.allocateDirect((int) capacity);
    }
}
