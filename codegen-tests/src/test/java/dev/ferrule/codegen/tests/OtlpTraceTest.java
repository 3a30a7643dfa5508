package dev.ferrule.codegen.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import io.opentelemetry.proto.collector.trace.v1.ferrule.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ferrule.TraceServiceProto;
import io.opentelemetry.proto.common.v1.ferrule.AnyValue;
import io.opentelemetry.proto.common.v1.ferrule.ArrayValue;
import io.opentelemetry.proto.common.v1.ferrule.InstrumentationScope;
import io.opentelemetry.proto.common.v1.ferrule.KeyValue;
import io.opentelemetry.proto.common.v1.ferrule.KeyValueList;
import io.opentelemetry.proto.resource.v1.ferrule.Resource;
import io.opentelemetry.proto.trace.v1.ferrule.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ferrule.ScopeSpans;
import io.opentelemetry.proto.trace.v1.ferrule.Span;
import io.opentelemetry.proto.trace.v1.ferrule.Status;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Typed OTLP trace flyweights against protobuf-java's OTLP classes: every field read from the same bytes
 * agrees, and a request built with the typed builders encodes to protobuf-java's bytes, on both engines.
 */
class OtlpTraceTest {
    private static final io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest SAMPLE = sample();

    static io.opentelemetry.proto.common.v1.AnyValue any(Object v) {
        var b = io.opentelemetry.proto.common.v1.AnyValue.newBuilder();
        if (v instanceof String s) {
            b.setStringValue(s);
        } else if (v instanceof Long l) {
            b.setIntValue(l);
        } else if (v instanceof Double d) {
            b.setDoubleValue(d);
        } else if (v instanceof Boolean z) {
            b.setBoolValue(z);
        } else if (v instanceof byte[] bytes) {
            b.setBytesValue(ByteString.copyFrom(bytes));
        } else if (v instanceof List<?> list) {
            var array = io.opentelemetry.proto.common.v1.ArrayValue.newBuilder();
            list.forEach(x -> array.addValues(any(x)));
            b.setArrayValue(array);
        } else if (v instanceof io.opentelemetry.proto.common.v1.KeyValueList kvs) {
            b.setKvlistValue(kvs);
        }
        return b.build();
    }

    static io.opentelemetry.proto.common.v1.KeyValue kv(String key, Object value) {
        return io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey(key).setValue(any(value)).build();
    }

    static io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest sample() {
        var span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
                .setSpanId(ByteString.copyFrom(new byte[] {-1, -2, -3, -4, -5, -6, -7, -8}))
                .setTraceState("k=v").setParentSpanId(ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9, 9, 9, 9}))
                .setFlags(0x301).setName("GET /ünïcødé/🚀")
                .setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT)
                .setStartTimeUnixNano(1_700_000_000_123_456_789L).setEndTimeUnixNano(-1L)
                .addAttributes(kv("http.method", "GET")).addAttributes(kv("count", 42L))
                .addAttributes(kv("ratio", -0.5)).addAttributes(kv("ok", true)).addAttributes(kv("raw", new byte[] {0, 1}))
                .addAttributes(kv("list", List.of("a", 1L, List.of(true))))
                .addAttributes(kv("map", io.opentelemetry.proto.common.v1.KeyValueList.newBuilder()
                        .addValues(kv("inner", "x")).build()))
                .addAttributes(io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey("unset"))
                .setDroppedAttributesCount(3)
                .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder().setTimeUnixNano(5).setName("ev")
                        .addAttributes(kv("e", 1L)).setDroppedAttributesCount(1))
                .setDroppedEventsCount(7)
                .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                        .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
                        .setTraceState("t").addAttributes(kv("l", "v")).setDroppedAttributesCount(2).setFlags(1))
                .setDroppedLinksCount(8)
                .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder().setMessage("boom")
                        .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR));
        var bare = io.opentelemetry.proto.trace.v1.Span.newBuilder().setName("bare");
        var scope = io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder()
                .setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder().setName("lib")
                        .setVersion("1.0").addAttributes(kv("s", "t")).setDroppedAttributesCount(4))
                .addSpans(span).addSpans(bare).setSchemaUrl("https://schema/1");
        var resource = io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder()
                .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                        .addAttributes(kv("service.name", "cart")).setDroppedAttributesCount(9))
                .addScopeSpans(scope).addScopeSpans(io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder())
                .setSchemaUrl("https://schema/2");
        return io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(resource).addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder())
                .build();
    }

    static List<BackendKind> backends() {
        return Engines.both().toList();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void typedReadsAgreeWithProtobufJava(BackendKind backend) throws Exception {
        ProtoCodec codec = Engines.codec(TraceServiceProto.schema(), backend);
        Arena arena = Arena.allocate(1 << 20);
        byte[] vector = Files.readAllBytes(Path.of(System.getProperty("ferrule.test.otlpVector")));
        for (byte[] bytes : List.of(SAMPLE.toByteArray(), vector)) {
            var expected = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.parseFrom(bytes);
            ExportTraceServiceRequest request = new ExportTraceServiceRequest().decode(codec, Engines.direct(bytes), arena);
            assertRequest(expected, request);
            arena.reset();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void typedBuildersEncodeProtobufJavasBytes(BackendKind backend) {
        ProtoCodec codec = Engines.codec(TraceServiceProto.schema(), backend);
        Arena arena = Arena.allocate(1 << 20);
        ExportTraceServiceRequest.Builder request = new ExportTraceServiceRequest.Builder().start(codec, arena);
        ResourceSpans.Builder rs = new ResourceSpans.Builder();
        ScopeSpans.Builder ss = new ScopeSpans.Builder();
        Span.Builder span = new Span.Builder();
        for (var r : SAMPLE.getResourceSpansList()) {
            request.addResourceSpans(rs);
            if (r.hasResource()) {
                Resource.Builder resource = rs.mutableResource(new Resource.Builder());
                r.getResource().getAttributesList().forEach(a -> copy(a, resource.addAttributes(new KeyValue.Builder())));
                resource.setDroppedAttributesCount(r.getResource().getDroppedAttributesCount());
            }
            rs.setSchemaUrl(r.getSchemaUrl());
            for (var s : r.getScopeSpansList()) {
                rs.addScopeSpans(ss);
                if (s.hasScope()) {
                    InstrumentationScope.Builder scope = ss.mutableScope(new InstrumentationScope.Builder())
                            .setName(s.getScope().getName()).setVersion(s.getScope().getVersion())
                            .setDroppedAttributesCount(s.getScope().getDroppedAttributesCount());
                    s.getScope().getAttributesList().forEach(a -> copy(a, scope.addAttributes(new KeyValue.Builder())));
                }
                for (var p : s.getSpansList()) {
                    copy(p, ss.addSpans(span));
                }
                ss.setSchemaUrl(s.getSchemaUrl());
            }
        }
        ByteBuffer out = ByteBuffer.allocateDirect(request.encodedLength(codec));
        request.encode(codec, out);
        assertArrayEquals(SAMPLE.toByteArray(), Engines.written(out));

        // The builder's own reader sees what was built.
        ExportTraceServiceRequest read = request.reader(new ExportTraceServiceRequest());
        assertRequest(SAMPLE, read);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void unknownEnumNumbersKeepTheirIntAndReadAsUnrecognized(BackendKind backend) {
        byte[] bytes = io.opentelemetry.proto.trace.v1.Span.newBuilder().setKindValue(77).build().toByteArray();
        ProtoCodec codec = Engines.codec(TraceServiceProto.schema(), backend);
        Span span = new Span().decode(codec, Engines.direct(bytes), Arena.allocate(4096));
        assertEquals(77, span.kind());
        assertSame(Span.SpanKind.UNRECOGNIZED, span.kindEnum());
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER_VALUE, Span.SpanKind.SPAN_KIND_SERVER.number());
        assertSame(Span.SpanKind.SPAN_KIND_SERVER, Span.SpanKind.forNumber(2));
        assertThrows(IllegalStateException.class, Span.SpanKind.UNRECOGNIZED::number);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void wrapTakesOnlyItsOwnType(BackendKind backend) {
        ProtoCodec codec = Engines.codec(TraceServiceProto.schema(), backend);
        byte[] bytes = SAMPLE.getResourceSpans(0).getScopeSpans(0).getSpans(0).toByteArray();
        MessageReader dynamic = codec.decode(Span.TYPE, Engines.direct(bytes), Arena.allocate(1 << 16));
        assertEquals("GET /ünïcødé/🚀", new Span().wrap(dynamic).name());
        FerruleException e = assertThrows(FerruleException.class, () -> new Status().wrap(dynamic));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    /** The typed fast path keeps the checks that protect users: stale arenas and bad indexes throw. */
    @ParameterizedTest
    @MethodSource("backends")
    void staleArenasAndBadIndexesAreErrors(BackendKind backend) {
        ProtoCodec codec = Engines.codec(TraceServiceProto.schema(), backend);
        Arena arena = Arena.allocate(1 << 16);
        byte[] bytes = SAMPLE.getResourceSpans(0).getScopeSpans(0).getSpans(0).toByteArray();
        Span span = new Span().decode(codec, Engines.direct(bytes), arena);
        assertEquals(8, span.attributesCount());
        assertThrows(IndexOutOfBoundsException.class, () -> span.attributes(8, new KeyValue()));
        assertThrows(IndexOutOfBoundsException.class, () -> span.attributes(-1, new KeyValue()));
        KeyValue kv = span.attributes(0, new KeyValue());
        arena.reset();
        assertEquals(ErrorCode.ARENA_STALE, assertThrows(FerruleException.class, span::startTimeUnixNano).code());
        assertEquals(ErrorCode.ARENA_STALE, assertThrows(FerruleException.class, () -> kv.key(new Utf8View())).code());
        assertEquals(ErrorCode.ARENA_STALE, assertThrows(FerruleException.class, span::attributesCount).code());
        assertThrows(IllegalStateException.class, () -> new Span().name(new Utf8View()));
    }

    private static void copy(io.opentelemetry.proto.trace.v1.Span p, Span.Builder span) {
        span.setTraceId(p.getTraceId().toByteArray()).setSpanId(p.getSpanId().toByteArray())
                .setTraceState(p.getTraceState()).setParentSpanId(p.getParentSpanId().toByteArray()).setFlags(p.getFlags())
                .setName(p.getName()).setKind(Span.SpanKind.forNumber(p.getKindValue()))
                .setStartTimeUnixNano(p.getStartTimeUnixNano()).setEndTimeUnixNano(p.getEndTimeUnixNano());
        p.getAttributesList().forEach(a -> copy(a, span.addAttributes(new KeyValue.Builder())));
        span.setDroppedAttributesCount(p.getDroppedAttributesCount());
        for (var e : p.getEventsList()) {
            Span.Event.Builder event = span.addEvents(new Span.Event.Builder()).setTimeUnixNano(e.getTimeUnixNano())
                    .setName(e.getName());
            e.getAttributesList().forEach(a -> copy(a, event.addAttributes(new KeyValue.Builder())));
            event.setDroppedAttributesCount(e.getDroppedAttributesCount());
        }
        span.setDroppedEventsCount(p.getDroppedEventsCount());
        for (var l : p.getLinksList()) {
            Span.Link.Builder link = span.addLinks(new Span.Link.Builder()).setTraceId(l.getTraceId().toByteArray())
                    .setSpanId(l.getSpanId().toByteArray()).setTraceState(l.getTraceState());
            l.getAttributesList().forEach(a -> copy(a, link.addAttributes(new KeyValue.Builder())));
            link.setDroppedAttributesCount(l.getDroppedAttributesCount()).setFlags(l.getFlags());
        }
        span.setDroppedLinksCount(p.getDroppedLinksCount());
        if (p.hasStatus()) {
            span.mutableStatus(new Status.Builder()).setMessage(p.getStatus().getMessage())
                    .setCode(p.getStatus().getCodeValue());
        }
    }

    private static void copy(io.opentelemetry.proto.common.v1.KeyValue p, KeyValue.Builder kv) {
        kv.setKey(p.getKey());
        if (p.hasValue()) {
            copy(p.getValue(), kv.mutableValue(new AnyValue.Builder()));
        }
    }

    private static void copy(io.opentelemetry.proto.common.v1.AnyValue p, AnyValue.Builder v) {
        switch (p.getValueCase()) {
            case STRING_VALUE -> v.setStringValue(p.getStringValue());
            case INT_VALUE -> v.setIntValue(p.getIntValue());
            case DOUBLE_VALUE -> v.setDoubleValue(p.getDoubleValue());
            case BOOL_VALUE -> v.setBoolValue(p.getBoolValue());
            case BYTES_VALUE -> v.setBytesValue(p.getBytesValue().toByteArray());
            case ARRAY_VALUE -> {
                ArrayValue.Builder array = v.mutableArrayValue(new ArrayValue.Builder());
                p.getArrayValue().getValuesList().forEach(x -> copy(x, array.addValues(new AnyValue.Builder())));
            }
            case KVLIST_VALUE -> {
                KeyValueList.Builder list = v.mutableKvlistValue(new KeyValueList.Builder());
                p.getKvlistValue().getValuesList().forEach(x -> copy(x, list.addValues(new KeyValue.Builder())));
            }
            default -> { }
        }
    }

    static void assertRequest(io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest expected,
            ExportTraceServiceRequest actual) {
        assertEquals(expected.getResourceSpansCount(), actual.resourceSpansCount());
        ResourceSpans rs = new ResourceSpans();
        ScopeSpans ss = new ScopeSpans();
        Span span = new Span();
        for (int i = 0; i < expected.getResourceSpansCount(); i++) {
            var r = expected.getResourceSpans(i);
            actual.resourceSpans(i, rs);
            assertEquals(r.hasResource(), rs.hasResource());
            Resource resource = rs.resource(new Resource());
            assertEquals(r.hasResource(), resource.isPresent());
            assertAttributes(r.getResource().getAttributesList(), resource.attributesCount(), resource::attributes);
            assertEquals(r.getResource().getDroppedAttributesCount(), resource.droppedAttributesCount());
            assertEquals(r.getSchemaUrl(), rs.schemaUrl());
            assertEquals(r.getScopeSpansCount(), rs.scopeSpansCount());
            for (int j = 0; j < r.getScopeSpansCount(); j++) {
                var s = r.getScopeSpans(j);
                rs.scopeSpans(j, ss);
                InstrumentationScope scope = ss.scope();
                assertEquals(s.hasScope(), ss.hasScope());
                assertEquals(s.getScope().getName(), scope.name());
                assertEquals(s.getScope().getVersion(), scope.version());
                assertAttributes(s.getScope().getAttributesList(), scope.attributesCount(), scope::attributes);
                assertEquals(s.getScope().getDroppedAttributesCount(), scope.droppedAttributesCount());
                assertEquals(s.getSchemaUrl(), ss.schemaUrl());
                assertEquals(s.getSpansCount(), ss.spansCount());
                for (int k = 0; k < s.getSpansCount(); k++) {
                    assertSpan(s.getSpans(k), ss.spans(k, span));
                }
            }
        }
    }

    static void assertSpan(io.opentelemetry.proto.trace.v1.Span p, Span span) {
        Utf8View view = new Utf8View();
        assertArrayEquals(p.getTraceId().toByteArray(), span.traceId());
        assertEquals(p.getTraceId().size(), span.traceId(view).byteLength());
        assertArrayEquals(p.getSpanId().toByteArray(), span.spanId());
        assertEquals(p.getTraceState(), span.traceState());
        assertArrayEquals(p.getParentSpanId().toByteArray(), span.parentSpanId());
        assertEquals(p.getFlags(), span.flags());
        assertEquals(p.getName(), span.name());
        assertTrue(span.name(view).contentEquals(p.getName()));
        assertEquals(p.getKindValue(), span.kind());
        assertEquals(p.getKind().name(), span.kindEnum().name());
        assertEquals(p.getStartTimeUnixNano(), span.startTimeUnixNano());
        assertEquals(p.getEndTimeUnixNano(), span.endTimeUnixNano());
        assertAttributes(p.getAttributesList(), span.attributesCount(), span::attributes);
        assertEquals(p.getDroppedAttributesCount(), span.droppedAttributesCount());
        assertEquals(p.getEventsCount(), span.eventsCount());
        Span.Event event = new Span.Event();
        for (int i = 0; i < p.getEventsCount(); i++) {
            var e = p.getEvents(i);
            span.events(i, event);
            assertEquals(e.getTimeUnixNano(), event.timeUnixNano());
            assertEquals(e.getName(), event.name());
            assertAttributes(e.getAttributesList(), event.attributesCount(), event::attributes);
            assertEquals(e.getDroppedAttributesCount(), event.droppedAttributesCount());
        }
        assertEquals(p.getDroppedEventsCount(), span.droppedEventsCount());
        assertEquals(p.getLinksCount(), span.linksCount());
        for (int i = 0; i < p.getLinksCount(); i++) {
            var l = p.getLinks(i);
            Span.Link link = span.links(i);
            assertArrayEquals(l.getTraceId().toByteArray(), link.traceId());
            assertArrayEquals(l.getSpanId().toByteArray(), link.spanId());
            assertEquals(l.getTraceState(), link.traceState());
            assertAttributes(l.getAttributesList(), link.attributesCount(), link::attributes);
            assertEquals(l.getDroppedAttributesCount(), link.droppedAttributesCount());
            assertEquals(l.getFlags(), link.flags());
        }
        assertEquals(p.getDroppedLinksCount(), span.droppedLinksCount());
        assertEquals(p.hasStatus(), span.hasStatus());
        Status status = span.status(new Status());
        assertEquals(p.getStatus().getMessage(), status.message());
        assertEquals(p.getStatus().getCodeValue(), status.code());
        assertEquals(p.getStatus().getCode().name(), status.codeEnum().name());
    }

    interface Indexed<T> {
        T get(int index, T into);
    }

    static void assertAttributes(List<io.opentelemetry.proto.common.v1.KeyValue> expected, int count,
            Indexed<KeyValue> attributes) {
        assertEquals(expected.size(), count);
        KeyValue kv = new KeyValue();
        for (int i = 0; i < count; i++) {
            attributes.get(i, kv);
            assertEquals(expected.get(i).getKey(), kv.key());
            assertEquals(expected.get(i).hasValue(), kv.hasValue());
            assertAny(expected.get(i).getValue(), kv.value());
        }
    }

    static void assertAny(io.opentelemetry.proto.common.v1.AnyValue p, AnyValue v) {
        assertEquals(p.getValueCase().getNumber(), v.valueCase());
        assertEquals(p.getValueCase().name(), v.valueCaseEnum().name());
        assertEquals(p.getStringValue(), v.stringValue());
        assertEquals(p.hasStringValue(), v.hasStringValue());
        assertEquals(p.getIntValue(), v.intValue());
        assertEquals(p.hasIntValue(), v.hasIntValue());
        assertEquals(p.getDoubleValue(), v.doubleValue());
        assertEquals(p.getBoolValue(), v.boolValue());
        assertArrayEquals(p.getBytesValue().toByteArray(), v.bytesValue());
        assertEquals(p.hasArrayValue(), v.hasArrayValue());
        ArrayValue array = v.arrayValue();
        assertEquals(p.getArrayValue().getValuesCount(), array.valuesCount());
        for (int i = 0; i < array.valuesCount(); i++) {
            assertAny(p.getArrayValue().getValues(i), array.values(i));
        }
        KeyValueList list = v.kvlistValue();
        assertEquals(p.hasKvlistValue(), v.hasKvlistValue());
        assertAttributes(p.getKvlistValue().getValuesList(), list.valuesCount(), list::values);
        if (!p.hasArrayValue()) {
            assertFalse(array.isPresent());
        }
    }
}
