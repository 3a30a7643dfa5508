//! Calls the dispatch C functions from Rust with real buffers, as the JNI glue does: the dispatcher
//! handle, routes, the test accelerators, the dispatch table, pending output and argument checking.

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::ptr;

use common::*;
use ferrule_engine::dispatch::{encode_status, method_id};
use ferrule_engine::frame::{encode_frame, FrameDecoder, FrameFormat};
use ferrule_engine::proto::init_arena;
use ferrule_engine::ErrorCode;
use ferrule_ffi::*;

const HEADER: usize = 48;
const ENTRY: usize = 40;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

struct Fixture {
    dispatcher: *mut FerruleDispatcher,
    schema: *mut FerruleSchema,
    num: u32,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: live handles made by `fixture`, released once.
        unsafe {
            ferrule_dispatcher_release(self.dispatcher);
            ferrule_schema_release(self.schema);
        }
    }
}

fn fixture() -> Fixture {
    let mut b = SchemaBuilder::new();
    let num = b.message("t.Num");
    b.scalar(num, 1, ty::INT64, card::IMPLICIT);
    let built = b.build();
    let mut block = vec![0u8; 32 + 102 * 8];
    // SAFETY: valid buffers for the lengths given.
    let schema = unsafe { ferrule_schema_register(built.bytes.as_ptr(), built.bytes.len() as u64, block.as_mut_ptr()) };
    assert!(!schema.is_null());
    let dispatcher = ferrule_dispatcher_new();
    assert!(!dispatcher.is_null());
    // SAFETY: a live handle.
    unsafe {
        assert_eq!(ferrule_dispatcher_add_test_handlers(dispatcher), 0);
        assert_eq!(
            ferrule_dispatcher_add_test_handlers(dispatcher),
            ErrorCode::DispatchMethodInvalid.code() as i32,
            "registered twice"
        );
    }
    Fixture { dispatcher, schema, num }
}

fn request(method: &str, correlation: u64, payload: &[u8], wire: &mut Vec<u8>) {
    encode_frame(FrameFormat::Ferrule, method_id(method), correlation, 0, payload, wire).unwrap();
}

#[test]
fn routes_refuse_what_they_cannot_serve() {
    let f = fixture();
    // SAFETY: a live handle, or null.
    unsafe {
        let echo = method_id("ferrule.test.v1.Accelerator/Echo");
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, echo, 1, 0, 0), 0);
        let missing = method_id("x.Y/NotCompiledIn");
        assert_eq!(
            ferrule_dispatcher_route(f.dispatcher, missing, 1, 1, 0),
            ErrorCode::DispatchHandlerUnavailable.code() as i32
        );
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, missing, 2, 1, 0), 0);
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, missing, 3, 1, 0), 1);
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, 0, 0, 1, 0), 1);
        assert_eq!(ferrule_dispatcher_route(ptr::null_mut(), echo, 0, 1, 0), 1);
        assert_eq!(ferrule_dispatch_pending(ptr::null()), 0);
        assert_eq!(ferrule_dispatch_drain(ptr::null_mut(), ptr::null_mut(), 0), -1);
        ferrule_dispatcher_release(ptr::null_mut());
    }
}

#[test]
fn one_call_runs_rust_handlers_and_describes_java_requests() {
    let f = fixture();
    let (echo, sum, panic, java) = (
        "ferrule.test.v1.Accelerator/Echo",
        "ferrule.test.v1.Accelerator/Sum",
        "ferrule.test.v1.Accelerator/Panic",
        "t.S/Java",
    );
    // SAFETY: live handles.
    unsafe {
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, method_id(echo), 1, 0, 0), 0);
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, method_id(sum), 1, 1, 0), 0);
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, method_id(panic), 1, 2, 0), 0);
        assert_eq!(ferrule_dispatcher_route(f.dispatcher, method_id(java), 0, 3, f.num), 0);
    }
    let mut wire = Vec::new();
    request(echo, 1, b"\x01\x02", &mut wire);
    let mut doubles = vec![0x0A, 16];
    doubles.extend_from_slice(&1.5f64.to_le_bytes());
    doubles.extend_from_slice(&2.0f64.to_le_bytes());
    request(sum, 2, &doubles, &mut wire);
    request(panic, 3, b"", &mut wire);
    request(java, 4, &vf(1, 9), &mut wire);
    let mut out = vec![0u8; 4096];
    let mut table = vec![0xEEu8; HEADER + 8 * ENTRY];
    let mut arena = vec![0u8; 1024];
    init_arena(&mut arena);
    // SAFETY: every buffer valid for its length and disjoint.
    let status = unsafe {
        ferrule_dispatch(
            f.dispatcher,
            f.schema,
            wire.as_ptr(),
            wire.len() as u64,
            100,
            1 << 20,
            out.as_mut_ptr(),
            out.len() as u64,
            table.as_mut_ptr(),
            8,
            arena.as_mut_ptr(),
            arena.len() as u64,
            100,
        )
    };
    assert_eq!(status, 0);
    assert_eq!((u32_at(&table, 0), u32_at(&table, 4), u32_at(&table, 8)), (4, 1, 1));
    assert_eq!(u64_at(&table, 16), wire.len() as u64);
    let written = u64_at(&table, 24) as usize;
    assert_eq!(u64_at(&table, 32), 0, "nothing pending");
    let outcomes: Vec<_> =
        (0..4).map(|i| (u64_at(&table, HEADER + i * ENTRY), u32_at(&table, HEADER + i * ENTRY + 28))).collect();
    assert_eq!(
        outcomes,
        [(1, 1 << 31), (2, 1 << 31), (3, (1 << 31) | ErrorCode::DispatchHandlerFailed.code()), (4, 0)]
    );
    let java_entry = HEADER + 3 * ENTRY;
    assert_eq!(u32_at(&table, java_entry + 12), 3, "java index");
    assert_eq!(u32_at(&table, java_entry + 20) as usize, 100 + wire.len() - 2, "absolute payload offset");
    let frames: Vec<_> = FrameDecoder::with_default_max(FrameFormat::Ferrule)
        .frames(&out[..written])
        .map(|fr| fr.unwrap())
        .map(|fr| (fr.correlation_id, fr.flags, fr.payload.to_vec()))
        .collect();
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0], (1, 2, vec![1, 2]));
    let mut total = vec![0x09];
    total.extend_from_slice(&3.5f64.to_le_bytes());
    total.extend_from_slice(&[0x10, 2]);
    assert_eq!(frames[1], (2, 2, total));
    assert_eq!((frames[2].0, frames[2].1), (3, 6));

    // The Java response and an error status, framed by one encode call.
    let mut status_bytes = Vec::new();
    encode_status(ErrorCode::DispatchHandlerFailed, "no", &mut status_bytes);
    let root = u32_at(&table, java_entry + 16);
    let mut responses = vec![0u8; HEADER + 2 * ENTRY];
    responses[HEADER..HEADER + 8].copy_from_slice(&4u64.to_le_bytes());
    responses[HEADER + 16..HEADER + 20].copy_from_slice(&f.num.to_le_bytes());
    responses[HEADER + 20..HEADER + 24].copy_from_slice(&root.to_le_bytes());
    let e = HEADER + ENTRY;
    responses[e..e + 8].copy_from_slice(&5u64.to_le_bytes());
    responses[e + 12..e + 16].copy_from_slice(&1u32.to_le_bytes());
    responses[e + 20..e + 24].copy_from_slice(&(status_bytes.len() as u32).to_le_bytes());
    let mut input = vec![0u8; 100];
    input.extend_from_slice(&wire);
    let mut out2 = vec![0u8; 256];
    // SAFETY: every buffer valid for its length and disjoint.
    let status = unsafe {
        ferrule_dispatch_encode(
            f.schema,
            responses.as_mut_ptr(),
            0,
            2,
            arena.as_ptr(),
            arena.len() as u64,
            input.as_ptr(),
            input.len() as u64,
            status_bytes.as_ptr(),
            status_bytes.len() as u64,
            out2.as_mut_ptr(),
            out2.len() as u64,
            100,
        )
    };
    assert_eq!(status, 0);
    assert_eq!(u32_at(&responses, 4), 2);
    let written = u64_at(&responses, 24) as usize;
    let frames: Vec<_> = FrameDecoder::with_default_max(FrameFormat::Ferrule)
        .frames(&out2[..written])
        .map(|fr| fr.unwrap())
        .map(|fr| (fr.correlation_id, fr.flags, fr.payload.to_vec()))
        .collect();
    assert_eq!(frames, [(4, 2, vf(1, 9)), (5, 6, status_bytes.clone())]);
}

#[test]
fn a_response_that_does_not_fit_waits_in_the_dispatcher() {
    let f = fixture();
    let echo = "ferrule.test.v1.Accelerator/Echo";
    // SAFETY: a live handle.
    unsafe { assert_eq!(ferrule_dispatcher_route(f.dispatcher, method_id(echo), 1, 0, 0), 0) };
    let mut wire = Vec::new();
    request(echo, 1, &[7u8; 40], &mut wire);
    request(echo, 2, &[8u8; 40], &mut wire);
    let mut out = vec![0u8; 70];
    let mut table = vec![0u8; HEADER + 8 * ENTRY];
    let mut arena = vec![0u8; 256];
    init_arena(&mut arena);
    // SAFETY: every buffer valid for its length and disjoint.
    let status = unsafe {
        ferrule_dispatch(
            f.dispatcher,
            f.schema,
            wire.as_ptr(),
            wire.len() as u64,
            0,
            1 << 20,
            out.as_mut_ptr(),
            out.len() as u64,
            table.as_mut_ptr(),
            8,
            arena.as_mut_ptr(),
            arena.len() as u64,
            100,
        )
    };
    assert_eq!(status, 0);
    assert_eq!((u32_at(&table, 0), u64_at(&table, 24), u64_at(&table, 32)), (2, 64, 64), "the second waits");
    // SAFETY: a live handle and a valid output.
    unsafe {
        assert_eq!(ferrule_dispatch_pending(f.dispatcher), 64);
        let mut small = [0u8; 50];
        assert_eq!(ferrule_dispatch_drain(f.dispatcher, small.as_mut_ptr(), 50), 50);
        let mut rest = [0u8; 50];
        assert_eq!(ferrule_dispatch_drain(f.dispatcher, rest.as_mut_ptr(), 50), 14);
        assert_eq!(ferrule_dispatch_pending(f.dispatcher), 0);
        let mut frame = small.to_vec();
        frame.extend_from_slice(&rest[..14]);
        let got = FrameDecoder::with_default_max(FrameFormat::Ferrule).frames(&frame).next().unwrap().unwrap();
        assert_eq!((got.correlation_id, got.payload), (2, &[8u8; 40][..]));
    }
}

#[test]
fn bad_arguments_are_refused() {
    let f = fixture();
    let mut buf = vec![0u8; 4096];
    let mut arena = vec![0u8; 256];
    init_arena(&mut arena);
    let p = buf.as_mut_ptr();
    // SAFETY: the pointers are valid for the lengths given; the calls must refuse them, not use them.
    unsafe {
        // The table overlaps the output.
        let s = ferrule_dispatch(
            f.dispatcher,
            f.schema,
            ptr::null(),
            0,
            0,
            1 << 20,
            p,
            1000,
            p.add(500),
            4,
            arena.as_mut_ptr(),
            256,
            100,
        );
        assert_eq!(s, 1);
        // Null schema, null dispatcher.
        let s = ferrule_dispatch(
            f.dispatcher,
            ptr::null(),
            ptr::null(),
            0,
            0,
            1 << 20,
            p,
            100,
            p.add(1000),
            4,
            arena.as_mut_ptr(),
            256,
            100,
        );
        assert_eq!(s, 1);
        let s = ferrule_dispatch(
            ptr::null_mut(),
            f.schema,
            ptr::null(),
            0,
            0,
            1 << 20,
            p,
            100,
            p.add(1000),
            4,
            arena.as_mut_ptr(),
            256,
            100,
        );
        assert_eq!(s, 1);
        // An input reaching past 2^31 - 1.
        let s = ferrule_dispatch(
            f.dispatcher,
            f.schema,
            p.add(2000),
            10,
            (1 << 31) - 5,
            1 << 20,
            p,
            100,
            p.add(1000),
            4,
            arena.as_mut_ptr(),
            256,
            100,
        );
        assert_eq!(s, 1);
        // A bad arena header.
        let mut bad_arena = vec![0u8; 256];
        let s = ferrule_dispatch(
            f.dispatcher,
            f.schema,
            ptr::null(),
            0,
            0,
            1 << 20,
            p,
            100,
            p.add(1000),
            4,
            bad_arena.as_mut_ptr(),
            256,
            100,
        );
        assert_eq!(s, 1);
        // Encode: output overlapping the statuses.
        let s = ferrule_dispatch_encode(
            f.schema,
            p.add(1000),
            0,
            0,
            arena.as_ptr(),
            256,
            ptr::null(),
            0,
            p,
            100,
            p.add(50),
            100,
            100,
        );
        assert_eq!(s, 1);
        // An empty input is no work, not an error.
        let s = ferrule_dispatch(
            f.dispatcher,
            f.schema,
            ptr::null(),
            0,
            0,
            1 << 20,
            p,
            100,
            p.add(1000),
            4,
            arena.as_mut_ptr(),
            256,
            100,
        );
        assert_eq!(s, 0);
        assert_eq!(u32_at(&buf, 1000), 0);
    }
}
