//! Encoding from arbitrary arenas, as a Java builder (or a bug, or a hostile caller) may leave
//! them: no panic, no runaway recursion, time or size, `encoded_len` equals what `encode` writes,
//! and whatever is written is well-formed protobuf that decodes again.
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
    let mut decoded = new_arena(4096 + 256 * len);
    if let Err(e) = Decoder::new().decode(&schema.schema, message, &out, 0, &mut decoded, 100) {
        // What an arena can hold that the wire cannot: bad UTF-8 in a checked string, a missing
        // required field, nesting past the limit; anything else means malformed output (finding F3,
        // docs/reliability.md, was an unknown-field view that was not exactly one field).
        assert!(
            matches!(
                e.code,
                ErrorCode::ProtoInvalidUtf8
                    | ErrorCode::ProtoRequiredFieldMissing
                    | ErrorCode::ProtoDepthExceeded
                    | ErrorCode::ArenaExhausted
            ),
            "the encoder wrote bytes that do not decode: {e}"
        );
    }
});
