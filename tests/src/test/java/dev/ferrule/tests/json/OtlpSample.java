package dev.ferrule.tests.json;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.file.Path;

/**
 * The sample OTLP trace of the README demo, tests/vectors/otlp/trace.binpb: one service's request
 * with three spans, built here so that the committed bytes can always be made again (OtlpSampleTest
 * checks they are, and rewrites them with -Dferrule.test.regenerate=true).
 */
final class OtlpSample {
    static final String TRACE_TYPE = "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest";

    private OtlpSample() {}

    /** tests/vectors/otlp, found from the frames vectors directory the build names. */
    static Path directory() {
        return Path.of(System.getProperty("ferrule.test.vectors")).getParent().resolve("otlp");
    }

    static ExportTraceServiceRequest trace() {
        ByteString traceId = bytes(0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36);
        long start = 1_700_000_000_000_000_000L;
        Span get = Span.newBuilder()
                .setTraceId(traceId)
                .setSpanId(bytes(0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7))
                .setName("GET /cart")
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(start + 12_500_000)
                .addAttributes(attribute("http.request.method", string("GET")))
                .addAttributes(attribute("url.path", string("/cart")))
                .addAttributes(attribute("http.response.status_code", AnyValue.newBuilder().setIntValue(200).build()))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
                .setFlags(0x301)
                .build();
        Span select = Span.newBuilder()
                .setTraceId(traceId)
                .setSpanId(bytes(0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8b, 0x1a))
                .setParentSpanId(get.getSpanId())
                .setName("SELECT shop.cart_items")
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                .setStartTimeUnixNano(start + 1_200_000)
                .setEndTimeUnixNano(start + 9_800_000)
                .addAttributes(attribute("db.system.name", string("postgresql")))
                .addAttributes(attribute("db.query.text", string("SELECT * FROM cart_items WHERE cart_id = $1")))
                .addAttributes(attribute("db.response.returned_rows", AnyValue.newBuilder().setIntValue(3).build()))
                .addEvents(Span.Event.newBuilder()
                        .setTimeUnixNano(start + 1_250_000)
                        .setName("cache miss")
                        .addAttributes(attribute("cache.key", string("cart:42"))))
                .build();
        Span checkout = Span.newBuilder()
                .setTraceId(bytes(0x9a, 0x01, 0x3c, 0x44, 0x10, 0x2e, 0x5f, 0x61, 0x07, 0x0d, 0xe2, 0x33, 0x81, 0xa5, 0x4e, 0x10))
                .setSpanId(bytes(0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, 0x88))
                .setName("POST /checkout")
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(start + 50_000_000)
                .setEndTimeUnixNano(start + 230_750_000)
                .addAttributes(attribute("http.request.method", string("POST")))
                .addAttributes(attribute("checkout.total", AnyValue.newBuilder().setDoubleValue(129.95).build()))
                .addAttributes(attribute("checkout.express", AnyValue.newBuilder().setBoolValue(true).build()))
                .addAttributes(attribute("checkout.items", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(string("sku-1")).addValues(string("sku-7"))).build()))
                .addLinks(Span.Link.newBuilder().setTraceId(traceId).setSpanId(get.getSpanId()))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
                        .setMessage("payment declined: card <4242> & \"expired\""))
                .build();
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(Resource.newBuilder()
                                .addAttributes(attribute("service.name", string("checkout")))
                                .addAttributes(attribute("service.version", string("1.4.2")))
                                .addAttributes(attribute("host.name", string("ip-10-0-0-7"))))
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.okhttp-3.0")
                                        .setVersion("2.10.0"))
                                .addSpans(get)
                                .addSpans(select)
                                .addSpans(checkout))
                        .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0"))
                .build();
    }

    private static KeyValue attribute(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static AnyValue string(String value) {
        return AnyValue.newBuilder().setStringValue(value).build();
    }

    private static ByteString bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return ByteString.copyFrom(b);
    }
}
