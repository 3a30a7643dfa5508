//! Encoding from arbitrary arenas, as a Java builder (or a bug, or a hostile caller) may leave
//! them: no panic, no runaway recursion, time or size, and `encoded_len` equals what `encode`
//! writes.
//!
//! Byte 0 picks the schema and message (`ferrule_fuzz::pick`), bytes 1-4 the root record's arena
//! offset (little-endian); the rest is the arena, header included, and also serves as the input
//! that views without `ARENA_REF_FLAG` read.
#![no_main]

use ferrule_engine::proto::{Decoder, Encoder};
use ferrule_engine::ErrorCode;
use ferrule_fuzz::{new_arena, pick};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((schema, message, rest)) = pick(data) else { return };
    if rest.len() < 4 {
        return;
    }
    let record = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
    let arena = &rest[4..];
    let mut encoder = Encoder::new();
    let len = match encoder.encoded_len(&schema.schema, message, record, arena, arena, 100) {
        Ok(len) => len,
        Err(e) => {
            assert_ne!(e.code, ErrorCode::BufferTooSmall);
            return;
        }
    };
    if len > 1 << 22 {
        return;
    }
    let mut out = vec![0; len];
    let written = encoder.encode(&schema.schema, message, record, arena, arena, &mut out, 100).expect("encode after encoded_len");
    assert_eq!(written, len);
    // The output is not checked for well-formedness: non-varint unknown-field views are written as
    // stored (docs/message-layout.md, section 4), so a corrupt view gives malformed output (open
    // finding F3 in docs/reliability.md). Decoding it must still be safe.
    let mut decoded = new_arena(4096 + 64 * len);
    let _ = Decoder::new().decode(&schema.schema, message, &out, 0, &mut decoded, 100);
});
