package dev.ferrule.internal;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Enforces "one thread at a time" for an object that engine calls write to or read from: every such call
 * {@link #enter enters} it for its whole duration, so a second thread arriving meanwhile gets
 * {@link ErrorCode#CONCURRENT_USE} instead of two engines sharing one block of memory. An object can
 * also be {@link #close closed}, after which entering it fails with {@code closedCode}.
 *
 * <p>Cost: one uncontended compare-and-set on entry and a release store on exit, per engine call (per
 * message or per batch), never per field access. Handing an object to another thread between calls is
 * allowed; the compare-and-set and release store also give the hand-over its happens-before edge.
 */
public final class Confinement {
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Confinement.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String what;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    /** @param what the guarded object, for messages ("this arena") */
    public Confinement(String what) {
        this.what = what;
    }

    /**
     * Marks the object in use by this thread until {@link #exit()}.
     *
     * @throws FerruleException {@link ErrorCode#CONCURRENT_USE} if another thread is inside a call on it;
     *     {@link ErrorCode#ARENA_STALE} if it has been closed
     */
    public void enter() {
        int was = (int) STATE.compareAndExchange(this, IDLE, BUSY);
        if (was != IDLE) {
            throw refused(was);
        }
    }

    /** Ends the call {@link #enter()} began. */
    public void exit() {
        STATE.setRelease(this, IDLE);
    }

    /**
     * Closes the object: every later {@link #enter()} fails. Closing twice is allowed.
     *
     * @return false if it was already closed
     * @throws FerruleException {@link ErrorCode#CONCURRENT_USE} if another thread is inside a call on it
     */
    public boolean close() {
        int was = (int) STATE.compareAndExchange(this, IDLE, CLOSED);
        if (was == BUSY) {
            throw refused(was);
        }
        return was == IDLE;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * Throws unless the object is open; for cheap accessors that read the object but start no engine call.
     */
    public void checkOpen() {
        if (state == CLOSED) {
            throw refused(CLOSED);
        }
    }

    private FerruleException refused(int was) {
        if (was == CLOSED) {
            return new FerruleException(ErrorCode.ARENA_STALE, what + " has been closed");
        }
        return new FerruleException(ErrorCode.CONCURRENT_USE, what + " is in use by another thread: "
                + what + " may be used by one thread at a time (see the dev.ferrule.proto package documentation)");
    }
}
