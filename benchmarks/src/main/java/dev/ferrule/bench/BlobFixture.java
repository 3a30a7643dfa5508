package dev.ferrule.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferrule.bench.protobuf.Blob;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import java.nio.ByteBuffer;
import java.util.Random;
import us.hebi.quickbuf.RepeatedByte;

/**
 * (d) A 64 KiB bytes field beside a little metadata. Reading the payload means its length and its last
 * byte; building it copies the application's {@code byte[]} into the message once, in every contender
 * (protobuf-java through {@code ByteString.copyFrom}).
 */
final class BlobFixture extends Fixture<Blob, dev.ferrule.bench.quickbuf.Blob> {
    private static final long ID = 987_654_321L;
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final byte[] PAYLOAD = new byte[64 * 1024];

    static {
        new Random(7).nextBytes(PAYLOAD);
    }

    private final FieldInfo id = type.field("id");
    private final FieldInfo contentType = type.field("content_type");
    private final FieldInfo payload = type.field("payload");
    private final Utf8View view = new Utf8View();
    private final dev.ferrule.bench.protobuf.ferrule.Blob typed = new dev.ferrule.bench.protobuf.ferrule.Blob();
    private final dev.ferrule.bench.protobuf.ferrule.Blob.Builder typedBuilder =
            new dev.ferrule.bench.protobuf.ferrule.Blob.Builder();

    BlobFixture() {
        super(dev.ferrule.bench.protobuf.ferrule.Blob.TYPE);
    }

    @Override
    Blob sample() {
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

    private long readTyped(dev.ferrule.bench.protobuf.ferrule.Blob m) {
        long h = m.id();
        h = mix(h, m.contentType(view).byteLength());
        Utf8View p = m.payload(view);
        return mix(mix(h, p.byteLength()), p.byteAt(p.byteLength() - 1));
    }

    @Override
    int encodeTyped(ProtoCodec codec, Arena arena, ByteBuffer output) {
        return typedBuilder.start(codec, arena).setId(ID).setContentType(CONTENT_TYPE).setPayload(PAYLOAD)
                .encode(codec, output);
    }

    @Override
    long read(MessageReader m) {
        long h = m.getLong(id);
        h = mix(h, m.getString(contentType, view).byteLength());
        Utf8View p = m.getBytes(payload, view);
        return mix(mix(h, p.byteLength()), p.byteAt(p.byteLength() - 1));
    }

    @Override
    void build(ProtoCodec codec, MessageBuilder m) {
        m.setLong(id, ID).setString(contentType, CONTENT_TYPE).setBytes(payload, PAYLOAD);
    }

    @Override
    Blob parseProtobuf(byte[] wire, int offset, int length) throws InvalidProtocolBufferException {
        return Blob.parser().parseFrom(wire, offset, length);
    }

    @Override
    long readProtobuf(Blob m) {
        long h = m.getId();
        h = mix(h, m.getContentTypeBytes().size());
        ByteString p = m.getPayload();
        return mix(mix(h, p.size()), p.byteAt(p.size() - 1));
    }

    @Override
    Blob buildProtobuf() {
        return Blob.newBuilder().setId(ID).setContentType(CONTENT_TYPE).setPayload(ByteString.copyFrom(PAYLOAD)).build();
    }

    @Override
    dev.ferrule.bench.quickbuf.Blob newQuickbuf() {
        return dev.ferrule.bench.quickbuf.Blob.newInstance();
    }

    @Override
    long readQuickbuf(dev.ferrule.bench.quickbuf.Blob m) {
        long h = m.getId();
        h = mix(h, m.getContentTypeBytes().size());
        RepeatedByte p = m.getPayload();
        return mix(mix(h, p.length()), p.get(p.length() - 1));
    }

    @Override
    void buildQuickbuf(dev.ferrule.bench.quickbuf.Blob m) {
        m.setId(ID).setContentType(CONTENT_TYPE).setPayload(PAYLOAD);
    }
}
