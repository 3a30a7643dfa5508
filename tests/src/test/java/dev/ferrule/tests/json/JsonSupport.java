package dev.ferrule.tests.json;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import dev.ferrule.BackendKind;
import dev.ferrule.cli.json.JsonMessageParser;
import dev.ferrule.cli.json.JsonPrinter;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.util.stream.Stream;

/** One backend's Ferrule side of the JSON tests: decode and print, parse and encode. */
final class JsonSupport {
    private final Schema schema;
    private final ProtoCodec codec;
    private final JsonPrinter printer;
    private final JsonMessageParser parser;
    private final Arena arena = Arena.allocate(8 << 20);

    JsonSupport(Schema schema, BackendKind backend) {
        this.schema = schema;
        this.codec = ProtoCodec.builder(schema).backend(backend).build();
        this.printer = new JsonPrinter(codec, schema);
        this.parser = new JsonMessageParser(codec, schema);
    }

    static Stream<BackendKind> backends() {
        return Stream.of(BackendKind.NATIVE, BackendKind.JAVA);
    }

    /** Ferrule's JSON for a message of {@code type} given as protobuf bytes. */
    String print(String type, byte[] bytes) {
        ByteBuffer input = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        input.put(bytes).flip();
        arena.reset();
        MessageReader message = codec.decode(schema.message(type), input, arena, new MessageReader());
        return printer.print(message);
    }

    String print(Message message) {
        return print(message.getDescriptorForType().getFullName(), message.toByteArray());
    }

    /** Ferrule's protobuf bytes for JSON text of {@code type}. */
    byte[] parse(String type, String json) {
        return parser.toBinary(schema.message(type), json);
    }

    MessageType type(String name) {
        return schema.message(name);
    }

    /** A descriptor set holding {@code files} and everything they import, dependencies first. */
    static byte[] descriptorSet(FileDescriptor... files) {
        return dev.ferrule.tests.ProtoOracle.descriptorSet(files);
    }
}
