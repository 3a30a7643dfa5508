//! Frame decoding, both formats, against the reference decoder of `ferrule_fuzz::frames`: the
//! iterator and the batch call (partial tails, a full output table, end of input or not) must find
//! the same frames and the same first error, and every frame must re-encode to its own bytes.
//!
//! Byte 0: bit 0 the format (gRPC when set), bit 1 end of input, bits 2-4 the output table size
//! minus one, bits 5-7 the payload limit (0: the default 16 MiB, else 7 × n bytes). The rest is the
//! stream.
#![no_main]

use ferrule_engine::frame::{encode_frame, FrameDecoder, FrameDescriptor, FrameFormat};
use ferrule_fuzz::frames::{step, RefStep};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else { return };
    let grpc = control & 1 != 0;
    let end_of_input = control & 2 != 0;
    let table = usize::from(control >> 2 & 7) + 1;
    let max = match control >> 5 {
        0 => ferrule_engine::abi::DEFAULT_MAX_PAYLOAD_LENGTH,
        n => 7 * u32::from(n),
    };
    let format = if grpc { FrameFormat::Grpc } else { FrameFormat::Ferrule };
    let decoder = FrameDecoder::new(format, max).expect("limit within bounds");

    // The iterator reads a complete buffer: every frame, then the first error or a truncation.
    let mut frames = decoder.frames(input);
    let mut at = 0;
    loop {
        let expected = step(input, at, grpc, max);
        let actual = frames.next();
        match (expected, actual) {
            (RefStep::Empty, None) => break,
            (RefStep::Partial, Some(Err(e))) => {
                assert_eq!((e.code, e.offset), (ferrule_engine::ErrorCode::FrameTruncated, at));
                break;
            }
            (RefStep::Invalid(code, offset), Some(Err(e))) => {
                assert_eq!((e.code, e.offset), (code, offset));
                break;
            }
            (RefStep::Frame(f, size), Some(Ok(frame))) => {
                assert_eq!(
                    (frame.correlation_id, frame.method_id, frame.flags, frame.payload),
                    (f.correlation_id, f.method_id, f.flags, &input[f.payload_offset..f.payload_offset + f.payload_len])
                );
                let mut again = Vec::new();
                encode_frame(format, frame.method_id, frame.correlation_id, frame.flags, frame.payload, &mut again)
                    .expect("a decoded frame re-encodes");
                assert_eq!(again, &input[at..at + size], "frame at {at} re-encodes to other bytes");
                at += size;
                assert_eq!(frames.consumed(), at);
            }
            (expected, actual) => panic!("at {at}: reference {expected:?}, engine {actual:?}"),
        }
    }
    assert!(frames.next().is_none(), "the iterator is fused after its last item");

    // The batch call, from each frame boundary it reports, until it stops making progress.
    let mut out = vec![FrameDescriptor::default(); table];
    let mut start = 0;
    loop {
        let result = decoder.decode(&input[start..], end_of_input, &mut out);
        let mut expected_frames = Vec::new();
        let mut local = 0;
        let expected_error = loop {
            if expected_frames.len() == table {
                break None;
            }
            match step(&input[start..], local, grpc, max) {
                RefStep::Frame(f, size) => {
                    expected_frames.push(f);
                    local += size;
                }
                RefStep::Empty => break None,
                RefStep::Partial if !end_of_input => break None,
                RefStep::Partial => break Some((ferrule_engine::ErrorCode::FrameTruncated, local)),
                RefStep::Invalid(code, offset) => break Some((code, offset)),
            }
        };
        match result {
            Err(e) => {
                assert!(expected_frames.is_empty(), "an error reported after {} frames", expected_frames.len());
                assert_eq!(Some((e.code, e.offset)), expected_error);
                break;
            }
            Ok(progress) => {
                assert_eq!(progress.frames, expected_frames.len());
                assert_eq!(progress.consumed, local);
                for (d, f) in out.iter().zip(&expected_frames) {
                    assert_eq!(
                        (d.correlation_id, d.method_id, d.flags, d.payload_offset, d.payload_len),
                        (f.correlation_id, f.method_id, f.flags, f.payload_offset, f.payload_len)
                    );
                }
                if progress.frames == 0 {
                    assert_eq!(expected_error, None);
                    break;
                }
                start += progress.consumed;
            }
        }
    }
});
