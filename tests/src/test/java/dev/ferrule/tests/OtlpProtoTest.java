package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Message;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceProto;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceProto;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceProto;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real schemas against protobuf-java on both backends: OTLP traces, and descriptor.proto decoding the
 * OTLP descriptors themselves. Every field must read as protobuf-java reads it, re-encoding must
 * reproduce protobuf-java's bytes exactly, and both engines must leave identical arenas.
 */
class OtlpProtoTest {
    static final Schema OTLP = Schema.fromDescriptorSet(ProtoOracle.descriptorSet(TraceServiceProto.getDescriptor(),
            MetricsServiceProto.getDescriptor(), LogsServiceProto.getDescriptor()));
    static final MessageType REQUEST = OTLP.message("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");

    static Stream<BackendKind> backends() {
        return Backends.both();
    }

    static ExportTraceServiceRequest randomTrace(Random r, int spans) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.ferrule.test").setVersion("1." + r.nextInt(9)));
        for (int i = 0; i < spans; i++) {
            Span.Builder span = Span.newBuilder()
                    .setTraceId(ByteString.copyFrom(bytes(r, 16)))
                    .setSpanId(ByteString.copyFrom(bytes(r, 8)))
                    .setName(r.nextInt(5) == 0 ? "GET /ünïcødé/" + i + " \uD83D\uDE80" : "GET /users/" + r.nextInt(1000))
                    .setKind(Span.SpanKind.forNumber(r.nextInt(6)))
                    .setStartTimeUnixNano(r.nextLong())
                    .setEndTimeUnixNano(r.nextLong())
                    .setDroppedAttributesCount(r.nextInt(3) == 0 ? r.nextInt() : 0)
                    .setStatus(Status.newBuilder().setCodeValue(r.nextInt(3)).setMessage(r.nextBoolean() ? "" : "oops"));
            for (int a = r.nextInt(6); a > 0; a--) {
                span.addAttributes(KeyValue.newBuilder().setKey("attr." + a).setValue(randomValue(r, 0)));
            }
            for (int e = r.nextInt(3); e > 0; e--) {
                span.addEvents(Span.Event.newBuilder().setName("event" + e).setTimeUnixNano(r.nextLong()));
            }
            scope.addSpans(span);
        }
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(
                                KeyValue.newBuilder().setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("checkout"))))
                        .addScopeSpans(scope)
                        .setSchemaUrl(r.nextBoolean() ? "https://opentelemetry.io/schemas/1.21.0" : ""))
                .build();
    }

    static AnyValue randomValue(Random r, int depth) {
        AnyValue.Builder v = AnyValue.newBuilder();
        switch (r.nextInt(depth < 2 ? 7 : 5)) {
            case 0 -> v.setStringValue("value-" + r.nextInt());
            case 1 -> v.setBoolValue(r.nextBoolean());
            case 2 -> v.setIntValue(r.nextLong());
            case 3 -> v.setDoubleValue(r.nextInt(4) == 0 ? -0.0 : r.nextDouble() * 1e9);
            case 4 -> v.setBytesValue(ByteString.copyFrom(bytes(r, r.nextInt(10))));
            default -> {
                ArrayValue.Builder array = ArrayValue.newBuilder();
                for (int i = r.nextInt(4); i > 0; i--) {
                    array.addValues(randomValue(r, depth + 1));
                }
                v.setArrayValue(array);
            }
        }
        return v.build();
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static ByteBuffer direct(byte[] bytes) {
        return Backends.direct(bytes);
    }

    /** Decodes, compares every field with protobuf-java, re-encodes, and compares the bytes. */
    static MessageReader roundTrip(ProtoCodec codec, MessageType type, Message expected, Arena arena) {
        byte[] wire = expected.toByteArray();
        MessageReader reader = codec.decode(type, direct(wire), arena);
        ProtoOracle.assertSameFields(expected, reader, type.name());
        assertEquals(wire.length, codec.encodedLength(reader));
        ByteBuffer out = ByteBuffer.allocateDirect(wire.length);
        assertEquals(wire.length, codec.encode(reader, out));
        assertArrayEquals(wire, Backends.bytes(out, 0, wire.length), "re-encoding reproduces protobuf-java's bytes");
        return reader;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void tracesReadAndReEncodeExactlyAsProtobufJava(BackendKind backend) {
        ProtoCodec codec = ProtoCodec.builder(OTLP).backend(backend).build();
        Arena arena = Arena.allocate(1 << 20);
        Random r = new Random(2024);
        for (int round = 0; round < 300; round++) {
            arena.reset();
            roundTrip(codec, REQUEST, randomTrace(r, r.nextInt(20)), arena);
        }
    }

    @Test
    void bothEnginesLeaveIdenticalArenas() {
        ProtoCodec nativeCodec = ProtoCodec.builder(OTLP).backend(BackendKind.NATIVE).build();
        ProtoCodec javaCodec = ProtoCodec.builder(OTLP).backend(BackendKind.JAVA).build();
        Arena a = Arena.allocate(1 << 20);
        Arena b = Arena.allocate(1 << 20);
        Random r = new Random(7);
        for (int round = 0; round < 100; round++) {
            a.reset();
            b.reset();
            byte[] wire = randomTrace(r, r.nextInt(30)).toByteArray();
            nativeCodec.decode(REQUEST, direct(wire), a);
            javaCodec.decode(REQUEST, direct(wire), b);
            assertEquals(b.used(), a.used(), "round " + round);
            assertEquals(b.contents(), a.contents(), "round " + round);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void spanNamesReadWithoutAllocation(BackendKind backend) {
        ProtoCodec codec = ProtoCodec.builder(OTLP).backend(backend).build();
        MessageType request = REQUEST;
        FieldInfo resourceSpans = request.field("resource_spans");
        FieldInfo scopeSpans = resourceSpans.messageType().field("scope_spans");
        FieldInfo spans = scopeSpans.messageType().field("spans");
        FieldInfo name = spans.messageType().field("name");
        ExportTraceServiceRequest expected = randomTrace(new Random(1), 25);
        Arena arena = Arena.allocate(1 << 16);
        MessageReader root = new MessageReader();
        MessageReader rs = new MessageReader();
        MessageReader ss = new MessageReader();
        MessageReader span = new MessageReader();
        Utf8View text = new Utf8View();
        codec.decode(request, direct(expected.toByteArray()), arena, root);
        root.getMessage(resourceSpans, 0, rs).getMessage(scopeSpans, 0, ss);
        assertEquals(25, ss.count(spans));
        for (int i = 0; i < ss.count(spans); i++) {
            CharSequence spanName = ss.getMessage(spans, i, span).getString(name, text);
            assertTrue(text.contentEquals(expected.getResourceSpans(0).getScopeSpans(0).getSpans(i).getName()),
                    spanName.toString());
        }
        arena.reset();
        FerruleException stale = assertThrows(FerruleException.class, () -> span.getString(name, text));
        assertEquals(ErrorCode.ARENA_STALE, stale.code());
    }

    /** descriptor.proto decoding the richest real descriptors at hand: OTLP's own. */
    @ParameterizedTest
    @MethodSource("backends")
    void descriptorProtoDecodesRealDescriptors(BackendKind backend) throws Exception {
        Schema descriptors = Schema.fromDescriptorSet(
                ProtoOracle.descriptorSet(com.google.protobuf.DescriptorProtos.getDescriptor()));
        MessageType setType = descriptors.message("google.protobuf.FileDescriptorSet");
        ProtoCodec codec = ProtoCodec.builder(descriptors).backend(backend).build();
        byte[] otlp = ProtoOracle.descriptorSet(TraceServiceProto.getDescriptor(), MetricsServiceProto.getDescriptor(),
                LogsServiceProto.getDescriptor());
        roundTrip(codec, setType, FileDescriptorSet.parseFrom(otlp), Arena.allocate(1 << 22));
    }

    /** An unset proto2 enum reads as the enum's first declared value, which need not be 0. */
    @ParameterizedTest
    @MethodSource("backends")
    void unsetProto2EnumsReadAsTheirFirstDeclaredValue(BackendKind backend) {
        Schema descriptors = Schema.fromDescriptorSet(
                ProtoOracle.descriptorSet(com.google.protobuf.DescriptorProtos.getDescriptor()));
        MessageType fieldType = descriptors.message("google.protobuf.FieldDescriptorProto");
        ProtoCodec codec = ProtoCodec.builder(descriptors).backend(backend).build();
        com.google.protobuf.DescriptorProtos.FieldDescriptorProto empty =
                com.google.protobuf.DescriptorProtos.FieldDescriptorProto.getDefaultInstance();
        MessageReader reader = roundTrip(codec, fieldType, empty, Arena.allocate(4096));
        assertEquals(empty.getType().getNumber(), reader.getInt(fieldType.field("type")));
        assertEquals(1, reader.getInt(fieldType.field("label")), "LABEL_OPTIONAL is declared first");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void badInputNamesTheFieldAndOffset(BackendKind backend) {
        ProtoCodec codec = ProtoCodec.builder(OTLP).backend(backend).build();
        Span span = Span.newBuilder().setName("abcdef").build();
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
        byte[] wire = request.toByteArray();
        int at = indexOf(wire, "abcdef".getBytes());
        wire[at + 2] = (byte) 0xFF;
        FerruleException e = assertThrows(FerruleException.class,
                () -> codec.decode(REQUEST, direct(wire), Arena.allocate(4096)));
        assertEquals(ErrorCode.PROTO_INVALID_UTF8, e.code());
        assertEquals(at, e.offset());
        assertEquals("resource_spans[0].scope_spans[0].spans[0].name", e.fieldPath());

        byte[] cut = java.util.Arrays.copyOf(request.toByteArray(), wire.length - 3);
        FerruleException truncated = assertThrows(FerruleException.class,
                () -> codec.decode(REQUEST, direct(cut), Arena.allocate(4096)));
        assertEquals(ErrorCode.PROTO_TRUNCATED, truncated.code());

        byte[] whole = request.toByteArray();
        ProtoCodec limited = ProtoCodec.builder(OTLP).backend(backend).maxMessageLength(whole.length - 1).build();
        ByteBuffer tooLarge = direct(whole);
        tooLarge.position(0);
        FerruleException large = assertThrows(FerruleException.class,
                () -> limited.decode(REQUEST, tooLarge, Arena.allocate(4096)));
        assertEquals(ErrorCode.PROTO_MESSAGE_TOO_LARGE, large.code());
        assertEquals(0, large.offset(), "the message's first byte");
        assertEquals(0, tooLarge.position(), "nothing consumed");
        assertTrue(ProtoCodec.builder(OTLP).backend(backend).maxMessageLength(whole.length).build()
                .decode(REQUEST, direct(whole), Arena.allocate(4096)).isPresent(), "the limit itself is allowed");

        Arena small = Arena.allocate(64);
        int used = small.used();
        FerruleException full = assertThrows(FerruleException.class,
                () -> codec.decode(REQUEST, direct(request.toByteArray()), small));
        assertEquals(ErrorCode.ARENA_EXHAUSTED, full.code());
        assertEquals(used, small.used(), "a failed decode gives back the arena");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void schemasFromProtocMatchTheJavaDescriptors(BackendKind backend) throws Exception {
        Path protos = Path.of(System.getProperty("ferrule.test.otlpProtos"));
        Path traceService = protos.resolve("opentelemetry/proto/collector/trace/v1/trace_service.proto");
        assertTrue(Files.isRegularFile(traceService), traceService.toString());
        Schema fromProtoc = Schema.fromProtoFiles(List.of(traceService), List.of(protos));
        MessageType request = fromProtoc.message(REQUEST.name());
        ProtoCodec codec = ProtoCodec.builder(fromProtoc).backend(backend).build();
        roundTrip(codec, request, randomTrace(new Random(3), 10), Arena.allocate(1 << 20));
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
