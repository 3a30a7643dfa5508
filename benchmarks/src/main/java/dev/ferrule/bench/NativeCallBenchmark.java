package dev.ferrule.bench;

import dev.ferrule.BackendKind;
import dev.ferrule.internal.Diagnostics;
import dev.ferrule.proto.ProtoCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fixed cost of one crossing into the native library: a registered JNI method taking an
 * {@code (address, length)} pair, as every engine entry point does, that returns at once. Divided by
 * the batch size it is the crossing's share of each message in a batch call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NativeCallBenchmark {
    private long address = 0x1000;
    private int length = 64;

    @Setup
    public void setup() {
        // Loads the native library, as a native codec does.
        ProtoCodec.builder(new MarketDataFixture().schema).backend(BackendKind.NATIVE).build();
    }

    @Benchmark
    public int emptyCall() {
        return Diagnostics.emptyNativeCall(address, length);
    }
}
