package dev.ferrule.bench;

/** The contenders on (a) the 63-byte market-data tick. */
public class MarketDataBenchmark extends ContenderBenchmark {
    @Override
    Fixture<?, ?> fixture() {
        return new MarketDataFixture();
    }
}
