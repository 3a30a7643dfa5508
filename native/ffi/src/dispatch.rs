//! The dispatch entry points (`native/C-ABI.md`, "Dispatch"; `docs/dispatch.md`), the accelerator
//! hook by which a user's staticlib supplies Rust handlers, and the stock library's test handlers.

use core::slice;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ferrule_engine::abi::{self, ErrorCode};
use ferrule_engine::dispatch::{
    encode_responses, first_pass, CallContext, FirstPassArgs, JavaResponse, Registry, RequestEntry, Route, Routes,
    Status,
};

use crate::{guard, overlaps, slice_len, status, with_decoder, with_encoder, FerruleSchema, OK};

/// A dispatcher: the library's Rust handlers, the routes one Java dispatcher declared, and the
/// response bytes that did not fit its last output. Used by one thread at a time.
pub struct FerruleDispatcher {
    registry: Registry,
    routes: Routes,
    pending: Vec<u8>,
    response: Vec<u8>,
    entries: Vec<RequestEntry>,
    time_handlers: bool,
}

/// Route kinds of `ferrule_dispatcher_route`.
const ROUTE_JAVA: u32 = 0;
const ROUTE_NATIVE: u32 = 1;
const ROUTE_UNAVAILABLE: u32 = 2;

/// Outcome bit of an entry the first pass answered (its low bits: 0 or the error frame's code).
const ANSWERED: u32 = 1 << 31;

/// Dispatch table layout (`DispatchLayout.java` has the diagram).
mod layout {
    pub(super) const REQUESTS: usize = 0;
    pub(super) const COUNT: usize = 4;
    pub(super) const ERRORS: usize = 8;
    pub(super) const ERROR_CODE: usize = 12;
    pub(super) const CONSUMED: usize = 16;
    pub(super) const WRITTEN: usize = 24;
    pub(super) const PENDING: usize = 32;
    pub(super) const ERROR_OFFSET: usize = 40;
    pub(super) const CORRELATION: usize = 0;
    pub(super) const METHOD: usize = 8;
    pub(super) const INDEX: usize = 12;
    pub(super) const A: usize = 16;
    pub(super) const B: usize = 20;
    pub(super) const LENGTH: usize = 24;
    pub(super) const OUTCOME: usize = 28;
    pub(super) const NANOS: usize = 32;
}

const HEADER: usize = abi::DISPATCH_TABLE_HEADER_LENGTH as usize;
const ENTRY: usize = abi::DISPATCH_ENTRY_LENGTH as usize;

fn put_u32(table: &mut [u8], at: usize, value: u32) {
    table[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(table: &mut [u8], at: usize, value: u64) {
    table[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn u32_at(table: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([table[at], table[at + 1], table[at + 2], table[at + 3]])
}

fn u64_at(table: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&table[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// The dispatch table header: requests, count, errors, consumed, written, pending, error.
#[allow(clippy::too_many_arguments)]
fn set_header(
    t: &mut [u8],
    requests: u32,
    count: u32,
    errors: u32,
    consumed: u64,
    written: u64,
    pending: u64,
    code: u32,
    offset: u64,
) {
    put_u32(t, layout::REQUESTS, requests);
    put_u32(t, layout::COUNT, count);
    put_u32(t, layout::ERRORS, errors);
    put_u32(t, layout::ERROR_CODE, code);
    put_u64(t, layout::CONSUMED, consumed);
    put_u64(t, layout::WRITTEN, written);
    put_u64(t, layout::PENDING, pending);
    put_u64(t, layout::ERROR_OFFSET, offset);
}

/// Bytes of a dispatch table with room for `entries`.
fn dispatch_table_len(entries: u32) -> Option<usize> {
    usize::try_from(HEADER as u64 + u64::from(entries) * ENTRY as u64).ok().filter(|&len| len <= isize::MAX as usize)
}

/// A new dispatcher with no route and no handler, or null if it could not be made. Release it with
/// `ferrule_dispatcher_release`.
#[no_mangle]
pub extern "C" fn ferrule_dispatcher_new() -> *mut FerruleDispatcher {
    guard(core::ptr::null_mut(), || {
        Box::into_raw(Box::new(FerruleDispatcher {
            registry: Registry::new(),
            routes: Routes::default(),
            pending: Vec::new(),
            response: Vec::new(),
            entries: Vec::new(),
            time_handlers: false,
        }))
    })
}

/// Frees a dispatcher; null is ignored.
///
/// # Safety
///
/// `dispatcher` must be null or a live handle from `ferrule_dispatcher_new`, used by no call during
/// or after this one.
#[no_mangle]
pub unsafe extern "C" fn ferrule_dispatcher_release(dispatcher: *mut FerruleDispatcher) {
    if !dispatcher.is_null() {
        // SAFETY: a live handle from `Box::into_raw` in `ferrule_dispatcher_new`, released once by
        // the caller's contract.
        let boxed = unsafe { Box::from_raw(dispatcher) };
        guard((), move || drop(boxed));
    }
}

/// Runs `register` on the dispatcher's registry, for the `accelerators!` macro: a panic or an error is
/// logged to stderr and returned as its code (`INTERNAL` for a panic).
///
/// # Safety
///
/// `dispatcher` must be null or a live handle from `ferrule_dispatcher_new` that no other call uses
/// during this one.
#[doc(hidden)]
pub unsafe fn register_accelerators(
    dispatcher: *mut FerruleDispatcher,
    register: fn(&mut Registry) -> Result<(), Status>,
) -> i32 {
    if dispatcher.is_null() {
        return status(ErrorCode::InvalidArgument);
    }
    // SAFETY: a live, unshared handle by the caller's contract.
    let dispatcher = unsafe { &mut *dispatcher };
    match catch_unwind(AssertUnwindSafe(|| register(&mut dispatcher.registry))) {
        Ok(Ok(())) => OK,
        Ok(Err(e)) => {
            eprintln!("ferrule: registering the accelerators failed: {e}");
            status(e.code())
        }
        Err(_) => status(ErrorCode::Internal),
    }
}

/// Defines the library's accelerator hook, the C symbol `ferrule_accelerators`, which the JNI glue
/// calls for every new dispatcher: `register` adds the library's Rust handlers to its registry.
/// Exactly one crate of a linked library invokes it (the stock library with no handlers, or yours).
///
/// ```ignore
/// fn register(registry: &mut ferrule_engine::dispatch::Registry) -> Result<(), ferrule_engine::dispatch::Status> {
///     registry.register("demo.v1.Stats/Quantiles", quantiles)?;
///     Ok(())
/// }
/// ferrule_ffi::accelerators!(register);
/// ```
#[macro_export]
macro_rules! accelerators {
    ($register:path) => {
        /// The accelerator hook of this library (`ferrule_ffi::accelerators!`).
        ///
        /// # Safety
        ///
        /// `dispatcher` must be null or a live handle from `ferrule_dispatcher_new`, unshared.
        #[no_mangle]
        pub unsafe extern "C" fn ferrule_accelerators(dispatcher: *mut $crate::FerruleDispatcher) -> i32 {
            // SAFETY: forwarded from this function's contract.
            unsafe { $crate::register_accelerators(dispatcher, $register) }
        }
    };
}

/// Registers the stock library's test accelerators (`ferrule.test.v1.Accelerator/Echo`, `/Sum`,
/// `/Panic`, `/Fail`); a test hook. Returns 0, or `DISPATCH_METHOD_INVALID` if called twice.
///
/// # Safety
///
/// As `ferrule_dispatcher_route`.
#[no_mangle]
pub unsafe extern "C" fn ferrule_dispatcher_add_test_handlers(dispatcher: *mut FerruleDispatcher) -> i32 {
    // SAFETY: forwarded from this function's contract.
    unsafe { register_accelerators(dispatcher, crate::test_accelerators::register) }
}

/// Routes requests for `method_id`: kind 0 Java (decode as schema message `request_type`, describe
/// with `java_index`), 1 native (its Rust handler), 2 unavailable. Returns 0, `INVALID_ARGUMENT`
/// for a null handle, an unknown kind or method id 0, or `DISPATCH_HANDLER_UNAVAILABLE` for a native
/// route the library has no handler for (nothing is routed then).
///
/// # Safety
///
/// `dispatcher` must be null or a live handle from `ferrule_dispatcher_new` that no other call uses
/// during this one.
#[no_mangle]
pub unsafe extern "C" fn ferrule_dispatcher_route(
    dispatcher: *mut FerruleDispatcher,
    method_id: u32,
    kind: u32,
    java_index: u32,
    request_type: u32,
) -> i32 {
    guard(status(ErrorCode::Internal), || {
        if dispatcher.is_null() || method_id == 0 {
            return status(ErrorCode::InvalidArgument);
        }
        // SAFETY: a live, unshared handle by the caller's contract.
        let dispatcher = unsafe { &mut *dispatcher };
        let route = match kind {
            ROUTE_JAVA => Route::Java { java_index, request_type },
            ROUTE_UNAVAILABLE => Route::Unavailable { java_index },
            ROUTE_NATIVE => match dispatcher.registry.index_of(method_id) {
                Some(handler) => Route::Native { handler, java_index },
                None => return status(ErrorCode::DispatchHandlerUnavailable),
            },
            _ => return status(ErrorCode::InvalidArgument),
        };
        dispatcher.routes.insert(method_id, route);
        OK
    })
}

/// Whether `ferrule_dispatch` measures each Rust handler's time (entry field at 32; 0 when off, the
/// default). Returns 0, or `INVALID_ARGUMENT` for a null handle.
///
/// # Safety
///
/// As `ferrule_dispatcher_route`.
#[no_mangle]
pub unsafe extern "C" fn ferrule_dispatcher_time_handlers(dispatcher: *mut FerruleDispatcher, enabled: bool) -> i32 {
    guard(status(ErrorCode::Internal), || {
        if dispatcher.is_null() {
            return status(ErrorCode::InvalidArgument);
        }
        // SAFETY: a live, unshared handle by the caller's contract.
        unsafe { (*dispatcher).time_handlers = enabled };
        OK
    })
}

/// The first pass of one dispatch call (`docs/dispatch.md`): decodes the Ferrule request frames in
/// `input[0..input_len]` (buffer index `base_offset`), up to `table_capacity` of them; runs Rust
/// handlers and writes their responses, and the dispatcher's own error frames, to
/// `output[0..output_len]`; decodes Java-handled requests into the arena and describes them in the
/// dispatch table. Results in the table header (requests, Java entries, error frames, bytes consumed,
/// written and pending). A Rust response that does not fit the output is kept in the dispatcher
/// (`ferrule_dispatch_drain`) and ends the pass. A bad first frame is its frame error code, with its
/// absolute offset in the header; `INVALID_ARGUMENT` for null or overlapping buffers, an unusable arena,
/// or `base_offset + input_len` over 2^31 − 1.
///
/// # Safety
///
/// `dispatcher` and `schema` must be live handles, the dispatcher unshared during the call. Non-null
/// pointers must be valid for the lengths given (`table`: `DISPATCH_TABLE_HEADER_LENGTH + capacity *
/// DISPATCH_ENTRY_LENGTH` bytes), and none may be written by anyone else during the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the signature is fixed by C-ABI.md
pub unsafe extern "C" fn ferrule_dispatch(
    dispatcher: *mut FerruleDispatcher,
    schema: *const FerruleSchema,
    input: *const u8,
    input_len: u64,
    base_offset: u64,
    max_payload_len: u32,
    output: *mut u8,
    output_len: u64,
    table: *mut u8,
    table_capacity: u32,
    arena: *mut u8,
    arena_capacity: u64,
    max_depth: u32,
) -> i32 {
    guard(status(ErrorCode::Internal), || {
        let Some(table_len) = dispatch_table_len(table_capacity) else {
            return status(ErrorCode::InvalidArgument);
        };
        let (Some(input_len), Some(output_len), Some(arena_len)) =
            (slice_len(input_len), slice_len(output_len), slice_len(arena_capacity))
        else {
            return status(ErrorCode::InvalidArgument);
        };
        let buffers = [(input.cast_mut(), input_len), (output, output_len), (table, table_len), (arena, arena_len)];
        let any_overlap = buffers
            .iter()
            .enumerate()
            .any(|(i, &(a, a_len))| buffers[i + 1..].iter().any(|&(b, b_len)| overlaps(a, a_len, b, b_len)));
        if dispatcher.is_null()
            || schema.is_null()
            || table.is_null()
            || arena.is_null()
            || (input.is_null() && input_len != 0)
            || (output.is_null() && output_len != 0)
            || any_overlap
            || base_offset.checked_add(input_len as u64).is_none_or(|end| end > i32::MAX as u64)
            || max_payload_len > abi::MAX_PAYLOAD_LENGTH_LIMIT
        {
            return status(ErrorCode::InvalidArgument);
        }
        // SAFETY: non-null, valid for `table_len` bytes and unaliased by the caller's contract and the
        // overlap check; `dispatch_table_len` keeps the length within isize::MAX.
        let table = unsafe { slice::from_raw_parts_mut(table, table_len) };
        // SAFETY: a live, unshared handle by the caller's contract.
        let dispatcher = unsafe { &mut *dispatcher };
        // SAFETY: a live handle by the caller's contract; only read.
        let schema = unsafe { &(*schema).schema };
        let input: &[u8] = if input.is_null() {
            &[]
        } else {
            // SAFETY: non-null and valid for reads of `input_len` bytes by the caller's contract; apart
            // from every mutable buffer by the overlap check.
            unsafe { slice::from_raw_parts(input, input_len) }
        };
        let output: &mut [u8] = if output.is_null() {
            &mut []
        } else {
            // SAFETY: non-null and valid for writes of `output_len` bytes by the caller's contract; apart
            // from every other buffer by the overlap check.
            unsafe { slice::from_raw_parts_mut(output, output_len) }
        };
        // SAFETY: non-null and valid for `arena_len` bytes by the caller's contract; apart from every
        // other buffer by the overlap check.
        let arena = unsafe { slice::from_raw_parts_mut(arena, arena_len) };
        // The same rule as the decoder's (C-ABI.md, "Protobuf messages"), checked up front so that a
        // bad arena is refused whatever the input holds.
        let usable = ferrule_engine::proto::arena_used(arena)
            .is_some_and(|used| used >= abi::ARENA_HEADER_LENGTH && used % 8 == 0 && used as usize <= arena.len());
        if !usable {
            set_header(table, 0, 0, 0, 0, 0, dispatcher.pending.len() as u64, ErrorCode::InvalidArgument.code(), 0);
            return status(ErrorCode::InvalidArgument);
        }

        let FerruleDispatcher { registry, routes, pending, response, entries, time_handlers } = dispatcher;
        entries.clear();
        entries.resize(table_capacity as usize, RequestEntry::default());
        let args =
            FirstPassArgs { routes, registry, schema, max_payload_len, max_depth, time_handlers: *time_handlers };
        let outcome = with_decoder(|decoder| {
            first_pass(&args, decoder, input, base_offset, output, pending, arena, entries, response)
        });
        match outcome {
            Err(e) => {
                set_header(table, 0, 0, 0, 0, 0, pending.len() as u64, e.code.code(), base_offset + e.offset as u64);
                status(e.code)
            }
            Ok(pass) => {
                for (i, request) in entries[..pass.requests].iter().enumerate() {
                    let at = HEADER + i * ENTRY;
                    put_u64(table, at + layout::CORRELATION, request.correlation_id);
                    put_u32(table, at + layout::METHOD, request.method_id);
                    put_u32(table, at + layout::INDEX, request.java_index);
                    put_u32(table, at + layout::A, request.root);
                    put_u32(table, at + layout::B, request.payload_offset);
                    put_u32(table, at + layout::LENGTH, request.payload_len);
                    let answered = if request.answered { ANSWERED } else { 0 };
                    put_u32(table, at + layout::OUTCOME, answered | request.error_code);
                    put_u64(table, at + layout::NANOS, request.handler_nanos);
                }
                // Counts are at most the table capacity, a u32.
                set_header(
                    table,
                    pass.requests as u32,
                    pass.java as u32,
                    pass.errors as u32,
                    pass.consumed as u64,
                    pass.written as u64,
                    pending.len() as u64,
                    0,
                    0,
                );
                OK
            }
        }
    })
}

/// Encodes the dispatch table's response entries `first..first + count` as response frames into
/// `output`, in order, stopping before the first that does not fit. Entry kind 0: encode the record
/// at B of message type A (B = 0: an empty message); kind 1: an error frame whose status payload is
/// `statuses[A..A + B]`. The header gets the frames (count field) and bytes written; an entry that
/// cannot be encoded stops the call with its error code, its index (from `first`, equal to the frames
/// written before it, which stay written) as the error offset. `INVALID_ARGUMENT` for null or
/// overlapping buffers.
///
/// # Safety
///
/// `schema` must be a live handle. Non-null pointers must be valid for the lengths given (`table` for
/// `first + count` entries); `output` may be written by nobody else during the call, and overlaps none
/// of the others.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // the signature is fixed by C-ABI.md
pub unsafe extern "C" fn ferrule_dispatch_encode(
    schema: *const FerruleSchema,
    table: *mut u8,
    first: u32,
    count: u32,
    arena: *const u8,
    arena_capacity: u64,
    input: *const u8,
    input_len: u64,
    statuses: *const u8,
    statuses_len: u64,
    output: *mut u8,
    output_len: u64,
    max_depth: u32,
) -> i32 {
    guard(status(ErrorCode::Internal), || {
        let Some(end) = first.checked_add(count) else {
            return status(ErrorCode::InvalidArgument);
        };
        let Some(table_len) = dispatch_table_len(end) else {
            return status(ErrorCode::InvalidArgument);
        };
        let (Some(arena_len), Some(input_len), Some(statuses_len), Some(output_len)) =
            (slice_len(arena_capacity), slice_len(input_len), slice_len(statuses_len), slice_len(output_len))
        else {
            return status(ErrorCode::InvalidArgument);
        };
        let read_only = [(arena, arena_len), (input, input_len), (statuses, statuses_len)];
        let overlapping = read_only
            .iter()
            .any(|&(p, len)| overlaps(output, output_len, p, len) || overlaps(table, table_len, p, len))
            || overlaps(output, output_len, table, table_len);
        if schema.is_null()
            || table.is_null()
            || arena.is_null()
            || (input.is_null() && input_len != 0)
            || (statuses.is_null() && statuses_len != 0)
            || (output.is_null() && output_len != 0)
            || overlapping
        {
            return status(ErrorCode::InvalidArgument);
        }
        // SAFETY: each non-null pointer is valid for its length by the caller's contract, the lengths
        // are within isize::MAX (`slice_len`, `dispatch_table_len`), and the overlap checks keep the two
        // mutable slices (table, output) apart from each other and from the read-only ones.
        let (table, arena, output) = unsafe {
            (
                slice::from_raw_parts_mut(table, table_len),
                slice::from_raw_parts(arena, arena_len),
                if output.is_null() { &mut [][..] } else { slice::from_raw_parts_mut(output, output_len) },
            )
        };
        // SAFETY: as above, read-only.
        let (input, statuses): (&[u8], &[u8]) = unsafe {
            (
                if input.is_null() { &[] } else { slice::from_raw_parts(input, input_len) },
                if statuses.is_null() { &[] } else { slice::from_raw_parts(statuses, statuses_len) },
            )
        };
        // SAFETY: a live handle by the caller's contract; only read.
        let schema = unsafe { &(*schema).schema };
        let entries = (first as usize..end as usize).map(|i| {
            let at = HEADER + i * ENTRY;
            let (a, b) = (u32_at(table, at + layout::A), u32_at(table, at + layout::B));
            let response = if u32_at(table, at + layout::INDEX) == 1 {
                JavaResponse::Error { offset: a as usize, len: b as usize }
            } else {
                JavaResponse::Message { message_type: a, root: b }
            };
            (u64_at(table, at + layout::CORRELATION), u32_at(table, at + layout::METHOD), response)
        });
        let outcome = with_encoder(|encoder| {
            encode_responses(encoder, schema, entries, arena, input, statuses, output, max_depth)
        });
        // Frames and bytes written so far are reported either way: the caller keeps them.
        let code = outcome.error.as_ref().map_or(0, |e| e.code.code());
        set_header(table, 0, outcome.frames as u32, 0, 0, outcome.written as u64, 0, code, outcome.frames as u64);
        outcome.error.map_or(OK, |e| status(e.code))
    })
}

/// Writes as many pending bytes as fit into `output[0..output_len]`; returns how many, or -1 for a
/// null handle or a null output with a non-zero length.
///
/// # Safety
///
/// `dispatcher` must be null or a live handle, unshared during the call; a non-null `output` must be
/// valid for writes of `output_len` bytes and written by nobody else during the call.
#[no_mangle]
pub unsafe extern "C" fn ferrule_dispatch_drain(
    dispatcher: *mut FerruleDispatcher,
    output: *mut u8,
    output_len: u64,
) -> i64 {
    guard(-1, || {
        let Some(output_len) = slice_len(output_len) else {
            return -1;
        };
        if dispatcher.is_null() || (output.is_null() && output_len != 0) {
            return -1;
        }
        // SAFETY: a live, unshared handle by the caller's contract.
        let dispatcher = unsafe { &mut *dispatcher };
        let n = dispatcher.pending.len().min(output_len);
        if n > 0 {
            // SAFETY: non-null (n > 0 implies output_len > 0) and valid for `output_len` bytes by the
            // caller's contract; the pending Vec is the dispatcher's own memory, so they cannot overlap.
            let output = unsafe { slice::from_raw_parts_mut(output, output_len) };
            output[..n].copy_from_slice(&dispatcher.pending[..n]);
            dispatcher.pending.drain(..n);
        }
        n as i64
    })
}

/// Bytes the dispatcher holds pending; 0 for a null handle.
///
/// # Safety
///
/// `dispatcher` must be null or a live handle not being released.
#[no_mangle]
pub unsafe extern "C" fn ferrule_dispatch_pending(dispatcher: *const FerruleDispatcher) -> u64 {
    guard(0, || {
        if dispatcher.is_null() {
            return 0;
        }
        // SAFETY: a live handle by the caller's contract; only read.
        unsafe { (*dispatcher).pending.len() as u64 }
    })
}

/// Used by the test accelerators: so the context is exercised.
pub(crate) fn describe(ctx: &CallContext<'_>) -> String {
    ctx.to_string()
}
