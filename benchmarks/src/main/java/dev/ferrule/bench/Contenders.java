package dev.ferrule.bench;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import dev.ferrule.BackendKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import us.hebi.quickbuf.ProtoMessage;
import us.hebi.quickbuf.ProtoSink;
import us.hebi.quickbuf.ProtoSource;

/**
 * The four contenders on one fixture, each with its reusable state, and the batch input: the sample
 * message {@code batchSize} times, gRPC length-prefixed (flag byte 0, 4-byte big-endian length), as a
 * socket read would deliver it.
 *
 * <p>Construction checks that the contenders agree before anything is measured: every contender's
 * read of the sample gives the same checksum, and every contender's encoding parses, with
 * protobuf-java, to the sample (Ferrule's typed and dynamic paths, on both engines).
 */
final class Contenders<P extends Message, Q extends ProtoMessage<Q>> {
    final Fixture<P, Q> fixture;
    final byte[] wire;
    final byte[] framed;
    final int[] offsets;
    final FerruleSide nativeSide;
    final FerruleSide javaSide;
    final Q quick;
    final ProtoSource source = ProtoSource.newArraySource();
    final ProtoSink sink = ProtoSink.newArraySink();
    final byte[] out;

    Contenders(Fixture<P, Q> fixture, int batchSize) {
        this.fixture = fixture;
        this.wire = fixture.sample().toByteArray();
        this.offsets = new int[batchSize];
        this.framed = new byte[batchSize * (5 + wire.length)];
        for (int i = 0, at = 0; i < batchSize; i++, at += 5 + wire.length) {
            framed[at + 1] = (byte) (wire.length >>> 24);
            framed[at + 2] = (byte) (wire.length >>> 16);
            framed[at + 3] = (byte) (wire.length >>> 8);
            framed[at + 4] = (byte) wire.length;
            System.arraycopy(wire, 0, framed, at + 5, wire.length);
            offsets[i] = at + 5;
        }
        this.nativeSide = new FerruleSide(fixture, BackendKind.NATIVE, wire, framed, batchSize);
        this.javaSide = new FerruleSide(fixture, BackendKind.JAVA, wire, framed, batchSize);
        this.quick = fixture.newQuickbuf();
        this.out = new byte[Math.max(wire.length * 2, 1 << 12)];
        verify();
    }

    long decodeProtobuf() {
        return fixture.readProtobuf(parse(wire, 0, wire.length));
    }

    long decodeQuickbuf() {
        return fixture.readQuickbuf(parseQuickbuf(0, wire.length, wire));
    }

    int encodeProtobuf() {
        try {
            P message = fixture.buildProtobuf();
            CodedOutputStream stream = CodedOutputStream.newInstance(out);
            message.writeTo(stream);
            return stream.getTotalBytesWritten();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int encodeQuickbuf() {
        try {
            fixture.buildQuickbuf(quick.clear());
            sink.setOutput(out);
            quick.writeTo(sink);
            return sink.getTotalBytesWritten();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** protobuf-java has no batch call: one parse per framed message, as a gRPC server does. */
    long decodeBatchProtobuf() {
        long sum = 0;
        for (int offset : offsets) {
            sum += fixture.readProtobuf(parse(framed, offset, wire.length));
        }
        return sum;
    }

    /** QuickBuffers has no batch call: one reused message merged from each framed message in turn. */
    long decodeBatchQuickbuf() {
        long sum = 0;
        for (int offset : offsets) {
            sum += fixture.readQuickbuf(parseQuickbuf(offset, wire.length, framed));
        }
        return sum;
    }

    private P parse(byte[] bytes, int offset, int length) {
        try {
            return fixture.parseProtobuf(bytes, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Q parseQuickbuf(int offset, int length, byte[] bytes) {
        try {
            source.setInput(bytes, offset, length);
            return quick.clearQuick().mergeFrom(source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void verify() {
        long expected = decodeProtobuf();
        check("Ferrule native read", nativeSide.decode(), expected);
        check("Ferrule Java read", javaSide.decode(), expected);
        check("QuickBuffers read", decodeQuickbuf(), expected);
        long batchExpected = decodeBatchProtobuf();
        check("Ferrule native batch read", nativeSide.decodeBatch(true), batchExpected);
        check("Ferrule Java batch read", javaSide.decodeBatch(true), batchExpected);
        check("QuickBuffers batch read", decodeBatchQuickbuf(), batchExpected);
        P sample = fixture.sample();
        checkEncoding("protobuf-java", Arrays.copyOf(out, encodeProtobuf()), sample);
        checkEncoding("QuickBuffers", Arrays.copyOf(out, encodeQuickbuf()), sample);
        for (FerruleSide side : new FerruleSide[] {nativeSide, javaSide}) {
            String who = "Ferrule " + side.codec.backend();
            check(who + " dynamic read", side.decodeDynamic(), expected);
            check(who + " dynamic batch read", side.decodeBatch(false), batchExpected);
            checkEncoding(who, side.output, side.encode(), sample);
            checkEncoding(who + " dynamic", side.output, side.encodeDynamic(), sample);
        }
    }

    private static void check(String what, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException(what + " gives checksum " + actual + ", protobuf-java " + expected);
        }
    }

    private void checkEncoding(String who, ByteBuffer output, int written, P sample) {
        byte[] bytes = new byte[written];
        output.flip().get(bytes);
        checkEncoding(who, bytes, sample);
    }

    private void checkEncoding(String who, byte[] bytes, P sample) {
        P parsed = parse(bytes, 0, bytes.length);
        if (!parsed.equals(sample)) {
            throw new IllegalStateException(who + " encodes " + bytes.length + " bytes that protobuf-java parses as a"
                    + " different message than the sample (" + sample.getSerializedSize() + " bytes)");
        }
    }
}
