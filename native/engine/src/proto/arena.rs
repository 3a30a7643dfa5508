//! The arena (`docs/message-layout.md`, section 2): a caller-owned byte buffer with a 16-byte
//! header, bump-allocated in 8-byte steps.
//!
//! ```text
//!  0 u32 used (next free offset, >= 16, a multiple of 8)   4 u32 capacity
//!  8 u32 reserved (0)                                     12 u32 reserved (0)
//! ```
//!
//! Every access goes through checked slice indexing: the layout rules keep the decoder inside the
//! arena, and if they ever failed the result would be a panic, not a stray write.

use crate::abi;

/// Header fields.
const USED: usize = 0;
const CAPACITY: usize = 4;

pub(crate) const HEADER_LENGTH: usize = abi::ARENA_HEADER_LENGTH as usize;
const ARRAY_HEADER_LENGTH: usize = abi::ARENA_ARRAY_HEADER_LENGTH as usize;
const ARRAY_MIN_CAPACITY: usize = abi::ARENA_ARRAY_MIN_CAPACITY as usize;

/// Largest usable arena: arena offsets in views keep bit 31 for `ARENA_REF_FLAG`, so every
/// allocation must end below 2^31 (and stay a multiple of 8).
pub(crate) const MAX_CAPACITY: usize = 0x7FFF_FFF8;

const _: () = assert!(HEADER_LENGTH.is_multiple_of(8) && ARRAY_HEADER_LENGTH == 8);
const _: () = assert!(abi::ARENA_REF_FLAG == 1 << 31);

/// Resets `arena` to empty: `used` = 16, `capacity` = its length (at most `u32::MAX`), reserved
/// fields 0. Returns `false`, changing nothing, if it is shorter than the 16-byte header.
pub fn init_arena(arena: &mut [u8]) -> bool {
    if arena.len() < HEADER_LENGTH {
        return false;
    }
    let capacity = u32::try_from(arena.len()).unwrap_or(u32::MAX);
    arena[USED..USED + 4].copy_from_slice(&(HEADER_LENGTH as u32).to_le_bytes());
    arena[CAPACITY..CAPACITY + 4].copy_from_slice(&capacity.to_le_bytes());
    arena[8..HEADER_LENGTH].fill(0);
    true
}

/// The arena's `used` field (the next free offset), or `None` if it is shorter than its header.
pub fn arena_used(arena: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(arena.get(USED..USED + 4)?.try_into().ok()?))
}

/// An arena being written by one decode. `used` lives here until [`ArenaMut::commit`], so a
/// failed decode leaves the header as it found it.
pub(crate) struct ArenaMut<'a> {
    buf: &'a mut [u8],
    used: usize,
    capacity: usize,
}

impl<'a> ArenaMut<'a> {
    /// Opens `buf` (whose length is the capacity, authoritative over the header's), or `None` if
    /// its header is unusable: shorter than 16 bytes, or `used` below 16, not a multiple of 8, or
    /// past the end.
    pub(crate) fn open(buf: &'a mut [u8]) -> Option<ArenaMut<'a>> {
        let used = arena_used(buf)? as usize;
        let capacity = buf.len().min(MAX_CAPACITY);
        if used < HEADER_LENGTH || !used.is_multiple_of(8) || used > capacity {
            return None;
        }
        Some(ArenaMut { buf, used, capacity })
    }

    /// Writes `used` back to the header: the decode succeeded.
    pub(crate) fn commit(self) {
        let used = self.used as u32;
        self.buf[USED..USED + 4].copy_from_slice(&used.to_le_bytes());
    }

    /// Takes `size` bytes (rounded up to 8), zero-filled, at `used`; `None` if they do not fit.
    pub(crate) fn alloc(&mut self, size: usize) -> Option<u32> {
        let rounded = size.checked_add(7)? & !7;
        let start = self.used;
        let end = start.checked_add(rounded)?;
        if end > self.capacity {
            return None;
        }
        self.buf[start..end].fill(0);
        self.used = end;
        // end <= MAX_CAPACITY < 2^31.
        Some(start as u32)
    }

    pub(crate) fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.buf[at..at + 4].try_into().expect("4 bytes"))
    }

    pub(crate) fn set_u32(&mut self, at: usize, value: u32) {
        self.put(at, &value.to_le_bytes());
    }

    pub(crate) fn put(&mut self, at: usize, bytes: &[u8]) {
        // Slots and elements are 1, 4 or 8 bytes: copies of a length known here stay inline, where a
        // copy of run-time length is a call to memcpy (a measurable share of decoding small fields).
        match *bytes {
            [b] => self.buf[at] = b,
            [b0, b1, b2, b3] => self.buf[at..at + 4].copy_from_slice(&[b0, b1, b2, b3]),
            [b0, b1, b2, b3, b4, b5, b6, b7] => self.buf[at..at + 8].copy_from_slice(&[b0, b1, b2, b3, b4, b5, b6, b7]),
            _ => self.buf[at..at + bytes.len()].copy_from_slice(bytes),
        }
    }

    pub(crate) fn zero(&mut self, at: usize, len: usize) {
        self.buf[at..at + len].fill(0);
    }

    /// Sets hasbit `index` of the record at `record`.
    pub(crate) fn set_hasbit(&mut self, record: usize, index: u32) {
        let at = record + 4 * (index / 32) as usize;
        let word = self.u32(at) | (1 << (index % 32));
        self.set_u32(at, word);
    }

    /// Whether hasbit `index` of the record at `record` is set.
    pub(crate) fn hasbit(&self, record: usize, index: u32) -> bool {
        self.u32(record + 4 * (index / 32) as usize) & (1 << (index % 32)) != 0
    }

    /// Appends `element` to the array whose `(first, count)` slot is at `slot_at`, growing it to
    /// `max(ARENA_ARRAY_MIN_CAPACITY, 2 × capacity)` when full. Returns the element's index, or
    /// `None` if the arena has no room (the slot is then unchanged).
    pub(crate) fn append(&mut self, slot_at: usize, element: &[u8]) -> Option<u32> {
        let size = element.len();
        let first = self.u32(slot_at) as usize;
        let count = self.u32(slot_at + 4) as usize;
        let capacity = if first == 0 {
            0
        } else {
            self.u32(first.checked_sub(ARRAY_HEADER_LENGTH).expect("an array block has a header")) as usize
        };
        let first = if count >= capacity {
            let new_capacity = ARRAY_MIN_CAPACITY.max(capacity.checked_mul(2)?);
            let block = self.alloc(new_capacity.checked_mul(size)?.checked_add(ARRAY_HEADER_LENGTH)?)? as usize;
            // new_capacity * size fitted the arena, so new_capacity fits a u32.
            self.set_u32(block, new_capacity as u32);
            let new_first = block + ARRAY_HEADER_LENGTH;
            self.buf.copy_within(first..first + count * size, new_first);
            self.set_u32(slot_at, new_first as u32);
            new_first
        } else {
            first
        };
        self.put(first + count * size, element);
        let index = u32::try_from(count).ok()?;
        self.set_u32(slot_at + 4, index + 1);
        Some(index)
    }
}
