package dev.ferrule.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.Random;
import us.hebi.quickbuf.RepeatedMessage;

/**
 * (c) An OTLP ExportTraceServiceRequest of 100 spans, each with a trace and span id, a name, a kind,
 * start and end times and 4 string attributes, as an OpenTelemetry collector receives them.
 */
final class OtlpTraceFixture extends Fixture<ExportTraceServiceRequest,
        dev.ferrule.bench.quickbuf.otlp.collector.trace.v1.ExportTraceServiceRequest> {
    static final int SPANS = 100;
    static final int ATTRIBUTES = 4;

    private final String[] names = new String[SPANS];
    private final byte[][] traceIds = new byte[SPANS][16];
    private final byte[][] spanIds = new byte[SPANS][8];
    private final long[] starts = new long[SPANS];
    private final long[] ends = new long[SPANS];
    private final String[] keys = new String[ATTRIBUTES];
    private final String[][] values = new String[SPANS][ATTRIBUTES];

    private final FieldInfo resourceSpans = type.field("resource_spans");
    private final FieldInfo scopeSpans = resourceSpans.messageType().field("scope_spans");
    private final FieldInfo spans = scopeSpans.messageType().field("spans");
    private final FieldInfo traceId = spans.messageType().field("trace_id");
    private final FieldInfo spanId = spans.messageType().field("span_id");
    private final FieldInfo name = spans.messageType().field("name");
    private final FieldInfo kind = spans.messageType().field("kind");
    private final FieldInfo start = spans.messageType().field("start_time_unix_nano");
    private final FieldInfo end = spans.messageType().field("end_time_unix_nano");
    private final FieldInfo attributes = spans.messageType().field("attributes");
    private final FieldInfo key = attributes.messageType().field("key");
    private final FieldInfo value = attributes.messageType().field("value");
    private final FieldInfo stringValue = value.messageType().field("string_value");

    private final MessageReader rs = new MessageReader();
    private final MessageReader ss = new MessageReader();
    private final MessageReader span = new MessageReader();
    private final MessageReader attribute = new MessageReader();
    private final MessageReader anyValue = new MessageReader();
    private final MessageBuilder rsBuilder = new MessageBuilder();
    private final MessageBuilder ssBuilder = new MessageBuilder();
    private final MessageBuilder spanBuilder = new MessageBuilder();
    private final MessageBuilder attributeBuilder = new MessageBuilder();
    private final MessageBuilder valueBuilder = new MessageBuilder();
    private final Utf8View text = new Utf8View();

    private final io.opentelemetry.proto.collector.trace.v1.ferrule.ExportTraceServiceRequest typed =
            new io.opentelemetry.proto.collector.trace.v1.ferrule.ExportTraceServiceRequest();
    private final io.opentelemetry.proto.trace.v1.ferrule.ResourceSpans typedRs =
            new io.opentelemetry.proto.trace.v1.ferrule.ResourceSpans();
    private final io.opentelemetry.proto.trace.v1.ferrule.ScopeSpans typedSs = new io.opentelemetry.proto.trace.v1.ferrule.ScopeSpans();
    private final io.opentelemetry.proto.trace.v1.ferrule.Span typedSpan = new io.opentelemetry.proto.trace.v1.ferrule.Span();
    private final io.opentelemetry.proto.common.v1.ferrule.KeyValue typedAttribute =
            new io.opentelemetry.proto.common.v1.ferrule.KeyValue();
    private final io.opentelemetry.proto.common.v1.ferrule.AnyValue typedValue =
            new io.opentelemetry.proto.common.v1.ferrule.AnyValue();
    private final io.opentelemetry.proto.collector.trace.v1.ferrule.ExportTraceServiceRequest.Builder typedBuilder =
            new io.opentelemetry.proto.collector.trace.v1.ferrule.ExportTraceServiceRequest.Builder();
    private final io.opentelemetry.proto.trace.v1.ferrule.ResourceSpans.Builder typedRsBuilder =
            new io.opentelemetry.proto.trace.v1.ferrule.ResourceSpans.Builder();
    private final io.opentelemetry.proto.trace.v1.ferrule.ScopeSpans.Builder typedSsBuilder =
            new io.opentelemetry.proto.trace.v1.ferrule.ScopeSpans.Builder();
    private final io.opentelemetry.proto.trace.v1.ferrule.Span.Builder typedSpanBuilder =
            new io.opentelemetry.proto.trace.v1.ferrule.Span.Builder();
    private final io.opentelemetry.proto.common.v1.ferrule.KeyValue.Builder typedAttributeBuilder =
            new io.opentelemetry.proto.common.v1.ferrule.KeyValue.Builder();
    private final io.opentelemetry.proto.common.v1.ferrule.AnyValue.Builder typedValueBuilder =
            new io.opentelemetry.proto.common.v1.ferrule.AnyValue.Builder();

    OtlpTraceFixture() {
        super(io.opentelemetry.proto.collector.trace.v1.ferrule.ExportTraceServiceRequest.TYPE);
        Random r = new Random(42);
        for (int a = 0; a < ATTRIBUTES; a++) {
            keys[a] = "http.attr." + a;
        }
        for (int i = 0; i < SPANS; i++) {
            names[i] = "GET /api/v1/users/" + r.nextInt(100000);
            r.nextBytes(traceIds[i]);
            r.nextBytes(spanIds[i]);
            starts[i] = 1_763_700_000_000_000_000L + r.nextInt(1_000_000_000);
            ends[i] = starts[i] + r.nextInt(10_000_000);
            for (int a = 0; a < ATTRIBUTES; a++) {
                values[i][a] = "value-" + r.nextInt(1000);
            }
        }
    }

    @Override
    ExportTraceServiceRequest sample() {
        return buildProtobuf();
    }

    @Override
    long decodeTyped(ProtoCodec codec, ByteBuffer input, Arena arena) {
        return readTyped(typed.decode(codec, input, arena));
    }

    @Override
    long readTyped(MessageReader message) {
        return readTyped(typed.wrap(message));
    }

    private long readTyped(io.opentelemetry.proto.collector.trace.v1.ferrule.ExportTraceServiceRequest m) {
        long h = 0;
        for (int i = 0, n = m.resourceSpansCount(); i < n; i++) {
            m.resourceSpans(i, typedRs);
            for (int j = 0, o = typedRs.scopeSpansCount(); j < o; j++) {
                typedRs.scopeSpans(j, typedSs);
                for (int k = 0, p = typedSs.spansCount(); k < p; k++) {
                    io.opentelemetry.proto.trace.v1.ferrule.Span sp = typedSs.spans(k, typedSpan);
                    h = mix(h, sp.traceId(text).byteLength());
                    h = mix(h, sp.spanId(text).byteLength());
                    h = mix(h, sp.name(text).byteLength());
                    h = mix(h, sp.kind());
                    h = mix(h, sp.startTimeUnixNano());
                    h = mix(h, sp.endTimeUnixNano());
                    for (int a = 0, q = sp.attributesCount(); a < q; a++) {
                        io.opentelemetry.proto.common.v1.ferrule.KeyValue kv = sp.attributes(a, typedAttribute);
                        h = mix(h, kv.key(text).byteLength());
                        h = mix(h, kv.value(typedValue).stringValue(text).byteLength());
                    }
                }
            }
        }
        return h;
    }

    @Override
    int encodeTyped(ProtoCodec codec, Arena arena, ByteBuffer output) {
        typedBuilder.start(codec, arena).addResourceSpans(typedRsBuilder).addScopeSpans(typedSsBuilder);
        for (int i = 0; i < SPANS; i++) {
            typedSsBuilder.addSpans(typedSpanBuilder).setTraceId(traceIds[i]).setSpanId(spanIds[i]).setName(names[i])
                    .setKind(Span.SpanKind.SPAN_KIND_SERVER_VALUE).setStartTimeUnixNano(starts[i])
                    .setEndTimeUnixNano(ends[i]);
            for (int a = 0; a < ATTRIBUTES; a++) {
                typedSpanBuilder.addAttributes(typedAttributeBuilder).setKey(keys[a]).mutableValue(typedValueBuilder)
                        .setStringValue(values[i][a]);
            }
        }
        return typedBuilder.encode(codec, output);
    }

    @Override
    long read(MessageReader m) {
        long h = 0;
        for (int i = 0, n = m.count(resourceSpans); i < n; i++) {
            m.getMessage(resourceSpans, i, rs);
            for (int j = 0, o = rs.count(scopeSpans); j < o; j++) {
                rs.getMessage(scopeSpans, j, ss);
                for (int k = 0, p = ss.count(spans); k < p; k++) {
                    ss.getMessage(spans, k, span);
                    h = mix(h, span.getBytes(traceId, text).byteLength());
                    h = mix(h, span.getBytes(spanId, text).byteLength());
                    h = mix(h, span.getString(name, text).byteLength());
                    h = mix(h, span.getInt(kind));
                    h = mix(h, span.getLong(start));
                    h = mix(h, span.getLong(end));
                    for (int a = 0, q = span.count(attributes); a < q; a++) {
                        span.getMessage(attributes, a, attribute);
                        h = mix(h, attribute.getString(key, text).byteLength());
                        h = mix(h, attribute.getMessage(value, anyValue).getString(stringValue, text).byteLength());
                    }
                }
            }
        }
        return h;
    }

    @Override
    void build(ProtoCodec codec, MessageBuilder m) {
        m.addMessage(resourceSpans, rsBuilder).addMessage(scopeSpans, ssBuilder);
        for (int i = 0; i < SPANS; i++) {
            ssBuilder.addMessage(spans, spanBuilder).setBytes(traceId, traceIds[i]).setBytes(spanId, spanIds[i])
                    .setString(name, names[i]).setInt(kind, Span.SpanKind.SPAN_KIND_SERVER_VALUE)
                    .setLong(start, starts[i]).setLong(end, ends[i]);
            for (int a = 0; a < ATTRIBUTES; a++) {
                spanBuilder.addMessage(attributes, attributeBuilder).setString(key, keys[a])
                        .mutableMessage(value, valueBuilder).setString(stringValue, values[i][a]);
            }
        }
    }

    @Override
    ExportTraceServiceRequest parseProtobuf(byte[] wire, int offset, int length) throws InvalidProtocolBufferException {
        return ExportTraceServiceRequest.parser().parseFrom(wire, offset, length);
    }

    @Override
    long readProtobuf(ExportTraceServiceRequest m) {
        long h = 0;
        for (ResourceSpans r : m.getResourceSpansList()) {
            for (ScopeSpans s : r.getScopeSpansList()) {
                for (Span sp : s.getSpansList()) {
                    h = mix(h, sp.getTraceId().size());
                    h = mix(h, sp.getSpanId().size());
                    h = mix(h, sp.getNameBytes().size());
                    h = mix(h, sp.getKindValue());
                    h = mix(h, sp.getStartTimeUnixNano());
                    h = mix(h, sp.getEndTimeUnixNano());
                    for (KeyValue kv : sp.getAttributesList()) {
                        h = mix(h, kv.getKeyBytes().size());
                        h = mix(h, kv.getValue().getStringValueBytes().size());
                    }
                }
            }
        }
        return h;
    }

    @Override
    ExportTraceServiceRequest buildProtobuf() {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < SPANS; i++) {
            Span.Builder s = Span.newBuilder().setTraceId(ByteString.copyFrom(traceIds[i]))
                    .setSpanId(ByteString.copyFrom(spanIds[i])).setName(names[i]).setKind(Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(starts[i]).setEndTimeUnixNano(ends[i]);
            for (int a = 0; a < ATTRIBUTES; a++) {
                s.addAttributes(KeyValue.newBuilder().setKey(keys[a])
                        .setValue(AnyValue.newBuilder().setStringValue(values[i][a])));
            }
            scope.addSpans(s);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
                .build();
    }

    @Override
    dev.ferrule.bench.quickbuf.otlp.collector.trace.v1.ExportTraceServiceRequest newQuickbuf() {
        return dev.ferrule.bench.quickbuf.otlp.collector.trace.v1.ExportTraceServiceRequest.newInstance();
    }

    @Override
    long readQuickbuf(dev.ferrule.bench.quickbuf.otlp.collector.trace.v1.ExportTraceServiceRequest m) {
        long h = 0;
        RepeatedMessage<dev.ferrule.bench.quickbuf.otlp.trace.v1.ResourceSpans> rss = m.getResourceSpans();
        for (int i = 0, n = rss.length(); i < n; i++) {
            RepeatedMessage<dev.ferrule.bench.quickbuf.otlp.trace.v1.ScopeSpans> sss = rss.get(i).getScopeSpans();
            for (int j = 0, o = sss.length(); j < o; j++) {
                RepeatedMessage<dev.ferrule.bench.quickbuf.otlp.trace.v1.Span> sps = sss.get(j).getSpans();
                for (int k = 0, p = sps.length(); k < p; k++) {
                    dev.ferrule.bench.quickbuf.otlp.trace.v1.Span sp = sps.get(k);
                    h = mix(h, sp.getTraceId().length());
                    h = mix(h, sp.getSpanId().length());
                    h = mix(h, sp.getNameBytes().size());
                    h = mix(h, sp.getKindValue());
                    h = mix(h, sp.getStartTimeUnixNano());
                    h = mix(h, sp.getEndTimeUnixNano());
                    RepeatedMessage<dev.ferrule.bench.quickbuf.otlp.common.v1.KeyValue> kvs = sp.getAttributes();
                    for (int a = 0, q = kvs.length(); a < q; a++) {
                        dev.ferrule.bench.quickbuf.otlp.common.v1.KeyValue kv = kvs.get(a);
                        h = mix(h, kv.getKeyBytes().size());
                        h = mix(h, kv.getValue().getStringValueBytes().size());
                    }
                }
            }
        }
        return h;
    }

    @Override
    void buildQuickbuf(dev.ferrule.bench.quickbuf.otlp.collector.trace.v1.ExportTraceServiceRequest m) {
        RepeatedMessage<dev.ferrule.bench.quickbuf.otlp.trace.v1.Span> sps = m.getMutableResourceSpans().next()
                .getMutableScopeSpans().next().getMutableSpans();
        for (int i = 0; i < SPANS; i++) {
            dev.ferrule.bench.quickbuf.otlp.trace.v1.Span s = sps.next().setTraceId(traceIds[i]).setSpanId(spanIds[i])
                    .setName(names[i]).setKind(dev.ferrule.bench.quickbuf.otlp.trace.v1.Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(starts[i]).setEndTimeUnixNano(ends[i]);
            for (int a = 0; a < ATTRIBUTES; a++) {
                s.getMutableAttributes().next().setKey(keys[a]).getMutableValue().setStringValue(values[i][a]);
            }
        }
    }
}
