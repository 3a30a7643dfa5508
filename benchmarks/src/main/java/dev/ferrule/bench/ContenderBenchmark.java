package dev.ferrule.bench;

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
 * The four contenders side by side on one message shape: Ferrule native (Rust engine, one JNI call),
 * Ferrule pure Java, protobuf-java and QuickBuffers, each doing the operations below; Ferrule through the
 * typed flyweights ferrule-maven-plugin generates. {@code *_ferruleNativeDynamic} is a fifth row: Ferrule
 * native through the dynamic API ({@code MessageReader}/{@code MessageBuilder} with cached {@code FieldInfo}s),
 * which the typed classes wrap, to show what the typed layer costs or saves. Each contender does
 *
 * <ul>
 *   <li>{@code decode_*}: decode one message and read every field;
 *   <li>{@code encode_*}: build the message from its parts and encode it into a reused buffer;
 *   <li>{@code batch64_*}: decode 64 gRPC-framed messages and read every field of each (Ferrule in one
 *       engine call; the others have no batch call, so one parse per message).
 * </ul>
 *
 * <p>Each method returns its checksum or byte count so that JMH consumes it. The subclasses only name
 * their fixture; see docs/benchmarks.md for the results.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public abstract class ContenderBenchmark {
    static final int BATCH = 64;

    private Contenders<?, ?> c;

    abstract Fixture<?, ?> fixture();

    @Setup
    public void setup() {
        c = contenders(fixture());
    }

    private static <P extends com.google.protobuf.Message, Q extends us.hebi.quickbuf.ProtoMessage<Q>> Contenders<P, Q>
            contenders(Fixture<P, Q> fixture) {
        return new Contenders<>(fixture, BATCH);
    }

    @Benchmark
    public long decode_ferruleNative() {
        return c.nativeSide.decode();
    }

    @Benchmark
    public long decode_ferruleJava() {
        return c.javaSide.decode();
    }

    @Benchmark
    public long decode_ferruleNativeDynamic() {
        return c.nativeSide.decodeDynamic();
    }

    @Benchmark
    public long decode_protobufJava() {
        return c.decodeProtobuf();
    }

    @Benchmark
    public long decode_quickBuffers() {
        return c.decodeQuickbuf();
    }

    @Benchmark
    public int encode_ferruleNative() {
        return c.nativeSide.encode();
    }

    @Benchmark
    public int encode_ferruleJava() {
        return c.javaSide.encode();
    }

    @Benchmark
    public int encode_ferruleNativeDynamic() {
        return c.nativeSide.encodeDynamic();
    }

    @Benchmark
    public int encode_protobufJava() {
        return c.encodeProtobuf();
    }

    @Benchmark
    public int encode_quickBuffers() {
        return c.encodeQuickbuf();
    }

    @Benchmark
    public long batch64_ferruleNative() {
        return c.nativeSide.decodeBatch(true);
    }

    @Benchmark
    public long batch64_ferruleJava() {
        return c.javaSide.decodeBatch(true);
    }

    @Benchmark
    public long batch64_ferruleNativeDynamic() {
        return c.nativeSide.decodeBatch(false);
    }

    @Benchmark
    public long batch64_protobufJava() {
        return c.decodeBatchProtobuf();
    }

    @Benchmark
    public long batch64_quickBuffers() {
        return c.decodeBatchQuickbuf();
    }
}
