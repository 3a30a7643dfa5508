package dev.ferrule.bench;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.util.LinkedHashMap;
import java.util.Map;
import us.hebi.quickbuf.ProtoMessage;

/**
 * One benchmark message, as each contender reads and writes it: Ferrule's {@link MessageReader} and
 * {@link MessageBuilder} (fields looked up once), protobuf-java's and QuickBuffers' generated classes.
 *
 * <p>Every {@code read} touches every field that is set and folds it into a checksum, so that the
 * benchmark can check, before it measures anything, that all contenders read the same values. Strings
 * and bytes are read as their byte length through each library's zero-copy view (Ferrule's
 * {@code Utf8View}, protobuf-java's {@code ByteString}, QuickBuffers' {@code Utf8String} and
 * {@code RepeatedByte}): no contender is made to decode UTF-8 into a {@code String}.
 *
 * @param <P> the protobuf-java message class
 * @param <Q> the QuickBuffers message class
 */
abstract class Fixture<P extends Message, Q extends ProtoMessage<Q>> {
    final Schema schema;
    final MessageType type;

    Fixture(FileDescriptor file, String messageName) {
        this.schema = Schema.fromDescriptorSet(descriptorSet(file));
        this.type = schema.message(messageName);
    }

    /** The message every contender decodes, as protobuf-java builds it. */
    abstract P sample();

    abstract long read(MessageReader message);

    /** Builds the sample's content into {@code message}, a new root message. */
    abstract void build(ProtoCodec codec, MessageBuilder message);

    abstract P parseProtobuf(byte[] wire, int offset, int length) throws InvalidProtocolBufferException;

    abstract long readProtobuf(P message);

    /** Builds the sample's content from its parts, as an application would. */
    abstract P buildProtobuf();

    abstract Q newQuickbuf();

    abstract long readQuickbuf(Q message);

    /** Builds the sample's content into a cleared message. */
    abstract void buildQuickbuf(Q message);

    static long mix(long hash, long value) {
        return hash * 31 + value;
    }

    static long mix(long hash, double value) {
        return mix(hash, Double.doubleToRawLongBits(value));
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
