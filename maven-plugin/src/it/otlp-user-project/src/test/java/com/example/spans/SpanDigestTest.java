package com.example.spans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferrule.BackendKind;
import dev.ferrule.Ferrule;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.ProtoCodec;
import io.opentelemetry.proto.trace.v1.ferrule.Span;
import io.opentelemetry.proto.trace.v1.ferrule.TraceProto;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SpanDigestTest {
    private static final byte[] TRACE_ID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void spanBuiltWithTheTypedBuilderReadsBackThroughTheTypedReaderOnTheNativeEngine() {
        assertTrue(Ferrule.isNativeAvailable(), "ferrule-native's classifier jar did not load");
        ProtoCodec codec = ProtoCodec.builder(TraceProto.schema()).build();
        assertEquals(BackendKind.NATIVE, codec.backend());

        Arena arena = Arena.allocate(1 << 16);
        ByteBuffer out = ByteBuffer.allocateDirect(1024);
        int length = SpanDigest.writeServerSpan(codec, arena, "GET /cart", TRACE_ID, 1_700_000_000_000_000_001L,
                "http.method", "GET", out);
        assertEquals(out.position(), length);
        assertTrue(length > TRACE_ID.length, "encoded " + length + " bytes");
        out.flip();

        Arena readArena = Arena.allocate(1 << 16);
        assertEquals("GET /cart SPAN_KIND_SERVER 1700000000000000001 http.method=GET",
                new SpanDigest().describe(codec, out.duplicate(), readArena));
        Span span = new Span().decode(codec, out.duplicate(), readArena);
        assertArrayEquals(TRACE_ID, span.traceId());
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER_VALUE, span.kind());
        assertFalse(span.hasStatus());
        assertEquals(0L, span.endTimeUnixNano());
    }
}
