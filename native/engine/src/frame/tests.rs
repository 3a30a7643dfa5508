//! Unit tests: every error code at the offset the tables of `docs/wire-format.md` give it.

use super::*;
use crate::abi;

const MAX: u32 = abi::DEFAULT_MAX_PAYLOAD_LENGTH;

fn ferrule_frame(method: u32, correlation: u64, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(FrameFormat::Ferrule, method, correlation, flags, payload, &mut out).unwrap();
    out
}

fn grpc_frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(FrameFormat::Grpc, 0, 0, flags, payload, &mut out).unwrap();
    out
}

fn decode(
    format: FrameFormat,
    max: u32,
    input: &[u8],
    eoi: bool,
) -> Result<(DecodeProgress, Vec<FrameDescriptor>), FrameError> {
    let mut out = [FrameDescriptor::default(); 16];
    let progress = FrameDecoder::new(format, max).unwrap().decode(input, eoi, &mut out)?;
    Ok((progress, out[..progress.frames].to_vec()))
}

fn error(format: FrameFormat, max: u32, input: &[u8], eoi: bool) -> (ErrorCode, usize) {
    let e = decode(format, max, input, eoi).expect_err("expected an error");
    (e.code, e.offset)
}

/// Asserts that `bad` fails alone with (code, offset), and that after a valid frame it costs
/// that frame nothing: the first call returns the frame, the next one the error.
fn assert_error_everywhere(format: FrameFormat, max: u32, bad: &[u8], code: ErrorCode, offset: usize) {
    assert_eq!(error(format, max, bad, true), (code, offset), "alone");
    let good = match format {
        FrameFormat::Ferrule => ferrule_frame(1, 2, 0, b"ok"),
        FrameFormat::Grpc => grpc_frame(0, b"ok"),
    };
    let stream = [good.as_slice(), bad].concat();
    let (progress, frames) = decode(format, max, &stream, true).unwrap();
    assert_eq!((progress.frames, progress.consumed), (1, good.len()));
    assert_eq!(frames[0].payload_len, 2);
    let e = decode(format, max, &stream[progress.consumed..], true).unwrap_err();
    assert_eq!((e.code, e.offset), (code, offset), "after a valid frame");
}

// Reference bytes written out by hand from the layout diagram, so a symmetric mistake in the
// encoder and the decoder cannot go unnoticed.
const HELLO: [u8; 29] = [
    b'F', b'R', 1, 0x0A, // magic, version, flags RESPONSE | END_OF_STREAM
    0x78, 0x56, 0x34, 0x12, // method id 0x12345678
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // correlation id 0x0102030405060708
    5, 0, 0, 0, // payload length
    0x4C, 0xBB, 0x71, 0x9A, // CRC32C("hello") = 0x9A71BB4C
    b'h', b'e', b'l', b'l', b'o',
];

#[test]
fn crc32c_is_castagnoli() {
    assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
    assert_eq!(crc32c::crc32c(b""), 0);
}

#[test]
fn ferrule_layout_matches_the_diagram() {
    let expected = HELLO;
    assert_eq!(ferrule_frame(0x1234_5678, 0x0102_0304_0506_0708, 0x0A, b"hello"), expected);
    let (progress, frames) = decode(FrameFormat::Ferrule, MAX, &expected, true).unwrap();
    assert_eq!((progress.frames, progress.consumed), (1, 29));
    assert_eq!(
        frames[0],
        FrameDescriptor {
            correlation_id: 0x0102_0304_0506_0708,
            method_id: 0x1234_5678,
            flags: 0x0A,
            payload_offset: 24,
            payload_len: 5
        }
    );
}

#[test]
fn grpc_layout_matches_the_diagram() {
    assert_eq!(grpc_frame(1, b"abc"), [1, 0, 0, 0, 3, b'a', b'b', b'c']);
    let mut long = vec![0u8, 0, 0, 1, 2];
    long.extend(vec![7u8; 258]);
    let (progress, frames) = decode(FrameFormat::Grpc, MAX, &long, true).unwrap();
    assert_eq!((progress.frames, progress.consumed), (1, 263));
    assert_eq!(
        frames[0],
        FrameDescriptor { correlation_id: 0, method_id: 0, flags: 0, payload_offset: 5, payload_len: 258 }
    );
    let (_, frames) = decode(FrameFormat::Grpc, MAX, &[1, 0, 0, 0, 0], true).unwrap();
    assert_eq!(frames[0].flags, abi::FLAG_COMPRESSED as u8);
}

#[test]
fn ferrule_bad_magic_at_0() {
    for bad in [[b'X', b'R'], [b'F', b'X'], [0, 0]] {
        let mut frame = ferrule_frame(1, 1, 0, b"x");
        frame[..2].copy_from_slice(&bad);
        assert_error_everywhere(FrameFormat::Ferrule, MAX, &frame, ErrorCode::FrameBadMagic, 0);
    }
}

#[test]
fn ferrule_unsupported_version_at_2() {
    for version in [0u8, 2, 0xFF] {
        let mut frame = ferrule_frame(1, 1, 0, b"x");
        frame[2] = version;
        assert_error_everywhere(FrameFormat::Ferrule, MAX, &frame, ErrorCode::FrameUnsupportedVersion, 2);
    }
}

#[test]
fn ferrule_bad_flags_at_3() {
    for bit in 4..8 {
        let mut frame = ferrule_frame(1, 1, 0, b"x");
        frame[3] = 1 << bit;
        assert_error_everywhere(FrameFormat::Ferrule, MAX, &frame, ErrorCode::FrameBadFlags, 3);
    }
    // Every defined flag is accepted.
    let frame = ferrule_frame(1, 1, 0x0F, b"x");
    assert_eq!(decode(FrameFormat::Ferrule, MAX, &frame, true).unwrap().1[0].flags, 0x0F);
}

#[test]
fn ferrule_too_large_at_16_before_the_payload_arrives() {
    let frame = ferrule_frame(1, 1, 0, &[9; 11]);
    assert_error_everywhere(FrameFormat::Ferrule, 10, &frame, ErrorCode::FrameTooLarge, 16);
    // Header only, more input expected: refused all the same.
    assert_eq!(error(FrameFormat::Ferrule, 10, &frame[..24], false), (ErrorCode::FrameTooLarge, 16));
    // A length no buffer could hold.
    let mut huge = ferrule_frame(1, 1, 0, b"");
    huge[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        error(FrameFormat::Ferrule, abi::MAX_PAYLOAD_LENGTH_LIMIT, &huge, false),
        (ErrorCode::FrameTooLarge, 16)
    );
    // Exactly the maximum is fine, and so is an empty payload with a maximum of 0.
    assert_eq!(decode(FrameFormat::Ferrule, 11, &frame, true).unwrap().0.frames, 1);
    assert_eq!(decode(FrameFormat::Ferrule, 0, &ferrule_frame(1, 1, 0, b""), true).unwrap().0.frames, 1);
}

#[test]
fn ferrule_crc_mismatch_at_20() {
    let mut frame = ferrule_frame(1, 1, 0, b"payload");
    *frame.last_mut().unwrap() ^= 1;
    assert_error_everywhere(FrameFormat::Ferrule, MAX, &frame, ErrorCode::FrameCrcMismatch, 20);
    let mut frame = ferrule_frame(1, 1, 0, b"");
    frame[20] = 1;
    assert_error_everywhere(FrameFormat::Ferrule, MAX, &frame, ErrorCode::FrameCrcMismatch, 20);
}

#[test]
fn header_checks_run_in_offset_order() {
    let mut frame = ferrule_frame(1, 1, 0, &[1; 20]);
    *frame.last_mut().unwrap() ^= 1; // CRC
    assert_eq!(error(FrameFormat::Ferrule, 19, &frame, true), (ErrorCode::FrameTooLarge, 16));
    frame[3] = 0x80;
    assert_eq!(error(FrameFormat::Ferrule, 19, &frame, true), (ErrorCode::FrameBadFlags, 3));
    frame[2] = 9;
    assert_eq!(error(FrameFormat::Ferrule, 19, &frame, true), (ErrorCode::FrameUnsupportedVersion, 2));
    frame[1] = 0;
    assert_eq!(error(FrameFormat::Ferrule, 19, &frame, true), (ErrorCode::FrameBadMagic, 0));
}

#[test]
fn partial_tail_waits_or_is_truncated_at_the_frame_start() {
    for format in [FrameFormat::Ferrule, FrameFormat::Grpc] {
        let frame = match format {
            FrameFormat::Ferrule => ferrule_frame(3, 4, 0, b"abcdef"),
            FrameFormat::Grpc => grpc_frame(0, b"abcdef"),
        };
        for cut in 1..frame.len() {
            let tail = &frame[..cut];
            assert_eq!(decode(format, MAX, tail, false).unwrap().0, DecodeProgress::default());
            assert_error_everywhere(format, MAX, tail, ErrorCode::FrameTruncated, 0);
        }
    }
    // A partial header is not examined, even when its bytes are already wrong.
    assert_eq!(decode(FrameFormat::Ferrule, MAX, b"XX", false).unwrap().0.frames, 0);
    assert_eq!(error(FrameFormat::Ferrule, MAX, b"XX", true), (ErrorCode::FrameTruncated, 0));
    assert_eq!(decode(FrameFormat::Grpc, MAX, &[9, 0], false).unwrap().0.frames, 0);
    // Nothing left is not a partial frame.
    assert_eq!(decode(FrameFormat::Ferrule, MAX, b"", true).unwrap().0, DecodeProgress::default());
}

#[test]
fn grpc_bad_flags_at_0() {
    for flag in [2u8, 0x80, 0xFF] {
        let mut frame = grpc_frame(0, b"x");
        frame[0] = flag;
        assert_error_everywhere(FrameFormat::Grpc, MAX, &frame, ErrorCode::FrameBadFlags, 0);
    }
}

#[test]
fn grpc_too_large_at_1() {
    let frame = grpc_frame(0, &[0; 6]);
    assert_error_everywhere(FrameFormat::Grpc, 5, &frame, ErrorCode::FrameTooLarge, 1);
    assert_eq!(error(FrameFormat::Grpc, 5, &frame[..5], false), (ErrorCode::FrameTooLarge, 1));
    assert_eq!(error(FrameFormat::Grpc, 3, &[1, 0, 0, 0, 4], false), (ErrorCode::FrameTooLarge, 1));
}

#[test]
fn grpc_has_no_crc() {
    // A gRPC payload may be anything: nothing is checked beyond the prefix.
    let frame = grpc_frame(0, &[0xFF; 3]);
    assert_eq!(decode(FrameFormat::Grpc, MAX, &frame, true).unwrap().0.consumed, 8);
}

#[test]
fn stops_when_the_table_is_full() {
    let stream = [ferrule_frame(1, 1, 0, b"a"), ferrule_frame(2, 2, 0, b"bb"), ferrule_frame(3, 3, 0, b"ccc")].concat();
    let decoder = FrameDecoder::with_default_max(FrameFormat::Ferrule);
    let mut out = [FrameDescriptor::default(); 2];
    let progress = decoder.decode(&stream, true, &mut out).unwrap();
    assert_eq!((progress.frames, progress.consumed), (2, 25 + 26));
    assert_eq!((out[0].method_id, out[1].method_id), (1, 2));
    assert_eq!(out[1].payload_offset, 25 + 24);
    // A full table comes first: no frame, no error.
    assert_eq!(decoder.decode(b"garbage", true, &mut []).unwrap(), DecodeProgress::default());
}

#[test]
fn invalid_argument_for_a_maximum_over_the_limit() {
    assert_eq!(
        FrameDecoder::new(FrameFormat::Grpc, abi::MAX_PAYLOAD_LENGTH_LIMIT + 1),
        Err(ErrorCode::InvalidArgument)
    );
    assert_eq!(FrameDecoder::new(FrameFormat::Grpc, u32::MAX), Err(ErrorCode::InvalidArgument));
    assert!(FrameDecoder::new(FrameFormat::Grpc, abi::MAX_PAYLOAD_LENGTH_LIMIT).is_ok());
    assert_eq!(
        encode_frames(FrameFormat::Ferrule, &[], &[], &mut [], abi::MAX_PAYLOAD_LENGTH_LIMIT + 1),
        Err(EncodeError::InvalidMaxPayloadLength(abi::MAX_PAYLOAD_LENGTH_LIMIT + 1))
    );
}

fn entry(flags: u8, payload_offset: usize, payload_len: usize) -> FrameDescriptor {
    FrameDescriptor { correlation_id: 7, method_id: 8, flags, payload_offset, payload_len }
}

#[test]
fn encode_errors_name_the_first_bad_entry() {
    let payloads = [0u8; 20];
    let mut out = [0xEEu8; 200];
    let cases = [
        (FrameFormat::Ferrule, vec![entry(0, 0, 10), entry(0, 5, 16)], 1, ErrorCode::InvalidArgument),
        (FrameFormat::Ferrule, vec![entry(0, usize::MAX, 2)], 0, ErrorCode::InvalidArgument),
        (FrameFormat::Ferrule, vec![entry(0, 21, 0)], 0, ErrorCode::InvalidArgument),
        (FrameFormat::Ferrule, vec![entry(0, 0, 1), entry(0x10, 0, 1)], 1, ErrorCode::FrameBadFlags),
        (FrameFormat::Grpc, vec![entry(2, 0, 1)], 0, ErrorCode::FrameBadFlags),
        (FrameFormat::Ferrule, vec![entry(0, 0, 1), entry(0, 0, 1), entry(0, 0, 11)], 2, ErrorCode::FrameTooLarge),
        // One entry, several faults: bounds, then flags, then size.
        (FrameFormat::Ferrule, vec![entry(0xFF, 0, 21)], 0, ErrorCode::InvalidArgument),
        (FrameFormat::Ferrule, vec![entry(0xFF, 0, 20)], 0, ErrorCode::FrameBadFlags),
        // Validation comes before the output size.
        (FrameFormat::Grpc, vec![entry(0, 0, 4), entry(0, 0, 11)], 1, ErrorCode::FrameTooLarge),
    ];
    for (format, frames, index, code) in cases {
        let result = encode_frames(format, &frames, &payloads, &mut out[..3], 10);
        assert_eq!(result, Err(EncodeError::InvalidEntry { index, code }), "{frames:?}");
        assert_eq!(result.unwrap_err().code(), code);
    }
    assert!(out.iter().all(|&b| b == 0xEE), "nothing written");
}

#[test]
fn encode_buffer_too_small_reports_the_size_required() {
    let payloads = *b"0123456789";
    let frames = [entry(0, 0, 3), entry(1, 3, 7)];
    for (format, required) in [(FrameFormat::Ferrule, 48 + 10), (FrameFormat::Grpc, 10 + 10)] {
        assert_eq!(encoded_len(format, &frames), Some(required));
        let mut out = vec![0xEEu8; required];
        let result = encode_frames(format, &frames, &payloads, &mut out[..required - 1], MAX);
        assert_eq!(result, Err(EncodeError::BufferTooSmall { required }));
        assert_eq!(result.unwrap_err().code(), ErrorCode::BufferTooSmall);
        assert!(out.iter().all(|&b| b == 0xEE), "nothing written");
        assert_eq!(encode_frames(format, &frames, &payloads, &mut out, MAX), Ok(required));
    }
    assert_eq!(encoded_len(FrameFormat::Grpc, &[entry(0, 0, usize::MAX)]), None);
}

#[test]
fn encode_then_decode_round_trips() {
    let payloads = *b"abcdefgh";
    let frames = [entry(0x0F, 2, 3), entry(0, 0, 0), entry(1, 0, 8)];
    let mut out = [0u8; 100];
    let written = encode_frames(FrameFormat::Ferrule, &frames, &payloads, &mut out, MAX).unwrap();
    let decoder = FrameDecoder::with_default_max(FrameFormat::Ferrule);
    let decoded: Vec<Frame<'_>> = decoder.frames(&out[..written]).collect::<Result<_, _>>().unwrap();
    assert_eq!(decoded.len(), 3);
    assert_eq!(decoded[0], Frame { correlation_id: 7, method_id: 8, flags: 0x0F, payload: b"cde" });
    assert_eq!(decoded[1].payload, b"");
    assert_eq!(decoded[2].payload, b"abcdefgh");
    // gRPC drops the ids, which are not on the wire.
    let written = encode_frames(FrameFormat::Grpc, &frames[1..], &payloads, &mut out, MAX).unwrap();
    let decoded: Vec<Frame<'_>> =
        FrameDecoder::with_default_max(FrameFormat::Grpc).frames(&out[..written]).collect::<Result<_, _>>().unwrap();
    assert_eq!(decoded[1], Frame { correlation_id: 0, method_id: 0, flags: 1, payload: b"abcdefgh" });
}

#[test]
fn encode_frame_appends_or_leaves_out_alone() {
    let mut out = b"prefix".to_vec();
    assert_eq!(encode_frame(FrameFormat::Grpc, 1, 2, 0, b"xy", &mut out), Ok(7));
    assert_eq!(out, b"prefix\0\0\0\0\x02xy");
    assert_eq!(
        encode_frame(FrameFormat::Grpc, 1, 2, 3, b"xy", &mut out),
        Err(EncodeError::InvalidEntry { index: 0, code: ErrorCode::FrameBadFlags })
    );
    assert_eq!(out.len(), 13);
}

#[test]
fn frames_iterator_ends_with_the_error() {
    let mut stream = [ferrule_frame(1, 1, 0, b"a"), ferrule_frame(2, 2, 0, b"b")].concat();
    stream.extend_from_slice(b"FR");
    let decoder = FrameDecoder::with_default_max(FrameFormat::Ferrule);
    let mut frames = decoder.frames(&stream);
    assert_eq!(frames.next().unwrap().unwrap().method_id, 1);
    assert_eq!(frames.next().unwrap().unwrap().method_id, 2);
    assert_eq!(frames.next(), Some(Err(FrameError { code: ErrorCode::FrameTruncated, offset: 50 })));
    assert_eq!(frames.next(), None);
    assert_eq!(frames.consumed(), 50);
    assert_eq!(frames.remainder(), b"FR");
    assert_eq!(decoder.frames(b"").count(), 0);
}

#[test]
fn formats_map_to_their_ids() {
    assert_eq!(FrameFormat::from_id(abi::FORMAT_FERRULE), Some(FrameFormat::Ferrule));
    assert_eq!(FrameFormat::from_id(abi::FORMAT_GRPC), Some(FrameFormat::Grpc));
    assert_eq!(FrameFormat::try_from(2), Err(ErrorCode::InvalidArgument));
    assert_eq!(u32::from(FrameFormat::Grpc), abi::FORMAT_GRPC);
    assert_eq!(FrameFormat::Ferrule.header_len(), 24);
    assert_eq!(FrameFormat::Grpc.header_len(), 5);
}

#[test]
fn error_codes_match_the_wire_format_table() {
    let table = [
        (1, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
        (2, "BUFFER_TOO_SMALL", "RESOURCE_EXHAUSTED"),
        (3, "INTERNAL", "INTERNAL"),
        (4, "NATIVE_UNAVAILABLE", "UNAVAILABLE"),
        (5, "ABI_MISMATCH", "FAILED_PRECONDITION"),
        (6, "COMPRESSION_UNSUPPORTED", "UNIMPLEMENTED"),
        (7, "CONCURRENT_USE", "FAILED_PRECONDITION"),
        (100, "FRAME_BAD_MAGIC", "INTERNAL"),
        (101, "FRAME_UNSUPPORTED_VERSION", "UNIMPLEMENTED"),
        (102, "FRAME_BAD_FLAGS", "INTERNAL"),
        (103, "FRAME_TOO_LARGE", "RESOURCE_EXHAUSTED"),
        (104, "FRAME_CRC_MISMATCH", "DATA_LOSS"),
        (105, "FRAME_TRUNCATED", "DATA_LOSS"),
    ];
    // wire-format.md lists the general and frame codes (below 200); the protobuf codes belong to
    // docs/message-layout.md and are checked with the proto module.
    let listed: Vec<ErrorCode> = ErrorCode::ALL.into_iter().filter(|c| c.code() < 200).collect();
    assert_eq!(listed.len(), table.len());
    for (code, (number, name, grpc)) in listed.into_iter().zip(table) {
        assert_eq!((code.code(), code.name(), code.grpc_status()), (number, name, grpc));
        assert_eq!(ErrorCode::from_code(number), Some(code));
        assert_eq!(ErrorCode::from_name(name), Some(code));
        assert_eq!(u32::from(code), number);
        assert!(!code.description().is_empty());
        assert!(code.to_string().starts_with(&format!("{name} ({number}): ")));
    }
    assert_eq!(ErrorCode::FrameBadMagic as u32, 100);
    assert_eq!(ErrorCode::from_code(0), None);
    assert_eq!(ErrorCode::from_name("frame_bad_magic"), None);
}

#[test]
fn errors_display_name_number_and_offset() {
    let e = FrameError { code: ErrorCode::FrameCrcMismatch, offset: 44 };
    assert!(e.to_string().starts_with("FRAME_CRC_MISMATCH (104) at offset 44"), "{e}");
    let e = EncodeError::InvalidEntry { index: 3, code: ErrorCode::FrameTooLarge };
    assert!(e.to_string().starts_with("FRAME_TOO_LARGE (103): frame 3"), "{e}");
    let e = EncodeError::BufferTooSmall { required: 9 };
    assert_eq!(e.to_string(), "BUFFER_TOO_SMALL (2): the frames need 9 bytes");
}
