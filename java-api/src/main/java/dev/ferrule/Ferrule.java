package dev.ferrule;

import dev.ferrule.internal.Backends;
import dev.ferrule.internal.BuildInfo;

/**
 * Facts about this Ferrule installation: its version and which backend it runs on.
 *
 * <p>The native library is loaded on first use of any Ferrule codec, or on the first call here;
 * see {@code ferrule.native}, {@code ferrule.native.path} and {@code ferrule.native.workdir} in the
 * README.
 */
public final class Ferrule {
    private Ferrule() {}

    /** The version of this Ferrule API, e.g. {@code 0.1.0}. */
    public static String version() {
        return BuildInfo.VERSION;
    }

    /**
     * Which backend codecs use by default and why.
     *
     * @throws FerruleException with {@link ErrorCode#NATIVE_UNAVAILABLE} or
     *     {@link ErrorCode#ABI_MISMATCH} when {@code -Dferrule.native=required} and the native library
     *     cannot be used; {@link ErrorCode#INVALID_ARGUMENT} when {@code ferrule.native} has an unknown
     *     value
     */
    public static BackendInfo backendInfo() {
        return Backends.info();
    }

    /** The backend codecs use unless told otherwise. */
    public static BackendKind defaultBackend() {
        return Backends.info().kind();
    }

    /** Whether the native backend is loaded and usable in this JVM. */
    public static boolean isNativeAvailable() {
        return Backends.info().kind() == BackendKind.NATIVE;
    }
}
