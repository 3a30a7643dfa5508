//! Property tests of the engine against a deliberately simple reference implementation written
//! from `docs/wire-format.md` alone: bitwise CRC32C, byte-by-byte header parsing, literal numbers
//! from the spec instead of the generated constants, and no shared code with the engine.

use ferrule_engine::frame::{encode_frames, EncodeError, FrameDecoder, FrameDescriptor, FrameFormat};
use ferrule_engine::ErrorCode;
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------------------------
// The reference.

const LIMIT: u32 = 2_147_483_623; // 2^31 - 25
const DEFAULT_MAX: u32 = 16 * 1024 * 1024;

fn ref_crc32c(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x82F6_3B78 } else { crc >> 1 };
        }
    }
    !crc
}

fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |acc, &b| (acc << 8) | u64::from(b))
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |acc, &b| (acc << 8) | u64::from(b))
}

/// (correlation, method, flags, payload offset, payload length)
type RefFrame = (u64, u32, u8, usize, usize);

#[derive(Debug, Clone, PartialEq, Eq)]
struct RefCall {
    frames: Vec<RefFrame>,
    consumed: usize,
    /// (code, offset), only when `frames` is empty.
    error: Option<(u32, usize)>,
}

fn ref_decode(grpc: bool, max: u32, input: &[u8], end_of_input: bool, capacity: usize) -> RefCall {
    let mut frames = Vec::new();
    let mut pos = 0;
    let mut error = None;
    loop {
        if frames.len() == capacity || pos == input.len() {
            break;
        }
        let available = input.len() - pos;
        let header = if grpc { 5 } else { 24 };
        if available < header {
            if end_of_input {
                error = Some((105, pos));
            }
            break;
        }
        let h = &input[pos..pos + header];
        let (correlation, method, flags, length, length_at);
        if grpc {
            if h[0] > 1 {
                error = Some((102, pos));
                break;
            }
            correlation = 0;
            method = 0;
            flags = h[0];
            length = be(&h[1..5]);
            length_at = 1;
        } else {
            if h[0] != b'F' || h[1] != b'R' {
                error = Some((100, pos));
                break;
            }
            if h[2] != 1 {
                error = Some((101, pos + 2));
                break;
            }
            if h[3] >= 16 {
                error = Some((102, pos + 3));
                break;
            }
            flags = h[3];
            method = le(&h[4..8]) as u32;
            correlation = le(&h[8..16]);
            length = le(&h[16..20]);
            length_at = 16;
        }
        if length > u64::from(max) {
            error = Some((103, pos + length_at));
            break;
        }
        let length = length as usize;
        if available < header + length {
            if end_of_input {
                error = Some((105, pos));
            }
            break;
        }
        let payload = &input[pos + header..pos + header + length];
        if !grpc && le(&h[20..24]) as u32 != ref_crc32c(payload) {
            error = Some((104, pos + 20));
            break;
        }
        frames.push((correlation, method, flags, pos + header, length));
        pos += header + length;
    }
    if !frames.is_empty() {
        error = None;
    }
    RefCall { frames, consumed: pos, error }
}

fn ref_encode(grpc: bool, frames: &[(u32, u64, u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (method, correlation, flags, payload) in frames {
        let length = payload.len() as u32;
        if grpc {
            out.push(*flags);
            for shift in [24, 16, 8, 0] {
                out.push((length >> shift) as u8);
            }
        } else {
            out.extend_from_slice(b"FR");
            out.push(1);
            out.push(*flags);
            for i in 0..4 {
                out.push((method >> (8 * i)) as u8);
            }
            for i in 0..8 {
                out.push((correlation >> (8 * i)) as u8);
            }
            for i in 0..4 {
                out.push((length >> (8 * i)) as u8);
            }
            let crc = ref_crc32c(payload);
            for i in 0..4 {
                out.push((crc >> (8 * i)) as u8);
            }
        }
        out.extend_from_slice(payload);
    }
    out
}

/// The first entry at fault as (index, code), checking bounds, flags, then size.
fn ref_encode_check(grpc: bool, frames: &[FrameDescriptor], payloads_len: usize, max: u32) -> Option<(usize, u32)> {
    for (i, f) in frames.iter().enumerate() {
        if f.payload_offset as u128 + f.payload_len as u128 > payloads_len as u128 {
            return Some((i, 1));
        }
        if (grpc && f.flags > 1) || (!grpc && f.flags & 0xF0 != 0) {
            return Some((i, 102));
        }
        if f.payload_len as u128 > u128::from(max) {
            return Some((i, 103));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Driving the engine the same way.

fn format(grpc: bool) -> FrameFormat {
    if grpc {
        FrameFormat::Grpc
    } else {
        FrameFormat::Ferrule
    }
}

fn engine_decode(grpc: bool, max: u32, input: &[u8], end_of_input: bool, capacity: usize) -> RefCall {
    let decoder = FrameDecoder::new(format(grpc), max).expect("valid maximum");
    let mut out = vec![FrameDescriptor::default(); capacity];
    match decoder.decode(input, end_of_input, &mut out) {
        Ok(progress) => RefCall {
            frames: out[..progress.frames]
                .iter()
                .map(|d| (d.correlation_id, d.method_id, d.flags, d.payload_offset, d.payload_len))
                .collect(),
            consumed: progress.consumed,
            error: None,
        },
        Err(e) => RefCall { frames: Vec::new(), consumed: 0, error: Some((e.code.code(), e.offset)) },
    }
}

/// Decodes `input` call after call from the consumed position until a call returns no frame, as
/// the golden vectors do; every call's result, with offsets absolute.
fn drive(decode: impl Fn(&[u8]) -> RefCall, input: &[u8]) -> Vec<RefCall> {
    let mut calls = Vec::new();
    let mut base = 0;
    loop {
        let mut call = decode(&input[base..]);
        for frame in &mut call.frames {
            frame.3 += base;
        }
        if let Some(error) = &mut call.error {
            error.1 += base;
        }
        let done = call.frames.is_empty();
        base += call.consumed;
        calls.push(call);
        if done {
            return calls;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs.

type GenFrame = (u32, u64, u8, Vec<u8>);

fn arb_flags(grpc: bool) -> BoxedStrategy<u8> {
    if grpc {
        (0u8..=1).boxed()
    } else {
        (0u8..16).boxed()
    }
}

fn arb_frame(grpc: bool) -> impl Strategy<Value = GenFrame> {
    (
        prop_oneof![Just(0u32), any::<u32>()],
        prop_oneof![Just(0u64), any::<u64>()],
        arb_flags(grpc),
        prop::collection::vec(any::<u8>(), 0..24),
    )
}

fn arb_max() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..40, Just(DEFAULT_MAX), Just(LIMIT), 0..=LIMIT]
}

#[derive(Debug, Clone)]
enum Corruption {
    /// XOR a byte (never a no-op).
    Xor(Index, u8),
    /// Overwrite a byte.
    Set(Index, u8),
}

/// A stream of valid frames, then damaged: a few bytes changed, cut short, garbage appended.
fn arb_mostly_valid(grpc: bool) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(arb_frame(grpc), 0..6),
        prop::collection::vec(
            prop_oneof![
                (any::<Index>(), 1u8..=255).prop_map(|(i, x)| Corruption::Xor(i, x)),
                (any::<Index>(), any::<u8>()).prop_map(|(i, v)| Corruption::Set(i, v)),
            ],
            0..3,
        ),
        prop::option::of(any::<Index>()),
        prop::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(move |(frames, corruptions, cut, garbage)| {
            let mut bytes = ref_encode(grpc, &frames);
            let len = bytes.len();
            if len > 0 {
                for c in corruptions {
                    match c {
                        Corruption::Xor(i, x) => bytes[i.index(len)] ^= x,
                        Corruption::Set(i, v) => bytes[i.index(len)] = v,
                    }
                }
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes.extend(garbage);
            bytes
        })
}

fn arb_input(grpc: bool) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..64),
        4 => arb_mostly_valid(grpc),
    ]
}

/// Split points: the stream is fed in the chunks between them.
fn chunks(bytes: &[u8], points: &[Index]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p.index(bytes.len() + 1)).collect();
    cuts.push(0);
    cuts.push(bytes.len());
    cuts.sort_unstable();
    cuts.windows(2).map(|w| bytes[w[0]..w[1]].to_vec()).collect()
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 8192, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Properties.

#[test]
fn reference_crc32c_is_castagnoli() {
    assert_eq!(ref_crc32c(b"123456789"), 0xE306_9283);
    assert_eq!(ref_crc32c(b""), 0);
}

proptest! {
    #![proptest_config(config())]

    /// (a) Any input decodes identically in the engine and the reference, call by call.
    #[test]
    fn decodes_like_the_reference(
        (grpc, input) in any::<bool>().prop_flat_map(|g| (Just(g), arb_input(g))),
        max in arb_max(),
        end_of_input in any::<bool>(),
        capacity in 0usize..5,
    ) {
        let single = engine_decode(grpc, max, &input, end_of_input, capacity);
        prop_assert_eq!(&single, &ref_decode(grpc, max, &input, end_of_input, capacity));
        if capacity > 0 {
            let engine = drive(|i| engine_decode(grpc, max, i, end_of_input, capacity), &input);
            let reference = drive(|i| ref_decode(grpc, max, i, end_of_input, capacity), &input);
            prop_assert_eq!(engine, reference);
        }
    }

    /// The decoder accepts exactly the maximums from 0 to MAX_PAYLOAD_LENGTH_LIMIT.
    #[test]
    fn maximum_is_validated(max in prop_oneof![any::<u32>(), (LIMIT - 2)..=(LIMIT + 2)], grpc in any::<bool>()) {
        let decoder = FrameDecoder::new(format(grpc), max);
        prop_assert_eq!(decoder.is_ok(), max <= LIMIT);
        if max > LIMIT {
            prop_assert_eq!(decoder.unwrap_err(), ErrorCode::InvalidArgument);
        }
    }

    /// (b) Encoding writes exactly the reference bytes, and decoding them gives the frames back.
    #[test]
    fn encode_matches_the_reference_and_round_trips(
        (grpc, frames) in any::<bool>().prop_flat_map(|g| (Just(g), prop::collection::vec(arb_frame(g), 0..8))),
        gap in prop::collection::vec(any::<u8>(), 0..4),
        slack in 0usize..3,
    ) {
        // Lay the payloads out in one buffer with junk between them, as a caller's buffer might.
        let mut payloads = Vec::new();
        let mut descriptors = Vec::new();
        for (method, correlation, flags, payload) in &frames {
            payloads.extend_from_slice(&gap);
            descriptors.push(FrameDescriptor {
                correlation_id: *correlation,
                method_id: *method,
                flags: *flags,
                payload_offset: payloads.len(),
                payload_len: payload.len(),
            });
            payloads.extend_from_slice(payload);
        }
        let expected = ref_encode(grpc, &frames);
        let mut out = vec![0xAB; expected.len() + slack];
        let written = encode_frames(format(grpc), &descriptors, &payloads, &mut out, DEFAULT_MAX).unwrap();
        prop_assert_eq!(written, expected.len());
        prop_assert_eq!(&out[..written], &expected[..]);
        prop_assert!(out[written..].iter().all(|&b| b == 0xAB));

        let mut decoded = vec![FrameDescriptor::default(); frames.len() + 1];
        let progress = FrameDecoder::with_default_max(format(grpc)).decode(&expected, true, &mut decoded).unwrap();
        prop_assert_eq!(progress.frames, frames.len());
        prop_assert_eq!(progress.consumed, expected.len());
        for (d, (method, correlation, flags, payload)) in decoded.iter().zip(&frames) {
            let ids = if grpc { (0, 0) } else { (*method, *correlation) };
            prop_assert_eq!((d.method_id, d.correlation_id, d.flags), (ids.0, ids.1, *flags));
            prop_assert_eq!(&expected[d.payload_offset..d.payload_offset + d.payload_len], &payload[..]);
        }
    }

    /// (b) Invalid entries and short outputs are refused like the reference says, writing nothing.
    #[test]
    fn encode_errors_match_the_reference(
        grpc in any::<bool>(),
        entries in prop::collection::vec(
            (any::<u8>(), prop_oneof![0usize..40, Just(usize::MAX)], prop_oneof![0usize..40, Just(usize::MAX)]),
            0..5,
        ),
        payloads_len in 0usize..40,
        max in 0u32..40,
        out_len in 0usize..200,
    ) {
        let descriptors: Vec<FrameDescriptor> = entries
            .iter()
            .map(|&(flags, offset, len)| FrameDescriptor {
                correlation_id: 1,
                method_id: 2,
                flags,
                payload_offset: offset,
                payload_len: len,
            })
            .collect();
        let payloads = vec![5u8; payloads_len];
        let mut out = vec![0xCD; out_len];
        let result = encode_frames(format(grpc), &descriptors, &payloads, &mut out, max);
        match ref_encode_check(grpc, &descriptors, payloads_len, max) {
            Some((index, code)) => {
                prop_assert_eq!(result, Err(EncodeError::InvalidEntry { index, code: ErrorCode::from_code(code).unwrap() }));
            }
            None => {
                let required: usize = descriptors.iter().map(|d| d.payload_len + if grpc { 5 } else { 24 }).sum();
                if out_len < required {
                    prop_assert_eq!(result, Err(EncodeError::BufferTooSmall { required }));
                } else {
                    prop_assert_eq!(result, Ok(required));
                }
            }
        }
        if result.is_err() {
            prop_assert!(out.iter().all(|&b| b == 0xCD));
        }
    }

    /// (c) Fed in arbitrary chunks, keeping the unconsumed tail, a stream yields the same frames
    /// and the same final error as decoding it whole.
    #[test]
    fn split_invariance(
        (grpc, input) in any::<bool>().prop_flat_map(|g| (Just(g), prop_oneof![
            3 => prop::collection::vec(arb_frame(g), 0..8).prop_map(move |f| ref_encode(g, &f)),
            1 => arb_mostly_valid(g),
        ])),
        points in prop::collection::vec(any::<Index>(), 0..8),
        max in prop_oneof![Just(DEFAULT_MAX), 0u32..30],
        capacity in 1usize..4,
    ) {
        let decoder = FrameDecoder::new(format(grpc), max).unwrap();
        // Whole: frames as (header fields, payload bytes, absolute payload offset).
        let mut whole = Vec::new();
        let mut whole_error = None;
        for call in drive(|i| engine_decode(grpc, max, i, true, capacity), &input) {
            for f in call.frames {
                whole.push((f.0, f.1, f.2, f.3, input[f.3..f.3 + f.4].to_vec()));
            }
            whole_error = whole_error.or(call.error);
        }

        let pieces = chunks(&input, &points);
        let mut buffer: Vec<u8> = Vec::new();
        let mut base = 0;
        let mut streamed = Vec::new();
        let mut streamed_error = None;
        let mut out = vec![FrameDescriptor::default(); capacity];
        'feed: for (i, piece) in pieces.iter().enumerate() {
            buffer.extend_from_slice(piece);
            let end_of_input = i + 1 == pieces.len();
            loop {
                match decoder.decode(&buffer, end_of_input, &mut out) {
                    Ok(progress) => {
                        for d in &out[..progress.frames] {
                            let payload = buffer[d.payload_offset..d.payload_offset + d.payload_len].to_vec();
                            streamed.push((d.correlation_id, d.method_id, d.flags, base + d.payload_offset, payload));
                        }
                        buffer.drain(..progress.consumed);
                        base += progress.consumed;
                        if progress.frames == 0 {
                            break;
                        }
                    }
                    Err(e) => {
                        streamed_error = Some((e.code.code(), base + e.offset));
                        break 'feed;
                    }
                }
            }
        }
        prop_assert_eq!(streamed, whole);
        prop_assert_eq!(streamed_error, whole_error);
        if whole_error.is_none() {
            prop_assert!(buffer.is_empty());
            prop_assert_eq!(base, input.len());
        }
    }
}
