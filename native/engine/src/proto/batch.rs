//! Batch decode and encode (`docs/message-layout.md`, sections 6 and 7): many gRPC
//! length-prefixed messages of one type in one call. Decode composes the frame layer's
//! [`FrameDecoder`] with [`Decoder::decode`]; encode composes [`Encoder`] with the 5-byte gRPC
//! prefix.
//!
//! Nothing here is a second codec: each frame is found by the frame decoder exactly as
//! `ferrule_frames_decode` finds it, and each payload is decoded by the message decoder exactly as
//! `ferrule_proto_decode` decodes it. This module only adds the rules that join them: a compressed
//! message is `COMPRESSION_UNSUPPORTED`, and no message is lost to a later bad one.

use super::arena::ArenaMut;
use super::decode::{DecodeError, Decoder, MAX_INPUT_END};
use super::encode::{used_part, EncodeError, Encoder};
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

/// The largest batch [`encode_grpc_batch`] writes: a Java buffer's limit.
const MAX_BATCH_LEN: u64 = i32::MAX as u64;

/// Encodes the records `roots` (arena offsets of root records, all of message type `message`) as
/// consecutive gRPC length-prefixed messages into the front of `out`: for each, compressed flag 0,
/// the encoding's length as a big-endian u32, then the encoding exactly as [`Encoder::encode`]
/// writes it. A root of 0 (no record, as an absent sub-message) is an empty message. Returns the
/// bytes written: `5 * count` plus the encodings' lengths.
///
/// Nothing here is a second encoder: every message is sized and then written by `encoder`. All
/// messages are sized before anything is written, so on any error nothing is written:
/// `BUFFER_TOO_SMALL` carries in `required` the bytes the whole batch needs (pass an empty `out`
/// to ask for the size); a message's own error (`INVALID_ARGUMENT` for a corrupt record,
/// `PROTO_DEPTH_EXCEEDED`, `PROTO_MESSAGE_TOO_LARGE`) carries the **index of the message in
/// `roots`** as its offset and the encoder's path (relative to `message`); a batch longer than
/// 2^31 − 1 bytes is `PROTO_MESSAGE_TOO_LARGE` at the index of the first message past that limit.
/// An unknown `message` or an unusable arena header is `INVALID_ARGUMENT` at offset 0 with an
/// empty path, whatever the roots.
#[allow(clippy::too_many_arguments)]
pub fn encode_grpc_batch<R>(
    encoder: &mut Encoder,
    schema: &Schema,
    message: u32,
    roots: R,
    arena: &[u8],
    input: &[u8],
    out: &mut [u8],
    max_depth: u32,
) -> Result<usize, EncodeError>
where
    R: IntoIterator<Item = u32>,
    R::IntoIter: Clone,
{
    let roots = roots.into_iter();
    if message as usize >= schema.messages.len() {
        return Err(EncodeError { code: ErrorCode::InvalidArgument, offset: 0, required: 0, path: Vec::new() });
    }
    used_part(arena)?;
    let at_index = |index: usize, mut e: EncodeError| {
        e.offset = index as u64;
        e
    };
    // Sizing pass: every message is checked before a byte is written.
    let mut total: u64 = 0;
    for (index, root) in roots.clone().enumerate() {
        let len = match root {
            0 => 0,
            _ => encoder.encoded_len(schema, message, root, arena, input, max_depth).map_err(|e| at_index(index, e))?,
        };
        total += abi::GRPC_PREFIX_LENGTH as u64 + len as u64;
        if total > MAX_BATCH_LEN {
            return Err(EncodeError {
                code: ErrorCode::ProtoMessageTooLarge,
                offset: index as u64,
                required: 0,
                path: Vec::new(),
            });
        }
    }
    if (out.len() as u64) < total {
        return Err(EncodeError { code: ErrorCode::BufferTooSmall, offset: 0, required: total, path: Vec::new() });
    }
    // Writing pass: the encoder writes each message behind room for its prefix, which then gets
    // the length it reports.
    let prefix = abi::GRPC_PREFIX_LENGTH as usize;
    let mut at = 0;
    for (index, root) in roots.enumerate() {
        let len = match root {
            0 => 0,
            _ => encoder
                .encode(schema, message, root, arena, input, &mut out[at + prefix..], max_depth)
                .map_err(|e| at_index(index, e))?,
        };
        out[at] = 0;
        // len <= total <= i32::MAX.
        out[at + 1..at + prefix].copy_from_slice(&(len as u32).to_be_bytes());
        at += prefix + len;
    }
    // The second pass encoded what the first one sized: a mismatch is a defect, never bad input.
    assert!(at as u64 == total, "the batch's sizing and writing passes disagree");
    Ok(at)
}
