//! The committed seed corpora (`native/fuzz/seeds/<target>/`), built from the compiled schemas
//! and sample messages of `native/fuzz/schemas`. `cargo test` in this crate checks the committed
//! files; `FERRULE_FUZZ_WRITE_SEEDS=1 cargo test` rewrites them.

use ferrule_engine::frame::{encode_frame, FrameFormat};
use ferrule_engine::proto::{arena_used, decode};

use crate::{new_arena, schemas};

const SAMPLES: [&[u8]; 3] = [
    include_bytes!("../schemas/descriptor.sample.binpb"),
    include_bytes!("../schemas/otlp.sample.binpb"),
    include_bytes!("../schemas/recursive.sample.binpb"),
];

/// Every seed: target name, file name, contents.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut seeds = Vec::new();

    // Frames: a few valid frames of each format, then a truncated tail; under several controls.
    for (format, bit) in [(FrameFormat::Ferrule, 0u8), (FrameFormat::Grpc, 1)] {
        let mut stream = Vec::new();
        for (i, payload) in [&b""[..], b"hello", &[0xAB; 40]].iter().enumerate() {
            let flags = if bit == 1 { (i % 2) as u8 } else { 0x0F & (i as u8 * 5) };
            encode_frame(format, 7 + i as u32, 1 << (20 * i), flags, payload, &mut stream).expect("valid frame");
        }
        let whole = stream.len();
        encode_frame(format, 1, 2, 0, b"cut short", &mut stream).expect("valid frame");
        for control in [bit, bit | 2 | 4 << 2, bit | 2 << 5] {
            let mut seed = vec![control];
            seed.extend_from_slice(&stream[..whole]);
            seeds.push(("frame_decode", format!("{format:?}-{control:02x}").to_lowercase(), seed));
            let mut seed = vec![control | 2];
            seed.extend_from_slice(&stream[..stream.len() - 3]);
            seeds.push(("frame_decode", format!("{format:?}-{control:02x}-tail").to_lowercase(), seed));
        }
    }

    for (selector, (schema, sample)) in schemas().iter().zip(SAMPLES).enumerate() {
        let selector = selector as u8;
        let mut roundtrip = vec![selector];
        roundtrip.extend_from_slice(sample);
        seeds.push(("proto_roundtrip", schema.name.to_string(), roundtrip));
        for limits in [0x80u8, 0x12] {
            let mut seed = vec![selector, limits];
            seed.extend_from_slice(sample);
            seeds.push(("proto_decode", format!("{}-{limits:02x}", schema.name), seed));
        }
        let mut batch = vec![selector, 1 | 3 << 1];
        for _ in 0..2 {
            batch.push(0);
            batch.extend_from_slice(&(sample.len() as u32).to_be_bytes());
            batch.extend_from_slice(sample);
        }
        seeds.push(("grpc_batch", schema.name.to_string(), batch));
        seeds.push(("schema_load", schema.name.to_string(), crate::SCHEMAS[selector as usize].1.to_vec()));

        // The arena doubles as the input its views read: decode once to learn its size, then again
        // with the sample placed right after the arena.
        let mut arena = new_arena(1 << 20);
        decode(&schema.schema, schema.root, sample, 0, &mut arena, 100).expect("sample decodes");
        let used = arena_used(&arena).expect("header") as usize;
        let mut arena = new_arena(1 << 20);
        let root = decode(&schema.schema, schema.root, sample, used as u64, &mut arena, 100).expect("sample decodes");
        let mut seed = vec![selector];
        seed.extend_from_slice(&root.to_le_bytes());
        seed.extend_from_slice(&arena[..used]);
        seed.extend_from_slice(sample);
        seeds.push(("proto_encode_arena", schema.name.to_string(), seed));
    }
    seeds
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn committed_seeds_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let write = std::env::var_os("FERRULE_FUZZ_WRITE_SEEDS").is_some();
        for (target, name, bytes) in super::seeds() {
            let file = dir.join(target).join(name);
            if write {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &bytes).unwrap();
            }
            let committed = std::fs::read(&file).unwrap_or_default();
            assert!(committed == bytes, "{} is stale: FERRULE_FUZZ_WRITE_SEEDS=1 cargo test", file.display());
        }
    }
}
