//! Calls the protobuf C functions from Rust with real buffers, as the JNI glue does: schema
//! handles, the call block, argument checking.

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::ptr;

use common::*;
use ferrule_ffi::{
    ferrule_proto_decode, ferrule_proto_encode, ferrule_schema_register, ferrule_schema_release, FerruleSchema,
};

const INVALID_ARGUMENT: i32 = 1;
const BUFFER_TOO_SMALL: i32 = 2;
const PROTO_TRUNCATED: i32 = 200;
const PROTO_DEPTH_EXCEEDED: i32 = 206;
const PROTO_REQUIRED_FIELD_MISSING: i32 = 207;
const SCHEMA_INVALID: i32 = 210;
const DEPTH: u32 = 100;

/// A call block in test memory, pre-filled with junk so every field the call must write shows.
struct Block(Vec<u8>);

#[derive(Debug, PartialEq, Eq)]
struct Result {
    code: u32,
    offset: u64,
    root: u32,
    bytes: u64,
    path: Vec<(u32, u32)>,
}

impl Block {
    fn new(max_depth: u32) -> Block {
        Block(vec![0xEE; 32 + 8 * (max_depth as usize + 2)])
    }

    fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr()
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().unwrap())
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.0[at..at + 8].try_into().unwrap())
    }

    fn result(&self) -> Result {
        assert_eq!(self.u32_at(20), 0, "reserved field cleared");
        let n = self.u32_at(4) as usize;
        Result {
            code: self.u32_at(0),
            offset: self.u64_at(8),
            root: self.u32_at(16),
            bytes: self.u64_at(24),
            path: (0..n).map(|i| (self.u32_at(32 + 8 * i), self.u32_at(36 + 8 * i))).collect(),
        }
    }

    fn ok(root: u32, bytes: u64) -> Result {
        Result { code: 0, offset: 0, root, bytes, path: Vec::new() }
    }

    fn err(code: i32, offset: u64, path: &[(u32, u32)]) -> Result {
        Result { code: code as u32, offset, root: 0, bytes: 0, path: path.to_vec() }
    }
}

struct Handle(*mut FerruleSchema);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: a live handle from ferrule_schema_register, released once.
        unsafe { ferrule_schema_release(self.0) };
    }
}

fn register(bytes: &[u8]) -> (Handle, Result) {
    let mut block = Block::new(0);
    // SAFETY: valid buffers of the lengths given.
    let handle = unsafe { ferrule_schema_register(bytes.as_ptr(), bytes.len() as u64, block.ptr()) };
    (Handle(handle), block.result())
}

fn decode(schema: &Handle, msg: u32, input: &[u8], base: u64, arena: &mut [u8], max_depth: u32) -> (i32, Result) {
    let mut block = Block::new(max_depth);
    // SAFETY: valid buffers of the lengths given; a live schema handle.
    let status = unsafe {
        ferrule_proto_decode(
            schema.0,
            msg,
            input.as_ptr(),
            input.len() as u64,
            base,
            arena.as_mut_ptr(),
            arena.len() as u64,
            max_depth,
            block.ptr(),
        )
    };
    (status, block.result())
}

fn encode(schema: &Handle, msg: u32, record: u32, arena: &[u8], input: &[u8], output: &mut [u8]) -> (i32, Result) {
    let mut block = Block::new(DEPTH);
    // SAFETY: valid buffers of the lengths given; a live schema handle.
    let status = unsafe {
        ferrule_proto_encode(
            schema.0,
            msg,
            record,
            arena.as_ptr(),
            arena.len() as u64,
            input.as_ptr(),
            input.len() as u64,
            output.as_mut_ptr(),
            output.len() as u64,
            DEPTH,
            block.ptr(),
        )
    };
    (status, block.result())
}

#[test]
fn register_decode_encode_release() {
    let k = kitchen();
    let (schema, result) = register(&k.built.bytes);
    assert!(!schema.0.is_null());
    assert_eq!(result, Block::ok(0, 0));

    let input = [vf(1, 7), lf(14, b"hi"), lf(32, &vf(1, 1)), vf(99, 5)].concat();
    let mut buffer = vec![0u8; 10];
    buffer.extend_from_slice(&input);
    let mut a = arena(1 << 12);
    let (status, result) = decode(&schema, k.all, &buffer[10..], 10, &mut a, DEPTH);
    assert_eq!((status, result), (0, Block::ok(16, 0)));
    assert!(u32_at(&a, 0) > 16, "used advanced");
    assert_eq!(read(&k.built, &a, &buffer, k.all, 16).get(14), Some(&Val::Bytes(b"hi".to_vec())));

    let mut out = vec![0xCC; input.len()];
    let (status, result) = encode(&schema, k.all, 16, &a, &buffer, &mut out);
    assert_eq!((status, result), (0, Block::ok(0, input.len() as u64)));
    assert_eq!(out, input);

    // Too small: the size, and nothing written.
    let mut short = vec![0xCC; input.len() - 1];
    let (status, result) = encode(&schema, k.all, 16, &a, &buffer, &mut short);
    assert_eq!(status, BUFFER_TOO_SMALL);
    assert_eq!(result, Result { bytes: input.len() as u64, ..Block::err(BUFFER_TOO_SMALL, 0, &[]) });
    assert!(short.iter().all(|&b| b == 0xCC));
    // A null output of length 0 asks for the size.
    let mut block = Block::new(DEPTH);
    // SAFETY: valid buffers of the lengths given; a null output of length 0.
    let status = unsafe {
        ferrule_proto_encode(
            schema.0,
            k.all,
            16,
            a.as_ptr(),
            a.len() as u64,
            buffer.as_ptr(),
            buffer.len() as u64,
            ptr::null_mut(),
            0,
            DEPTH,
            block.ptr(),
        )
    };
    assert_eq!((status, block.result().bytes), (BUFFER_TOO_SMALL, input.len() as u64));
}

#[test]
fn decode_errors_fill_the_block() {
    let k = kitchen();
    let (schema, _) = register(&k.built.bytes);
    let mut a = arena(1 << 12);
    let used = a[..16].to_vec();
    let (status, result) = decode(&schema, k.all, &[0x8A, 0x01, 0x05, 0x08], 100, &mut a, DEPTH);
    assert_eq!((status, result), (PROTO_TRUNCATED, Block::err(PROTO_TRUNCATED, 100, &[(17, u32::MAX)])));
    assert_eq!(a[..16], used[..], "used unchanged");
    let input = [lf(32, b""), lf(32, &lf(4, &lf(4, b"")))].concat();
    let (status, result) = decode(&schema, k.all, &input, 0, &mut a, 2);
    assert_eq!(status, PROTO_DEPTH_EXCEEDED);
    assert_eq!(result, Block::err(PROTO_DEPTH_EXCEEDED, 8, &[(32, 1), (4, u32::MAX), (4, u32::MAX)]));
    let (status, result) = decode(&schema, k.req, &vf(1, 1), 3, &mut a, 0);
    assert_eq!(
        (status, result),
        (PROTO_REQUIRED_FIELD_MISSING, Block::err(PROTO_REQUIRED_FIELD_MISSING, 3, &[(4, u32::MAX)]))
    );
}

#[test]
fn encode_errors_fill_the_block() {
    let k = kitchen();
    let (schema, _) = register(&k.built.bytes);
    let mut w = ArenaWriter::new(&k.built, 4096);
    let record = w.write(k.child, &MsgVal::new().msg(4, MsgVal::new()));
    let slot = record + k.built.msg(k.child).field(4).slot as usize;
    w.put(slot, &(record as u32).to_le_bytes());
    let mut out = vec![0; 64];
    let (status, result) = encode(&schema, k.child, record as u32, &w.arena, &w.input, &mut out);
    assert_eq!(status, PROTO_DEPTH_EXCEEDED);
    assert_eq!((result.offset, result.path.len()), (slot as u64, DEPTH as usize + 1));
    w.put(slot, &4090u32.to_le_bytes());
    let (status, result) = encode(&schema, k.child, record as u32, &w.arena, &w.input, &mut out);
    assert_eq!((status, result), (INVALID_ARGUMENT, Block::err(INVALID_ARGUMENT, slot as u64, &[(4, u32::MAX)])));
}

#[test]
fn invalid_schemas_give_null_and_the_reason() {
    let k = kitchen();
    let mut bytes = k.built.bytes.clone();
    bytes[0] = b'X';
    let (schema, result) = register(&bytes);
    assert!(schema.0.is_null());
    assert_eq!(result, Block::err(SCHEMA_INVALID, 0, &[]));
    let at = k.built.field_entry_at(k.all, 2);
    let mut bytes = k.built.bytes.clone();
    bytes[at..at + 4].copy_from_slice(&1u32.to_le_bytes());
    let (schema, result) = register(&bytes);
    assert!(schema.0.is_null());
    assert_eq!(result, Block::err(SCHEMA_INVALID, at as u64, &[]));

    let mut block = Block::new(0);
    // SAFETY: null bytes are refused before any read; the block is valid.
    let handle = unsafe { ferrule_schema_register(ptr::null(), 32, block.ptr()) };
    assert!(handle.is_null());
    assert_eq!(block.result(), Block::err(INVALID_ARGUMENT, 0, &[]));
    // SAFETY: a null block: nothing can be reported, nothing is read.
    let handle =
        unsafe { ferrule_schema_register(k.built.bytes.as_ptr(), k.built.bytes.len() as u64, ptr::null_mut()) };
    assert!(handle.is_null());
    // SAFETY: a sign-extended negative Java length is refused before any read.
    let handle = unsafe { ferrule_schema_register(k.built.bytes.as_ptr(), -1i64 as u64, block.ptr()) };
    assert!(handle.is_null());
    assert_eq!(block.result().code, INVALID_ARGUMENT as u32);
    // Overlapping the block.
    let mut shared = k.built.bytes.clone();
    let p = shared.as_mut_ptr();
    // SAFETY: one valid buffer, given twice; refused before any access.
    let handle = unsafe { ferrule_schema_register(p, shared.len() as u64, p) };
    assert!(handle.is_null());
    // Releasing null is a no-op.
    // SAFETY: null is allowed.
    unsafe { ferrule_schema_release(ptr::null_mut()) };
}

#[test]
fn argument_errors() {
    let k = kitchen();
    let (schema, _) = register(&k.built.bytes);
    let mut a = arena(1024);
    let arena_ptr = a.as_mut_ptr();
    let input = vf(1, 1);
    let call = |schema: *const FerruleSchema,
                msg: u32,
                input: *const u8,
                input_len: u64,
                arena: *mut u8,
                arena_len: u64,
                depth: u32,
                block: *mut u8| {
        // SAFETY: every non-null pointer below is valid for the length given, or refused first.
        unsafe { ferrule_proto_decode(schema, msg, input, input_len, 0, arena, arena_len, depth, block) }
    };
    let mut block = Block::new(DEPTH);
    let b = block.ptr();
    let invalid = |status: i32, block: &Block| {
        assert_eq!(status, INVALID_ARGUMENT);
        assert_eq!(block.result(), Block::err(INVALID_ARGUMENT, 0, &[]));
    };
    invalid(call(ptr::null(), 0, input.as_ptr(), 2, arena_ptr, 1024, DEPTH, b), &block);
    invalid(call(schema.0, 0, input.as_ptr(), 2, ptr::null_mut(), 1024, DEPTH, b), &block);
    invalid(call(schema.0, 0, ptr::null(), 2, arena_ptr, 1024, DEPTH, b), &block);
    invalid(call(schema.0, 0, input.as_ptr(), -1i64 as u64, arena_ptr, 1024, DEPTH, b), &block);
    invalid(call(schema.0, 0, input.as_ptr(), 2, arena_ptr, -1i64 as u64, DEPTH, b), &block);
    invalid(call(schema.0, 999, input.as_ptr(), 2, arena_ptr, 1024, DEPTH, b), &block);
    invalid(call(schema.0, 0, input.as_ptr(), 2, arena_ptr, 8, DEPTH, b), &block);
    invalid(call(schema.0, 0, input.as_ptr(), 2, arena_ptr, 1024, -1i32 as u32, b), &block);
    // Overlaps: input inside the arena, the block inside the arena.
    // SAFETY: (for the pointer arithmetic) both stay inside `a`.
    let inside = unsafe { arena_ptr.add(512) };
    invalid(call(schema.0, 0, inside, 2, arena_ptr, 1024, DEPTH, b), &block);
    assert_eq!(call(schema.0, 0, input.as_ptr(), 2, arena_ptr, 1024, 0, inside), INVALID_ARGUMENT);
    // A null block cannot be reported to.
    assert_eq!(call(schema.0, 0, input.as_ptr(), 2, arena_ptr, 1024, DEPTH, ptr::null_mut()), INVALID_ARGUMENT);
    // A null input of length 0 is an empty message.
    assert_eq!(call(schema.0, k.child, ptr::null(), 0, arena_ptr, 1024, DEPTH, b), 0);
    assert_eq!(block.result(), Block::ok(16, 0));

    // Encode: the output may not overlap anything; input and arena may overlap each other.
    let mut w = ArenaWriter::new(&k.built, 1024);
    let record = w.write(k.child, &MsgVal::new().num(1, 3)) as u32;
    let wa = w.arena.as_mut_ptr();
    let enc = |arena: *const u8, input: *const u8, input_len: u64, out: *mut u8, out_len: u64, block: *mut u8| {
        // SAFETY: every non-null pointer below is valid for the length given, or refused first.
        unsafe {
            ferrule_proto_encode(schema.0, k.child, record, arena, 1024, input, input_len, out, out_len, DEPTH, block)
        }
    };
    // SAFETY: (for the pointer arithmetic) inside the arena.
    let tail = unsafe { wa.add(1000) };
    assert_eq!(enc(wa, ptr::null(), 0, tail, 8, b), INVALID_ARGUMENT);
    assert_eq!(enc(wa, ptr::null(), 0, ptr::null_mut(), 8, b), INVALID_ARGUMENT);
    assert_eq!(enc(wa, ptr::null(), 1, ptr::null_mut(), 0, b), INVALID_ARGUMENT);
    let mut out = [0u8; 8];
    assert_eq!(enc(wa, wa, 1024, out.as_mut_ptr(), 8, b), 0);
    assert_eq!(block.result(), Block::ok(0, 2));
    assert_eq!(out[..2], [0x08, 0x03]);
    assert_eq!(enc(wa, ptr::null(), 0, out.as_mut_ptr(), 8, tail), INVALID_ARGUMENT);
}
