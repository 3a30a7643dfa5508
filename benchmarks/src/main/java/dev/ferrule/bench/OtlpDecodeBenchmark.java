package dev.ferrule.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.ferrule.BackendKind;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceProto;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Issue 3's sanity check: decode an OTLP ExportTraceServiceRequest of 100 spans and read every span
 * name, with Ferrule (native and pure Java) and protobuf-java side by side in one run.
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar OtlpDecode}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class OtlpDecodeBenchmark {
    @Param({"NATIVE", "JAVA"})
    public String backend;

    private byte[] wire;
    private ByteBuffer input;
    private ProtoCodec codec;
    private Arena arena;
    private MessageType request;
    private FieldInfo resourceSpans;
    private FieldInfo scopeSpans;
    private FieldInfo spans;
    private FieldInfo name;
    private final MessageReader root = new MessageReader();
    private final MessageReader rs = new MessageReader();
    private final MessageReader ss = new MessageReader();
    private final MessageReader span = new MessageReader();
    private final Utf8View text = new Utf8View();

    @Setup
    public void setup() {
        wire = trace(100).toByteArray();
        input = ByteBuffer.allocateDirect(wire.length);
        input.put(wire).flip();
        Schema schema = Schema.fromDescriptorSet(descriptorSet(TraceServiceProto.getDescriptor()));
        request = schema.message("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
        resourceSpans = request.field("resource_spans");
        scopeSpans = resourceSpans.messageType().field("scope_spans");
        spans = scopeSpans.messageType().field("spans");
        name = spans.messageType().field("name");
        codec = ProtoCodec.builder(schema).backend(BackendKind.valueOf(backend)).build();
        arena = Arena.allocate(1 << 20);
    }

    @Benchmark
    public void ferrule(Blackhole bh) {
        arena.reset();
        input.position(0);
        codec.decode(request, input, arena, root);
        for (int i = 0, n = root.count(resourceSpans); i < n; i++) {
            root.getMessage(resourceSpans, i, rs);
            for (int j = 0, m = rs.count(scopeSpans); j < m; j++) {
                rs.getMessage(scopeSpans, j, ss);
                for (int k = 0, s = ss.count(spans); k < s; k++) {
                    bh.consume(ss.getMessage(spans, k, span).getString(name, text).byteLength());
                }
            }
        }
    }

    @Benchmark
    public void protobufJava(Blackhole bh) throws Exception {
        ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(wire);
        for (ResourceSpans r : parsed.getResourceSpansList()) {
            for (ScopeSpans s : r.getScopeSpansList()) {
                for (Span sp : s.getSpansList()) {
                    bh.consume(sp.getNameBytes().size());
                }
            }
        }
    }

    static ExportTraceServiceRequest trace(int n) {
        Random r = new Random(42);
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < n; i++) {
            Span.Builder s = Span.newBuilder().setName("GET /api/v1/users/" + r.nextInt(100000))
                    .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
                    .setStartTimeUnixNano(r.nextLong()).setEndTimeUnixNano(r.nextLong()).setKindValue(2);
            for (int a = 0; a < 4; a++) {
                s.addAttributes(KeyValue.newBuilder().setKey("http.attr." + a)
                        .setValue(AnyValue.newBuilder().setStringValue("value-" + r.nextInt(1000))));
            }
            scope.addSpans(s);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope)).build();
    }

    static byte[] descriptorSet(FileDescriptor file) {
        Map<String, FileDescriptorProto> files = new LinkedHashMap<>();
        add(file, files);
        return FileDescriptorSet.newBuilder().addAllFile(files.values()).build().toByteArray();
    }

    private static void add(FileDescriptor file, Map<String, FileDescriptorProto> into) {
        if (!into.containsKey(file.getName())) {
            file.getDependencies().forEach(d -> add(d, into));
            into.put(file.getName(), file.toProto());
        }
    }
}
