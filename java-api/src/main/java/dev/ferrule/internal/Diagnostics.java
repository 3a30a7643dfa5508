package dev.ferrule.internal;

import dev.ferrule.BackendKind;

/** Hooks for Ferrule's own tests; not an API. */
public final class Diagnostics {
    private Diagnostics() {}

    /**
     * Makes the engine of the given kind fail inside a call (the native one panics in Rust) and
     * returns the status it reported; the caller's JVM must keep running.
     */
    public static int forceEngineFailure(BackendKind kind) {
        return Backends.create(kind).debugPanic();
    }

    /**
     * One native call that does nothing but return {@code length}: the fixed cost of crossing into the
     * native library, for benchmarks. The native backend must have loaded (create a native codec first).
     */
    public static int emptyNativeCall(long address, int length) {
        return NativeBindings.emptyCall0(address, length);
    }
}
