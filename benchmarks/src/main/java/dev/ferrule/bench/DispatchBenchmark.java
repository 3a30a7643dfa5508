package dev.ferrule.bench;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import dev.ferrule.BackendKind;
import dev.ferrule.dispatch.Dispatcher;
import dev.ferrule.dispatch.MethodId;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameTable;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 7's dispatch figures: requests per second through {@link Dispatcher#dispatch} for a Java
 * handler (native and pure-Java backends) and for a Rust handler, at batch 1, 16 and 256; and the same
 * Rust-handled work done with one JNI crossing per request instead.
 *
 * <p>Every request is a {@code ferrule.test.v1.Values} of 4 doubles and every handler answers the
 * {@code Total} (sum and count): the Rust one is the stock library's test accelerator
 * {@code ferrule.test.v1.Accelerator/Sum}, the Java one does the same sum over the request flyweight.
 * The figure is the {@code requests} counter (requests/s); {@code ns/op} of the primary result is per
 * dispatch call.
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar Dispatch}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DispatchBenchmark {
    static final String SUM = "ferrule.test.v1.Accelerator/Sum";
    static final int SUM_ID = MethodId.of(SUM);
    static final int VALUES_PER_REQUEST = 4;

    /** JAVA_NATIVE: Java handler, native engine; JAVA_PURE: Java handler, pure-Java engine; RUST: Rust handler. */
    @Param({"JAVA_NATIVE", "JAVA_PURE", "RUST"})
    public String handler;

    @Param({"1", "16", "256"})
    public int batch;

    private Dispatcher dispatcher;
    private ByteBuffer in;
    private ByteBuffer out;
    private int inLimit;

    // The per-request JNI baseline: decode each request with one native call and sum in Java.
    private ProtoCodec codec;
    private Arena arena;
    private MessageType values;
    private FieldInfo valuesField;
    private final MessageReader reader = new MessageReader();
    private ByteBuffer single;

    /** Counts requests, so JMH reports requests per second beside calls per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Requests {
        /** Requests answered. */
        public long requests;

        @Setup(Level.Iteration)
        public void reset() {
            requests = 0;
        }
    }

    @Setup
    public void setup() {
        Schema schema = Schema.fromDescriptorSet(testSchema());
        values = schema.message("ferrule.test.v1.Values");
        MessageType total = schema.message("ferrule.test.v1.Total");
        valuesField = values.field("values");
        FieldInfo sum = total.field("sum");
        FieldInfo count = total.field("count");
        Dispatcher.Builder builder = Dispatcher.builder(schema).maxBatch(256);
        switch (handler) {
            case "RUST" -> builder.backend(BackendKind.NATIVE).testAccelerators().nativeHandler(SUM, values, total);
            case "JAVA_NATIVE", "JAVA_PURE" -> builder
                    .backend(handler.equals("JAVA_PURE") ? BackendKind.JAVA : BackendKind.NATIVE)
                    .handle(SUM, values, total, (ctx, request, response) -> {
                        double s = 0;
                        int n = request.count(valuesField);
                        for (int i = 0; i < n; i++) {
                            s += request.getDouble(valuesField, i);
                        }
                        response.setDouble(sum, s).setLong(count, n);
                    });
            default -> throw new IllegalArgumentException(handler);
        }
        dispatcher = builder.build();
        in = requests(batch);
        inLimit = in.limit();
        out = ByteBuffer.allocateDirect(1 << 20);

        codec = ProtoCodec.builder(schema).backend(BackendKind.NATIVE).build();
        arena = Arena.allocate(1 << 16);
        single = ByteBuffer.allocateDirect(64);
        writeValues(single);
        single.flip();
    }

    /** One dispatch call over {@code batch} request frames. */
    @Benchmark
    public int dispatch(Requests counter) {
        in.position(0).limit(inLimit);
        out.clear();
        dispatcher.dispatch(in, out);
        counter.requests += batch;
        return out.position();
    }

    /**
     * The same requests with one native call each: {@code ProtoCodec.decode} of the request (the
     * engine parses it, as the Rust handler does) and the sum in Java. No frames are read or written,
     * so this is a lower bound for answering requests one crossing at a time.
     */
    @Benchmark
    public double jniPerRequest(Requests counter) {
        double s = 0;
        for (int r = 0; r < batch; r++) {
            arena.reset();
            codec.decode(values, single, arena, reader);
            int n = reader.count(valuesField);
            for (int i = 0; i < n; i++) {
                s += reader.getDouble(valuesField, i);
            }
        }
        counter.requests += batch;
        return s;
    }

    private static void writeValues(ByteBuffer into) {
        into.put((byte) 0x0A).put((byte) (VALUES_PER_REQUEST * 8));
        ByteBuffer le = into.slice().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < VALUES_PER_REQUEST; i++) {
            le.putDouble(i + 0.5);
        }
        into.position(into.position() + VALUES_PER_REQUEST * 8);
    }

    private static ByteBuffer requests(int count) {
        ByteBuffer payloads = ByteBuffer.allocateDirect(count * 64);
        FrameTable table = FrameTable.allocate(count);
        for (int i = 0; i < count; i++) {
            int offset = payloads.position();
            writeValues(payloads);
            table.add(i + 1, SUM_ID, 0, offset, payloads.position() - offset);
        }
        payloads.flip();
        FrameCodec codec = FrameCodec.builder().build();
        ByteBuffer frames = ByteBuffer.allocateDirect((int) codec.encodedLength(table));
        codec.encode(table, payloads, frames);
        return frames.flip();
    }

    /** ferrule.test.v1: {@code Values { repeated double values = 1; }}, {@code Total { double sum = 1; int64 count = 2; }}. */
    static byte[] testSchema() {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("ferrule/test/v1/accelerator.proto")
                .setPackage("ferrule.test.v1")
                .setSyntax("proto3")
                .addMessageType(DescriptorProto.newBuilder().setName("Values")
                        .addField(field("values", 1, FieldDescriptorProto.Type.TYPE_DOUBLE)
                                .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)))
                .addMessageType(DescriptorProto.newBuilder().setName("Total")
                        .addField(field("sum", 1, FieldDescriptorProto.Type.TYPE_DOUBLE))
                        .addField(field("count", 2, FieldDescriptorProto.Type.TYPE_INT64)))
                .build();
        return FileDescriptorSet.newBuilder().addFile(file).build().toByteArray();
    }

    private static FieldDescriptorProto.Builder field(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).setJsonName(name);
    }
}
