package dev.ferrule.bench;

/** The contenders on (a) the 64-byte market-data tick. */
public class MarketDataBenchmark extends ContenderBenchmark {
    @Override
    Fixture<?, ?> fixture() {
        return new MarketDataFixture();
    }
}
