//! The encoder: writes frames in table order after validating all of them.

use core::fmt;

use super::{ferrule, grpc, FrameDescriptor, FrameFormat};
use crate::abi::{self, ErrorCode};

/// Why [`encode_frames`] wrote nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EncodeError {
    /// The maximum payload length is over `MAX_PAYLOAD_LENGTH_LIMIT` (`INVALID_ARGUMENT`).
    InvalidMaxPayloadLength(u32),
    /// Entry `index` is invalid: `INVALID_ARGUMENT` if its payload lies outside the payload buffer,
    /// `FRAME_BAD_FLAGS` if its flags are invalid for the format, `FRAME_TOO_LARGE` if its payload
    /// is over the maximum. Entries are checked in order, each for those faults in that order.
    InvalidEntry {
        /// Index of the first invalid entry.
        index: usize,
        /// What is wrong with it.
        code: ErrorCode,
    },
    /// The output buffer is shorter than the `required` bytes (`BUFFER_TOO_SMALL`).
    BufferTooSmall {
        /// Bytes the frames need; `usize::MAX` if their size does not even fit a `usize`.
        required: usize,
    },
}

impl EncodeError {
    /// The ABI error code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            EncodeError::InvalidMaxPayloadLength(_) => ErrorCode::InvalidArgument,
            EncodeError::InvalidEntry { code, .. } => *code,
            EncodeError::BufferTooSmall { .. } => ErrorCode::BufferTooSmall,
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        write!(f, "{} ({}): ", code.name(), code.code())?;
        match self {
            EncodeError::InvalidMaxPayloadLength(max) => {
                write!(f, "maximum payload length {max} is over the limit {}", abi::MAX_PAYLOAD_LENGTH_LIMIT)
            }
            EncodeError::InvalidEntry { index, .. } => write!(f, "frame {index}: {}", code.description()),
            EncodeError::BufferTooSmall { required } => write!(f, "the frames need {required} bytes"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Bytes needed to encode `frames` in `format`, or `None` if that does not fit a `usize`.
pub fn encoded_len(format: FrameFormat, frames: &[FrameDescriptor]) -> Option<usize> {
    encoded_len_by_index(format, frames.len(), |i| frames[i])
}

fn encoded_len_by_index(format: FrameFormat, count: usize, frame: impl Fn(usize) -> FrameDescriptor) -> Option<usize> {
    (0..count).try_fold(0usize, |total, i| total.checked_add(format.header_len())?.checked_add(frame(i).payload_len))
}

/// Encodes `frames` into the front of `out` and returns the number of bytes written.
///
/// Each descriptor's payload is `payloads[payload_offset..payload_offset + payload_len]`. Every
/// entry is validated before any byte is written, and then the output size, so on error `out` is
/// untouched. For gRPC the method and correlation ids are not on the wire and are ignored.
pub fn encode_frames(
    format: FrameFormat,
    frames: &[FrameDescriptor],
    payloads: &[u8],
    out: &mut [u8],
    max_payload_len: u32,
) -> Result<usize, EncodeError> {
    encode_frames_by_index(format, frames.len(), |i| frames[i], payloads, out, max_payload_len)
}

/// [`encode_frames`] for descriptors that live elsewhere, such as a table shared with another
/// language: `frame(i)` returns descriptor `i` for every `i < count`, and may be called more than
/// once per index. Lets callers encode without first collecting descriptors into a slice.
pub fn encode_frames_by_index(
    format: FrameFormat,
    count: usize,
    frame: impl Fn(usize) -> FrameDescriptor,
    payloads: &[u8],
    out: &mut [u8],
    max_payload_len: u32,
) -> Result<usize, EncodeError> {
    if max_payload_len > abi::MAX_PAYLOAD_LENGTH_LIMIT {
        return Err(EncodeError::InvalidMaxPayloadLength(max_payload_len));
    }
    for index in 0..count {
        validate(format, &frame(index), payloads.len(), max_payload_len)
            .map_err(|code| EncodeError::InvalidEntry { index, code })?;
    }
    let required = encoded_len_by_index(format, count, &frame).unwrap_or(usize::MAX);
    if out.len() < required {
        return Err(EncodeError::BufferTooSmall { required });
    }

    let mut at = 0;
    for index in 0..count {
        let frame = frame(index);
        let payload = &payloads[frame.payload_offset..frame.payload_offset + frame.payload_len];
        let header = &mut out[at..at + format.header_len()];
        // Validated above: payload_len <= max_payload_len <= MAX_PAYLOAD_LENGTH_LIMIT < 2^32.
        let length = frame.payload_len as u32;
        match format {
            FrameFormat::Ferrule => {
                header[ferrule::MAGIC..ferrule::MAGIC + 2].copy_from_slice(&ferrule::MAGIC_BYTES);
                header[ferrule::VERSION] = ferrule::VERSION_BYTE;
                header[ferrule::FLAGS] = frame.flags;
                put(header, ferrule::METHOD_ID, &frame.method_id.to_le_bytes());
                put(header, ferrule::CORRELATION_ID, &frame.correlation_id.to_le_bytes());
                put(header, ferrule::PAYLOAD_LENGTH, &length.to_le_bytes());
                put(header, ferrule::CRC32C, &crc32c::crc32c(payload).to_le_bytes());
            }
            FrameFormat::Grpc => {
                header[grpc::COMPRESSED_FLAG] = frame.flags;
                put(header, grpc::MESSAGE_LENGTH, &length.to_be_bytes());
            }
        }
        at += format.header_len();
        out[at..at + payload.len()].copy_from_slice(payload);
        at += payload.len();
    }
    Ok(at)
}

/// Appends one frame carrying `payload` to `out` and returns the number of bytes appended.
///
/// The payload may be as long as `MAX_PAYLOAD_LENGTH_LIMIT`; flags invalid for the format are
/// [`EncodeError::InvalidEntry`] with `FRAME_BAD_FLAGS`. For gRPC, `method_id` and
/// `correlation_id` are not on the wire and are ignored.
pub fn encode_frame(
    format: FrameFormat,
    method_id: u32,
    correlation_id: u64,
    flags: u8,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> Result<usize, EncodeError> {
    let frame = [FrameDescriptor { correlation_id, method_id, flags, payload_offset: 0, payload_len: payload.len() }];
    let limit = abi::MAX_PAYLOAD_LENGTH_LIMIT;
    // Validate before growing `out`, so a refused frame leaves it as it was.
    validate(format, &frame[0], payload.len(), limit).map_err(|code| EncodeError::InvalidEntry { index: 0, code })?;
    let start = out.len();
    out.resize(start + format.header_len() + payload.len(), 0);
    encode_frames(format, &frame, payload, &mut out[start..], limit)
}

fn validate(format: FrameFormat, frame: &FrameDescriptor, payloads_len: usize, max: u32) -> Result<(), ErrorCode> {
    let in_bounds = frame.payload_offset.checked_add(frame.payload_len).is_some_and(|end| end <= payloads_len);
    if !in_bounds {
        return Err(ErrorCode::InvalidArgument);
    }
    if !format.flags_valid(frame.flags) {
        return Err(ErrorCode::FrameBadFlags);
    }
    if frame.payload_len > max as usize {
        return Err(ErrorCode::FrameTooLarge);
    }
    Ok(())
}

fn put(header: &mut [u8], at: usize, bytes: &[u8]) {
    header[at..at + bytes.len()].copy_from_slice(bytes);
}
