package dev.ferrule.examples.nio;

import dev.ferrule.dispatch.DispatchListener;
import dev.ferrule.dispatch.Dispatcher;
import dev.ferrule.dispatch.MethodId;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The example's one method, {@value #SAY}: answers an EchoRequest with an EchoResponse holding the same
 * fields, through a Java handler that allocates nothing per request. Because the two messages have the
 * same fields, the response payload is byte for byte the request payload, which the client checks.
 */
public final class EchoService {
    private EchoService() {}

    /** The method name. */
    public static final String SAY = "ferrule.example.echo.v1.Echo/Say";
    /** Its method id. */
    public static final int SAY_ID = MethodId.of(SAY);

    /** The schema compiled from echo.proto at build time (a class-path resource). */
    public static Schema schema() {
        try (InputStream in = EchoService.class.getResourceAsStream("echo.desc")) {
            if (in == null) {
                throw new IllegalStateException("echo.desc is not on the class path: build the module with Maven");
            }
            return Schema.fromDescriptorSet(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A dispatcher serving {@value #SAY}; one per thread or connection. */
    public static Dispatcher dispatcher(Schema schema, DispatchListener listener) {
        MessageType request = schema.message("ferrule.example.echo.v1.EchoRequest");
        MessageType response = schema.message("ferrule.example.echo.v1.EchoResponse");
        FieldInfo text = request.field("text");
        FieldInfo sequence = request.field("sequence");
        FieldInfo outText = response.field("text");
        FieldInfo outSequence = response.field("sequence");
        Utf8View view = new Utf8View();
        Dispatcher.Builder builder = Dispatcher.builder(schema).handle(SAY, request, response, (ctx, in, out) -> {
            out.setString(outText, in.getString(text, view));
            out.setLong(outSequence, in.getLong(sequence));
        });
        if (listener != null) {
            builder.listener(listener);
        }
        return builder.build();
    }

    /**
     * Writes the EchoRequest {@code {text, sequence}} as protobuf does (text when not empty, then
     * sequence when not 0), by hand so the client needs no schema.
     */
    public static void writeRequest(String text, long sequence, ByteBuffer into) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0) {
            into.put((byte) 0x0A);
            putVarint(into, utf8.length);
            into.put(utf8);
        }
        if (sequence != 0) {
            into.put((byte) 0x10);
            putVarint(into, sequence);
        }
    }

    private static void putVarint(ByteBuffer into, long value) {
        while ((value & ~0x7FL) != 0) {
            into.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        into.put((byte) value);
    }
}
