package dev.ferrule.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferrule.bench.protobuf.MarketData;
import dev.ferrule.bench.protobuf.Side;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.FieldInfo;
import java.nio.ByteBuffer;

/** (a) A market-data tick: eleven scalars, 63 bytes on the wire. */
final class MarketDataFixture extends Fixture<MarketData, dev.ferrule.bench.quickbuf.MarketData> {
    private static final long TIMESTAMP = 1_763_700_000_123_456_789L;
    private static final long SEQUENCE = 35_184_372_088_832L + 12_345;
    private static final int INSTRUMENT = 1_234_567;
    private static final double BID = 101.25;
    private static final long BID_SIZE = 150_000;
    private static final double ASK = 101.26;
    private static final long ASK_SIZE = 250_000;
    private static final double LAST = 101.255;
    private static final long LAST_SIZE = 700;

    private final FieldInfo timestamp = type.field("timestamp_nanos");
    private final FieldInfo sequence = type.field("sequence");
    private final FieldInfo instrument = type.field("instrument_id");
    private final FieldInfo bid = type.field("bid_price");
    private final FieldInfo bidSize = type.field("bid_size");
    private final FieldInfo ask = type.field("ask_price");
    private final FieldInfo askSize = type.field("ask_size");
    private final FieldInfo last = type.field("last_price");
    private final FieldInfo lastSize = type.field("last_size");
    private final FieldInfo side = type.field("side");
    private final FieldInfo implied = type.field("implied");

    private final dev.ferrule.bench.protobuf.ferrule.MarketData typed = new dev.ferrule.bench.protobuf.ferrule.MarketData();
    private final dev.ferrule.bench.protobuf.ferrule.MarketData.Builder typedBuilder =
            new dev.ferrule.bench.protobuf.ferrule.MarketData.Builder();

    MarketDataFixture() {
        super(dev.ferrule.bench.protobuf.ferrule.MarketData.TYPE);
    }

    @Override
    MarketData sample() {
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

    private static long readTyped(dev.ferrule.bench.protobuf.ferrule.MarketData m) {
        long h = m.timestampNanos();
        h = mix(h, m.sequence());
        h = mix(h, m.instrumentId());
        h = mix(h, m.bidPrice());
        h = mix(h, m.bidSize());
        h = mix(h, m.askPrice());
        h = mix(h, m.askSize());
        h = mix(h, m.lastPrice());
        h = mix(h, m.lastSize());
        h = mix(h, m.side());
        return mix(h, m.implied() ? 1 : 0);
    }

    @Override
    int encodeTyped(ProtoCodec codec, Arena arena, ByteBuffer output) {
        return typedBuilder.start(codec, arena).setTimestampNanos(TIMESTAMP).setSequence(SEQUENCE)
                .setInstrumentId(INSTRUMENT).setBidPrice(BID).setBidSize(BID_SIZE).setAskPrice(ASK).setAskSize(ASK_SIZE)
                .setLastPrice(LAST).setLastSize(LAST_SIZE).setSide(Side.SELL_VALUE).setImplied(true).encode(codec, output);
    }

    @Override
    long read(MessageReader m) {
        long h = m.getLong(timestamp);
        h = mix(h, m.getLong(sequence));
        h = mix(h, m.getInt(instrument));
        h = mix(h, m.getDouble(bid));
        h = mix(h, m.getLong(bidSize));
        h = mix(h, m.getDouble(ask));
        h = mix(h, m.getLong(askSize));
        h = mix(h, m.getDouble(last));
        h = mix(h, m.getLong(lastSize));
        h = mix(h, m.getInt(side));
        return mix(h, m.getBool(implied) ? 1 : 0);
    }

    @Override
    void build(ProtoCodec codec, MessageBuilder m) {
        m.setLong(timestamp, TIMESTAMP).setLong(sequence, SEQUENCE).setInt(instrument, INSTRUMENT)
                .setDouble(bid, BID).setLong(bidSize, BID_SIZE).setDouble(ask, ASK).setLong(askSize, ASK_SIZE)
                .setDouble(last, LAST).setLong(lastSize, LAST_SIZE).setInt(side, Side.SELL_VALUE).setBool(implied, true);
    }

    @Override
    MarketData parseProtobuf(byte[] wire, int offset, int length) throws InvalidProtocolBufferException {
        return MarketData.parser().parseFrom(wire, offset, length);
    }

    @Override
    long readProtobuf(MarketData m) {
        long h = m.getTimestampNanos();
        h = mix(h, m.getSequence());
        h = mix(h, m.getInstrumentId());
        h = mix(h, m.getBidPrice());
        h = mix(h, m.getBidSize());
        h = mix(h, m.getAskPrice());
        h = mix(h, m.getAskSize());
        h = mix(h, m.getLastPrice());
        h = mix(h, m.getLastSize());
        h = mix(h, m.getSideValue());
        return mix(h, m.getImplied() ? 1 : 0);
    }

    @Override
    MarketData buildProtobuf() {
        return MarketData.newBuilder().setTimestampNanos(TIMESTAMP).setSequence(SEQUENCE).setInstrumentId(INSTRUMENT)
                .setBidPrice(BID).setBidSize(BID_SIZE).setAskPrice(ASK).setAskSize(ASK_SIZE).setLastPrice(LAST)
                .setLastSize(LAST_SIZE).setSide(Side.SELL).setImplied(true).build();
    }

    @Override
    dev.ferrule.bench.quickbuf.MarketData newQuickbuf() {
        return dev.ferrule.bench.quickbuf.MarketData.newInstance();
    }

    @Override
    long readQuickbuf(dev.ferrule.bench.quickbuf.MarketData m) {
        long h = m.getTimestampNanos();
        h = mix(h, m.getSequence());
        h = mix(h, m.getInstrumentId());
        h = mix(h, m.getBidPrice());
        h = mix(h, m.getBidSize());
        h = mix(h, m.getAskPrice());
        h = mix(h, m.getAskSize());
        h = mix(h, m.getLastPrice());
        h = mix(h, m.getLastSize());
        h = mix(h, m.getSideValue());
        return mix(h, m.getImplied() ? 1 : 0);
    }

    @Override
    void buildQuickbuf(dev.ferrule.bench.quickbuf.MarketData m) {
        m.setTimestampNanos(TIMESTAMP).setSequence(SEQUENCE).setInstrumentId(INSTRUMENT).setBidPrice(BID)
                .setBidSize(BID_SIZE).setAskPrice(ASK).setAskSize(ASK_SIZE).setLastPrice(LAST).setLastSize(LAST_SIZE)
                .setSide(dev.ferrule.bench.quickbuf.Side.SELL).setImplied(true);
    }
}
