//! Loading compiled schemas: any bytes, seeded with real compiler output, either fail validation
//! or give a schema that the codec runs on safely. Every accepted schema decodes the input itself
//! (and a few fixed messages) as several of its message types; whatever decodes must encode.
#![no_main]

use ferrule_engine::proto::{Decoder, Encoder, Schema};
use ferrule_fuzz::new_arena;
use libfuzzer_sys::fuzz_target;

/// Small messages that touch every wire type, nesting and an unknown group.
const MESSAGES: [&[u8]; 4] = [
    b"",
    &[0x08, 0x96, 0x01, 0x12, 0x03, 0x0a, 0x01, 0x41, 0x1d, 1, 2, 3, 4, 0x21, 1, 2, 3, 4, 5, 6, 7, 8],
    &[0x0a, 0x04, 0x0a, 0x02, 0x08, 0x01, 0x1a, 0x02, 0x10, 0x02, 0x23, 0x08, 0x05, 0x24],
    &[0x52, 0x06, 0x01, 0x02, 0x03, 0x80, 0x01, 0x7f, 0x5b, 0x60, 0x01, 0x5c, 0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00],
];

fuzz_target!(|data: &[u8]| {
    let Ok(schema) = Schema::from_compiled(data) else { return };
    let messages = schema.message_count() as u32;
    for m in 0..=messages {
        let _ = (schema.message_name(m), schema.record_size(m), schema.is_map_entry(m));
    }
    for e in 0..=schema.enum_count() as u32 {
        let _ = schema.enum_name(e);
    }
    // Lookup by name finds a message of that name (the first, if the schema repeats it). The
    // compiler writes names without a leading dot, which lookups ignore.
    if let Some(name) = schema.message_name(0).filter(|name| !name.starts_with('.')) {
        assert_eq!(schema.message_index(name).map(|i| schema.message_name(i)), Some(Some(name)));
    }
    let mut decoder = Decoder::new();
    let mut encoder = Encoder::new();
    let tail = &data[data.len().saturating_sub(64)..];
    for m in (0..messages).take(6).chain(messages.checked_sub(1)) {
        for input in MESSAGES.iter().copied().chain([tail]) {
            let mut arena = new_arena(1 << 14);
            let Ok(root) = decoder.decode(&schema, m, input, 0, &mut arena, 20) else { continue };
            let len = encoder
                .encoded_len(&schema, m, root, &arena, input, 20)
                .unwrap_or_else(|e| panic!("message {m} decoded but does not encode: {e}"));
            let mut out = vec![0; len];
            encoder.encode(&schema, m, root, &arena, input, &mut out, 20).expect("encode after encoded_len");
        }
    }
});
