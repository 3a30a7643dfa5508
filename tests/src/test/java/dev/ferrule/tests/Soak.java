package dev.ferrule.tests;

import dev.ferrule.BackendKind;
import dev.ferrule.Ferrule;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceProto;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The soak run behind {@code ci/soak}: many decode+encode cycles of the OTLP sample per backend in one
 * JVM, sampling the process's resident set and the JVM's direct memory, failing if either grows by
 * more than the tolerance after warm-up. Not a JUnit test: it is a long run whose figures go into
 * docs/reliability.md, section 4.
 *
 * <pre>
 * Soak [--cycles N] [--samples S] [--tolerance 0.05] [--input tests/vectors/otlp/trace.binpb]
 * </pre>
 *
 * <p>Every sample also re-checks the encoded bytes against protobuf-java's encoding of the same message, so a
 * run that leaks nothing but corrupts its output still fails. Exit status 0 when both backends stay flat, 1
 * when one grows, 2 for a wrong result or bad arguments.
 */
public final class Soak {
    private Soak() {}

    /** The first samples are warm-up (JIT, code cache, GC heap sizing): growth is measured after them. */
    private static final double WARM_UP_FRACTION = 0.2;
    private static final long PRE_WARM_CYCLES = 50_000;
    private static final BackendKind[] BACKENDS = {BackendKind.NATIVE, BackendKind.JAVA};

    record Sample(long cycles, long rssKib, long directBytes, long directCount, long heapUsedBytes, double seconds) {}

    public static void main(String[] args) throws IOException {
        long cycles = 10_000_000L;
        int samples = 20;
        double tolerance = 0.05;
        Path input = Path.of("tests/vectors/otlp/trace.binpb");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cycles" -> cycles = Long.parseLong(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--tolerance" -> tolerance = Double.parseDouble(args[++i]);
                case "--input" -> input = Path.of(args[++i]);
                default -> {
                    System.err.println("soak: unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        byte[] message = Files.readAllBytes(input);
        byte[] expected = ExportTraceServiceRequest.parseFrom(message).toByteArray();
        Schema schema = Schema.fromDescriptorSet(ProtoOracle.descriptorSet(TraceServiceProto.getDescriptor()));
        MessageType type = schema.message("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");

        System.out.printf(Locale.ROOT, "soak: %,d decode+encode cycles per backend of %s (%d bytes), %s, java %s, default backend %s%n",
                cycles, input, message.length, System.getProperty("os.arch"), System.getProperty("java.version"),
                Ferrule.defaultBackend());
        // Compile both backends' hot paths before anything is measured: the JIT's own memory (code cache,
        // compiler arenas) is a one-off that would otherwise read as growth.
        for (BackendKind backend : BACKENDS) {
            run(backend, schema, type, message, expected, PRE_WARM_CYCLES, 1, new ArrayList<>());
        }
        boolean flat = true;
        for (BackendKind backend : BACKENDS) {
            List<Sample> taken = new ArrayList<>();
            run(backend, schema, type, message, expected, cycles, samples, taken);
            flat &= report(backend, taken, tolerance);
        }
        System.out.println(flat ? "soak: PASS, both backends flat after warm-up" : "soak: FAIL, memory grew after warm-up");
        System.exit(flat ? 0 : 1);
    }

    private static void run(BackendKind backend, Schema schema, MessageType type, byte[] message, byte[] expected,
            long cycles, int samples, List<Sample> taken) {
        ProtoCodec codec = ProtoCodec.builder(schema).backend(backend).build();
        Arena arena = Arena.allocate(64 * 1024);
        MessageReader reader = new MessageReader();
        ByteBuffer input = ByteBuffer.allocateDirect(message.length);
        input.put(message).flip();
        ByteBuffer output = ByteBuffer.allocateDirect(expected.length + 64);
        byte[] check = new byte[expected.length];

        long every = Math.max(1, cycles / samples);
        long started = System.nanoTime();
        taken.add(sample(0, started));
        for (long c = 1; c <= cycles; c++) {
            arena.reset();
            input.position(0);
            codec.decode(type, input, arena, reader);
            output.clear();
            int written = codec.encode(reader, output);
            if (c % every == 0 || c == cycles) {
                if (written == expected.length) {
                    output.get(0, check);
                }
                if (written != expected.length || !Arrays.equals(check, expected)) {
                    System.err.println("soak: " + backend + " cycle " + c + " encoded " + written
                            + " bytes that differ from protobuf-java's " + expected.length);
                    System.exit(2);
                }
                taken.add(sample(c, started));
            }
        }
    }

    private static boolean report(BackendKind backend, List<Sample> taken, double tolerance) {
        System.out.printf(Locale.ROOT, "%n%s backend%n%14s %9s %12s %14s %10s %14s%n", backend, "cycles", "seconds",
                "VmRSS KiB", "direct bytes", "buffers", "heap used");
        for (Sample s : taken) {
            System.out.printf(Locale.ROOT, "%,14d %9.1f %,12d %,14d %10d %,14d%n", s.cycles(), s.seconds(), s.rssKib(),
                    s.directBytes(), s.directCount(), s.heapUsedBytes());
        }
        int warm = Math.max(1, (int) Math.ceil((taken.size() - 1) * WARM_UP_FRACTION));
        Sample baseline = taken.get(warm);
        long maxRss = 0;
        long maxDirect = 0;
        for (Sample s : taken.subList(warm, taken.size())) {
            maxRss = Math.max(maxRss, s.rssKib());
            maxDirect = Math.max(maxDirect, s.directBytes());
        }
        double rssGrowth = growth(baseline.rssKib(), maxRss);
        double directGrowth = growth(baseline.directBytes(), maxDirect);
        Sample last = taken.get(taken.size() - 1);
        double perCycle = last.seconds() / Math.max(1, last.cycles()) * 1e9;
        boolean flat = rssGrowth <= tolerance && directGrowth <= tolerance;
        System.out.printf(Locale.ROOT, "%s: after warm-up (from cycle %,d): VmRSS %+.2f%% (max %,d KiB), direct memory %+.2f%%"
                + " (max %,d bytes); %.0f ns per decode+encode; %s (tolerance %.1f%%)%n", backend, baseline.cycles(),
                rssGrowth * 100, maxRss, directGrowth * 100, maxDirect, perCycle, flat ? "flat" : "GREW", tolerance * 100);
        return flat;
    }

    private static double growth(long baseline, long max) {
        return baseline == 0 ? (max == 0 ? 0 : Double.POSITIVE_INFINITY) : (double) (max - baseline) / baseline;
    }

    private static Sample sample(long cycles, long started) {
        long directBytes = 0;
        long directCount = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                directBytes = pool.getMemoryUsed();
                directCount = pool.getCount();
            }
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Sample(cycles, rssKib(), directBytes, directCount, heap, (System.nanoTime() - started) / 1e9);
    }

    /** VmRSS from /proc/self/status (Linux); -1 elsewhere. */
    private static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
