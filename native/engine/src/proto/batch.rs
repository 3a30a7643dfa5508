//! Batch decode (`docs/message-layout.md`, section 6): many gRPC length-prefixed messages of one
//! type in one call, composing the frame layer's [`FrameDecoder`] with [`Decoder::decode`].
//!
//! Nothing here is a second codec: each frame is found by the frame decoder exactly as
//! `ferrule_frames_decode` finds it, and each payload is decoded by the message decoder exactly as
//! `ferrule_proto_decode` decodes it. This module only adds the rules that join them: a compressed
//! message is `COMPRESSION_UNSUPPORTED`, and no message is lost to a later bad one.

use super::arena::ArenaMut;
use super::decode::{DecodeError, Decoder, MAX_INPUT_END};
use super::schema::Schema;
use crate::abi::{self, ErrorCode};
use crate::frame::{FrameDecoder, FrameDescriptor, FrameFormat};

/// One decoded message of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BatchMessage {
    /// Its gRPC frame as the frame decoder describes it: `payload_offset` is the index of the
    /// message's first byte in the batch's input, `payload_len` its length; method id, correlation
    /// id and flags are 0 (a compressed message is refused).
    pub frame: FrameDescriptor,
    /// Arena offset of the message's root record.
    pub root: u32,
}

/// What one [`GrpcBatchDecoder::decode`] call achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BatchProgress {
    /// Messages written to the front of `out`.
    pub messages: usize,
    /// Input bytes their frames occupy: the next call starts here.
    pub consumed: usize,
}

/// Decodes batches of gRPC length-prefixed messages of one type into an arena.
///
/// Holds only its settings (the schema is borrowed), so one value can serve any number of calls;
/// the per-call scratch is the caller's [`Decoder`].
#[derive(Debug, Clone, Copy)]
pub struct GrpcBatchDecoder<'s> {
    schema: &'s Schema,
    message: u32,
    frames: FrameDecoder,
    max_depth: u32,
}

impl<'s> GrpcBatchDecoder<'s> {
    /// A batch decoder for messages of type `message` (a schema message index), refusing frames
    /// whose payload is longer than `max_payload_len` (`FRAME_TOO_LARGE`) and messages nested
    /// deeper than `max_depth` (`PROTO_DEPTH_EXCEEDED`).
    ///
    /// `INVALID_ARGUMENT`: `message` is not in the schema, or `max_payload_len` is over
    /// `MAX_PAYLOAD_LENGTH_LIMIT`.
    pub fn new(
        schema: &'s Schema,
        message: u32,
        max_payload_len: u32,
        max_depth: u32,
    ) -> Result<GrpcBatchDecoder<'s>, ErrorCode> {
        if message as usize >= schema.messages.len() {
            return Err(ErrorCode::InvalidArgument);
        }
        let frames = FrameDecoder::new(FrameFormat::Grpc, max_payload_len)?;
        Ok(GrpcBatchDecoder { schema, message, frames, max_depth })
    }

    /// Decodes gRPC messages from the start of `input`, each into `arena` as one message of this
    /// decoder's type, and describes them in `out`, stopping when `out` is full, at a partial
    /// tail, or before a bad frame or message.
    ///
    /// The rules are the frame decoder's (`docs/wire-format.md`, section 3) with the message
    /// decode added to each frame: a partial tail is left unconsumed, or is `FRAME_TRUNCATED` at
    /// its start when `end_of_input`; a frame with compressed flag 1 is `COMPRESSION_UNSUPPORTED`
    /// at the frame's first byte, checked once the whole frame is in; any other frame error, or
    /// any message decode error (`ARENA_EXHAUSTED` included), is reported only if no message
    /// precedes it in this call. Otherwise the call returns the messages before it and consumes
    /// exactly up to its frame, and the next call, starting there, reports it. So no decoded
    /// message is lost to a later bad one, and an arena that fills up mid-batch keeps the messages
    /// that fitted.
    ///
    /// `base_offset` is the index of `input[0]` in the caller's buffer: views in the records and
    /// error offsets are absolute; descriptor offsets in `out` index `input`. Errors carry the
    /// message decoder's offset and path (relative to the message's root type), or for frame
    /// errors the frame decoder's offset and an empty path. `ARENA_EXHAUSTED` for a root record is
    /// reported at the message's first byte. On error the arena's `used` is as before the call.
    ///
    /// `INVALID_ARGUMENT` (offset 0, empty path), whatever the input: the arena header is
    /// unusable, or `base_offset + input.len()` is above 2^31 − 1.
    pub fn decode(
        &self,
        scratch: &mut Decoder,
        input: &[u8],
        base_offset: u64,
        end_of_input: bool,
        arena: &mut [u8],
        out: &mut [BatchMessage],
    ) -> Result<BatchProgress, DecodeError> {
        let invalid = || DecodeError { code: ErrorCode::InvalidArgument, offset: 0, path: Vec::new() };
        if base_offset.checked_add(input.len() as u64).is_none_or(|end| end > MAX_INPUT_END) {
            return Err(invalid());
        }
        if ArenaMut::open(arena).is_none() {
            return Err(invalid());
        }
        let mut progress = BatchProgress::default();
        let mut frame = [FrameDescriptor::default()];
        while progress.messages < out.len() {
            let start = progress.consumed;
            let error = match self.frames.decode(&input[start..], end_of_input, &mut frame) {
                Ok(step) if step.frames == 0 => break,
                Ok(step) => {
                    let mut descriptor = frame[0];
                    descriptor.payload_offset += start;
                    match self.message(scratch, input, base_offset, &descriptor, arena) {
                        Ok(root) => {
                            out[progress.messages] = BatchMessage { frame: descriptor, root };
                            progress.messages += 1;
                            progress.consumed += step.consumed;
                            continue;
                        }
                        Err(error) => error,
                    }
                }
                Err(e) => {
                    DecodeError { code: e.code, offset: base_offset + (start + e.offset) as u64, path: Vec::new() }
                }
            };
            if progress.messages == 0 {
                return Err(error);
            }
            break;
        }
        Ok(progress)
    }

    /// Decodes the payload of the whole frame `descriptor` (offsets in `input`); returns its root.
    fn message(
        &self,
        scratch: &mut Decoder,
        input: &[u8],
        base_offset: u64,
        descriptor: &FrameDescriptor,
        arena: &mut [u8],
    ) -> Result<u32, DecodeError> {
        let at = descriptor.payload_offset;
        let payload_offset = base_offset + at as u64;
        if descriptor.flags & COMPRESSED != 0 {
            let frame_offset = payload_offset - abi::GRPC_PREFIX_LENGTH as u64;
            return Err(DecodeError {
                code: ErrorCode::CompressionUnsupported,
                offset: frame_offset,
                path: Vec::new(),
            });
        }
        let payload = &input[at..at + descriptor.payload_len];
        scratch.decode(self.schema, self.message, payload, payload_offset, arena, self.max_depth).map_err(|mut e| {
            // The message decoder reports a root record that does not fit at offset 0; in a batch the
            // message at fault is named by its first byte.
            if e.code == ErrorCode::ArenaExhausted && e.path.is_empty() {
                e.offset = payload_offset;
            }
            e
        })
    }
}

/// The one descriptor flag a gRPC message can carry.
const COMPRESSED: u8 = abi::FLAG_COMPRESSED as u8;
