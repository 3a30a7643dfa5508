package dev.ferrule.dispatch;

/** What one {@link Dispatcher#dispatch} or {@link Dispatcher#drain} call did; reused by the next call. */
public final class DispatchResult {
    int requests;
    int errors;
    int bytesConsumed;
    int bytesWritten;
    long pendingBytes;

    DispatchResult() {}

    void reset() {
        requests = 0;
        errors = 0;
        bytesConsumed = 0;
        bytesWritten = 0;
        pendingBytes = 0;
    }

    /** Request frames consumed. */
    public int requests() {
        return requests;
    }

    /** Error frames among their responses (written or pending). */
    public int errors() {
        return errors;
    }

    /** Input bytes consumed (the input's position moved by this much). */
    public int bytesConsumed() {
        return bytesConsumed;
    }

    /** Output bytes written (the output's position moved by this much). */
    public int bytesWritten() {
        return bytesWritten;
    }

    /** Response bytes kept inside the dispatcher because the output had no room; see {@link Dispatcher#drain}. */
    public long pendingBytes() {
        return pendingBytes;
    }

    @Override
    public String toString() {
        return "DispatchResult[requests=" + requests + ", errors=" + errors + ", consumed=" + bytesConsumed
                + ", written=" + bytesWritten + ", pending=" + pendingBytes + "]";
    }
}
