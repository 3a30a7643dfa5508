//! The C ABI of the Ferrule frame engine, as specified in `native/C-ABI.md`.
//!
//! Every function returns a status (`0` or an error code from `abi.tsv`) and leaves its results in
//! the caller's frame table (`docs/wire-format.md`, section 4). No panic crosses the boundary:
//! each body runs under `catch_unwind` and a panic becomes `INTERNAL`. `ferrule.h` is generated
//! from this file by `build.rs`.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use core::ffi::c_char;
use core::slice;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ferrule_engine::abi::{self, ErrorCode};
use ferrule_engine::frame::{encode_frames_by_index, EncodeError, FrameDecoder, FrameDescriptor, FrameFormat};

mod table;

use table::{table_len, Table};

const OK: i32 = 0;

/// Descriptors decoded per engine call: bounds the stack buffer however large the table is.
const BATCH: usize = 256;

/// Returned by `ferrule_engine_version`; NUL-terminated for C.
static ENGINE_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// Codes are at most `i32::MAX`: abi.tsv's parser refuses larger ones.
fn status(code: ErrorCode) -> i32 {
    code.code() as i32
}

/// Runs `body`, turning a panic into `on_panic`.
///
/// `AssertUnwindSafe` is sound here because nothing observes state after a panic: the closure's
/// captures are the call's own arguments, and the caller learns only the status.
fn guard<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// Whether the byte ranges `[a, a + a_len)` and `[b, b + b_len)` share a byte. Overlapping
/// buffers would alias a `&mut [u8]`, which Rust forbids, so they are refused up front.
fn overlaps(a: *const u8, a_len: usize, b: *const u8, b_len: usize) -> bool {
    let (a, b) = (a as usize, b as usize);
    a_len > 0 && b_len > 0 && a < b.saturating_add(b_len) && b < a.saturating_add(a_len)
}

/// A caller-supplied length as a slice length: at most `isize::MAX`, as `slice::from_raw_parts`
/// requires.
fn slice_len(len: u64) -> Option<usize> {
    usize::try_from(len).ok().filter(|&len| len <= isize::MAX as usize)
}

/// An argument error recorded in the table: no frame, no bytes, offset 0.
/// Records `INVALID_ARGUMENT` with `count` left as given: 0 for decode, the caller's entry count for
/// encode, which never changes it.
fn invalid_argument(table: &mut Table<'_>, count: u32) -> i32 {
    table.set_header(count, 0, ErrorCode::InvalidArgument.code(), 0);
    status(ErrorCode::InvalidArgument)
}

/// `ABI_VERSION` from `abi.tsv`: Java refuses a library whose version differs from its own.
#[no_mangle]
pub extern "C" fn ferrule_abi_version() -> u32 {
    guard(0, || abi::ABI_VERSION)
}

/// The crate version of this library, as a static NUL-terminated string the caller must not free.
#[no_mangle]
pub extern "C" fn ferrule_engine_version() -> *const c_char {
    guard(c"".as_ptr(), || ENGINE_VERSION.as_ptr().cast())
}

/// Decodes frames of `format` (`FORMAT_*`) from `input` into `table`, which has room for
/// `table_capacity` entries.
///
/// `base_offset` is the index of `input[0]` in the caller's buffer: payload and error offsets in
/// the table are relative to that buffer. Frames over `max_payload_len` are `FRAME_TOO_LARGE`;
/// `end_of_input` turns a partial tail into `FRAME_TRUNCATED`. On success the table holds the
/// frame count, the bytes consumed and error 0; on error count and bytes are 0 and the error code
/// and absolute error offset are set. A payload offset that does not fit the table's u32 field
/// ends the call before that frame, or is `INVALID_ARGUMENT` at the frame's offset if it is the
/// first. Returns 0 or the error code.
///
/// # Safety
///
/// Non-null pointers must be valid for the lengths given: `input` for reads of `input_len` bytes,
/// `table` for reads and writes of `TABLE_HEADER_LENGTH + table_capacity * TABLE_ENTRY_LENGTH`
/// bytes, and neither may be written by anyone else during the call. Null pointers, lengths that
/// do not fit, and overlapping buffers are `INVALID_ARGUMENT` (not recorded in the table if the
/// table itself is the problem).
#[no_mangle]
pub unsafe extern "C" fn ferrule_frames_decode(
    format: u32,
    input: *const u8,
    input_len: u64,
    base_offset: u64,
    max_payload_len: u32,
    end_of_input: bool,
    table: *mut u8,
    table_capacity: u32,
) -> i32 {
    guard(status(ErrorCode::Internal), || {
        let Some(table_bytes) = table_len(table_capacity) else {
            return status(ErrorCode::InvalidArgument);
        };
        if table.is_null() {
            return status(ErrorCode::InvalidArgument);
        }
        // SAFETY: `table` is non-null, and the caller's contract (C-ABI.md, "Pointers", and the
        // `# Safety` section above) makes it valid for reads and writes of `table_bytes` bytes,
        // unaliased for the call. `table_len` keeps the length within `isize::MAX`.
        let mut table = Table(unsafe { slice::from_raw_parts_mut(table, table_bytes) });

        let Some(input_len) = slice_len(input_len) else {
            return invalid_argument(&mut table, 0);
        };
        if input.is_null() || overlaps(input, input_len, table.0.as_ptr(), table_bytes) {
            return invalid_argument(&mut table, 0);
        }
        // SAFETY: `input` is non-null and valid for reads of `input_len` bytes by the caller's
        // contract (C-ABI.md, "Pointers"); `slice_len` keeps the length within `isize::MAX`, and
        // the overlap check above guarantees it shares no byte with the mutable table slice.
        let input = unsafe { slice::from_raw_parts(input, input_len) };

        let Some(format) = FrameFormat::from_id(format) else {
            return invalid_argument(&mut table, 0);
        };
        let Ok(decoder) = FrameDecoder::new(format, max_payload_len) else {
            return invalid_argument(&mut table, 0);
        };
        // Every absolute offset the table reports must be representable.
        if base_offset.checked_add(input_len as u64).is_none() {
            return invalid_argument(&mut table, 0);
        }

        match decode_into(&decoder, input, base_offset, end_of_input, &mut table, table_capacity as usize) {
            Ok((count, consumed)) => {
                table.set_header(count, consumed as u64, 0, 0);
                OK
            }
            Err((code, offset)) => {
                table.set_header(0, 0, code.code(), offset);
                status(code)
            }
        }
    })
}

/// Fills the table's entries in batches and returns (count, bytes consumed), or the error with
/// its absolute offset. Batching gives exactly the result of one engine call with the whole
/// capacity, because decoding is a left-to-right scan that stops at the same place either way.
fn decode_into(
    decoder: &FrameDecoder,
    input: &[u8],
    base_offset: u64,
    end_of_input: bool,
    table: &mut Table<'_>,
    capacity: usize,
) -> Result<(u32, usize), (ErrorCode, u64)> {
    let header_len = decoder.format().header_len();
    let mut batch = [FrameDescriptor::default(); BATCH];
    let mut count = 0;
    let mut consumed = 0;
    while count < capacity {
        let room = BATCH.min(capacity - count);
        let progress = match decoder.decode(&input[consumed..], end_of_input, &mut batch[..room]) {
            Ok(progress) => progress,
            Err(e) if count == 0 => return Err((e.code, base_offset + (consumed + e.offset) as u64)),
            Err(_) => break,
        };
        for frame in &batch[..progress.frames] {
            let absolute = base_offset + (consumed + frame.payload_offset) as u64;
            let Ok(payload_offset) = u32::try_from(absolute) else {
                // Java addresses its buffers with u32 here; report the frames that fit, and refuse
                // the call only when not even the first one does.
                if count == 0 {
                    return Err((ErrorCode::InvalidArgument, absolute - header_len as u64));
                }
                return Ok((count as u32, consumed + frame.payload_offset - header_len));
            };
            // payload_len <= max_payload_len, a u32.
            table.set_entry(count, frame, payload_offset, frame.payload_len as u32);
            count += 1;
        }
        consumed += progress.consumed;
        if progress.frames < room {
            break;
        }
    }
    // count <= capacity, which came from a u32.
    Ok((count as u32, consumed))
}

/// Encodes the `count` frames described by `table`'s entries into `output`, taking each payload
/// from `payloads` at the entry's payload offset and length.
///
/// All entries are validated before anything is written: a payload outside `payloads` is
/// `INVALID_ARGUMENT`, flags invalid for `format` `FRAME_BAD_FLAGS`, a payload over
/// `max_payload_len` `FRAME_TOO_LARGE`, each with the entry's index as the error offset. Then an
/// `output` shorter than needed is `BUFFER_TOO_SMALL` with the size required in the table's
/// `bytes`. On success `bytes` is the number of bytes written. Returns 0 or the error code.
///
/// # Safety
///
/// Non-null pointers must be valid for the lengths given: `payloads` for reads of `payloads_len`
/// bytes, `table` for reads and writes of `TABLE_HEADER_LENGTH + count * TABLE_ENTRY_LENGTH`
/// bytes, `output` for writes of `output_len` bytes, and none may be written by anyone else during
/// the call. Null pointers, lengths that do not fit, and overlapping buffers are
/// `INVALID_ARGUMENT` (not recorded in the table if the table itself is the problem).
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the signature is fixed by C-ABI.md
pub unsafe extern "C" fn ferrule_frames_encode(
    format: u32,
    payloads: *const u8,
    payloads_len: u64,
    table: *mut u8,
    count: u32,
    output: *mut u8,
    output_len: u64,
    max_payload_len: u32,
) -> i32 {
    guard(status(ErrorCode::Internal), || {
        let Some(table_bytes) = table_len(count) else {
            return status(ErrorCode::InvalidArgument);
        };
        if table.is_null() {
            return status(ErrorCode::InvalidArgument);
        }
        // SAFETY: `table` is non-null, and the caller's contract (C-ABI.md, "Pointers", and the
        // `# Safety` section above) makes it valid for reads and writes of `table_bytes` bytes,
        // unaliased for the call. `table_len` keeps the length within `isize::MAX`.
        let mut table = Table(unsafe { slice::from_raw_parts_mut(table, table_bytes) });

        let (Some(payloads_len), Some(output_len)) = (slice_len(payloads_len), slice_len(output_len)) else {
            return invalid_argument(&mut table, count);
        };
        let table_ptr = table.0.as_ptr();
        if payloads.is_null()
            || output.is_null()
            || overlaps(payloads, payloads_len, table_ptr, table_bytes)
            || overlaps(output, output_len, table_ptr, table_bytes)
            || overlaps(output, output_len, payloads, payloads_len)
        {
            return invalid_argument(&mut table, count);
        }
        // SAFETY: `payloads` is non-null and valid for reads of `payloads_len` bytes by the
        // caller's contract (C-ABI.md, "Pointers"); `slice_len` keeps the length within
        // `isize::MAX`; the overlap checks above keep it apart from the two mutable slices.
        let payloads = unsafe { slice::from_raw_parts(payloads, payloads_len) };
        // SAFETY: `output` is non-null and valid for writes of `output_len` bytes by the caller's
        // contract (C-ABI.md, "Pointers"); `slice_len` keeps the length within `isize::MAX`; the
        // overlap checks above keep it apart from `table` and `payloads`.
        let output = unsafe { slice::from_raw_parts_mut(output, output_len) };

        let Some(format) = FrameFormat::from_id(format) else {
            return invalid_argument(&mut table, count);
        };
        // Descriptors are read in place from the table: no copy, no allocation per call.
        let result =
            encode_frames_by_index(format, count as usize, |i| table.entry(i), payloads, output, max_payload_len);
        // Encode never changes `count`: a caller's entries survive a failed encode (wire-format.md, section 4).
        match result {
            Ok(written) => {
                table.set_header(count, written as u64, 0, 0);
                OK
            }
            Err(error) => {
                let code = error.code();
                let (bytes, offset) = match error {
                    EncodeError::InvalidMaxPayloadLength(_) => (0, 0),
                    EncodeError::InvalidEntry { index, .. } => (0, index as u64),
                    EncodeError::BufferTooSmall { required } => (required as u64, 0),
                };
                table.set_header(count, bytes, code.code(), offset);
                status(code)
            }
        }
    })
}

/// Panics inside the catch and returns `INTERNAL` (3): lets callers prove that a panic in this
/// library becomes a status code rather than an abort of their process.
#[no_mangle]
pub extern "C" fn ferrule_debug_panic() -> i32 {
    guard(status(ErrorCode::Internal), || panic!("ferrule_debug_panic: a deliberate panic, caught"))
}
