//! The decoder: section 3 of `docs/wire-format.md`.

use core::iter::FusedIterator;

use super::{ferrule, grpc, FrameDescriptor, FrameError, FrameFormat};
use crate::abi::{self, ErrorCode};

/// What one [`FrameDecoder::decode`] call achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DecodeProgress {
    /// Descriptors written to the front of `out`.
    pub frames: usize,
    /// Input bytes those frames occupy: the next call starts here.
    pub consumed: usize,
}

/// A decoded frame borrowing its payload from the input, as yielded by [`FrameDecoder::frames`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame<'a> {
    /// Correlation id (Ferrule); 0 for gRPC.
    pub correlation_id: u64,
    /// Method id (Ferrule); 0 for gRPC.
    pub method_id: u32,
    /// `FLAG_*` bits; for gRPC only `FLAG_COMPRESSED`.
    pub flags: u8,
    /// The payload bytes, still compressed if `FLAG_COMPRESSED` is set.
    pub payload: &'a [u8],
}

/// Splits input into frames of one format, refusing payloads over a configured maximum.
///
/// The decoder holds only its settings, so one value can serve any number of streams and threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameDecoder {
    format: FrameFormat,
    max_payload_len: u32,
}

/// The outcome of looking at the input from one frame start.
enum Step {
    /// A whole valid frame: its descriptor and its size including the header.
    Frame(FrameDescriptor, usize),
    /// No byte left: nothing is pending, even at the end of input.
    Empty,
    /// Part of a frame that the caller may complete with more input.
    Partial,
    /// An invalid frame, or a partial one at the end of input.
    Invalid(FrameError),
}

impl FrameDecoder {
    /// A decoder for `format` refusing payloads longer than `max_payload_len`.
    ///
    /// A maximum over `MAX_PAYLOAD_LENGTH_LIMIT` is `INVALID_ARGUMENT`: a frame must fit in one
    /// Java buffer, and the Java backend must accept every stream this one does.
    pub const fn new(format: FrameFormat, max_payload_len: u32) -> Result<FrameDecoder, ErrorCode> {
        if max_payload_len > abi::MAX_PAYLOAD_LENGTH_LIMIT {
            return Err(ErrorCode::InvalidArgument);
        }
        Ok(FrameDecoder { format, max_payload_len })
    }

    /// A decoder for `format` with the `DEFAULT_MAX_PAYLOAD_LENGTH` (16 MiB).
    pub const fn with_default_max(format: FrameFormat) -> FrameDecoder {
        FrameDecoder { format, max_payload_len: abi::DEFAULT_MAX_PAYLOAD_LENGTH }
    }

    /// The format this decoder reads.
    pub const fn format(&self) -> FrameFormat {
        self.format
    }

    /// The largest payload this decoder accepts.
    pub const fn max_payload_len(&self) -> u32 {
        self.max_payload_len
    }

    /// Decodes frames from the start of `input` into `out`, stopping when `out` is full, at a
    /// partial tail, or before an invalid frame.
    ///
    /// A partial tail is left unconsumed for the caller to decode again with more bytes; when
    /// `end_of_input` says no more will come it is `FRAME_TRUNCATED` at the frame start instead.
    /// An invalid frame is reported only if no frame precedes it in this call: otherwise the call
    /// returns those frames and the next call, starting at the bad frame, reports it. So no valid
    /// frame is ever lost to a later invalid one.
    ///
    /// Offsets in descriptors and errors are indexes into `input`.
    pub fn decode(
        &self,
        input: &[u8],
        end_of_input: bool,
        out: &mut [FrameDescriptor],
    ) -> Result<DecodeProgress, FrameError> {
        let mut progress = DecodeProgress::default();
        for slot in out.iter_mut() {
            match self.step(input, progress.consumed, end_of_input) {
                Step::Frame(descriptor, size) => {
                    *slot = descriptor;
                    progress.frames += 1;
                    progress.consumed += size;
                }
                Step::Empty | Step::Partial => break,
                Step::Invalid(error) if progress.frames == 0 => return Err(error),
                Step::Invalid(_) => break,
            }
        }
        Ok(progress)
    }

    /// Iterates over the frames of a complete buffer, ending with an error item at the first
    /// invalid frame, or `FRAME_TRUNCATED` if the buffer ends inside a frame.
    ///
    /// For streams that arrive in pieces use [`decode`](Self::decode), or keep the bytes from the
    /// offset of a `FRAME_TRUNCATED` error and iterate again once more have arrived.
    pub fn frames<'a>(&self, input: &'a [u8]) -> Frames<'a> {
        Frames { decoder: *self, input, consumed: 0, done: false }
    }

    fn step(&self, input: &[u8], start: usize, end_of_input: bool) -> Step {
        let rest = &input[start..];
        if rest.is_empty() {
            return Step::Empty;
        }
        // Nothing is checked before the whole header is there, so the outcome cannot depend on
        // how the stream was split into reads.
        let header_len = self.format.header_len();
        let Some(header) = rest.get(..header_len) else {
            return partial(start, end_of_input);
        };
        let invalid = |code, field: usize| Step::Invalid(FrameError { code, offset: start + field });

        let (mut descriptor, length_field) = match self.format {
            FrameFormat::Ferrule => {
                // Checks run in offset order so that both backends name the same first fault.
                if header[ferrule::MAGIC..ferrule::MAGIC + 2] != ferrule::MAGIC_BYTES {
                    return invalid(ErrorCode::FrameBadMagic, ferrule::MAGIC);
                }
                if header[ferrule::VERSION] != ferrule::VERSION_BYTE {
                    return invalid(ErrorCode::FrameUnsupportedVersion, ferrule::VERSION);
                }
                let flags = header[ferrule::FLAGS];
                if flags & ferrule::RESERVED_FLAGS != 0 {
                    return invalid(ErrorCode::FrameBadFlags, ferrule::FLAGS);
                }
                let descriptor = FrameDescriptor {
                    correlation_id: u64::from_le_bytes(array(header, ferrule::CORRELATION_ID)),
                    method_id: u32::from_le_bytes(array(header, ferrule::METHOD_ID)),
                    flags,
                    payload_offset: start + header_len,
                    payload_len: 0,
                };
                let length = u32::from_le_bytes(array(header, ferrule::PAYLOAD_LENGTH));
                (descriptor, (length, ferrule::PAYLOAD_LENGTH))
            }
            FrameFormat::Grpc => {
                let flags = header[grpc::COMPRESSED_FLAG];
                if flags > grpc::MAX_FLAGS {
                    return invalid(ErrorCode::FrameBadFlags, grpc::COMPRESSED_FLAG);
                }
                let descriptor = FrameDescriptor {
                    correlation_id: 0,
                    method_id: 0,
                    flags,
                    payload_offset: start + header_len,
                    payload_len: 0,
                };
                let length = u32::from_be_bytes(array(header, grpc::MESSAGE_LENGTH));
                (descriptor, (length, grpc::MESSAGE_LENGTH))
            }
        };

        // Refused as soon as the header is in, before a peer can make us buffer the payload.
        let (length, length_offset) = length_field;
        if length > self.max_payload_len {
            return invalid(ErrorCode::FrameTooLarge, length_offset);
        }
        // Lossless: length <= MAX_PAYLOAD_LENGTH_LIMIT < 2^31, and usize has at least 32 bits here
        // (u32 indexes a frame table), so header_len + length cannot overflow either.
        let payload_len = length as usize;
        let Some(payload) = rest.get(header_len..header_len + payload_len) else {
            return partial(start, end_of_input);
        };
        if self.format == FrameFormat::Ferrule {
            let expected = u32::from_le_bytes(array(header, ferrule::CRC32C));
            if crc32c::crc32c(payload) != expected {
                return invalid(ErrorCode::FrameCrcMismatch, ferrule::CRC32C);
            }
        }
        descriptor.payload_len = payload_len;
        Step::Frame(descriptor, header_len + payload_len)
    }
}

fn partial(start: usize, end_of_input: bool) -> Step {
    if end_of_input {
        Step::Invalid(FrameError { code: ErrorCode::FrameTruncated, offset: start })
    } else {
        Step::Partial
    }
}

/// The `N` bytes at `at`; the caller has checked the header is whole, so this cannot fail.
fn array<const N: usize>(header: &[u8], at: usize) -> [u8; N] {
    let mut bytes = [0; N];
    bytes.copy_from_slice(&header[at..at + N]);
    bytes
}

/// Iterator over the frames of a complete buffer; see [`FrameDecoder::frames`].
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    decoder: FrameDecoder,
    input: &'a [u8],
    consumed: usize,
    done: bool,
}

impl<'a> Frames<'a> {
    /// Bytes taken by the frames yielded so far; an error item's frame starts here.
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// The input not yet yielded as frames.
    pub fn remainder(&self) -> &'a [u8] {
        &self.input[self.consumed..]
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.decoder.step(self.input, self.consumed, true) {
            Step::Frame(d, size) => {
                self.consumed += size;
                Some(Ok(Frame {
                    correlation_id: d.correlation_id,
                    method_id: d.method_id,
                    flags: d.flags,
                    payload: &self.input[d.payload_offset..d.payload_offset + d.payload_len],
                }))
            }
            Step::Empty | Step::Partial => {
                self.done = true;
                None
            }
            Step::Invalid(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

impl FusedIterator for Frames<'_> {}
