//! Property tests of the protobuf codec: random records round-trip byte for byte and match the
//! reference encoder; random and mutated inputs never panic the decoder and give typed errors;
//! random arenas never panic the encoder.

mod common;

use common::*;
use ferrule_engine::proto::{decode, encode, encoded_len, Decoder, Encoder, Schema};
use ferrule_engine::ErrorCode;
use proptest::prelude::*;
use std::sync::OnceLock;

const DEPTH: u32 = 100;

struct Fx {
    k: Kitchen,
    schema: Schema,
}

fn fx() -> &'static Fx {
    static FX: OnceLock<Fx> = OnceLock::new();
    FX.get_or_init(|| {
        let k = kitchen();
        let schema = Schema::from_compiled(&k.built.bytes).unwrap();
        Fx { k, schema }
    })
}

const DECODE_ERRORS: [ErrorCode; 9] = [
    ErrorCode::ProtoTruncated,
    ErrorCode::ProtoMalformedVarint,
    ErrorCode::ProtoInvalidTag,
    ErrorCode::ProtoInvalidWireType,
    ErrorCode::ProtoBadLength,
    ErrorCode::ProtoInvalidUtf8,
    ErrorCode::ProtoDepthExceeded,
    ErrorCode::ProtoRequiredFieldMissing,
    ErrorCode::ArenaExhausted,
];

fn encode_all(fx: &Fx, msg: u32, record: u32, arena: &[u8], input: &[u8]) -> Vec<u8> {
    let len = encoded_len(&fx.schema, msg, record, arena, input, DEPTH).unwrap();
    let mut out = vec![0; len];
    assert_eq!(encode(&fx.schema, msg, record, arena, input, &mut out, DEPTH), Ok(len));
    out
}

/// Decodes `input` (at `base` in a buffer) and checks the error contract; on success, checks
/// that decode∘encode is a fixpoint from there.
fn check_decode(fx: &Fx, msg: u32, input: &[u8], base: usize, max_depth: u32, capacity: usize) {
    let mut buffer = vec![0u8; base];
    buffer.extend_from_slice(input);
    let mut arena = arena(capacity);
    let header = arena[..16].to_vec();
    match decode(&fx.schema, msg, &buffer[base..], base as u64, &mut arena, max_depth) {
        Err(e) => {
            assert!(DECODE_ERRORS.contains(&e.code), "unexpected code {e}");
            assert!(e.offset >= base as u64 && e.offset <= (base + input.len()) as u64, "offset outside input: {e}");
            assert!(e.path.len() <= max_depth as usize + 1, "path longer than the depth: {e}");
            assert_eq!(arena[..16], header[..]);
        }
        Ok(root) => {
            let once = encode_all(fx, msg, root, &arena, &buffer);
            assert!(once.len() <= input.len() * 11 + 8);
            let mut again = self::arena(capacity + once.len() * 4);
            let root2 = decode(&fx.schema, msg, &once, 0, &mut again, DEPTH).expect("an encoding decodes");
            assert_eq!(encode_all(fx, msg, root2, &again, &once), once, "encode(decode(x)) is a fixpoint");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_records_round_trip(seed in any::<u64>(), in_arena in any::<bool>(), root in 0usize..3) {
        let fx = fx();
        let msg = [fx.k.all, fx.k.child, fx.k.req][root];
        let mut rng = Rng(seed | 1);
        let v = gen_msg(&fx.k.built, msg, &mut rng, 0);
        let mut w = ArenaWriter::new(&fx.k.built, 1 << 18);
        w.bytes_in_arena = in_arena;
        let record = w.write(msg, &v) as u32;
        let expected = ref_encode(&fx.k.built, msg, &v);
        let out = encode_all(fx, msg, record, &w.arena, &w.input);
        if out != expected {
            let at = out.iter().zip(&expected).position(|(a, b)| a != b).unwrap_or(out.len().min(expected.len()));
            let from = at.saturating_sub(8);
            prop_assert!(false, "encodings differ at {} of {}/{}: engine {:02x?}, reference {:02x?}, value {:?}", at, out.len(), expected.len(),
                &out[from..(at + 16).min(out.len())], &expected[from..(at + 16).min(expected.len())], v);
        }

        // Decode at an offset, encode again: the same bytes; and the decoded records encode,
        // by the reference, to the same bytes as well.
        let base = (seed % 7) as usize;
        let mut buffer = vec![0xAB; base];
        buffer.extend_from_slice(&out);
        let mut arena = arena(1 << 18);
        let root2 = decode(&fx.schema, msg, &buffer[base..], base as u64, &mut arena, DEPTH).unwrap();
        prop_assert_eq!(&encode_all(fx, msg, root2, &arena, &buffer), &out);
        let back = read(&fx.k.built, &arena, &buffer, msg, root2 as usize);
        prop_assert_eq!(ref_encode(&fx.k.built, msg, &back), out);
    }

    #[test]
    fn random_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..200), root in 0usize..4, depth in 0u32..6) {
        let fx = fx();
        let msg = [fx.k.all, fx.k.child, fx.k.req, fx.k.group][root];
        check_decode(fx, msg, &input, 3, depth, 1 << 14);
    }

    #[test]
    fn mutated_messages_never_panic(seed in any::<u64>(), edits in proptest::collection::vec((any::<u16>(), any::<u8>(), 0u8..3), 1..4), capacity in 0usize..4) {
        let fx = fx();
        let mut rng = Rng(seed | 1);
        let v = gen_msg(&fx.k.built, fx.k.all, &mut rng, 0);
        let mut input = ref_encode(&fx.k.built, fx.k.all, &v);
        for (at, byte, kind) in edits {
            let at = if input.is_empty() { 0 } else { at as usize % input.len() };
            match kind {
                0 if !input.is_empty() => input[at] = byte,
                1 => input.insert(at, byte),
                _ if !input.is_empty() => { input.remove(at); }
                _ => {}
            }
        }
        // Small arenas exercise ARENA_EXHAUSTED everywhere.
        let capacity = [16 + 64, 1 << 10, 1 << 12, 1 << 16][capacity];
        check_decode(fx, fx.k.all, &input, 0, DEPTH, capacity);
    }

    #[test]
    fn random_arenas_never_panic_the_encoder(
        junk in proptest::collection::vec(any::<u8>(), 16..2048),
        record in 0u32..2100,
        root in 0usize..4,
        seed in any::<u64>(),
    ) {
        let fx = fx();
        let msg = [fx.k.all, fx.k.child, fx.k.req, fx.k.group][root];
        // Half the time, a real record with one word replaced: a plausible corruption.
        let (arena, input, record) = if seed % 2 == 0 {
            let mut rng = Rng(seed | 1);
            let v = gen_msg(&fx.k.built, msg, &mut rng, 0);
            let mut w = ArenaWriter::new(&fx.k.built, 1 << 14);
            let r = w.write(msg, &v) as u32;
            let used = u32_at(&w.arena, 0) as usize;
            let at = 16 + (seed as usize >> 8) % (used - 16);
            let value = u32::from_le_bytes([junk[0], junk[1], junk[2], junk[3]]);
            let end = (at + 4).min(w.arena.len());
            w.arena[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
            (w.arena, w.input, r)
        } else {
            // Junk throughout, but a usable header, so the records themselves are tried.
            let mut arena = junk.clone();
            let used = (arena.len() & !7) as u32;
            arena[0..4].copy_from_slice(&used.to_le_bytes());
            (arena, junk, record)
        };
        let mut encoder = Encoder::new();
        match encoder.encoded_len(&fx.schema, msg, record, &arena, &input, 20) {
            Ok(len) => {
                let mut out = vec![0; len];
                prop_assert_eq!(encoder.encode(&fx.schema, msg, record, &arena, &input, &mut out, 20), Ok(len));
                // Unknown fields are copied as stored, so the output need not even parse; the
                // decoder must still cope with it.
                let mut a = self::arena((1 << 16) + len * 64);
                let _ = Decoder::new().decode(&fx.schema, msg, &out, 0, &mut a, 30);
            }
            Err(e) => prop_assert!(
                matches!(e.code, ErrorCode::InvalidArgument | ErrorCode::ProtoDepthExceeded | ErrorCode::ProtoMessageTooLarge),
                "unexpected {}", e
            ),
        }
    }
}
