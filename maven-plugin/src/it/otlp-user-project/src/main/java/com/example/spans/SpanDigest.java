package com.example.spans;

import dev.ferrule.proto.Arena;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import io.opentelemetry.proto.common.v1.ferrule.AnyValue;
import io.opentelemetry.proto.common.v1.ferrule.KeyValue;
import io.opentelemetry.proto.trace.v1.ferrule.Span;
import java.nio.ByteBuffer;

/** What a user writes against the generated OTLP flyweights: build a span, and summarize one read from bytes. */
public final class SpanDigest {
    private final Span span = new Span();
    private final KeyValue attribute = new KeyValue();
    private final AnyValue value = new AnyValue();
    private final Utf8View view = new Utf8View();

    /** Encodes a server span named {@code name} with one string attribute into {@code out}; returns its length. */
    public static int writeServerSpan(ProtoCodec codec, Arena arena, String name, byte[] traceId, long startNanos,
            String key, String attributeValue, ByteBuffer out) {
        Span.Builder span = new Span.Builder().start(codec, arena)
                .setName(name)
                .setTraceId(traceId)
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(startNanos);
        span.addAttributes(new KeyValue.Builder()).setKey(key)
                .mutableValue(new AnyValue.Builder()).setStringValue(attributeValue);
        return span.encode(codec, out);
    }

    /** Decodes one span and describes it as {@code name kind start key=value…}. */
    public String describe(ProtoCodec codec, ByteBuffer input, Arena arena) {
        span.decode(codec, input, arena);
        StringBuilder text = new StringBuilder().append(span.name(view)).append(' ').append(span.kindEnum())
                .append(' ').append(span.startTimeUnixNano());
        for (int i = 0; i < span.attributesCount(); i++) {
            span.attributes(i, attribute);
            text.append(' ').append(attribute.key(view)).append('=').append(attribute.value(value).stringValue(view));
        }
        return text.toString();
    }
}
