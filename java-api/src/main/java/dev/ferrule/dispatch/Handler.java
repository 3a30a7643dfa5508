package dev.ferrule.dispatch;

import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;

/**
 * A Java request handler. Runs on the thread that called {@link Dispatcher#dispatch}.
 *
 * <p>{@code request} and {@code response} are flyweights the dispatcher reuses for every request:
 * valid only during the call. {@code response} is an empty message of the method's response type.
 * Throw {@link dev.ferrule.FerruleException} to answer with its error code, or any other exception to
 * answer {@link dev.ferrule.ErrorCode#DISPATCH_HANDLER_FAILED} with the exception's message.
 */
@FunctionalInterface
public interface Handler {
    /** Handles one request by filling {@code response}. */
    void handle(CallContext ctx, MessageReader request, MessageBuilder response) throws Exception;
}
