package dev.ferrule.dispatch.batch;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** One queued request and the future its caller holds. */
final class Pending {
    final int methodId;
    final boolean slow;
    final long correlationId;
    final byte[] payload;
    final long enqueuedNanos;
    final long deadlineNanos;
    final CompletableFuture<ByteBuffer> future = new CompletableFuture<>();

    Pending(int methodId, boolean slow, long correlationId, byte[] payload, long enqueuedNanos, long deadlineNanos) {
        this.methodId = methodId;
        this.slow = slow;
        this.correlationId = correlationId;
        this.payload = payload;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }
}
