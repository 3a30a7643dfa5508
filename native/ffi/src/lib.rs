//! The C ABI of the Ferrule engine, as specified in `native/C-ABI.md`.
//!
//! Every function returns a status (`0` or an error code from `abi.tsv`) and leaves its results in
//! the caller's frame table (`docs/wire-format.md`, section 4) or, for protobuf messages, its call
//! block (`docs/message-layout.md`, section 5). No panic crosses the boundary: each body runs
//! under `catch_unwind` and a panic becomes `INTERNAL`. `ferrule.h` is generated from this file by
//! `build.rs`.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use core::cell::Cell;
use core::ffi::c_char;
use core::{ptr, slice};
use std::panic::{catch_unwind, AssertUnwindSafe};

use ferrule_engine::abi::{self, ErrorCode};
use ferrule_engine::frame::{encode_frames_by_index, EncodeError, FrameDecoder, FrameDescriptor, FrameFormat};
use ferrule_engine::proto::{
    encode_grpc_batch, BatchMessage, Decoder, EncodeError as ProtoEncodeError, Encoder, GrpcBatchDecoder, Schema,
};

mod call;
mod dispatch;
mod table;
mod test_accelerators;

pub use dispatch::*;

use call::{CallBlock, Outcome};
use table::{table_len, Table};

thread_local! {
    /// Decode scratch kept per thread between calls, so that steady-state calls do not allocate.
    static DECODER: Cell<Option<Decoder>> = const { Cell::new(None) };
    /// Encode scratch kept per thread between calls, likewise.
    static ENCODER: Cell<Option<Encoder>> = const { Cell::new(None) };
}

/// Runs `f` with this thread's decoder. A call that panics never gives its decoder back, so a
/// half-used one is never reused (each decode clears its scratch anyway).
fn with_decoder<R>(f: impl FnOnce(&mut Decoder) -> R) -> R {
    let mut decoder = DECODER.with(Cell::take).unwrap_or_default();
    let result = f(&mut decoder);
    DECODER.with(|cell| cell.set(Some(decoder)));
    result
}

/// Runs `f` with this thread's encoder; see [`with_decoder`].
fn with_encoder<R>(f: impl FnOnce(&mut Encoder) -> R) -> R {
    let mut encoder = ENCODER.with(Cell::take).unwrap_or_default();
    let result = f(&mut encoder);
    ENCODER.with(|cell| cell.set(Some(encoder)));
    result
}

const OK: i32 = 0;

/// Descriptors decoded per engine call: bounds the stack buffer however large the table is.
const BATCH: usize = 256;

/// Messages decoded per engine call of a protobuf batch: bounds its stack buffer. Small, because the
/// buffer is zeroed on every call: at 256 entries that was about 11 KB of memset, more than decoding a
/// small message costs, paid even by a batch of one.
const PROTO_BATCH_CHUNK: usize = 32;

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

// ---------------------------------------------------------------------------------------------
// Protobuf messages (docs/message-layout.md).

/// A validated compiled schema, owned by the library. Opaque to C: created by
/// `ferrule_schema_register`, freed by `ferrule_schema_release`, shared read-only by any number
/// of concurrent calls in between.
pub struct FerruleSchema {
    schema: Schema,
}

/// A caller's call block, known valid for writes of its header and `capacity` path entries.
#[derive(Clone, Copy)]
struct RawBlock {
    ptr: *mut u8,
    capacity: usize,
}

impl RawBlock {
    /// # Safety
    ///
    /// `ptr` must be non-null and valid for writes of `call::block_len(capacity)` bytes for the
    /// rest of the call, and whenever [`RawBlock::report`] runs no live reference may point into
    /// that memory (the callers check that no buffer they slice overlaps it).
    unsafe fn new(ptr: *mut u8, capacity: usize) -> RawBlock {
        RawBlock { ptr, capacity }
    }

    /// Records `outcome` (the path cut to the capacity); returns its code as a status.
    fn report(self, outcome: &Outcome<'_>) -> i32 {
        let len = call::block_len(outcome.path.len().min(self.capacity));
        // SAFETY: `len` is at most `call::block_len(capacity)`, for which `RawBlock::new`'s
        // contract makes `ptr` valid and unaliased.
        let mut block = CallBlock(unsafe { slice::from_raw_parts_mut(self.ptr, len) });
        block.set(outcome);
        // Codes are at most i32::MAX (abi.tsv's parser refuses larger ones).
        outcome.code as i32
    }

    /// Records `code` with no path, offset, root or bytes.
    fn fail(self, code: ErrorCode) -> i32 {
        self.report(&Outcome { code: code.code(), ..Outcome::default() })
    }
}

/// Runs `body` under `catch_unwind`; a panic becomes `on_panic`, with `INTERNAL` recorded in the
/// call block's header when there is one.
fn guard_call<T>(block: Option<RawBlock>, on_panic: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(_) => {
            // The panicking body's references into the caller's buffers are gone.
            if let Some(block) = block {
                block.fail(ErrorCode::Internal);
            }
            on_panic
        }
    }
}

/// The header of the caller's call block, or `None` if the pointer is null.
///
/// # Safety
///
/// A non-null `ptr` must be valid for writes of `CALL_HEADER_LENGTH` bytes during the call, and
/// not written by anyone else.
unsafe fn header_block(ptr: *mut u8) -> Option<RawBlock> {
    // SAFETY: forwarded from the caller; no reference into the block exists yet.
    (!ptr.is_null()).then(|| unsafe { RawBlock::new(ptr, 0) })
}

/// A caller's read-only buffer; null is allowed for an empty one.
///
/// # Safety
///
/// A non-null `ptr` must be valid for reads of `len` bytes, unwritten, for `'a`.
unsafe fn input_slice<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        return (len == 0).then_some(&[][..]);
    }
    // SAFETY: `ptr` is non-null and valid for `len` bytes by the caller's contract; `len` came
    // from `slice_len`, so it is within `isize::MAX`.
    Some(unsafe { slice::from_raw_parts(ptr, len) })
}

/// Validates the compiled schema (`docs/message-layout.md`, section 1) in `bytes[0..len]` and
/// returns a handle to the engine's own copy of it, or null.
///
/// On success the call block's error code is 0. On failure the result is null and the block
/// holds `SCHEMA_INVALID` with the byte offset in the schema of the entry at fault, or
/// `INVALID_ARGUMENT` (null `bytes`, a length that does not fit, `bytes` overlapping the block),
/// or `INTERNAL`. A null `call_block` gives null with nothing recorded. Only the block's
/// `CALL_HEADER_LENGTH`-byte header is written.
///
/// The handle stays valid until `ferrule_schema_release`; any number of threads may use it at
/// once.
///
/// # Safety
///
/// Non-null `bytes` must be valid for reads of `len` bytes and `call_block` for writes of
/// `CALL_HEADER_LENGTH` bytes, neither written by anyone else during the call.
#[no_mangle]
pub unsafe extern "C" fn ferrule_schema_register(
    bytes: *const u8,
    len: u64,
    call_block: *mut u8,
) -> *mut FerruleSchema {
    // SAFETY: a non-null `call_block` is valid for its header by the caller's contract.
    let block = unsafe { header_block(call_block) };
    guard_call(block, ptr::null_mut(), || {
        let Some(block) = block else {
            return ptr::null_mut();
        };
        let Some(len) = slice_len(len) else {
            block.fail(ErrorCode::InvalidArgument);
            return ptr::null_mut();
        };
        if bytes.is_null() || overlaps(bytes, len, call_block, call::HEADER_LENGTH) {
            block.fail(ErrorCode::InvalidArgument);
            return ptr::null_mut();
        }
        // SAFETY: `bytes` is non-null and valid for reads of `len` bytes by the caller's contract;
        // `slice_len` keeps `len` within `isize::MAX`; the block does not overlap it.
        let compiled = unsafe { slice::from_raw_parts(bytes, len) };
        match Schema::from_compiled(compiled) {
            Ok(schema) => {
                block.report(&Outcome::default());
                Box::into_raw(Box::new(FerruleSchema { schema }))
            }
            Err(e) => {
                block.report(&Outcome { code: e.code().code(), offset: e.offset as u64, ..Outcome::default() });
                ptr::null_mut()
            }
        }
    })
}

/// Frees a schema handle from `ferrule_schema_register`; null is ignored.
///
/// # Safety
///
/// `schema` must be null or a handle from `ferrule_schema_register` not yet released, and no
/// call may use it during or after this one (Java guarantees this by releasing only after every
/// codec using the schema is closed).
#[no_mangle]
pub unsafe extern "C" fn ferrule_schema_release(schema: *mut FerruleSchema) {
    guard((), || {
        if !schema.is_null() {
            // SAFETY: a live handle from `ferrule_schema_register` (`Box::into_raw`), released
            // once, with no other user, by the caller's contract.
            drop(unsafe { Box::from_raw(schema) });
        }
    })
}

/// Decodes one message of type `message` (a schema message index) from `input[0..input_len]`
/// into the arena (`docs/message-layout.md`, sections 2 and 3).
///
/// `base_offset` is the buffer index of `input[0]`: views in the records and the error offset
/// are absolute, and `base_offset + input_len` must be at most 2^31 − 1. The arena is
/// `arena[0..arena_capacity]` (that length is authoritative over the header's capacity); its
/// header's `used` is advanced on success and left alone on failure. Nesting deeper than
/// `max_depth` (the root is depth 0) is `PROTO_DEPTH_EXCEEDED`.
///
/// The call block gets the error code, the absolute error offset and the path (at most
/// `max_depth + 2` entries), or on success code 0 and the root record's arena offset. Returns 0
/// or the error code. `INVALID_ARGUMENT`, recorded in the block's header: a null schema or
/// arena, a null input with a non-zero length, lengths that do not fit, `max_depth` above
/// 2^31 − 1, overlapping buffers, an unknown message index, an unusable arena header, offsets past
/// 2^31 − 1. A null call block is `INVALID_ARGUMENT` with nothing recorded.
///
/// # Safety
///
/// `schema` must be null or a live handle from `ferrule_schema_register`. Non-null pointers
/// must be valid for the lengths given: `input` for reads of `input_len` bytes, `arena` for
/// reads and writes of `arena_capacity` bytes, `call_block` for writes of
/// `CALL_HEADER_LENGTH + (max_depth + 2) * CALL_PATH_ENTRY_LENGTH` bytes; none may be written by
/// anyone else during the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the signature is fixed by C-ABI.md
pub unsafe extern "C" fn ferrule_proto_decode(
    schema: *const FerruleSchema,
    message: u32,
    input: *const u8,
    input_len: u64,
    base_offset: u64,
    arena: *mut u8,
    arena_capacity: u64,
    max_depth: u32,
    call_block: *mut u8,
) -> i32 {
    // SAFETY: a non-null `call_block` is valid for its header by the caller's contract.
    let header = unsafe { header_block(call_block) };
    guard_call(header, status(ErrorCode::Internal), || {
        let Some(header) = header else {
            return status(ErrorCode::InvalidArgument);
        };
        let Some(capacity) = call::path_capacity(max_depth) else {
            return header.fail(ErrorCode::InvalidArgument);
        };
        let block_len = call::block_len(capacity);
        let (Some(input_len), Some(arena_len)) = (slice_len(input_len), slice_len(arena_capacity)) else {
            return header.fail(ErrorCode::InvalidArgument);
        };
        if schema.is_null()
            || arena.is_null()
            || overlaps(input, input_len, arena, arena_len)
            || overlaps(input, input_len, call_block, block_len)
            || overlaps(arena, arena_len, call_block, block_len)
        {
            return header.fail(ErrorCode::InvalidArgument);
        }
        // SAFETY: the caller's contract makes the block valid for `capacity` path entries, and
        // the overlap checks keep it apart from the input and arena slices below.
        let block = unsafe { RawBlock::new(call_block, capacity) };
        // SAFETY: a non-null `input` is valid for reads of `input_len` bytes, unwritten, by the
        // caller's contract.
        let Some(input) = (unsafe { input_slice(input, input_len) }) else {
            return block.fail(ErrorCode::InvalidArgument);
        };
        // SAFETY: a live handle from `ferrule_schema_register` by the caller's contract; only read.
        let schema = unsafe { &(*schema).schema };
        // SAFETY: `arena` is non-null and valid for reads and writes of `arena_len` bytes by the
        // caller's contract; `slice_len` keeps the length within `isize::MAX`; the overlap checks
        // keep it apart from `input` and the call block.
        let arena = unsafe { slice::from_raw_parts_mut(arena, arena_len) };
        match with_decoder(|d| d.decode(schema, message, input, base_offset, arena, max_depth)) {
            Ok(root) => block.report(&Outcome { root, ..Outcome::default() }),
            Err(e) => {
                block.report(&Outcome { code: e.code.code(), offset: e.offset, path: &e.path, ..Outcome::default() })
            }
        }
    })
}

/// Encodes the record at arena offset `record`, of message type `message`, into
/// `output[0..output_len]` (`docs/message-layout.md`, section 4).
///
/// Views without `ARENA_REF_FLAG` read `input[0..input_len]`, whose index 0 is buffer index 0
/// (the absolute offsets the decoder stored); flagged views and records read the arena's used
/// part (its header must be valid), every reference bounds-checked. Records nested deeper than
/// `max_depth` are `PROTO_DEPTH_EXCEEDED` (which also stops record cycles); an encoding over
/// 2^31 − 1 bytes is `PROTO_MESSAGE_TOO_LARGE`.
///
/// The call block gets the bytes written, or for `BUFFER_TOO_SMALL` the bytes required (nothing
/// is written; pass a null output of length 0 to ask for the size). For `INVALID_ARGUMENT` from
/// a corrupt arena (a record, array or view outside the used arena or the input, an unparsable
/// unknown field) and `PROTO_DEPTH_EXCEEDED`, the error offset is the arena offset of the
/// reference at fault and the path names the fields down to it. Returns 0 or the error code. Argument errors are as for
/// `ferrule_proto_decode` (null input and output allowed when their length is 0); the input may
/// overlap the arena, which are both only read.
///
/// # Safety
///
/// `schema` must be null or a live handle from `ferrule_schema_register`. Non-null pointers
/// must be valid for the lengths given: `arena` and `input` for reads, `output` for writes,
/// `call_block` for writes of `CALL_HEADER_LENGTH + (max_depth + 2) * CALL_PATH_ENTRY_LENGTH`
/// bytes; none may be written by anyone else during the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the signature is fixed by C-ABI.md
pub unsafe extern "C" fn ferrule_proto_encode(
    schema: *const FerruleSchema,
    message: u32,
    record: u32,
    arena: *const u8,
    arena_capacity: u64,
    input: *const u8,
    input_len: u64,
    output: *mut u8,
    output_len: u64,
    max_depth: u32,
    call_block: *mut u8,
) -> i32 {
    // SAFETY: a non-null `call_block` is valid for its header by the caller's contract.
    let header = unsafe { header_block(call_block) };
    guard_call(header, status(ErrorCode::Internal), || {
        let Some(header) = header else {
            return status(ErrorCode::InvalidArgument);
        };
        // SAFETY: forwarded from this function's contract; no roots.
        let args = match unsafe {
            encode_args(
                header,
                schema,
                ptr::null(),
                Some(0),
                arena,
                arena_capacity,
                input,
                input_len,
                output,
                output_len,
                max_depth,
                call_block,
            )
        } {
            Ok(args) => args,
            Err(status) => return status,
        };
        let EncodeArgs { block, schema, arena, input, output, .. } = args;
        report_encoded(block, with_encoder(|e| e.encode(schema, message, record, arena, input, output, max_depth)))
    })
}

/// Decodes the gRPC length-prefixed messages in `input[0..input_len]`, each as one message of type
/// `message` into the arena, in one call (`docs/message-layout.md`, section 6).
///
/// The frames are found as `ferrule_frames_decode` finds gRPC frames (`max_payload_len`,
/// `end_of_input` and the stopping rules are its own) and each payload is decoded as
/// `ferrule_proto_decode` decodes it. The call stops when the table is full, at a partial tail, or
/// before a bad frame or message: a compressed message (flag 1) is `COMPRESSION_UNSUPPORTED` at its
/// frame; any frame or message error, `ARENA_EXHAUSTED` included, is reported only when no message
/// precedes it, so the messages before it are returned and the next call reports it.
///
/// On success the table holds one entry per message (correlation id, method id and flags 0; the
/// payload's absolute offset and length), its header the count, the bytes consumed and error 0;
/// `roots` holds the arena offset of each message's root record (u32, little-endian, at
/// `4 * index`); the call block has code 0, root 0 and bytes 0; the arena's `used` has advanced
/// past the messages. Nothing is written past the count in the table or the roots. On error the
/// table's count and bytes are 0 with the error code and absolute offset, the call block has the
/// code, offset and path (relative to the message's root type; empty for frame errors), and the
/// arena is as before the call. Returns 0 or the error code.
///
/// `INVALID_ARGUMENT`: everything `ferrule_proto_decode` refuses, a null table or roots, a
/// `max_payload_len` over `MAX_PAYLOAD_LENGTH_LIMIT`, and any two of input, table, roots, arena
/// and call block overlapping. Pointer and length errors (nulls, sizes, overlaps, `max_depth`) are
/// recorded in the call block only; the others (message index, `max_payload_len`, arena header,
/// offsets) in the table header too. A null call block is `INVALID_ARGUMENT` with nothing
/// recorded.
///
/// # Safety
///
/// `schema` must be null or a live handle from `ferrule_schema_register`. Non-null pointers must
/// be valid for the lengths given: `input` for reads of `input_len` bytes, `table` for reads and
/// writes of `TABLE_HEADER_LENGTH + table_capacity * TABLE_ENTRY_LENGTH` bytes, `roots` for writes
/// of `4 * table_capacity` bytes, `arena` for reads and writes of `arena_capacity` bytes,
/// `call_block` for writes of `CALL_HEADER_LENGTH + (max_depth + 2) * CALL_PATH_ENTRY_LENGTH`
/// bytes; none may be written by anyone else during the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the signature is fixed by C-ABI.md
pub unsafe extern "C" fn ferrule_proto_decode_grpc_batch(
    schema: *const FerruleSchema,
    message: u32,
    input: *const u8,
    input_len: u64,
    base_offset: u64,
    max_payload_len: u32,
    end_of_input: bool,
    table: *mut u8,
    table_capacity: u32,
    roots: *mut u8,
    arena: *mut u8,
    arena_capacity: u64,
    max_depth: u32,
    call_block: *mut u8,
) -> i32 {
    // SAFETY: a non-null `call_block` is valid for its header by the caller's contract.
    let header = unsafe { header_block(call_block) };
    guard_call(header, status(ErrorCode::Internal), || {
        let Some(header) = header else {
            return status(ErrorCode::InvalidArgument);
        };
        let Some(capacity) = call::path_capacity(max_depth) else {
            return header.fail(ErrorCode::InvalidArgument);
        };
        let block_len = call::block_len(capacity);
        let (Some(table_bytes), Some(roots_bytes)) = (table_len(table_capacity), roots_len(table_capacity)) else {
            return header.fail(ErrorCode::InvalidArgument);
        };
        let (Some(input_len), Some(arena_len)) = (slice_len(input_len), slice_len(arena_capacity)) else {
            return header.fail(ErrorCode::InvalidArgument);
        };
        let buffers = [
            (input.cast_mut(), input_len),
            (table, table_bytes),
            (roots, roots_bytes),
            (arena, arena_len),
            (call_block, block_len),
        ];
        let any_overlap = buffers
            .iter()
            .enumerate()
            .any(|(i, &(a, a_len))| buffers[i + 1..].iter().any(|&(b, b_len)| overlaps(a, a_len, b, b_len)));
        if schema.is_null()
            || table.is_null()
            || roots.is_null()
            || arena.is_null()
            || (input.is_null() && input_len != 0)
            || any_overlap
        {
            return header.fail(ErrorCode::InvalidArgument);
        }
        // SAFETY: the caller's contract makes the block valid for `capacity` path entries, and the
        // overlap checks keep it apart from every slice below.
        let block = unsafe { RawBlock::new(call_block, capacity) };
        // SAFETY: `table` is non-null and valid for reads and writes of `table_bytes` bytes by the
        // caller's contract; `table_len` keeps the length within `isize::MAX`; the overlap checks
        // keep it apart from the other buffers.
        let mut table = Table(unsafe { slice::from_raw_parts_mut(table, table_bytes) });
        let fail = |table: &mut Table<'_>, code: ErrorCode, offset: u64, path| {
            table.set_header(0, 0, code.code(), offset);
            block.report(&Outcome { code: code.code(), offset, path, ..Outcome::default() })
        };
        // SAFETY: a non-null `input` is valid for reads of `input_len` bytes, unwritten, by the
        // caller's contract; the overlap checks keep it apart from the mutable slices.
        let Some(input) = (unsafe { input_slice(input, input_len) }) else {
            return block.fail(ErrorCode::InvalidArgument);
        };
        // SAFETY: `roots` is non-null and valid for writes of `roots_bytes` bytes by the caller's
        // contract; `roots_len` keeps the length within `isize::MAX`; the overlap checks keep it
        // apart from the other buffers.
        let roots = unsafe { slice::from_raw_parts_mut(roots, roots_bytes) };
        // SAFETY: a live handle from `ferrule_schema_register` by the caller's contract; only read.
        let schema = unsafe { &(*schema).schema };
        // SAFETY: `arena` is non-null and valid for reads and writes of `arena_len` bytes by the
        // caller's contract; `slice_len` keeps the length within `isize::MAX`; the overlap checks
        // keep it apart from the other buffers.
        let arena = unsafe { slice::from_raw_parts_mut(arena, arena_len) };
        let Ok(batch) = GrpcBatchDecoder::new(schema, message, max_payload_len, max_depth) else {
            return fail(&mut table, ErrorCode::InvalidArgument, 0, &[]);
        };

        // Chunks of PROTO_BATCH_CHUNK messages through a stack buffer give exactly the result of one
        // engine call with the whole capacity: decoding is a left-to-right scan that stops at the same
        // place either way, and an error after the first message only ever stops the scan.
        let scanned = with_decoder(|decoder| {
            let mut chunk = [BatchMessage::default(); PROTO_BATCH_CHUNK];
            let capacity = table_capacity as usize;
            let (mut count, mut consumed) = (0, 0);
            while count < capacity {
                let room = PROTO_BATCH_CHUNK.min(capacity - count);
                let base = base_offset + consumed as u64;
                let progress =
                    match batch.decode(decoder, &input[consumed..], base, end_of_input, arena, &mut chunk[..room]) {
                        Ok(progress) => progress,
                        Err(e) if count == 0 => return Err(e),
                        Err(_) => break,
                    };
                for m in &chunk[..progress.messages] {
                    // The engine refuses inputs reaching past 2^31 - 1, so every offset fits a u32.
                    let offset = (base + m.frame.payload_offset as u64) as u32;
                    table.set_entry(count, &m.frame, offset, m.frame.payload_len as u32);
                    roots[4 * count..4 * count + 4].copy_from_slice(&m.root.to_le_bytes());
                    count += 1;
                }
                consumed += progress.consumed;
                if progress.messages < room {
                    break;
                }
            }
            Ok((count, consumed))
        });
        match scanned {
            Err(e) => fail(&mut table, e.code, e.offset, &e.path),
            Ok((count, consumed)) => {
                // count <= capacity, which came from a u32.
                table.set_header(count as u32, consumed as u64, 0, 0);
                block.report(&Outcome::default())
            }
        }
    })
}

/// Encodes the `count` records whose root offsets are in `roots` (u32, little-endian, at
/// `4 * index`), all of message type `message`, as consecutive gRPC length-prefixed messages into
/// `output[0..output_len]`, in one call (`docs/message-layout.md`, section 7): for each, compressed
/// flag 0, the encoding's length (u32, big-endian), then the encoding exactly as
/// `ferrule_proto_encode` writes it. A root of 0 is an empty message.
///
/// Every message is sized before anything is written, so on any error nothing is written. The call
/// block gets the bytes written, or for `BUFFER_TOO_SMALL` the bytes the whole batch requires (pass
/// a null output of length 0 to ask for the size). A message's own error (a corrupt record,
/// `PROTO_DEPTH_EXCEEDED`, `PROTO_MESSAGE_TOO_LARGE`) has the **index of the message** as its error
/// offset and the path from `message`; a batch over 2^31 − 1 bytes is `PROTO_MESSAGE_TOO_LARGE` at
/// the index of the first message past it. Returns 0 or the error code.
///
/// `INVALID_ARGUMENT` at offset 0 with an empty path: everything `ferrule_proto_encode` refuses
/// as an argument, an unknown message index, an unusable arena header, null `roots` with a
/// non-zero count, and `output` overlapping roots, arena, input or call block, or the call block
/// overlapping roots, arena or input (roots, arena and input are only read and may overlap).
///
/// # Safety
///
/// `schema` must be null or a live handle from `ferrule_schema_register`. Non-null pointers must
/// be valid for the lengths given: `roots` for reads of `4 * count` bytes, `arena` and `input` for
/// reads, `output` for writes, `call_block` for writes of
/// `CALL_HEADER_LENGTH + (max_depth + 2) * CALL_PATH_ENTRY_LENGTH` bytes; none may be written by
/// anyone else during the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the signature is fixed by C-ABI.md
pub unsafe extern "C" fn ferrule_proto_encode_grpc_batch(
    schema: *const FerruleSchema,
    message: u32,
    roots: *const u8,
    count: u32,
    arena: *const u8,
    arena_capacity: u64,
    input: *const u8,
    input_len: u64,
    output: *mut u8,
    output_len: u64,
    max_depth: u32,
    call_block: *mut u8,
) -> i32 {
    // SAFETY: a non-null `call_block` is valid for its header by the caller's contract.
    let header = unsafe { header_block(call_block) };
    guard_call(header, status(ErrorCode::Internal), || {
        let Some(header) = header else {
            return status(ErrorCode::InvalidArgument);
        };
        // SAFETY: forwarded from this function's contract.
        let args = match unsafe {
            encode_args(
                header,
                schema,
                roots,
                roots_len(count),
                arena,
                arena_capacity,
                input,
                input_len,
                output,
                output_len,
                max_depth,
                call_block,
            )
        } {
            Ok(args) => args,
            Err(status) => return status,
        };
        let EncodeArgs { block, schema, roots, arena, input, output } = args;
        let roots = roots.chunks_exact(4).map(|r| u32::from_le_bytes([r[0], r[1], r[2], r[3]]));
        report_encoded(
            block,
            with_encoder(|e| encode_grpc_batch(e, schema, message, roots, arena, input, output, max_depth)),
        )
    })
}

/// The checked arguments of the two encode calls, as slices.
struct EncodeArgs<'a> {
    block: RawBlock,
    schema: &'a Schema,
    roots: &'a [u8],
    arena: &'a [u8],
    input: &'a [u8],
    output: &'a mut [u8],
}

/// Checks and slices the arguments `ferrule_proto_encode` and `ferrule_proto_encode_grpc_batch`
/// share (the single call passes no roots): a null schema or arena, a null output with a non-zero
/// length, lengths that do not fit, `output` overlapping roots, arena, input or call block, and the
/// call block overlapping roots, arena or input are `INVALID_ARGUMENT` (roots, arena and input are only
/// read and may overlap). An error is recorded in the call block and returned as the status.
///
/// # Safety
///
/// `schema` must be null or a live handle from `ferrule_schema_register`. Non-null pointers must be
/// valid for the lengths given: `roots` (`roots_len` bytes), `arena` and `input` for reads, `output`
/// for writes, `call_block` for writes of `CALL_HEADER_LENGTH + (max_depth + 2) * CALL_PATH_ENTRY_LENGTH`
/// bytes; none may be written by anyone else during the call.
#[allow(clippy::too_many_arguments)] // one per buffer of the calls it serves
unsafe fn encode_args<'a>(
    header: RawBlock,
    schema: *const FerruleSchema,
    roots: *const u8,
    roots_len: Option<usize>,
    arena: *const u8,
    arena_capacity: u64,
    input: *const u8,
    input_len: u64,
    output: *mut u8,
    output_len: u64,
    max_depth: u32,
    call_block: *mut u8,
) -> Result<EncodeArgs<'a>, i32> {
    let Some(capacity) = call::path_capacity(max_depth) else {
        return Err(header.fail(ErrorCode::InvalidArgument));
    };
    let block_len = call::block_len(capacity);
    let (Some(roots_len), Some(arena_len), Some(input_len), Some(output_len)) =
        (roots_len, slice_len(arena_capacity), slice_len(input_len), slice_len(output_len))
    else {
        return Err(header.fail(ErrorCode::InvalidArgument));
    };
    let read_only = [(roots, roots_len), (arena, arena_len), (input, input_len)];
    let overlapping = read_only
        .iter()
        .any(|&(p, len)| overlaps(output, output_len, p, len) || overlaps(p, len, call_block, block_len))
        || overlaps(output, output_len, call_block, block_len);
    if schema.is_null() || arena.is_null() || (output.is_null() && output_len != 0) || overlapping {
        return Err(header.fail(ErrorCode::InvalidArgument));
    }
    // SAFETY: the caller's contract makes the block valid for `capacity` path entries, and the
    // overlap checks keep it apart from the slices below.
    let block = unsafe { RawBlock::new(call_block, capacity) };
    // SAFETY: non-null `roots` and `input` are valid for reads of `roots_len` and `input_len` bytes,
    // unwritten, by the caller's contract. They may overlap the arena: all are only read.
    let (Some(roots), Some(input)) =
        (unsafe { input_slice(roots, roots_len) }, unsafe { input_slice(input, input_len) })
    else {
        return Err(block.fail(ErrorCode::InvalidArgument));
    };
    let output: &mut [u8] = if output.is_null() {
        &mut []
    } else {
        // SAFETY: `output` is non-null and valid for writes of `output_len` bytes by the caller's
        // contract; `slice_len` keeps the length within `isize::MAX`; the overlap checks keep it apart
        // from the roots, the arena, the input and the call block.
        unsafe { slice::from_raw_parts_mut(output, output_len) }
    };
    // SAFETY: a live handle from `ferrule_schema_register` by the caller's contract; only read.
    let schema = unsafe { &(*schema).schema };
    // SAFETY: `arena` is non-null and valid for reads of `arena_len` bytes by the caller's contract;
    // `slice_len` keeps the length within `isize::MAX`; the overlap checks keep it apart from the
    // output and the call block.
    let arena = unsafe { slice::from_raw_parts(arena, arena_len) };
    Ok(EncodeArgs { block, schema, roots, arena, input, output })
}

/// Records an encode's outcome in the call block and returns its status.
fn report_encoded(block: RawBlock, result: Result<usize, ProtoEncodeError>) -> i32 {
    match result {
        Ok(written) => block.report(&Outcome { bytes: written as u64, ..Outcome::default() }),
        Err(e) => block.report(&Outcome {
            code: e.code.code(),
            offset: e.offset,
            bytes: e.required,
            path: &e.path,
            ..Outcome::default()
        }),
    }
}

/// Bytes of a roots block for `entries` messages (one u32 each), if that is a valid slice length.
fn roots_len(entries: u32) -> Option<usize> {
    usize::try_from(u64::from(entries) * 4).ok().filter(|&len| len <= isize::MAX as usize)
}
