//! Frame decoding and encoding for the two wire formats (`docs/wire-format.md`, sections 1–3).
//!
//! [`FrameDecoder::decode`] is the streaming primitive behind the C ABI: it fills a caller-owned
//! descriptor table and reports how much input it consumed, leaving a partial tail for the next
//! call. [`FrameDecoder::frames`] is the convenient form for Rust code holding a whole buffer.
//! [`encode_frames`] and [`encode_frame`] write frames.

use core::fmt;

use crate::abi::{self, ErrorCode};

mod decode;
mod encode;

pub use decode::{DecodeProgress, Frame, FrameDecoder, Frames};
pub use encode::{encode_frame, encode_frames, encode_frames_by_index, encoded_len, EncodeError};

/// Ferrule stream frame header layout (all integers little-endian):
///
/// ```text
///   0       1       2       3       4       5       6       7
///  +-------+-------+-------+-------+-------------------------------+
///  | 'F'   | 'R'   |version| flags |   method id (u32 LE)          |   0
///  +-------+-------+-------+-------+-------------------------------+
///  |                correlation id (u64 LE)                        |   8
///  +---------------------------------------------------------------+
///  |   payload length (u32 LE)     |   CRC32C of payload (u32 LE)  |  16
///  +---------------------------------------------------------------+
///  |                payload (payload length bytes) …                  24
///  +----------------------------------------------------------------
/// ```
///
/// The offsets below are also the error offsets (relative to the frame start) of the checks that
/// read them, which is why they are named per field rather than computed.
pub(crate) mod ferrule {
    use crate::abi;

    pub(crate) const MAGIC: usize = 0;
    pub(crate) const VERSION: usize = 2;
    pub(crate) const FLAGS: usize = 3;
    pub(crate) const METHOD_ID: usize = 4;
    pub(crate) const CORRELATION_ID: usize = 8;
    pub(crate) const PAYLOAD_LENGTH: usize = 16;
    pub(crate) const CRC32C: usize = 20;
    pub(crate) const HEADER_LENGTH: usize = abi::FRAME_HEADER_LENGTH as usize;

    pub(crate) const MAGIC_BYTES: [u8; 2] = [abi::FRAME_MAGIC_0 as u8, abi::FRAME_MAGIC_1 as u8];
    pub(crate) const VERSION_BYTE: u8 = abi::FRAME_VERSION as u8;
    pub(crate) const RESERVED_FLAGS: u8 = abi::FLAGS_RESERVED_MASK as u8;

    // abi.tsv is edited by hand; if it ever disagrees with the layout above, fail the build
    // rather than write frames no peer can read.
    const _: () = assert!(CRC32C + 4 == HEADER_LENGTH);
    const _: () = assert!(abi::FRAME_MAGIC_0 <= 0xFF && abi::FRAME_MAGIC_1 <= 0xFF);
    const _: () = assert!(abi::FRAME_VERSION <= 0xFF && abi::FLAGS_RESERVED_MASK <= 0xFF);
}

/// gRPC Length-Prefixed-Message layout:
///
/// ```text
///  offset  0               1               2               3               4               5
///         +---------------+---------------+---------------+---------------+---------------+----------
///         | compressed    |           message length (u32, big-endian)                    | message…
///         | flag (0 or 1) |                                                               |
///         +---------------+---------------+---------------+---------------+---------------+----------
/// ```
pub(crate) mod grpc {
    use crate::abi;

    pub(crate) const COMPRESSED_FLAG: usize = 0;
    pub(crate) const MESSAGE_LENGTH: usize = 1;
    pub(crate) const HEADER_LENGTH: usize = abi::GRPC_PREFIX_LENGTH as usize;

    /// The only descriptor flags a gRPC message can carry: its compressed flag byte is 0 or 1 and
    /// maps one to one onto `FLAG_COMPRESSED`.
    pub(crate) const MAX_FLAGS: u8 = abi::FLAG_COMPRESSED as u8;

    const _: () = assert!(MESSAGE_LENGTH + 4 == HEADER_LENGTH);
    const _: () = assert!(abi::FLAG_COMPRESSED == 1);
}

/// Payload lengths are u32 on the wire and the limit keeps a whole frame within a Java buffer;
/// both facts let the decoder add header and payload lengths in `usize` without overflow checks.
const _: () = assert!(abi::MAX_PAYLOAD_LENGTH_LIMIT as u64 + ferrule::HEADER_LENGTH as u64 <= i32::MAX as u64);
const _: () = assert!(usize::BITS >= 32);

/// The two wire formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameFormat {
    /// Ferrule stream frames (`FORMAT_FERRULE`): magic, version, flags, method, correlation id,
    /// length and CRC32C in a 24-byte little-endian header.
    Ferrule,
    /// gRPC length-prefixed messages (`FORMAT_GRPC`): a compressed flag and a big-endian length.
    Grpc,
}

impl FrameFormat {
    /// The format with this `FORMAT_*` id.
    pub const fn from_id(id: u32) -> Option<FrameFormat> {
        match id {
            abi::FORMAT_FERRULE => Some(FrameFormat::Ferrule),
            abi::FORMAT_GRPC => Some(FrameFormat::Grpc),
            _ => None,
        }
    }

    /// This format's `FORMAT_*` id.
    pub const fn id(self) -> u32 {
        match self {
            FrameFormat::Ferrule => abi::FORMAT_FERRULE,
            FrameFormat::Grpc => abi::FORMAT_GRPC,
        }
    }

    /// Bytes before the payload: `FRAME_HEADER_LENGTH` or `GRPC_PREFIX_LENGTH`.
    pub const fn header_len(self) -> usize {
        match self {
            FrameFormat::Ferrule => ferrule::HEADER_LENGTH,
            FrameFormat::Grpc => grpc::HEADER_LENGTH,
        }
    }

    /// Whether a frame of this format can carry these descriptor flags.
    pub const fn flags_valid(self, flags: u8) -> bool {
        match self {
            FrameFormat::Ferrule => flags & ferrule::RESERVED_FLAGS == 0,
            FrameFormat::Grpc => flags <= grpc::MAX_FLAGS,
        }
    }
}

impl TryFrom<u32> for FrameFormat {
    type Error = ErrorCode;

    /// An unknown id is `INVALID_ARGUMENT`, as at the C ABI.
    fn try_from(id: u32) -> Result<FrameFormat, ErrorCode> {
        FrameFormat::from_id(id).ok_or(ErrorCode::InvalidArgument)
    }
}

impl From<FrameFormat> for u32 {
    fn from(format: FrameFormat) -> u32 {
        format.id()
    }
}

/// One frame as the decoder reports it and the encoder reads it: the header fields and where the
/// payload lies. This is the Rust form of a frame-table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FrameDescriptor {
    /// Correlation id (Ferrule); 0 for gRPC.
    pub correlation_id: u64,
    /// Method id (Ferrule); 0 for gRPC.
    pub method_id: u32,
    /// `FLAG_*` bits; for gRPC only `FLAG_COMPRESSED`.
    pub flags: u8,
    /// Index of the first payload byte: in the decoder's input when decoding, in the payload
    /// buffer when encoding.
    pub payload_offset: usize,
    /// Payload length in bytes.
    pub payload_len: usize,
}

/// A frame the decoder refused, or a partial frame at the end of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameError {
    /// What is wrong.
    pub code: ErrorCode,
    /// Index in the decoder's input of the offending field (`FRAME_TRUNCATED`: of the frame start).
    pub offset: usize,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) at offset {}: {}", self.code.name(), self.code.code(), self.offset, self.code.description())
    }
}

impl std::error::Error for FrameError {}

#[cfg(test)]
mod tests;
