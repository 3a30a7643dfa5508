package dev.ferrule.frame;

import dev.ferrule.internal.Abi;

/**
 * Flag bits of a frame descriptor. Ferrule frames may combine the four below; a gRPC message has
 * only {@link #COMPRESSED}.
 */
public final class FrameFlags {
    private FrameFlags() {}

    /** The payload is compressed; the frame layer reports this and does not decompress. */
    public static final int COMPRESSED = Abi.FLAG_COMPRESSED;
    /** The frame answers the request with the same correlation id. */
    public static final int RESPONSE = Abi.FLAG_RESPONSE;
    /** The payload carries an error status instead of a message. */
    public static final int ERROR = Abi.FLAG_ERROR;
    /** The sender sends no further frame with this correlation id. */
    public static final int END_OF_STREAM = Abi.FLAG_END_OF_STREAM;
    /** Bits that must be zero in Ferrule frames of version 1. */
    public static final int RESERVED_MASK = Abi.FLAGS_RESERVED_MASK;
}
