//! Batch decode (`docs/message-layout.md`, section 6): gRPC length-prefixed messages decoded in one
//! call must give exactly what the frame decoder and one message decode per payload give, with the
//! frame decoder's stopping rules: a full batch, a partial tail, a bad frame or message (reported by
//! the next call), compressed messages refused, and an arena that fills up mid-batch.

mod common;

use common::*;
use ferrule_engine::frame::{FrameDecoder, FrameDescriptor, FrameFormat};
use ferrule_engine::proto::{
    decode, encode, encode_grpc_batch, encoded_len, BatchMessage, BatchProgress, DecodeError, Decoder, Encoder,
    GrpcBatchDecoder, PathEntry, Schema,
};
use ferrule_engine::ErrorCode::{self, *};

const NI: u32 = u32::MAX;
const DEPTH: u32 = 100;
const MAX: u32 = 1 << 20;

struct Fx {
    k: Kitchen,
    schema: Schema,
}

fn fx() -> Fx {
    let k = kitchen();
    let schema = Schema::from_compiled(&k.built.bytes).expect("the kitchen schema is valid");
    Fx { k, schema }
}

/// A gRPC length-prefixed message.
fn grpc(flag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flag];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// `count` random `t.All` messages, canonical (they re-encode to themselves).
fn messages(fx: &Fx, seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng(seed | 1);
    (0..count).map(|_| ref_encode(&fx.k.built, fx.k.all, &gen_msg(&fx.k.built, fx.k.all, &mut rng, 0))).collect()
}

fn framed(payloads: &[Vec<u8>]) -> Vec<u8> {
    payloads.iter().flat_map(|p| grpc(0, p)).collect()
}

fn path(entries: &[(u32, u32)]) -> Vec<PathEntry> {
    entries.iter().map(|&(field_number, index)| PathEntry { field_number, index }).collect()
}

fn expect(e: DecodeError, code: ErrorCode, offset: u64, p: &[(u32, u32)]) {
    assert_eq!((e.code, e.offset, e.path), (code, offset, path(p)));
}

/// One batch call over `buffer[base..]` (its index `base` is buffer index `base`).
struct Call<'f> {
    fx: &'f Fx,
    max_payload: u32,
    capacity: usize,
    end_of_input: bool,
}

impl<'f> Call<'f> {
    fn new(fx: &'f Fx) -> Call<'f> {
        Call { fx, max_payload: MAX, capacity: 64, end_of_input: false }
    }

    fn run(&self, buffer: &[u8], base: usize, arena: &mut [u8]) -> Result<Vec<BatchMessage>, DecodeError> {
        let batch = GrpcBatchDecoder::new(&self.fx.schema, self.fx.k.all, self.max_payload, DEPTH).unwrap();
        let mut out = vec![BatchMessage::default(); self.capacity];
        let header = arena[..16].to_vec();
        let result =
            batch.decode(&mut Decoder::new(), &buffer[base..], base as u64, self.end_of_input, arena, &mut out);
        match result {
            Ok(BatchProgress { messages, consumed }) => {
                out.truncate(messages);
                let frames: usize = out.iter().map(|m| 5 + m.frame.payload_len).sum();
                assert_eq!(consumed, frames, "consumed exactly the frames described");
                Ok(out)
            }
            Err(e) => {
                assert_eq!(arena[..16], header[..], "a failed batch leaves the arena as it was");
                Err(e)
            }
        }
    }
}

/// What the frame decoder and one message decode per payload give for the same bytes: the arena,
/// and the messages as the batch would describe them.
fn reference(fx: &Fx, buffer: &[u8], base: usize, count: usize, capacity: usize) -> (Vec<u8>, Vec<BatchMessage>) {
    let mut arena = arena(capacity);
    let mut frames = vec![FrameDescriptor::default(); count];
    let progress =
        FrameDecoder::new(FrameFormat::Grpc, MAX).unwrap().decode(&buffer[base..], false, &mut frames).unwrap();
    assert_eq!(progress.frames, count);
    let mut out = Vec::new();
    for frame in frames {
        let at = base + frame.payload_offset;
        let payload = &buffer[at..at + frame.payload_len];
        let root = decode(&fx.schema, fx.k.all, payload, at as u64, &mut arena, DEPTH).unwrap();
        out.push(BatchMessage { frame, root });
    }
    (arena, out)
}

fn encode_all(fx: &Fx, root: u32, arena: &[u8], buffer: &[u8]) -> Vec<u8> {
    let len = encoded_len(&fx.schema, fx.k.all, root, arena, buffer, DEPTH).unwrap();
    let mut out = vec![0; len];
    assert_eq!(encode(&fx.schema, fx.k.all, root, arena, buffer, &mut out, DEPTH), Ok(len));
    out
}

#[test]
fn a_batch_is_the_frame_decoder_and_one_decode_per_payload() {
    let fx = fx();
    for seed in 0..40 {
        let payloads = messages(&fx, seed, 1 + seed as usize % 9);
        let base = seed as usize % 5;
        let mut buffer = vec![0xEE; base];
        buffer.extend(framed(&payloads));
        let mut a = arena(1 << 18);
        let got = Call::new(&fx).run(&buffer, base, &mut a).unwrap();
        let (expected_arena, expected) = reference(&fx, &buffer, base, payloads.len(), 1 << 18);
        assert_eq!(got, expected, "seed {seed}");
        assert_eq!(a, expected_arena, "seed {seed}: the same arena, byte for byte");
        for (m, payload) in got.iter().zip(&payloads) {
            assert_eq!(m.frame.flags, 0);
            assert_eq!(&encode_all(&fx, m.root, &a, &buffer), payload, "seed {seed}: re-encodes to its bytes");
        }
    }
}

#[test]
fn empty_input_and_empty_messages() {
    let fx = fx();
    let mut a = arena(1 << 12);
    assert_eq!(Call { end_of_input: true, ..Call::new(&fx) }.run(&[], 0, &mut a), Ok(vec![]));
    assert_eq!(u32_at(&a, 0), 16);
    // Zero-length messages are empty records.
    let buffer = [grpc(0, b""), grpc(0, b"")].concat();
    let got = Call::new(&fx).run(&buffer, 0, &mut a).unwrap();
    let root_size = fx.k.built.msg(fx.k.all).record_size;
    assert_eq!(
        got.iter().map(|m| (m.frame.payload_offset, m.frame.payload_len, m.root)).collect::<Vec<_>>(),
        [(5, 0, 16), (10, 0, 16 + root_size)]
    );
}

#[test]
fn partial_tails_at_every_cut_point() {
    let fx = fx();
    let payloads = messages(&fx, 77, 4);
    let buffer = framed(&payloads);
    let starts: Vec<usize> = payloads
        .iter()
        .scan(0, |at, p| {
            let start = *at;
            *at += 5 + p.len();
            Some(start)
        })
        .collect();
    let (whole_arena, whole) = reference(&fx, &buffer, 0, payloads.len(), 1 << 16);
    for cut in 0..=buffer.len() {
        let complete = starts.iter().zip(&payloads).filter(|(&s, p)| s + 5 + p.len() <= cut).count();
        let partial = starts.get(complete).is_some_and(|&s| s < cut);
        // A stream: take what the cut holds, then the rest once it has arrived.
        let mut a = arena(1 << 16);
        let first = Call::new(&fx).run(&buffer[..cut], 0, &mut a).unwrap();
        assert_eq!(first, whole[..complete], "cut {cut}");
        let consumed: usize = first.iter().map(|m| 5 + m.frame.payload_len).sum();
        let rest = Call::new(&fx).run(&buffer, consumed, &mut a).unwrap();
        let mut all = first.clone();
        all.extend(rest.iter().map(|m| {
            let mut m = *m;
            m.frame.payload_offset += consumed;
            m
        }));
        assert_eq!(all, whole, "cut {cut}: streaming gives the whole batch");
        assert_eq!(a, whole_arena, "cut {cut}: and the same arena");

        // At the end of input, a partial tail is FRAME_TRUNCATED at its start, by the next call.
        let mut a = arena(1 << 16);
        let end = Call { end_of_input: true, ..Call::new(&fx) };
        let result = end.run(&buffer[..cut], 0, &mut a);
        if complete == 0 && partial {
            expect(result.unwrap_err(), FrameTruncated, 0, &[]);
        } else {
            assert_eq!(result.unwrap(), whole[..complete], "cut {cut}");
            if partial {
                let e = end.run(&buffer[..cut], starts[complete], &mut a).unwrap_err();
                expect(e, FrameTruncated, starts[complete] as u64, &[]);
            }
        }
    }
}

#[test]
fn a_full_batch_stops_and_the_next_call_continues() {
    let fx = fx();
    let payloads = messages(&fx, 5, 7);
    let buffer = framed(&payloads);
    let (whole_arena, whole) = reference(&fx, &buffer, 0, payloads.len(), 1 << 16);
    let mut a = arena(1 << 16);
    let mut at = 0;
    let mut all = Vec::new();
    loop {
        let got = Call { capacity: 3, ..Call::new(&fx) }.run(&buffer, at, &mut a).unwrap();
        assert!(got.len() <= 3);
        if got.is_empty() {
            break;
        }
        let start = at;
        for mut m in got {
            at += 5 + m.frame.payload_len;
            m.frame.payload_offset += start;
            all.push(m);
        }
    }
    assert_eq!(at, buffer.len());
    assert_eq!(all, whole);
    assert_eq!(a, whole_arena);
}

#[test]
fn a_bad_message_is_reported_by_the_next_call_with_offset_and_path() {
    let fx = fx();
    let good = messages(&fx, 9, 2);
    // Field 32 (repeated t.Child), element 0, field 2: a UTF-8 string with a bad byte.
    let bad = [vf(1, 5), lf(32, &lf(2, b"ok\xFFno"))].concat();
    let buffer = framed(&[good[0].clone(), good[1].clone(), bad.clone(), good[0].clone()]);
    let bad_frame = 5 + good[0].len() + 5 + good[1].len();
    let base = 3;
    let buffer = [vec![0; base], buffer].concat();
    let mut a = arena(1 << 16);
    let got = Call::new(&fx).run(&buffer, base, &mut a).unwrap();
    assert_eq!(got.len(), 2, "the messages before the bad one");
    let used = u32_at(&a, 0);
    let e = Call::new(&fx).run(&buffer, base + bad_frame, &mut a).unwrap_err();
    // The string's bytes start after the frame prefix, field 1 (2 bytes), field 32's tag and length
    // (3 bytes) and field 2's tag and length (2 bytes).
    expect(e, ProtoInvalidUtf8, (base + bad_frame + 5 + 2 + 3 + 2) as u64, &[(32, 0), (2, NI)]);
    assert_eq!(u32_at(&a, 0), used);

    // A bad frame: the same.
    let mut buffer = framed(&[good[0].clone(), good[1].clone()]);
    let second = 5 + good[0].len();
    buffer[second] = 2;
    let got = Call::new(&fx).run(&buffer, 0, &mut a).unwrap();
    assert_eq!(got.len(), 1);
    expect(Call::new(&fx).run(&buffer, second, &mut a).unwrap_err(), FrameBadFlags, second as u64, &[]);
}

#[test]
fn frame_limits_are_the_frame_layers() {
    let fx = fx();
    let buffer = [grpc(0, &vf(1, 1)), grpc(0, &lf(15, b"abcdefgh"))].concat();
    let mut a = arena(1 << 12);
    let limited = Call { max_payload: 2, ..Call::new(&fx) };
    assert_eq!(limited.run(&buffer, 0, &mut a).unwrap().len(), 1);
    expect(limited.run(&buffer, 7, &mut a).unwrap_err(), FrameTooLarge, 8, &[]);
    // Refused as soon as the header is in, before the payload arrives.
    let header = [0, 0, 0, 1, 0];
    expect(Call { max_payload: 255, ..Call::new(&fx) }.run(&header, 0, &mut a).unwrap_err(), FrameTooLarge, 1, &[]);
    let e = GrpcBatchDecoder::new(&fx.schema, fx.k.all, ferrule_engine::abi::MAX_PAYLOAD_LENGTH_LIMIT + 1, DEPTH);
    assert_eq!(e.unwrap_err(), InvalidArgument);
}

#[test]
fn compressed_messages_are_refused_at_their_frame() {
    let fx = fx();
    let payload = vf(1, 1);
    let buffer = [grpc(0, &payload), grpc(1, &payload)].concat();
    let mut a = arena(1 << 12);
    assert_eq!(Call::new(&fx).run(&buffer, 0, &mut a).unwrap().len(), 1);
    let used = u32_at(&a, 0);
    expect(Call::new(&fx).run(&buffer, 7, &mut a).unwrap_err(), CompressionUnsupported, 7, &[]);
    assert_eq!(u32_at(&a, 0), used, "nothing decoded");
    // A compressed partial frame waits like any other, and is truncated at the end of input.
    assert_eq!(Call::new(&fx).run(&buffer[..buffer.len() - 1], 7, &mut a), Ok(vec![]));
    let end = Call { end_of_input: true, ..Call::new(&fx) };
    expect(end.run(&buffer[..buffer.len() - 1], 7, &mut a).unwrap_err(), FrameTruncated, 7, &[]);
}

#[test]
fn an_arena_that_fills_up_keeps_the_messages_that_fitted() {
    let fx = fx();
    let root_size = fx.k.built.msg(fx.k.all).record_size as usize;
    let child_size = fx.k.built.msg(fx.k.child).record_size as usize;
    let payload = [vf(1, 1), lf(17, &vf(1, 2))].concat();
    let buffer = framed(&[payload.clone(), payload.clone(), payload.clone()]);
    let one = root_size + child_size;
    // Room for two messages and a half.
    let mut a = arena(16 + 2 * one + root_size);
    let got = Call::new(&fx).run(&buffer, 0, &mut a).unwrap();
    assert_eq!(got.iter().map(|m| m.root as usize).collect::<Vec<_>>(), [16, 16 + one]);
    assert_eq!(u32_at(&a, 0) as usize, 16 + 2 * one, "the third message gave its records back");
    // The next call cannot fit even that one: ARENA_EXHAUSTED at the tag that needed the record.
    let third = 2 * (5 + payload.len());
    let e = Call::new(&fx).run(&buffer, third, &mut a).unwrap_err();
    expect(e, ArenaExhausted, (third + 5 + 2) as u64, &[(17, NI)]);
    // The caller processes, resets the arena and calls again.
    let mut a = arena(16 + 2 * one + root_size);
    assert_eq!(Call::new(&fx).run(&buffer, third, &mut a).unwrap().len(), 1);
    // No room for a root record: reported at the message's first byte (not 0, as a single decode does).
    let mut tiny = arena(16 + root_size - 8);
    let e = Call::new(&fx).run(&buffer, third, &mut tiny).unwrap_err();
    expect(e, ArenaExhausted, (third + 5) as u64, &[]);
}

#[test]
fn argument_errors() {
    let fx = fx();
    let batch = GrpcBatchDecoder::new(&fx.schema, fx.k.all, MAX, DEPTH).unwrap();
    let mut out = [BatchMessage::default(); 4];
    let mut d = Decoder::new();
    // An unusable arena header, whatever the input.
    let mut bad = arena(256);
    bad[0] = 3;
    let e = batch.decode(&mut d, b"", 0, true, &mut bad, &mut out).unwrap_err();
    expect(e, InvalidArgument, 0, &[]);
    // Offsets past 2^31 - 1.
    let e = batch.decode(&mut d, b"ab", i32::MAX as u64 - 1, true, &mut arena(256), &mut out).unwrap_err();
    expect(e, InvalidArgument, 0, &[]);
    assert_eq!(GrpcBatchDecoder::new(&fx.schema, 999, MAX, DEPTH).unwrap_err(), InvalidArgument);
    // An empty output describes nothing.
    let buffer = grpc(0, b"");
    assert_eq!(batch.decode(&mut d, &buffer, 0, true, &mut arena(256), &mut []), Ok(BatchProgress::default()));
}

// Batch encode (section 7): the encoder's output behind a gRPC prefix, per message, in one call.

#[test]
fn batch_encode_is_the_grpc_framing_of_each_encoding() {
    let fx = fx();
    for seed in 0..30 {
        let payloads = messages(&fx, seed, 1 + seed as usize % 9);
        let buffer = framed(&payloads);
        let mut arena = arena(1 << 20);
        let decoded = Call { capacity: 64, ..Call::new(&fx) }.run(&buffer, 0, &mut arena).unwrap();
        let mut roots: Vec<u32> = decoded.iter().map(|m| m.root).collect();
        // A root of 0 is an empty message.
        roots.insert(roots.len() / 2, 0);
        let mut expected_payloads = payloads.clone();
        expected_payloads.insert(payloads.len() / 2, Vec::new());
        let expected = framed(&expected_payloads);

        let mut encoder = Encoder::new();
        let sized = encode_grpc_batch(
            &mut encoder,
            &fx.schema,
            fx.k.all,
            roots.iter().copied(),
            &arena,
            &buffer,
            &mut [],
            DEPTH,
        )
        .unwrap_err();
        assert_eq!((sized.code, sized.required), (BufferTooSmall, expected.len() as u64));
        // One byte short: nothing written.
        let mut out = vec![0xA5; expected.len() - 1];
        let e = encode_grpc_batch(
            &mut encoder,
            &fx.schema,
            fx.k.all,
            roots.iter().copied(),
            &arena,
            &buffer,
            &mut out,
            DEPTH,
        )
        .unwrap_err();
        assert_eq!((e.code, e.required), (BufferTooSmall, expected.len() as u64));
        assert!(out.iter().all(|&b| b == 0xA5));
        let mut out = vec![0xA5; expected.len() + 3];
        let written = encode_grpc_batch(
            &mut encoder,
            &fx.schema,
            fx.k.all,
            roots.iter().copied(),
            &arena,
            &buffer,
            &mut out,
            DEPTH,
        );
        assert_eq!(written, Ok(expected.len()));
        assert_eq!(out[..expected.len()], expected[..], "seed {seed}");
        assert_eq!(out[expected.len()..], [0xA5; 3]);
        // Each payload as the single encoder writes it.
        for (m, p) in decoded.iter().zip(&payloads) {
            assert_eq!(&encode_all(&fx, m.root, &arena, &buffer), p);
        }
    }
}

#[test]
fn batch_encode_errors_name_the_message_by_index_and_write_nothing() {
    let fx = fx();
    let payloads = messages(&fx, 7, 4);
    let buffer = framed(&payloads);
    let mut arena = arena(1 << 20);
    let decoded = Call::new(&fx).run(&buffer, 0, &mut arena).unwrap();
    let mut roots: Vec<u32> = decoded.iter().map(|m| m.root).collect();
    // A record outside the used arena: the encoder's INVALID_ARGUMENT, at the message's index.
    roots[2] = (1 << 20) - 8;
    let mut out = vec![0xA5; 1 << 16];
    let mut encoder = Encoder::new();
    let e =
        encode_grpc_batch(&mut encoder, &fx.schema, fx.k.all, roots.iter().copied(), &arena, &buffer, &mut out, DEPTH)
            .unwrap_err();
    assert_eq!((e.code, e.offset, e.required), (InvalidArgument, 2, 0));
    assert!(out.iter().all(|&b| b == 0xA5), "nothing written");
    // Argument errors come first, at offset 0, whatever the roots.
    let e = encode_grpc_batch(&mut encoder, &fx.schema, 999, roots.iter().copied(), &arena, &buffer, &mut out, DEPTH)
        .unwrap_err();
    assert_eq!((e.code, e.offset), (InvalidArgument, 0));
    let e =
        encode_grpc_batch(&mut encoder, &fx.schema, fx.k.all, [0u32], &[0u8; 8], &buffer, &mut out, DEPTH).unwrap_err();
    assert_eq!((e.code, e.offset), (InvalidArgument, 0));
    // No messages: nothing to write.
    assert_eq!(encode_grpc_batch(&mut encoder, &fx.schema, fx.k.all, [], &arena, &buffer, &mut [], DEPTH), Ok(0));
}
