package dev.ferrule.dispatch.batch;

import dev.ferrule.ErrorCode;
import dev.ferrule.dispatch.MethodId;
import dev.ferrule.dispatch.metrics.DispatchMetrics;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFlags;
import dev.ferrule.frame.FrameTable;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in dispatcher for batcher tests: "test.Echo/Reverse" answers the payload reversed,
 * "test.Echo/Fail" answers an error frame, "test.Echo/Slow" waits for {@link #releaseSlow} first.
 * Records every batch it saw.
 */
final class FakeDispatcher {
    static final String REVERSE = "test.Echo/Reverse";
    static final String FAIL = "test.Echo/Fail";
    static final String SLOW = "test.Echo/Slow";
    static final int REVERSE_ID = MethodId.of(REVERSE);
    static final int FAIL_ID = MethodId.of(FAIL);
    static final int SLOW_ID = MethodId.of(SLOW);

    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch releaseSlow = new CountDownLatch(1);
    final CountDownLatch slowStarted = new CountDownLatch(1);

    /** A target for one flushing thread (the batcher asks for one per thread). */
    BatchTarget newTarget() {
        return newTarget(1024);
    }

    /** A target that takes at most {@code maxPerCall} requests per dispatch call, as the dispatcher's maxBatch. */
    BatchTarget newTarget(int maxPerCall) {
        FrameCodec codec = FrameCodec.builder().build();
        FrameTable in = FrameTable.allocate(maxPerCall);
        FrameTable out = FrameTable.allocate(1024);
        ByteBuffer scratch = ByteBuffer.allocateDirect(1 << 20);
        return (input, output) -> dispatch(codec, in, out, scratch, input, output);
    }

    private void dispatch(FrameCodec codec, FrameTable in, FrameTable out, ByteBuffer scratch, ByteBuffer input,
            ByteBuffer output) {
        codec.decode(input, in, false);
        out.clear();
        scratch.clear();
        List<String> seen = new CopyOnWriteArrayList<>();
        for (int i = 0; i < in.count(); i++) {
            byte[] payload = new byte[in.payloadLength(i)];
            input.get(in.payloadOffset(i), payload);
            String text = new String(payload, StandardCharsets.UTF_8);
            seen.add(text);
            int method = in.methodId(i);
            byte[] answer;
            int flags = FrameFlags.RESPONSE;
            if (method == REVERSE_ID || method == SLOW_ID) {
                if (method == SLOW_ID) {
                    slowStarted.countDown();
                    await(releaseSlow);
                }
                answer = new StringBuilder(text).reverse().toString().getBytes(StandardCharsets.UTF_8);
            } else {
                ErrorCode code = method == FAIL_ID ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL;
                answer = status(code, "handler refused '" + text + "'");
                flags |= FrameFlags.ERROR;
            }
            int offset = scratch.position();
            scratch.put(answer);
            out.add(in.correlationId(i), method, flags, offset, answer.length);
        }
        batches.add(seen);
        scratch.flip();
        codec.encode(out, scratch, output);
    }

    /** The error status payload of docs/wire-format.md §6 (tests keep messages under 128 bytes). */
    static byte[] status(ErrorCode code, String detail) {
        byte[] message = detail.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.write(0x08);
        s.write(code.grpcCode());
        s.write(0x12);
        s.write(message.length);
        s.writeBytes(message);
        s.write(0xC0);
        s.write(0x3E);
        s.write(0x80 | (code.code() & 0x7F));
        s.write(code.code() >>> 7);
        return s.toByteArray();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("slow handler was never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
