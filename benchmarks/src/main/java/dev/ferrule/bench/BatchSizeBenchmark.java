package dev.ferrule.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-message cost against batch size: decode {@code batch} gRPC-framed 63-byte market-data messages
 * and read every field of each. Ferrule makes one engine call per batch, so its fixed cost per call
 * (the JNI crossing, argument checks) is spread over the batch; protobuf-java and QuickBuffers parse
 * message by message. Times are per call; divide by {@code batch} for the cost per message
 * (benchmarks/report.py does).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BatchSizeBenchmark {
    @Param({"1", "8", "64", "512"})
    public int batch;

    private Contenders<?, ?> c;

    @Setup
    public void setup() {
        c = new Contenders<>(new MarketDataFixture(), batch);
    }

    @Benchmark
    public long ferruleNative() {
        return c.nativeSide.decodeBatch(true);
    }

    @Benchmark
    public long ferruleJava() {
        return c.javaSide.decodeBatch(true);
    }

    @Benchmark
    public long protobufJava() {
        return c.decodeBatchProtobuf();
    }

    @Benchmark
    public long quickBuffers() {
        return c.decodeBatchQuickbuf();
    }
}
