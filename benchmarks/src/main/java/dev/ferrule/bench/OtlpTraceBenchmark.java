package dev.ferrule.bench;

/** The contenders on (c) an OTLP ExportTraceServiceRequest of 100 spans with attributes. */
public class OtlpTraceBenchmark extends ContenderBenchmark {
    @Override
    Fixture<?, ?> fixture() {
        return new OtlpTraceFixture();
    }
}
