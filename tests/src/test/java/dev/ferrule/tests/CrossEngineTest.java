package dev.ferrule.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.ferrule.BackendKind;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.proto.RandomMessages;
import dev.ferrule.internal.schema.TestProtos;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native engine against the Java engine on every message type of the test schemas (proto2 with
 * required fields, defaults, closed enums and groups; proto3 with maps, oneofs and optional; mixed
 * files; the well-known types; descriptor.proto): random messages and randomly corrupted bytes must
 * give identical arenas, identical encodings and identical errors (code, offset, field path). The
 * Java engine is checked against protobuf-java in java-api's own differential tests, so this carries
 * that oracle over to the native engine.
 */
class CrossEngineTest {
    private static final int MESSAGES_PER_TYPE = 200;

    static Stream<Arguments> types() {
        List<FileDescriptor> files = new ArrayList<>(List.of(TestProtos.types2(), TestProtos.types3(),
                TestProtos.mixed2File(), TestProtos.mixed3File(), com.google.protobuf.DescriptorProtos.getDescriptor()));
        files.addAll(TestProtos.wellKnownTypes());
        List<Arguments> cases = new ArrayList<>();
        for (FileDescriptor file : files) {
            Schema schema = Schema.fromDescriptorSet(ProtoOracle.descriptorSet(file));
            for (Descriptor d : file.getMessageTypes()) {
                cases.add(Arguments.of(d.getFullName(), schema, d));
            }
        }
        return cases.stream();
    }

    /** What one decode (and, if it succeeds, encode) tells the caller, as one comparable value. */
    static String outcome(ProtoCodec codec, MessageType type, byte[] wire, Arena arena) {
        arena.reset();
        ByteBuffer in = Backends.direct(wire);
        in.limit(wire.length);
        MessageReader reader;
        try {
            reader = codec.decode(type, in, arena);
        } catch (FerruleException e) {
            return "decode " + e.code() + " at " + e.offset() + " in " + e.fieldPath() + " arena.used=" + arena.used();
        }
        StringBuilder s = new StringBuilder("arena ").append(HexFormat.of().formatHex(bytes(arena.contents())));
        try {
            ByteBuffer out = ByteBuffer.allocateDirect(Math.max(1, codec.encodedLength(reader)));
            int n = codec.encode(reader, out);
            s.append(" encoded ").append(HexFormat.of().formatHex(Backends.bytes(out, 0, n)));
        } catch (FerruleException e) {
            s.append(" encode ").append(e.code()).append(" at ").append(e.offset());
        }
        return s.toString();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void bothEnginesAgreeOnRandomAndCorruptedMessages(String name, Schema schema, Descriptor descriptor) {
        MessageType type = schema.message(descriptor.getFullName());
        ProtoCodec nativeCodec = ProtoCodec.builder(schema).backend(BackendKind.NATIVE).build();
        ProtoCodec javaCodec = ProtoCodec.builder(schema).backend(BackendKind.JAVA).build();
        Arena a = Arena.allocate(1 << 20);
        Arena b = Arena.allocate(1 << 20);
        RandomMessages random = new RandomMessages(name.hashCode());
        for (int i = 0; i < MESSAGES_PER_TYPE; i++) {
            DynamicMessage message = random.message(descriptor);
            byte[] wire = message.toByteArray();
            assertEquals(outcome(javaCodec, type, wire, b), outcome(nativeCodec, type, wire, a), name + " message " + i);
            if (wire.length > 0) {
                byte[] corrupt = wire.clone();
                for (int flips = 1 + random.random().nextInt(3); flips > 0; flips--) {
                    corrupt[random.random().nextInt(corrupt.length)] = (byte) random.random().nextInt(256);
                }
                int cut = random.random().nextInt(4) == 0 ? random.random().nextInt(corrupt.length) : corrupt.length;
                byte[] hostile = java.util.Arrays.copyOf(corrupt, cut);
                assertEquals(outcome(javaCodec, type, hostile, b), outcome(nativeCodec, type, hostile, a),
                        name + " corrupted message " + i);
            }
        }
    }
}
