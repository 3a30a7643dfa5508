//! gRPC batch decode and encode (`docs/message-layout.md`, sections 6 and 7) against the single
//! calls: each message of a batch must decode to the same fields as its payload decoded alone, an
//! error must leave the arena as it was and come only when no message precedes it, and the batch
//! encoding of the roots must be each message's own encoding behind its length prefix.
//!
//! Byte 0 picks the schema and message (`ferrule_fuzz::pick`), byte 1: bit 0 end of input, bits
//! 1-2 the output table size minus one; the rest is the gRPC stream.
#![no_main]

use ferrule_engine::abi;
use ferrule_engine::proto::{arena_used, encode_grpc_batch, BatchMessage, Decoder, Encoder, GrpcBatchDecoder};
use ferrule_engine::ErrorCode;
use ferrule_fuzz::{new_arena, pick, tree::Reader};
use libfuzzer_sys::fuzz_target;

const DEPTH: u32 = abi::DEFAULT_MAX_DEPTH;

fuzz_target!(|data: &[u8]| {
    let Some((schema, message, rest)) = pick(data) else { return };
    let Some((&control, input)) = rest.split_first() else { return };
    let end_of_input = control & 1 != 0;
    let mut out = vec![BatchMessage::default(); usize::from(control >> 1 & 3) + 1];
    let batch = GrpcBatchDecoder::new(&schema.schema, message, 1 << 16, DEPTH).expect("valid settings");
    let mut decoder = Decoder::new();
    let mut arena = new_arena(4096 + 128 * input.len());
    let progress = match batch.decode(&mut decoder, input, 0, end_of_input, &mut arena, &mut out) {
        Err(e) => {
            assert_eq!(arena_used(&arena), Some(abi::ARENA_HEADER_LENGTH), "a failed batch used the arena: {e}");
            return;
        }
        Ok(progress) => progress,
    };
    let messages = &out[..progress.messages];
    let mut encoder = Encoder::new();
    let mut expected = Vec::new();
    for m in messages {
        let payload = &input[m.frame.payload_offset..m.frame.payload_offset + m.frame.payload_len];
        assert_eq!(m.frame.flags, 0, "a compressed message was decoded");
        let mut alone = new_arena(4096 + 128 * payload.len());
        let root = decoder
            .decode(&schema.schema, message, payload, m.frame.payload_offset as u64, &mut alone, DEPTH)
            .unwrap_or_else(|e| panic!("a message of the batch does not decode alone: {e}"));
        let in_batch = Reader { layout: &schema.layout, arena: &arena, input }.read(message, m.root);
        let single = Reader { layout: &schema.layout, arena: &alone, input }.read(message, root);
        assert_eq!(in_batch, single, "batch and single decode disagree");
        let len = encoder.encoded_len(&schema.schema, message, root, &alone, input, DEPTH).expect("encoded_len");
        let at = expected.len();
        expected.push(0);
        expected.extend_from_slice(&(len as u32).to_be_bytes());
        expected.resize(at + 5 + len, 0);
        encoder.encode(&schema.schema, message, root, &alone, input, &mut expected[at + 5..], DEPTH).expect("encode");
    }
    let roots = messages.iter().map(|m| m.root);
    let mut encoded = vec![0; expected.len()];
    let written = encode_grpc_batch(&mut encoder, &schema.schema, message, roots.clone(), &arena, input, &mut encoded, DEPTH)
        .expect("the batch encodes");
    assert_eq!(written, expected.len());
    assert_eq!(encoded, expected, "batch encoding differs from the single encodings");
    if !expected.is_empty() {
        let short = encode_grpc_batch(&mut encoder, &schema.schema, message, roots, &arena, input, &mut encoded[1..], DEPTH);
        assert_eq!(short.map_err(|e| (e.code, e.required)), Err((ErrorCode::BufferTooSmall, expected.len() as u64)));
    }
});
