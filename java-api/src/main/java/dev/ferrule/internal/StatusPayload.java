package dev.ferrule.internal;

import static dev.ferrule.internal.Abi.STATUS_FERRULE_CODE_FIELD;

import dev.ferrule.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The error status payload of an error frame (docs/wire-format.md, section 6): readable as
 * {@code google.rpc.Status} (1: gRPC code, 2: message) with the Ferrule code in field 1000. The same
 * bytes as the Rust engine's {@code encode_status}.
 */
public final class StatusPayload {
    private StatusPayload() {}

    private static final int FERRULE_CODE_TAG = STATUS_FERRULE_CODE_FIELD << 3;

    /** Each code's description in UTF-8, made once: the message of errors the dispatcher answers itself. */
    private static final byte[][] DESCRIPTIONS = new byte[1000][];

    static {
        for (ErrorCode code : ErrorCode.values()) {
            DESCRIPTIONS[code.code()] = code.description().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The UTF-8 description of {@code code}, shared: do not modify. */
    public static byte[] description(ErrorCode code) {
        return DESCRIPTIONS[code.code()];
    }

    private static int varintLength(long value) {
        int length = 1;
        while (Long.compareUnsigned(value, 0x80) >= 0) {
            value >>>= 7;
            length++;
        }
        return length;
    }

    /** Bytes {@link #write} writes. */
    public static int length(ErrorCode code, byte[] message) {
        int length = 1 + varintLength(code.grpcCode());
        if (message.length > 0) {
            length += 1 + varintLength(message.length) + message.length;
        }
        return length + varintLength(FERRULE_CODE_TAG) + varintLength(code.code());
    }

    private static int putVarint(ByteBuffer out, int at, long value) {
        while (Long.compareUnsigned(value, 0x80) >= 0) {
            out.put(at++, (byte) (value | 0x80));
            value >>>= 7;
        }
        out.put(at++, (byte) value);
        return at;
    }

    /** Writes the status for {@code code} and {@code message} at {@code at}; returns the index after it. */
    public static int write(ByteBuffer out, int at, ErrorCode code, byte[] message) {
        out.put(at++, (byte) 0x08);
        at = putVarint(out, at, code.grpcCode());
        if (message.length > 0) {
            out.put(at++, (byte) 0x12);
            at = putVarint(out, at, message.length);
            out.put(at, message);
            at += message.length;
        }
        at = putVarint(out, at, FERRULE_CODE_TAG);
        return putVarint(out, at, code.code());
    }
}
