package dev.ferrule.tests;

import dev.ferrule.BackendInfo;
import dev.ferrule.BackendKind;
import dev.ferrule.Ferrule;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameTable;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Ferrule in several class loaders of one JVM, for {@link LoaderStressTest}: {@code main} is started with
 * only the test classes on its class path and gives each of {@code count} class loaders (children of the
 * platform loader) the test classes and the given jars; each loads its own {@code LoaderProbe} and so its own
 * Ferrule, and {@link #probe} reports which backend that copy runs and whether its engine works.
 */
public final class LoaderProbe {
    private LoaderProbe() {}

    /** {@code LoaderProbe count jar...}: prints one line per loader, then the first loader once more. */
    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        URL[] urls = new URL[args.length];
        urls[0] = LoaderProbe.class.getProtectionDomain().getCodeSource().getLocation();
        for (int i = 1; i < args.length; i++) {
            urls[i] = Path.of(args[i]).toUri().toURL();
        }
        URLClassLoader first = null;
        for (int i = 1; i <= count; i++) {
            URLClassLoader loader = new URLClassLoader("ferrule-" + i, urls, ClassLoader.getPlatformClassLoader());
            first = first == null ? loader : first;
            System.out.println("loader " + i + ": " + loader.loadClass(LoaderProbe.class.getName()).getMethod("probe").invoke(null));
        }
        System.out.println("loader 1 again: " + first.loadClass(LoaderProbe.class.getName()).getMethod("probe").invoke(null));
    }

    /** The backend this class loader's Ferrule runs, its library, and a frame round trip through it. */
    public static String probe() {
        if (LoaderProbe.class.getClassLoader() == ClassLoader.getSystemClassLoader()) {
            throw new IllegalStateException("the probe must run in its own class loader");
        }
        BackendInfo info = Ferrule.backendInfo();
        String result = "backend=" + info.kind() + " library=" + info.library().orElse("none") + " reason=" + info.reason();
        FrameCodec codec = FrameCodec.builder().backend(info.kind()).build();
        FrameTable table = FrameTable.allocate(2);
        ByteBuffer payloads = ByteBuffer.allocateDirect(5);
        payloads.put(new byte[] {1, 2, 3, 4, 5}).flip();
        table.add(7, 9, 0, 0, 5);
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        codec.encode(table, payloads, out);
        out.flip();
        FrameTable decoded = FrameTable.allocate(2);
        codec.decode(out, decoded, true);
        boolean ok = decoded.count() == 1 && decoded.correlationId(0) == 7 && decoded.payloadLength(0) == 5;
        return result + " roundtrip=" + (ok ? "ok" : "WRONG") + (info.kind() == BackendKind.NATIVE ? "" : " (java)");
    }
}
