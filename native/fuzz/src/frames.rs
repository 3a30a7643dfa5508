//! A reference frame decoder, the simplest reading of `docs/wire-format.md` section 3, with a
//! bitwise CRC-32C: the engine's decoder (and the table-driven / hardware CRC of the `crc32c`
//! crate under it) must agree with it on every input.

use ferrule_engine::abi;
use ferrule_engine::ErrorCode;

/// One frame as the reference sees it: header fields and the payload's place in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefFrame {
    /// Ferrule correlation id, 0 for gRPC.
    pub correlation_id: u64,
    /// Ferrule method id, 0 for gRPC.
    pub method_id: u32,
    /// Flag byte.
    pub flags: u8,
    /// Input index of the payload.
    pub payload_offset: usize,
    /// Payload length.
    pub payload_len: usize,
}

/// What the reference finds at one frame start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefStep {
    /// A valid frame and its total size.
    Frame(RefFrame, usize),
    /// Nothing left.
    Empty,
    /// An incomplete frame (header or payload).
    Partial,
    /// An invalid header field: its code and input index.
    Invalid(ErrorCode, usize),
}

/// CRC-32C (Castagnoli, reflected 0x82F63B78), one bit at a time.
pub fn crc32c_bitwise(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x82F6_3B78 } else { crc >> 1 };
        }
    }
    !crc
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16 | u32::from(b[3]) << 24
}

/// Reads the frame starting at `start`; `grpc` picks the format.
pub fn step(input: &[u8], start: usize, grpc: bool, max_payload: u32) -> RefStep {
    let rest = &input[start..];
    if rest.is_empty() {
        return RefStep::Empty;
    }
    if grpc {
        if rest.len() < 5 {
            return RefStep::Partial;
        }
        if rest[0] > 1 {
            return RefStep::Invalid(ErrorCode::FrameBadFlags, start);
        }
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]);
        if len > max_payload {
            return RefStep::Invalid(ErrorCode::FrameTooLarge, start + 1);
        }
        if rest.len() - 5 < len as usize {
            return RefStep::Partial;
        }
        let frame = RefFrame {
            correlation_id: 0,
            method_id: 0,
            flags: rest[0],
            payload_offset: start + 5,
            payload_len: len as usize,
        };
        return RefStep::Frame(frame, 5 + len as usize);
    }
    if rest.len() < 24 {
        return RefStep::Partial;
    }
    if rest[0] != abi::FRAME_MAGIC_0 as u8 || rest[1] != abi::FRAME_MAGIC_1 as u8 {
        return RefStep::Invalid(ErrorCode::FrameBadMagic, start);
    }
    if rest[2] != abi::FRAME_VERSION as u8 {
        return RefStep::Invalid(ErrorCode::FrameUnsupportedVersion, start + 2);
    }
    if rest[3] & 0xF0 != 0 {
        return RefStep::Invalid(ErrorCode::FrameBadFlags, start + 3);
    }
    let len = le_u32(&rest[16..]);
    if len > max_payload {
        return RefStep::Invalid(ErrorCode::FrameTooLarge, start + 16);
    }
    if rest.len() - 24 < len as usize {
        return RefStep::Partial;
    }
    let payload = &rest[24..24 + len as usize];
    if crc32c_bitwise(payload) != le_u32(&rest[20..]) {
        return RefStep::Invalid(ErrorCode::FrameCrcMismatch, start + 20);
    }
    let frame = RefFrame {
        correlation_id: u64::from(le_u32(&rest[8..])) | u64::from(le_u32(&rest[12..])) << 32,
        method_id: le_u32(&rest[4..]),
        flags: rest[3],
        payload_offset: start + 24,
        payload_len: len as usize,
    };
    RefStep::Frame(frame, 24 + len as usize)
}

#[cfg(test)]
mod tests {
    use super::crc32c_bitwise;

    #[test]
    fn crc_check_value() {
        assert_eq!(crc32c_bitwise(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c_bitwise(b""), 0);
    }
}
