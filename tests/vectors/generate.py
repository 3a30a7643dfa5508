#!/usr/bin/env python3
# Copyright The Ferrule Authors
# SPDX-License-Identifier: Apache-2.0
"""Generate the golden frame vectors in tests/vectors/frames/.

This is an independent implementation of docs/wire-format.md (sections 1-3
and 5), written from the spec alone on purpose: it shares no code with the
Rust engine or the Java backend, so a bug in either cannot hide in the
vectors. It contains a CRC-32C and a frame *encoder*; it has no decoder.
Every expected outcome (frames, consumed bytes, error and its offset) is
stated by the vector's definition below, from how its input was built.

    python3 tests/vectors/generate.py           rewrite frames/*.vector
    python3 tests/vectors/generate.py --check   exit 1 if any file differs

Standard library only.
"""

import os
import struct
import sys

# --- Constants, from docs/wire-format.md and native/engine/abi.tsv ----------

FRAME_HEADER_LENGTH = 24
FRAME_MAGIC = b"FR"  # 0x46 0x52
FRAME_VERSION = 1
GRPC_PREFIX_LENGTH = 5
DEFAULT_MAX_PAYLOAD_LENGTH = 16777216  # 16 MiB
MAX_PAYLOAD_LENGTH_LIMIT = 2147483623  # 2^31 - 25
TABLE_CAPACITY = 1024  # the capacity checkers decode with

FLAG_COMPRESSED = 0x01
FLAG_RESPONSE = 0x02
FLAG_ERROR = 0x04
FLAG_END_OF_STREAM = 0x08
FLAGS_RESERVED_MASK = 0xF0

ERRORS = {
    "FRAME_BAD_MAGIC": 100,
    "FRAME_UNSUPPORTED_VERSION": 101,
    "FRAME_BAD_FLAGS": 102,
    "FRAME_TOO_LARGE": 103,
    "FRAME_CRC_MISMATCH": 104,
    "FRAME_TRUNCATED": 105,
}

U32_MAX = 0xFFFFFFFF
U64_MAX = 0xFFFFFFFFFFFFFFFF


# --- CRC-32C (Castagnoli), bit by bit ----------------------------------------


def crc32c(data):
    """CRC-32C: reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            if crc & 1:
                crc = (crc >> 1) ^ 0x82F63B78
            else:
                crc >>= 1
    return crc ^ 0xFFFFFFFF


def self_check():
    if crc32c(b"123456789") != 0xE3069283:
        fail("crc32c self-check failed: crc32c(b'123456789') != 0xE3069283")
    if crc32c(b"") != 0:
        fail("crc32c self-check failed: crc32c(b'') != 0")
    if struct.pack("<I", crc32c(b"123456789")) != bytes([0x83, 0x92, 0x06, 0xE3]):
        fail("crc32c self-check failed: little-endian bytes of the check value")


def fail(message):
    sys.stderr.write("generate.py: " + message + "\n")
    sys.exit(2)


# --- Encoders ----------------------------------------------------------------


def ferrule_frame(method, correlation, flags, payload, *, magic=FRAME_MAGIC,
                  version=FRAME_VERSION, length=None, crc=None):
    """One Ferrule stream frame (section 2). The keyword arguments let a vector
    break one field on purpose; by default every field is valid."""
    if length is None:
        length = len(payload)
    if crc is None:
        crc = crc32c(payload)
    header = (bytes(magic) + bytes([version, flags])
              + struct.pack("<I", method)
              + struct.pack("<Q", correlation)
              + struct.pack("<I", length)
              + struct.pack("<I", crc))
    if len(header) != FRAME_HEADER_LENGTH:
        fail("internal: Ferrule header is not 24 bytes")
    return header + bytes(payload)


def grpc_frame(flag, payload, *, length=None):
    """One gRPC Length-Prefixed-Message (section 1)."""
    if length is None:
        length = len(payload)
    return bytes([flag]) + struct.pack(">I", length) + bytes(payload)


# --- Vector builder ----------------------------------------------------------


class Vector:
    """Builds one vector's input and states its expected outcome as it goes.

    valid() appends a well-formed frame and records its descriptor;
    raw() appends bytes the definition describes itself (broken frames,
    partial tails). The definition sets the error explicitly."""

    def __init__(self, name, fmt, description, max_payload=None, end_of_input=None):
        self.name = name
        self.fmt = fmt
        self.description = description
        self.max_payload = max_payload
        self.end_of_input = end_of_input
        self.input = bytearray()
        self.frames = []  # (method, correlation, flags, payload offset, length)
        self.consumed = 0
        self.error = None  # (name, absolute offset)

    @property
    def pos(self):
        return len(self.input)

    def valid(self, payload, method=0, correlation=0, flags=0):
        """Append a valid frame; every valid frame before the first bad byte is consumed."""
        if self.consumed != self.pos:
            fail(self.name + ": a valid frame after a partial or broken one")
        payload = bytes(payload)
        if self.fmt == "ferrule":
            data = ferrule_frame(method, correlation, flags, payload)
            header = FRAME_HEADER_LENGTH
        else:
            if method != 0 or correlation != 0 or flags not in (0, 1):
                fail(self.name + ": a gRPC descriptor has method 0, correlation 0, flags 0 or 1")
            data = grpc_frame(flags, payload)
            header = GRPC_PREFIX_LENGTH
        self.frames.append((method, correlation, flags, self.pos + header, len(payload)))
        self.input += data
        self.consumed = self.pos
        return self

    def raw(self, data):
        self.input += bytes(data)
        return self

    def fails(self, error, offset):
        self.error = (error, offset)
        return self

    # Consistency checks on the definition itself (not a decoder: they only
    # compare what a definition states against how it was built).
    def verify(self):
        max_payload = DEFAULT_MAX_PAYLOAD_LENGTH if self.max_payload is None else self.max_payload
        if not 0 <= max_payload <= MAX_PAYLOAD_LENGTH_LIMIT:
            fail(self.name + ": max-payload out of range")
        if self.error is not None:
            if self.error[0] not in ERRORS:
                fail(self.name + ": unknown error " + self.error[0])
            if not self.consumed <= self.error[1] < max(self.pos, 1):
                fail(self.name + ": error offset outside the unconsumed input")
        if self.error is None and self.end_of_input in (None, True) and self.consumed != self.pos:
            fail(self.name + ": unconsumed bytes at end of input without an error")
        if self.error is not None and self.error[0] == "FRAME_TRUNCATED":
            if self.end_of_input is False or self.error[1] != self.consumed:
                fail(self.name + ": FRAME_TRUNCATED must be at the tail start with end-of-input true")
        for (_, _, _, _, length) in self.frames:
            if length > max_payload:
                fail(self.name + ": a valid frame is larger than max-payload")
        # Re-encoding the descriptors with payloads from the input must give input[0:consumed].
        out = bytearray()
        for (method, correlation, flags, offset, length) in self.frames:
            payload = bytes(self.input[offset:offset + length])
            if len(payload) != length:
                fail(self.name + ": frame payload outside the input")
            if self.fmt == "ferrule":
                out += ferrule_frame(method, correlation, flags, payload)
            else:
                out += grpc_frame(flags, payload)
        if bytes(out) != bytes(self.input[:self.consumed]):
            fail(self.name + ": frames do not re-encode to input[0:consumed]")

    def render(self):
        lines = [
            "# " + self.description,
            "# Generated by tests/vectors/generate.py from docs/wire-format.md; do not edit.",
            "name: " + self.name,
            "format: " + self.fmt,
        ]
        if self.max_payload is not None:
            lines.append("max-payload: %d" % self.max_payload)
        if self.end_of_input is not None:
            lines.append("end-of-input: " + ("true" if self.end_of_input else "false"))
        data = bytes(self.input)
        if not data:
            lines.append("input:")
        for i in range(0, len(data), 64):
            lines.append("input: " + data[i:i + 64].hex())
        for (method, correlation, flags, offset, length) in self.frames:
            lines.append("frame: method=%d correlation=%d flags=%d offset=%d length=%d"
                         % (method, correlation, flags, offset, length))
        lines.append("consumed: %d" % self.consumed)
        if self.error is not None:
            lines.append("error: %s %d" % self.error)
        return "\n".join(lines) + "\n"


def pattern(n, seed=0):
    """n bytes of a fixed, non-repeating-looking pattern: (seed + i) mod 251."""
    return bytes((seed + i) % 251 for i in range(n))


# --- The vectors -------------------------------------------------------------


def ferrule_vectors():
    F = "ferrule"
    v = []

    v.append(Vector("ferrule-empty-input", F,
                    "Empty input at end of input: no frame, nothing consumed, no error (not a partial tail)."))

    v.append(Vector("ferrule-single", F, "One frame with payload \"hello\".")
             .valid(b"hello", method=1, correlation=1))

    x = Vector("ferrule-crc-check-value", F,
               "Payload \"123456789\": its CRC-32C 0xE3069283 is stored little-endian as 83 92 06 e3.")
    x.valid(b"123456789", method=0x01020304, correlation=0x1122334455667788)
    if bytes(x.input[20:24]) != bytes([0x83, 0x92, 0x06, 0xE3]):
        fail("ferrule-crc-check-value: CRC bytes")
    v.append(x)

    v.append(Vector("ferrule-empty-payload", F, "One frame with an empty payload: length 0, CRC 0.")
             .valid(b"", method=9, correlation=42))

    v.append(Vector("ferrule-three-frames", F,
                    "Three frames: method ids 0, 7 and 2^32-1; correlation ids 0, 2^64-1 and 0x0123456789abcdef.")
             .valid(b"first", method=0, correlation=0, flags=0)
             .valid(b"second payload", method=7, correlation=U64_MAX, flags=FLAG_RESPONSE | FLAG_END_OF_STREAM)
             .valid(b"3", method=U32_MAX, correlation=0x0123456789ABCDEF, flags=0x0F))

    x = Vector("ferrule-flags", F,
               "Every defined flag bit alone (0x01, 0x02, 0x04, 0x08) and combinations (0x0f, 0x06, 0x0a, 0x03).")
    for i, flags in enumerate([FLAG_COMPRESSED, FLAG_RESPONSE, FLAG_ERROR, FLAG_END_OF_STREAM,
                               0x0F, FLAG_RESPONSE | FLAG_ERROR, FLAG_RESPONSE | FLAG_END_OF_STREAM,
                               FLAG_COMPRESSED | FLAG_RESPONSE]):
        x.valid(bytes([flags]) * (i + 1), method=100 + i, correlation=1000 + i, flags=flags)
    v.append(x)

    v.append(Vector("ferrule-payload-1000", F, "One frame with 1000 payload bytes ((i mod 251) for i in 0..999).")
             .valid(pattern(1000), method=3, correlation=0xDEADBEEF))

    # Partial tails.
    head = ferrule_frame(2, 5, 0, b"next frame")
    v.append(Vector("ferrule-partial-header", F,
                    "A frame, then the first 10 bytes of a header; input not ended: the tail is kept, no error.",
                    end_of_input=False)
             .valid(b"hello", method=1, correlation=1).raw(head[:10]))
    x = Vector("ferrule-truncated-header", F,
               "A frame, then the first 10 bytes of a header at end of input: FRAME_TRUNCATED where the tail starts.",
               end_of_input=True)
    x.valid(b"hello", method=1, correlation=1)
    x.fails("FRAME_TRUNCATED", x.pos).raw(head[:10])
    v.append(x)

    v.append(Vector("ferrule-partial-payload", F,
                    "A frame, then a whole header and 4 of its 10 payload bytes; input not ended: no error.",
                    end_of_input=False)
             .valid(b"hello", method=1, correlation=1).raw(head[:FRAME_HEADER_LENGTH + 4]))
    x = Vector("ferrule-truncated-payload", F,
               "A frame, then a whole header and 4 of its 10 payload bytes at end of input: FRAME_TRUNCATED.",
               end_of_input=True)
    x.valid(b"hello", method=1, correlation=1)
    x.fails("FRAME_TRUNCATED", x.pos).raw(head[:FRAME_HEADER_LENGTH + 4])
    v.append(x)

    v.append(Vector("ferrule-partial-header-only", F,
                    "A whole header announcing 10 payload bytes and none of them; input not ended: no error.",
                    end_of_input=False)
             .raw(head[:FRAME_HEADER_LENGTH]))

    garbage = bytes([0x00, 0xFF, 0x13, 0x37, 0x42, 0x00, 0x00, 0x00, 0xEE, 0x01])
    v.append(Vector("ferrule-short-garbage-partial", F,
                    "10 bytes that are no valid header start (bad magic); input not ended: not examined, no error.",
                    end_of_input=False)
             .raw(garbage))
    v.append(Vector("ferrule-short-garbage-truncated", F,
                    "10 bytes that are no valid header start, at end of input: FRAME_TRUNCATED at 0, not bad magic.",
                    end_of_input=True)
             .raw(garbage).fails("FRAME_TRUNCATED", 0))

    # Header checks.
    v.append(Vector("ferrule-bad-magic-first-byte", F, "First magic byte 'f' instead of 'F': FRAME_BAD_MAGIC at 0.")
             .raw(ferrule_frame(1, 1, 0, b"hello", magic=b"fR")).fails("FRAME_BAD_MAGIC", 0))
    v.append(Vector("ferrule-bad-magic-second-byte", F,
                    "Second magic byte 'S' instead of 'R': FRAME_BAD_MAGIC at 0 (the offset of the magic field).")
             .raw(ferrule_frame(1, 1, 0, b"hello", magic=b"FS")).fails("FRAME_BAD_MAGIC", 0))
    v.append(Vector("ferrule-version-0", F, "Version 0: FRAME_UNSUPPORTED_VERSION at 2.")
             .raw(ferrule_frame(1, 1, 0, b"hello", version=0)).fails("FRAME_UNSUPPORTED_VERSION", 2))
    x = Vector("ferrule-version-2", F, "A valid frame, then one with version 2: the frame, then FRAME_UNSUPPORTED_VERSION at its offset+2.")
    x.valid(b"ok", method=1, correlation=1)
    x.fails("FRAME_UNSUPPORTED_VERSION", x.pos + 2).raw(ferrule_frame(1, 2, 0, b"hello", version=2))
    v.append(x)
    for bit in (0x10, 0x20, 0x40, 0x80):
        v.append(Vector("ferrule-reserved-flag-%02x" % bit, F,
                        "Reserved flag bit 0x%02x set (with RESPONSE): FRAME_BAD_FLAGS at 3." % bit)
                 .raw(ferrule_frame(1, 1, bit | FLAG_RESPONSE, b"hello")).fails("FRAME_BAD_FLAGS", 3))
    v.append(Vector("ferrule-check-order-version", F,
                    "Version 2, reserved flags 0xf0 and length 2^32-1 all wrong: the version (offset 2) is reported first.")
             .raw(ferrule_frame(1, 1, 0xF0, b"", version=2, length=U32_MAX)).fails("FRAME_UNSUPPORTED_VERSION", 2))
    v.append(Vector("ferrule-check-order-flags", F,
                    "Reserved flag 0x80 and length over max-payload 4 both wrong: the flags (offset 3) are reported first.",
                    max_payload=4)
             .raw(ferrule_frame(1, 1, 0x80, b"12345")).fails("FRAME_BAD_FLAGS", 3))
    v.append(Vector("ferrule-check-order-magic", F,
                    "Bad magic \"XX\", version 0, reserved flags and length 2^32-1 all wrong: the magic (offset 0) is first.")
             .raw(ferrule_frame(1, 1, 0xFF, b"", magic=b"XX", version=0, length=U32_MAX)).fails("FRAME_BAD_MAGIC", 0))

    # Length against the maximum.
    v.append(Vector("ferrule-too-large-header-only", F,
                    "max-payload 4, header says 5, no payload yet, input not ended: FRAME_TOO_LARGE at 16 at once.",
                    max_payload=4, end_of_input=False)
             .raw(ferrule_frame(1, 1, 0, b"12345")[:FRAME_HEADER_LENGTH]).fails("FRAME_TOO_LARGE", 16))
    v.append(Vector("ferrule-too-large-whole-frame", F,
                    "max-payload 4, a whole 5-byte payload with a correct CRC: still FRAME_TOO_LARGE at 16.",
                    max_payload=4)
             .raw(ferrule_frame(1, 1, 0, b"12345")).fails("FRAME_TOO_LARGE", 16))
    v.append(Vector("ferrule-length-equals-max", F, "max-payload 4 and a 4-byte payload: accepted.",
                    max_payload=4)
             .valid(b"1234", method=1, correlation=1))
    x = Vector("ferrule-max-payload-zero", F,
               "max-payload 0: an empty frame is accepted, the next frame with 1 byte is FRAME_TOO_LARGE at its +16.",
               max_payload=0)
    x.valid(b"", method=1, correlation=1)
    x.fails("FRAME_TOO_LARGE", x.pos + 16).raw(ferrule_frame(1, 2, 0, b"x"))
    v.append(x)
    v.append(Vector("ferrule-too-large-default-max", F,
                    "Default max-payload, header says 16777217 (16 MiB + 1), input not ended: FRAME_TOO_LARGE at 16.",
                    end_of_input=False)
             .raw(ferrule_frame(1, 1, 0, b"", length=DEFAULT_MAX_PAYLOAD_LENGTH + 1)).fails("FRAME_TOO_LARGE", 16))
    v.append(Vector("ferrule-partial-default-max", F,
                    "Default max-payload, header says exactly 16777216 with 8 payload bytes present, input not ended: "
                    "a partial tail, no error.",
                    end_of_input=False)
             .raw(ferrule_frame(1, 1, 0, pattern(8), length=DEFAULT_MAX_PAYLOAD_LENGTH)))
    v.append(Vector("ferrule-length-u32-max", F, "Header says payload length 2^32-1: FRAME_TOO_LARGE at 16.")
             .raw(ferrule_frame(1, 1, 0, b"", length=U32_MAX)).fails("FRAME_TOO_LARGE", 16))

    # CRC.
    good = ferrule_frame(1, 1, 0, b"hello")
    flipped = bytearray(good)
    flipped[FRAME_HEADER_LENGTH + 1] ^= 0x01  # 'e' -> 'd'; the CRC still covers "hello"
    v.append(Vector("ferrule-crc-mismatch", F, "Payload byte flipped (\"hello\" -> \"hdllo\"): FRAME_CRC_MISMATCH at 20.")
             .raw(flipped).fails("FRAME_CRC_MISMATCH", 20))
    v.append(Vector("ferrule-empty-payload-bad-crc", F,
                    "Empty payload with CRC 0x00000001 (the CRC of nothing is 0): FRAME_CRC_MISMATCH at 20.")
             .raw(ferrule_frame(1, 1, 0, b"", crc=1)).fails("FRAME_CRC_MISMATCH", 20))
    x = Vector("ferrule-valid-then-crc-mismatch", F,
               "A valid frame, then one whose stored CRC is off by one: the frame, then FRAME_CRC_MISMATCH at its +20.")
    x.valid(b"hello", method=1, correlation=1)
    x.fails("FRAME_CRC_MISMATCH", x.pos + 20).raw(ferrule_frame(1, 2, 0, b"world", crc=crc32c(b"world") ^ 1))
    v.append(x)
    x = Vector("ferrule-valid-then-bad-magic", F,
               "A valid frame, then bytes that do not start with \"FR\": the frame, then FRAME_BAD_MAGIC at its start.")
    x.valid(b"hello", method=1, correlation=1)
    x.fails("FRAME_BAD_MAGIC", x.pos).raw(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
    v.append(x)

    # Table full.
    count = TABLE_CAPACITY + 6
    x = Vector("ferrule-table-full", F,
               "%d empty frames, correlation = index: more than one table of %d; the next call continues."
               % (count, TABLE_CAPACITY))
    for i in range(count):
        x.valid(b"", method=i % 3, correlation=i, flags=i % 16)
    v.append(x)

    return v


def grpc_vectors():
    G = "grpc"
    v = []

    v.append(Vector("grpc-empty-input", G, "Empty input at end of input: no message, nothing consumed, no error."))
    v.append(Vector("grpc-single", G, "One uncompressed message \"hello\".").valid(b"hello"))
    v.append(Vector("grpc-empty-message", G, "One empty message: prefix 00 00000000.").valid(b""))
    v.append(Vector("grpc-compressed", G, "Compressed flag 1: reported as descriptor flags=1, not decompressed.")
             .valid(b"\x1f\x8b compressed bytes", flags=FLAG_COMPRESSED))
    v.append(Vector("grpc-two-messages", G, "Two messages, the second compressed, the first 1000 bytes.")
             .valid(pattern(1000, seed=17)).valid(b"second", flags=FLAG_COMPRESSED))

    v.append(Vector("grpc-bad-flag", G, "Compressed flag 2: FRAME_BAD_FLAGS at 0.")
             .raw(grpc_frame(2, b"hello")).fails("FRAME_BAD_FLAGS", 0))
    x = Vector("grpc-valid-then-bad-flag", G, "A message, then one with flag 0xff: the message, then FRAME_BAD_FLAGS at its flag.")
    x.valid(b"hello")
    x.fails("FRAME_BAD_FLAGS", x.pos).raw(grpc_frame(0xFF, b"world"))
    v.append(x)
    v.append(Vector("grpc-check-order", G,
                    "Flag 2 and length over max-payload 4 both wrong: the flag (offset 0) is reported first.",
                    max_payload=4)
             .raw(grpc_frame(2, b"12345")).fails("FRAME_BAD_FLAGS", 0))

    v.append(Vector("grpc-too-large", G,
                    "max-payload 4, prefix says 5, no message bytes yet, input not ended: FRAME_TOO_LARGE at 1.",
                    max_payload=4, end_of_input=False)
             .raw(grpc_frame(0, b"12345")[:GRPC_PREFIX_LENGTH]).fails("FRAME_TOO_LARGE", 1))
    x = Vector("grpc-valid-then-too-large", G,
               "max-payload 4: a 4-byte message, then a prefix saying 5 with its bytes: the message, then FRAME_TOO_LARGE at its +1.",
               max_payload=4)
    x.valid(b"1234")
    x.fails("FRAME_TOO_LARGE", x.pos + 1).raw(grpc_frame(1, b"12345"))
    v.append(x)
    v.append(Vector("grpc-length-equals-max", G, "max-payload 4 and a 4-byte message: accepted.", max_payload=4)
             .valid(b"abcd"))
    v.append(Vector("grpc-too-large-default-max", G,
                    "Default max-payload, prefix says 16777217 (16 MiB + 1), input not ended: FRAME_TOO_LARGE at 1.",
                    end_of_input=False)
             .raw(grpc_frame(0, b"", length=DEFAULT_MAX_PAYLOAD_LENGTH + 1)).fails("FRAME_TOO_LARGE", 1))
    v.append(Vector("grpc-partial-default-max", G,
                    "Default max-payload, prefix says exactly 16777216 with 8 bytes present, input not ended: no error.",
                    end_of_input=False)
             .raw(grpc_frame(0, pattern(8), length=DEFAULT_MAX_PAYLOAD_LENGTH)))
    v.append(Vector("grpc-length-u32-max", G, "Prefix says length 2^32-1: FRAME_TOO_LARGE at 1.")
             .raw(grpc_frame(0, b"", length=U32_MAX)).fails("FRAME_TOO_LARGE", 1))

    msg = grpc_frame(0, b"next message")
    v.append(Vector("grpc-partial-prefix", G, "3 of the 5 prefix bytes; input not ended: kept, no error.",
                    end_of_input=False)
             .raw(msg[:3]))
    v.append(Vector("grpc-truncated-prefix", G, "3 of the 5 prefix bytes at end of input: FRAME_TRUNCATED at 0.",
                    end_of_input=True)
             .raw(msg[:3]).fails("FRAME_TRUNCATED", 0))
    v.append(Vector("grpc-short-bad-flag-truncated", G,
                    "4 prefix bytes starting with flag 0x07, at end of input: FRAME_TRUNCATED at 0, not bad flags "
                    "(a prefix is examined only when whole).",
                    end_of_input=True)
             .raw(bytes([0x07, 0x00, 0x00, 0x00])).fails("FRAME_TRUNCATED", 0))
    x = Vector("grpc-partial-payload", G,
               "A message, then a whole prefix and 5 of its 12 message bytes; input not ended: no error.",
               end_of_input=False)
    x.valid(b"hello").raw(msg[:GRPC_PREFIX_LENGTH + 5])
    v.append(x)
    x = Vector("grpc-truncated-payload", G,
               "A message, then a whole prefix and 5 of its 12 message bytes at end of input: FRAME_TRUNCATED at the tail.",
               end_of_input=True)
    x.valid(b"hello")
    x.fails("FRAME_TRUNCATED", x.pos).raw(msg[:GRPC_PREFIX_LENGTH + 5])
    v.append(x)
    v.append(Vector("grpc-two-then-partial", G,
                    "Two messages, then a prefix and 2 of 12 message bytes; input not ended: two messages, no error.",
                    end_of_input=False)
             .valid(b"one").valid(b"two", flags=FLAG_COMPRESSED).raw(msg[:GRPC_PREFIX_LENGTH + 2]))

    return v


def all_vectors():
    vectors = ferrule_vectors() + grpc_vectors()
    names = [x.name for x in vectors]
    if len(set(names)) != len(names):
        fail("duplicate vector names")
    for x in vectors:
        x.verify()
    return vectors


# --- Main --------------------------------------------------------------------


def main(argv):
    check = False
    for arg in argv:
        if arg == "--check":
            check = True
        else:
            sys.stderr.write("usage: generate.py [--check]\n")
            return 2
    self_check()
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frames")
    wanted = {x.name + ".vector": x.render() for x in all_vectors()}
    existing = set()
    if os.path.isdir(out_dir):
        existing = {f for f in os.listdir(out_dir) if f.endswith(".vector")}

    if check:
        bad = []
        for fname in sorted(wanted):
            path = os.path.join(out_dir, fname)
            try:
                with open(path, "rb") as f:
                    actual = f.read()
            except OSError:
                bad.append(fname + ": missing")
                continue
            if actual != wanted[fname].encode("utf-8"):
                bad.append(fname + ": differs")
        for fname in sorted(existing - set(wanted)):
            bad.append(fname + ": not produced by the generator (stale)")
        if bad:
            sys.stderr.write("tests/vectors/frames is out of date; run python3 tests/vectors/generate.py\n")
            for line in bad:
                sys.stderr.write("  " + line + "\n")
            return 1
        print("%d vectors up to date" % len(wanted))
        return 0

    os.makedirs(out_dir, exist_ok=True)
    for fname in sorted(existing - set(wanted)):
        os.remove(os.path.join(out_dir, fname))
    for fname in sorted(wanted):
        with open(os.path.join(out_dir, fname), "wb") as f:
            f.write(wanted[fname].encode("utf-8"))
    print("wrote %d vectors to %s" % (len(wanted), out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
