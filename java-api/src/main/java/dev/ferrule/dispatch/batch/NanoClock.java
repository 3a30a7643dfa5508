package dev.ferrule.dispatch.batch;

/**
 * The time source a {@link Batcher} stamps requests with and checks deadlines and the maximum delay
 * against. Tests pass a clock they advance by hand, with {@link Batcher.Builder#manualFlush()}.
 */
@FunctionalInterface
public interface NanoClock {
    /** Nanoseconds from an arbitrary origin, as {@link System#nanoTime()}. */
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static NanoClock system() {
        return System::nanoTime;
    }
}
