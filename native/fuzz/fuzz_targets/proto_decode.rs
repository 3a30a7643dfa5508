//! Protobuf decoding of any bytes as any message of the seed schemas (descriptor.proto, OTLP, a
//! recursive proto2/proto3 pair), with arenas and depth limits small enough to be hit. Checks what
//! holds for every input: no panic, a failed decode leaves the arena's `used` as it was, errors point
//! inside the input, a success's records read back and encode to exactly `encoded_len` bytes.
//!
//! Byte 0 picks the schema and message (`ferrule_fuzz::pick`), byte 1 the arena size and depth
//! limit; the rest is the message.
#![no_main]

use ferrule_engine::abi;
use ferrule_engine::proto::{arena_used, Decoder, Encoder};
use ferrule_fuzz::{new_arena, pick, tree::Reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((schema, message, rest)) = pick(data) else { return };
    let Some((&limits, input)) = rest.split_first() else { return };
    let capacity = if limits & 0x80 != 0 { 1 << 20 } else { 16 + 32 * usize::from(limits & 0x7F) };
    let max_depth = match limits & 3 {
        0 => abi::DEFAULT_MAX_DEPTH,
        n => u32::from(n) * 2,
    };
    let base = u64::from(limits >> 4);
    thread_local! {
        static SCRATCH: std::cell::RefCell<(Decoder, Encoder)> = Default::default();
    }
    SCRATCH.with_borrow_mut(|(decoder, encoder)| {
        let mut arena = new_arena(capacity);
        // An absolute base offset: views and errors must carry it.
        let mut buffer = vec![0xEE; base as usize];
        buffer.extend_from_slice(input);
        match decoder.decode(&schema.schema, message, input, base, &mut arena, max_depth) {
            Err(e) => {
                assert_eq!(arena_used(&arena), Some(abi::ARENA_HEADER_LENGTH), "a failed decode used the arena");
                assert!(e.offset <= base + input.len() as u64, "error offset {} past the input", e.offset);
                assert!(e.offset >= base || e.code == ferrule_engine::ErrorCode::ArenaExhausted && e.offset == 0);
            }
            Ok(root) => {
                let used = arena_used(&arena).expect("header") as usize;
                assert!(used <= arena.len() && used.is_multiple_of(8) && root as usize >= 16 && (root as usize) < used);
                let arena = &arena[..];
                let reader = Reader { layout: &schema.layout, arena, input: &buffer };
                let _ = reader.read(message, root);
                let len = encoder.encoded_len(&schema.schema, message, root, arena, &buffer, max_depth).expect("encoded_len");
                let mut out = vec![0; len];
                let written =
                    encoder.encode(&schema.schema, message, root, arena, &buffer, &mut out, max_depth).expect("encode");
                assert_eq!(written, len);
                if len > 0 {
                    let short = encoder.encode(&schema.schema, message, root, arena, &buffer, &mut out[..len - 1], max_depth);
                    let e = short.expect_err("one byte short");
                    assert_eq!((e.code, e.required), (ferrule_engine::ErrorCode::BufferTooSmall, len as u64));
                }
            }
        }
    });
});
