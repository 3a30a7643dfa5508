package dev.ferrule.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts fixed at build time by Maven (see {@code ferrule.properties}). */
public final class BuildInfo {
    private BuildInfo() {}

    private static final Properties PROPS = load();

    /** This API's version, which the native engine must report too. */
    public static final String VERSION = PROPS.getProperty("version");

    /** The native library's base name, e.g. {@code ferrule_jni-0.1.0}. */
    public static final String NATIVE_LIBNAME = PROPS.getProperty("native.libname");

    /** The resource directory under which each classifier's library sits. */
    public static final String NATIVE_RESOURCE_DIR = PROPS.getProperty("native.resourceDir");

    /** The protobuf release (protoc, protobuf-java) Ferrule is built and tested against. */
    public static final String PROTOBUF_VERSION = PROPS.getProperty("protobuf.version");

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/ferrule/ferrule.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/ferrule/ferrule.properties is missing from the Ferrule jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
