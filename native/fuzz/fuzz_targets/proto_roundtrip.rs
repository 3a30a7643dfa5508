//! The round-trip invariant: whatever decodes re-encodes, and the re-encoding decodes to the same
//! fields (compared as value trees, `ferrule_fuzz::tree`: unknown fields in encode order, unknown
//! varints by value) and re-encodes to the very same bytes.
//!
//! Byte 0 picks the schema and message (`ferrule_fuzz::pick`); the rest is the message.
#![no_main]

use ferrule_engine::abi;
use ferrule_engine::proto::{Decoder, Encoder};
use ferrule_engine::ErrorCode;
use ferrule_fuzz::{new_arena, pick, tree::Reader};
use libfuzzer_sys::fuzz_target;

const DEPTH: u32 = abi::DEFAULT_MAX_DEPTH;

fuzz_target!(|data: &[u8]| {
    let Some((schema, message, input)) = pick(data) else { return };
    let mut decoder = Decoder::new();
    let mut encoder = Encoder::new();
    // Room for a record per two input bytes (an empty sub-message) up to records of 128 bytes;
    // anything bigger is ARENA_EXHAUSTED and skipped. Zeroing big arenas costs most of a run.
    let mut arena = new_arena(4096 + 64 * input.len());
    let root = match decoder.decode(&schema.schema, message, input, 0, &mut arena, DEPTH) {
        Ok(root) => root,
        Err(e) if e.code == ErrorCode::ArenaExhausted => return,
        Err(_) => return,
    };
    let first = Reader { layout: &schema.layout, arena: &arena, input }.read(message, root);
    let len = encoder.encoded_len(&schema.schema, message, root, &arena, input, DEPTH).expect("encoded_len");
    let mut encoded = vec![0; len];
    encoder.encode(&schema.schema, message, root, &arena, input, &mut encoded, DEPTH).expect("encode");

    let used = ferrule_engine::proto::arena_used(&arena).expect("header") as usize;
    let mut arena2 = new_arena(4096 + 2 * used + 64 * encoded.len());
    let root2 = decoder
        .decode(&schema.schema, message, &encoded, 0, &mut arena2, DEPTH)
        .unwrap_or_else(|e| panic!("the re-encoding of a decoded message does not decode: {e}"));
    let second = Reader { layout: &schema.layout, arena: &arena2, input: &encoded }.read(message, root2);
    assert_eq!(first, second, "decode -> encode -> decode changed the fields");

    let mut again = vec![0; len];
    let len2 = encoder.encode(&schema.schema, message, root2, &arena2, &encoded, &mut again, DEPTH).expect("encode again");
    assert_eq!(len2, len);
    assert_eq!(again, encoded, "encoding is not idempotent");
});
