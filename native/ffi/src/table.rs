//! Reading and writing the shared frame descriptor table (`docs/wire-format.md`, section 4).
//!
//! The memory belongs to Java and is only promised to be 8-byte aligned by convention, so every
//! field goes through little-endian byte conversions instead of typed pointer access.

use ferrule_engine::abi;
use ferrule_engine::frame::FrameDescriptor;

/// Header fields, results of the last call:
///
/// ```text
///  header (TABLE_HEADER_LENGTH = 32 bytes)
///   0                               4                               8
///  +-------------------------------+-------------------------------+
///  | count (u32)                   | reserved (0)                  |   0
///  +-------------------------------+-------------------------------+
///  | bytes: consumed by decode / written by encode (u64)           |   8
///  +-------------------------------+-------------------------------+
///  | error code (u32, 0 = none)    | reserved (0)                  |  16
///  +-------------------------------+-------------------------------+
///  | error offset (u64)                                            |  24
///  +---------------------------------------------------------------+
/// ```
mod header {
    pub(super) const COUNT: usize = 0;
    pub(super) const RESERVED_0: usize = 4;
    pub(super) const BYTES: usize = 8;
    pub(super) const ERROR_CODE: usize = 16;
    pub(super) const RESERVED_1: usize = 20;
    pub(super) const ERROR_OFFSET: usize = 24;
}

/// One entry per frame, at `TABLE_HEADER_LENGTH + i * TABLE_ENTRY_LENGTH`:
///
/// ```text
///  +---------------------------------------------------------------+
///  | correlation id (u64)                                          |   0
///  +-------------------------------+-------------------------------+
///  | method id (u32)               | payload offset (u32)          |   8
///  +-------------------------------+-------+-----------------------+
///  | payload length (u32)          | flags | reserved (3 bytes, 0) |  16
///  +-------------------------------+-------+-----------------------+
/// ```
mod entry {
    pub(super) const CORRELATION_ID: usize = 0;
    pub(super) const METHOD_ID: usize = 8;
    pub(super) const PAYLOAD_OFFSET: usize = 12;
    pub(super) const PAYLOAD_LENGTH: usize = 16;
    pub(super) const FLAGS: usize = 20;
    pub(super) const RESERVED: usize = 21;
}

pub(crate) const HEADER_LENGTH: usize = abi::TABLE_HEADER_LENGTH as usize;
pub(crate) const ENTRY_LENGTH: usize = abi::TABLE_ENTRY_LENGTH as usize;

// A disagreement between abi.tsv and the diagrams above would corrupt Java's view of the table.
const _: () = assert!(header::ERROR_OFFSET + 8 == HEADER_LENGTH);
const _: () = assert!(entry::RESERVED + 3 == ENTRY_LENGTH);

/// Bytes of a table holding `entries` entries, if that is a valid slice length (at most
/// `isize::MAX`, the limit of `slice::from_raw_parts`).
pub(crate) fn table_len(entries: u32) -> Option<usize> {
    let len = (ENTRY_LENGTH as u64).checked_mul(u64::from(entries))?.checked_add(HEADER_LENGTH as u64)?;
    usize::try_from(len).ok().filter(|&len| len <= isize::MAX as usize)
}

/// A table whose slice covers its header and all the entries the call may touch.
pub(crate) struct Table<'a>(pub(crate) &'a mut [u8]);

impl Table<'_> {
    /// Records a call's results, clearing the reserved fields Java expects to be 0.
    pub(crate) fn set_header(&mut self, count: u32, bytes: u64, error_code: u32, error_offset: u64) {
        self.put(header::COUNT, &count.to_le_bytes());
        self.put(header::RESERVED_0, &0u32.to_le_bytes());
        self.put(header::BYTES, &bytes.to_le_bytes());
        self.put(header::ERROR_CODE, &error_code.to_le_bytes());
        self.put(header::RESERVED_1, &0u32.to_le_bytes());
        self.put(header::ERROR_OFFSET, &error_offset.to_le_bytes());
    }

    /// Writes entry `index`; `payload_offset` is already absolute.
    pub(crate) fn set_entry(&mut self, index: usize, frame: &FrameDescriptor, payload_offset: u32, payload_len: u32) {
        let at = HEADER_LENGTH + index * ENTRY_LENGTH;
        self.put(at + entry::CORRELATION_ID, &frame.correlation_id.to_le_bytes());
        self.put(at + entry::METHOD_ID, &frame.method_id.to_le_bytes());
        self.put(at + entry::PAYLOAD_OFFSET, &payload_offset.to_le_bytes());
        self.put(at + entry::PAYLOAD_LENGTH, &payload_len.to_le_bytes());
        self.put(at + entry::FLAGS, &[frame.flags, 0, 0, 0]);
    }

    /// Reads entry `index` as the encoder's input; the reserved bytes are ignored.
    pub(crate) fn entry(&self, index: usize) -> FrameDescriptor {
        let at = HEADER_LENGTH + index * ENTRY_LENGTH;
        FrameDescriptor {
            correlation_id: u64::from_le_bytes(self.get(at + entry::CORRELATION_ID)),
            method_id: u32::from_le_bytes(self.get(at + entry::METHOD_ID)),
            flags: self.0[at + entry::FLAGS],
            payload_offset: u32::from_le_bytes(self.get(at + entry::PAYLOAD_OFFSET)) as usize,
            payload_len: u32::from_le_bytes(self.get(at + entry::PAYLOAD_LENGTH)) as usize,
        }
    }

    fn put(&mut self, at: usize, bytes: &[u8]) {
        self.0[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn get<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut bytes = [0; N];
        bytes.copy_from_slice(&self.0[at..at + N]);
        bytes
    }
}
