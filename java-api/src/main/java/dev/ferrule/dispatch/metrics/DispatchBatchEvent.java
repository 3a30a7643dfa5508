package dev.ferrule.dispatch.metrics;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One JFR event per dispatched batch (not per request, so recording stays cheap at any rate). Enable
 * it with {@code jfr configure +dev.ferrule.DispatchBatch#enabled=true} or in a custom .jfc; it is
 * off in the default and profile settings.
 */
@Name(DispatchBatchEvent.NAME)
@Label("Ferrule Dispatch Batch")
@Category({"Ferrule", "Dispatch"})
@Description("A batch of framed requests decoded, routed, handled and answered in one dispatch call")
@StackTrace(false)
public final class DispatchBatchEvent extends Event {
    /** The event's name in recordings. */
    public static final String NAME = "dev.ferrule.DispatchBatch";

    @Label("Requests")
    @Description("Request frames in the batch")
    int requests;

    @Label("Errors")
    @Description("Requests answered with an error frame")
    int errors;

    @Label("First Correlation Id")
    long firstCorrelationId;

    @Label("Bytes In")
    @DataAmount
    long bytesIn;

    @Label("Bytes Out")
    @DataAmount
    long bytesOut;

    @Label("Decode")
    @Timespan(Timespan.NANOSECONDS)
    long decodeNanos;

    @Label("Java Handlers")
    @Description("Time running Java handlers (Rust handlers run inside the decode pass)")
    @Timespan(Timespan.NANOSECONDS)
    long handlerNanos;

    @Label("Encode")
    @Timespan(Timespan.NANOSECONDS)
    long encodeNanos;

    @Label("Total")
    @Timespan(Timespan.NANOSECONDS)
    long totalNanos;
}
