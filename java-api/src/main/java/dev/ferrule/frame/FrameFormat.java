package dev.ferrule.frame;

import dev.ferrule.internal.Abi;

/** The two framings Ferrule reads and writes; both are specified in docs/wire-format.md. */
public enum FrameFormat {
    /**
     * Ferrule stream frames: 24-byte header with magic, version, flags, method id, correlation id,
     * payload length and CRC32C of the payload.
     */
    FERRULE(Abi.FORMAT_FERRULE, Abi.FRAME_HEADER_LENGTH),
    /**
     * gRPC length-prefixed messages: a compressed flag and a 4-byte big-endian length, as every gRPC
     * peer writes them. Method and correlation id are always 0.
     */
    GRPC(Abi.FORMAT_GRPC, Abi.GRPC_PREFIX_LENGTH);

    private final int id;
    private final int headerLength;

    FrameFormat(int id, int headerLength) {
        this.id = id;
        this.headerLength = headerLength;
    }

    /** The format's number in the native ABI. */
    int id() {
        return id;
    }

    /** Bytes before each payload: 24 for Ferrule frames, 5 for gRPC. */
    public int headerLength() {
        return headerLength;
    }
}
