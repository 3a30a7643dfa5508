//! Protobuf wire primitives: varints, zigzag, tags.

/// Wire type 0: varint.
pub(crate) const VARINT: u32 = 0;
/// Wire type 1: 8 little-endian bytes.
pub(crate) const FIXED64: u32 = 1;
/// Wire type 2: a varint length, then that many bytes.
pub(crate) const LEN: u32 = 2;
/// Wire type 3: start of a group.
pub(crate) const START_GROUP: u32 = 3;
/// Wire type 4: end of a group.
pub(crate) const END_GROUP: u32 = 4;
/// Wire type 5: 4 little-endian bytes.
pub(crate) const FIXED32: u32 = 5;

/// The largest field number protobuf allows (2^29 − 1): a tag must fit 32 bits.
pub(crate) const MAX_FIELD_NUMBER: u32 = (1 << 29) - 1;

/// The largest length prefix (2^31 − 1); above it is `PROTO_BAD_LENGTH`.
pub(crate) const MAX_LENGTH: u64 = i32::MAX as u64;

/// Why a varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarintError {
    /// The limit came before the last byte.
    Truncated,
    /// Ten bytes, and the tenth still has its continuation bit.
    Malformed,
}

/// Reads a varint of up to 10 bytes from `buf[*pos..end]`, advancing `pos` past it. Bits beyond
/// 64 are dropped, as protobuf-java does. `end` must be at most `buf.len()`.
#[inline]
pub(crate) fn read_varint(buf: &[u8], pos: &mut usize, end: usize) -> Result<u64, VarintError> {
    let mut p = *pos;
    if p < end {
        let b = buf[p];
        if b < 0x80 {
            *pos = p + 1;
            return Ok(u64::from(b));
        }
    }
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        if p >= end {
            return Err(VarintError::Truncated);
        }
        let b = buf[p];
        p += 1;
        value |= u64::from(b & 0x7F) << shift;
        if b < 0x80 {
            *pos = p;
            return Ok(value);
        }
    }
    Err(VarintError::Malformed)
}

/// Bytes in the minimal varint encoding of `v` (1 to 10).
#[inline]
pub(crate) const fn varint_len(v: u64) -> usize {
    // 1 + floor(bits / 7), with 0 taking one byte.
    let bits = 64 - (v | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Writes the minimal varint of `v` into `out`, returning the number of bytes used.
#[inline]
pub(crate) fn put_varint(out: &mut [u8; 10], mut v: u64) -> usize {
    let mut i = 0;
    while v >= 0x80 {
        out[i] = (v as u8) | 0x80;
        v >>= 7;
        i += 1;
    }
    out[i] = v as u8;
    i + 1
}

/// A tag: field number and wire type.
#[inline]
pub(crate) const fn tag(number: u32, wire_type: u32) -> u64 {
    ((number as u64) << 3) | wire_type as u64
}

/// ZigZag-decodes 32 bits.
#[inline]
pub(crate) const fn unzigzag32(v: u32) -> u32 {
    (v >> 1) ^ (v & 1).wrapping_neg()
}

/// ZigZag-decodes 64 bits.
#[inline]
pub(crate) const fn unzigzag64(v: u64) -> u64 {
    (v >> 1) ^ (v & 1).wrapping_neg()
}

/// ZigZag-encodes 32 bits.
#[inline]
pub(crate) const fn zigzag32(v: u32) -> u32 {
    (v << 1) ^ ((v as i32) >> 31) as u32
}

/// ZigZag-encodes 64 bits.
#[inline]
pub(crate) const fn zigzag64(v: u64) -> u64 {
    (v << 1) ^ ((v as i64) >> 63) as u64
}

/// Whether `bytes` hold exactly one whole field: a tag with a field number and a wire type a field can
/// start with, then its value; for a group, every nested field up to the group's matching END_GROUP.
///
/// The encoder copies non-varint unknown fields byte for byte (docs/message-layout.md, section 4), so a
/// view that fails this check would be written as output that does not decode. Tags are read as the
/// encoder reads them (the low 32 bits of the varint).
pub(crate) fn is_one_whole_field(bytes: &[u8]) -> bool {
    let end = bytes.len();
    let mut pos = 0;
    // Field numbers of the groups opened so far; allocated only for a group.
    let mut open_groups: Vec<u32> = Vec::new();
    loop {
        let Ok(tag) = read_varint(bytes, &mut pos, end) else { return false };
        let tag = tag as u32;
        let (number, wire_type) = (tag >> 3, tag & 7);
        if number == 0 {
            return false;
        }
        match wire_type {
            VARINT => {
                if read_varint(bytes, &mut pos, end).is_err() {
                    return false;
                }
            }
            FIXED64 | FIXED32 => {
                let size = if wire_type == FIXED64 { 8 } else { 4 };
                if end - pos < size {
                    return false;
                }
                pos += size;
            }
            LEN => {
                let Ok(len) = read_varint(bytes, &mut pos, end) else { return false };
                if len > (end - pos) as u64 {
                    return false;
                }
                pos += len as usize;
            }
            START_GROUP => {
                open_groups.push(number);
                continue;
            }
            END_GROUP => {
                if open_groups.pop() != Some(number) {
                    return false;
                }
            }
            _ => return false,
        }
        if open_groups.is_empty() {
            return pos == end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_lengths() {
        for (v, n) in [(0u64, 1), (127, 1), (128, 2), (16383, 2), (16384, 3), (u32::MAX as u64, 5), (u64::MAX, 10)] {
            assert_eq!(varint_len(v), n, "{v}");
            let mut buf = [0; 10];
            assert_eq!(put_varint(&mut buf, v), n);
            let mut pos = 0;
            assert_eq!(read_varint(&buf, &mut pos, n), Ok(v));
            assert_eq!(pos, n);
            if n > 1 {
                let mut pos = 0;
                assert_eq!(read_varint(&buf, &mut pos, n - 1), Err(VarintError::Truncated));
                assert_eq!(pos, 0);
            }
        }
    }

    #[test]
    fn varint_limits() {
        let ten = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F];
        let mut pos = 0;
        assert_eq!(read_varint(&ten, &mut pos, 10), Ok(u64::MAX));
        let eleven = [0x80; 11];
        let mut pos = 0;
        assert_eq!(read_varint(&eleven, &mut pos, 11), Err(VarintError::Malformed));
        // The tenth byte with its continuation bit is malformed even at the end of the input.
        let mut pos = 0;
        assert_eq!(read_varint(&eleven, &mut pos, 10), Err(VarintError::Malformed));
    }

    #[test]
    fn zigzag() {
        for v in [0i32, -1, 1, i32::MIN, i32::MAX] {
            assert_eq!(unzigzag32(zigzag32(v as u32)) as i32, v);
        }
        assert_eq!(zigzag32(-1i32 as u32), 1);
        assert_eq!(zigzag64(-2i64 as u64), 3);
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag64(zigzag64(v as u64)) as i64, v);
        }
    }
    #[test]
    fn one_whole_field() {
        let good: [&[u8]; 8] = [
            &[0x08, 0x96, 0x01],                         // varint
            &[0x09, 1, 2, 3, 4, 5, 6, 7, 8],             // fixed64
            &[0x0D, 1, 2, 3, 4],                         // fixed32
            &[0x12, 0x02, b'h', b'i'],                   // length-delimited
            &[0x12, 0x00],                               // empty length-delimited
            &[0x1B, 0x1C],                               // empty group 3
            &[0x1B, 0x08, 0x01, 0x23, 0x24, 0x1C],       // group 3 holding a varint and group 4
            &[0x80, 0x80, 0x80, 0x80, 0x08, 0x01],       // a non-minimal tag, as stored
        ];
        for bytes in good {
            assert!(is_one_whole_field(bytes), "{bytes:02x?}");
        }
        let bad: [&[u8]; 14] = [
            &[],
            &[0x00, 0x01],                               // field number 0
            &[0x09, 1, 2, 3],                            // fixed64 cut short (fuzzing finding F3)
            &[0x0D, 1, 2, 3, 4, 5],                      // fixed32 with a trailing byte
            &[0x12, 0x03, b'h', b'i'],                   // length past the end
            &[0x12, 0x01, b'h', b'i'],                   // bytes after the field
            &[0x12, 0x80],                               // length varint cut short
            &[0x1B],                                     // group never closed
            &[0x1B, 0x24],                               // group closed by another number
            &[0x1C],                                     // a lone END_GROUP
            &[0x1B, 0x1C, 0x00],                         // bytes after the group
            &[0x0E],                                     // wire type 6
            &[0x0F],                                     // wire type 7
            &[0x08, 0x80],                               // varint cut short
        ];
        for bytes in bad {
            assert!(!is_one_whole_field(bytes), "{bytes:02x?}");
        }
    }
}
