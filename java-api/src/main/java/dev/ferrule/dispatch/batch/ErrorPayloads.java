package dev.ferrule.dispatch.batch;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.Abi;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads an error frame's payload (docs/wire-format.md §6: google.rpc.Status with the Ferrule code in
 * field 1000) back into the {@link FerruleException} a caller of the batcher receives.
 */
final class ErrorPayloads {
    private ErrorPayloads() {}

    static FerruleException toException(ByteBuffer buffer, int offset, int length, long correlationId) {
        int grpc = -1;
        long ferrule = -1;
        String message = "";
        int[] at = {offset};
        int end = offset + length;
        try {
            while (at[0] < end) {
                long tag = varint(buffer, at, end);
                int field = (int) (tag >>> 3);
                switch ((int) (tag & 7)) {
                    case 0 -> {
                        long value = varint(buffer, at, end);
                        if (field == 1) {
                            grpc = (int) value;
                        } else if (field == Abi.STATUS_FERRULE_CODE_FIELD) {
                            ferrule = value;
                        }
                    }
                    case 2 -> {
                        long len = varint(buffer, at, end);
                        if (len > end - at[0]) {
                            throw new IndexOutOfBoundsException("length=" + len);
                        }
                        if (field == 2) {
                            byte[] bytes = new byte[(int) len];
                            buffer.get(at[0], bytes);
                            message = new String(bytes, StandardCharsets.UTF_8);
                        }
                        at[0] += (int) len;
                    }
                    case 1 -> at[0] += 8;
                    case 5 -> at[0] += 4;
                    default -> throw new IndexOutOfBoundsException("wire type " + (tag & 7));
                }
            }
        } catch (IndexOutOfBoundsException e) {
            return new FerruleException(ErrorCode.INTERNAL, "correlationId=" + correlationId
                    + ": unreadable error frame payload (" + e.getMessage() + ")", e);
        }
        ErrorCode code = ferrule > 0 && ferrule <= Integer.MAX_VALUE ? ErrorCode.fromCode((int) ferrule) : null;
        if (code == null) {
            return new FerruleException(ErrorCode.DISPATCH_HANDLER_FAILED, "correlationId=" + correlationId
                    + ": error frame with gRPC status " + grpc + " and no known Ferrule code (" + ferrule + "): "
                    + message);
        }
        return new FerruleException(code, "correlationId=" + correlationId + ": " + message);
    }

    private static long varint(ByteBuffer buffer, int[] at, int end) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= end) {
                throw new IndexOutOfBoundsException("varint runs past the payload");
            }
            byte b = buffer.get(at[0]++);
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IndexOutOfBoundsException("varint longer than 10 bytes");
    }
}
