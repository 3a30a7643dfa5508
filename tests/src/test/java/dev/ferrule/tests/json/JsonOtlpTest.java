package dev.ferrule.tests.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.ferrule.BackendKind;
import dev.ferrule.schema.Schema;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Random OTLP export requests: printed as JsonFormat prints them, parsed back to protobuf-java's bytes. */
class JsonOtlpTest {
    static final List<Message> REQUESTS = List.of(ExportTraceServiceRequest.getDefaultInstance(),
            ExportMetricsServiceRequest.getDefaultInstance(), ExportLogsServiceRequest.getDefaultInstance());

    static Schema schema() {
        return Schema.fromDescriptorSet(JsonSupport.descriptorSet(ExportTraceServiceRequest.getDescriptor().getFile(),
                ExportMetricsServiceRequest.getDescriptor().getFile(), ExportLogsServiceRequest.getDescriptor().getFile()));
    }

    static Stream<Arguments> backendsAndRequests() {
        return JsonSupport.backends().flatMap(b -> REQUESTS.stream().map(m -> Arguments.of(b, m)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndRequests")
    void randomRequestsMatchJsonFormatBothWays(BackendKind backend, Message prototype) throws Exception {
        JsonSupport ferrule = new JsonSupport(schema(), backend);
        String type = prototype.getDescriptorForType().getFullName();
        RandomMessages random = new RandomMessages(type.hashCode(), 6, List.of(), false);
        for (int i = 0; i < 60; i++) {
            Message message = random.message(prototype.newBuilderForType(), 0, false);
            byte[] bytes = message.toByteArray();
            String json = JsonFormat.printer().print(message);
            int round = i;
            assertEquals(json, ferrule.print(type, bytes), () -> "round " + round + ": " + HexFormat.of().formatHex(bytes));
            Message.Builder parsed = prototype.newBuilderForType();
            JsonFormat.parser().merge(json, parsed);
            assertArrayEquals(parsed.build().toByteArray(), ferrule.parse(type, json), () -> "round " + round + ": " + json);
        }
    }
}
