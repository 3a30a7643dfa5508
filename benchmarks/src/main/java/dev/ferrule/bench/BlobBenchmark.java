package dev.ferrule.bench;

/** The contenders on (d) a message with a 64 KiB bytes field. */
public class BlobBenchmark extends ContenderBenchmark {
    @Override
    Fixture<?, ?> fixture() {
        return new BlobFixture();
    }
}
