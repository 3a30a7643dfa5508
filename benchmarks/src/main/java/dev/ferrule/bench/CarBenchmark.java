package dev.ferrule.bench;

/** The contenders on (b) the 137-byte SBE-Car-like mixed message. */
public class CarBenchmark extends ContenderBenchmark {
    @Override
    Fixture<?, ?> fixture() {
        return new CarFixture();
    }
}
