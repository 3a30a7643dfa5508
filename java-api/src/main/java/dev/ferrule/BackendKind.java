package dev.ferrule;

/** The two interchangeable implementations of Ferrule's engine; both give identical results. */
public enum BackendKind {
    /** The Rust engine, reached through JNI with one crossing per batch. */
    NATIVE,
    /** The pure-Java engine, used when no native library fits this platform or when asked for. */
    JAVA;

    /** The lower-case name used in {@code ferrule info} and in system properties. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
