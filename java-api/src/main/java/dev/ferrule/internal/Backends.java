package dev.ferrule.internal;

import dev.ferrule.BackendInfo;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;

/**
 * Loads the native library at most once, on first use, and makes backend instances.
 *
 * <p>A failure in {@code required} mode is kept and thrown again, as a fresh exception with the
 * original as its cause, to every caller; it never turns into an {@code ExceptionInInitializerError}.
 */
public final class Backends {
    private Backends() {}

    private static volatile BackendInfo info;
    private static volatile FerruleException loadFailure;

    /** Which backend is the default, loading the native library first if nobody has yet. */
    public static BackendInfo info() {
        BackendInfo current = info;
        if (current == null) {
            current = loadOnce();
        }
        return current;
    }

    private static synchronized BackendInfo loadOnce() {
        if (info == null) {
            if (loadFailure == null) {
                try {
                    info = NativeLoader.load();
                } catch (FerruleException e) {
                    loadFailure = e;
                }
            }
            if (loadFailure != null) {
                throw new FerruleException(loadFailure.code(), loadFailure.detail(),
                        loadFailure);
            }
        }
        return info;
    }

    /** A new backend of the default kind. */
    public static Backend create() {
        return create(info().kind());
    }

    /** A new backend of the given kind; {@code NATIVE} requires the native library to be loaded. */
    public static Backend create(BackendKind kind) {
        if (kind == BackendKind.JAVA) {
            return new JavaBackend();
        }
        BackendInfo current = info();
        if (current.kind() != BackendKind.NATIVE) {
            throw new FerruleException(ErrorCode.NATIVE_UNAVAILABLE,
                    "the native backend was asked for but is not loaded: " + current.reason(),
                    current.failure().orElse(null));
        }
        return new NativeBackend();
    }
}
