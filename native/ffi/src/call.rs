//! Writing the protobuf call block (`docs/message-layout.md`, section 5).
//!
//! Like the frame table, the memory belongs to Java, so every field goes through little-endian
//! byte conversions rather than typed pointer access.

use ferrule_engine::abi;
use ferrule_engine::proto::PathEntry;

/// Header fields:
///
/// ```text
///   0                               4                               8
///  +-------------------------------+-------------------------------+
///  | error code (u32, 0 = none)    | path length (u32, entries)    |   0
///  +-------------------------------+-------------------------------+
///  | error offset (u64)                                            |   8
///  +-------------------------------+-------------------------------+
///  | root record offset (u32)      | reserved (0)                  |  16
///  +-------------------------------+-------------------------------+
///  | bytes (u64): written by encode, or required (BUFFER_TOO_SMALL)|  24
///  +---------------------------------------------------------------+
///  | path: (max depth + 2) × (u32 field number, u32 index)         |  32
/// ```
mod header {
    pub(super) const ERROR_CODE: usize = 0;
    pub(super) const PATH_LENGTH: usize = 4;
    pub(super) const ERROR_OFFSET: usize = 8;
    pub(super) const ROOT: usize = 16;
    pub(super) const RESERVED: usize = 20;
    pub(super) const BYTES: usize = 24;
}

pub(crate) const HEADER_LENGTH: usize = abi::CALL_HEADER_LENGTH as usize;
const ENTRY_LENGTH: usize = abi::CALL_PATH_ENTRY_LENGTH as usize;

// A disagreement between abi.tsv and the diagram above would corrupt Java's view of the block.
const _: () = assert!(header::BYTES + 8 == HEADER_LENGTH && ENTRY_LENGTH == 8);

/// The path capacity, in entries, of a block sized for `max_depth` (`max_depth + 2`), if the
/// whole block is a valid slice length. `max_depth` above `i32::MAX` (a negative Java int) is
/// refused.
pub(crate) fn path_capacity(max_depth: u32) -> Option<usize> {
    if max_depth > i32::MAX as u32 {
        return None;
    }
    let capacity = max_depth as u64 + 2;
    let len = capacity.checked_mul(ENTRY_LENGTH as u64)?.checked_add(HEADER_LENGTH as u64)?;
    usize::try_from(len).ok().filter(|&len| len <= isize::MAX as usize).map(|_| capacity as usize)
}

/// Bytes of a block with `entries` path entries.
pub(crate) fn block_len(entries: usize) -> usize {
    HEADER_LENGTH + entries * ENTRY_LENGTH
}

/// One call's results.
#[derive(Default)]
pub(crate) struct Outcome<'p> {
    pub(crate) code: u32,
    pub(crate) offset: u64,
    pub(crate) root: u32,
    pub(crate) bytes: u64,
    pub(crate) path: &'p [PathEntry],
}

/// A block whose slice covers the header and exactly the path entries being written.
pub(crate) struct CallBlock<'a>(pub(crate) &'a mut [u8]);

impl CallBlock<'_> {
    /// Records `outcome`: every header field, reserved ones cleared, then as much of the path
    /// (from the root) as the slice holds.
    pub(crate) fn set(&mut self, outcome: &Outcome<'_>) {
        let entries = (self.0.len() - HEADER_LENGTH) / ENTRY_LENGTH;
        let path = &outcome.path[..outcome.path.len().min(entries)];
        self.put(header::ERROR_CODE, &outcome.code.to_le_bytes());
        // path.len() <= entries, which came from a u32 depth + 2.
        self.put(header::PATH_LENGTH, &(path.len() as u32).to_le_bytes());
        self.put(header::ERROR_OFFSET, &outcome.offset.to_le_bytes());
        self.put(header::ROOT, &outcome.root.to_le_bytes());
        self.put(header::RESERVED, &0u32.to_le_bytes());
        self.put(header::BYTES, &outcome.bytes.to_le_bytes());
        for (i, entry) in path.iter().enumerate() {
            let at = HEADER_LENGTH + i * ENTRY_LENGTH;
            self.put(at, &entry.field_number.to_le_bytes());
            self.put(at + 4, &entry.index.to_le_bytes());
        }
    }

    fn put(&mut self, at: usize, bytes: &[u8]) {
        self.0[at..at + bytes.len()].copy_from_slice(bytes);
    }
}
