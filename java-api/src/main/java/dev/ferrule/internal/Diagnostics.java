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
}
