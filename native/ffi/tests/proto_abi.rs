//! Calls the protobuf C functions from Rust with real buffers, as the JNI glue does: schema
//! handles, the call block, argument checking.

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::ptr;

use common::*;
use ferrule_ffi::{
    ferrule_proto_decode, ferrule_proto_decode_grpc_batch, ferrule_proto_encode, ferrule_proto_encode_grpc_batch,
    ferrule_schema_register, ferrule_schema_release, FerruleSchema,
};

const INVALID_ARGUMENT: i32 = 1;
const BUFFER_TOO_SMALL: i32 = 2;
const COMPRESSION_UNSUPPORTED: i32 = 6;
const FRAME_TRUNCATED: i32 = 105;
const PROTO_TRUNCATED: i32 = 200;
const PROTO_INVALID_UTF8: i32 = 205;
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

// ---------------------------------------------------------------------------------------------
// Batch decode of gRPC messages.

fn grpc(flag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flag];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A frame table and roots block in test memory, pre-filled with junk like the call block.
struct BatchOut {
    table: Vec<u8>,
    roots: Vec<u8>,
}

impl BatchOut {
    fn new(capacity: usize) -> BatchOut {
        BatchOut { table: vec![0xEE; 32 + 24 * capacity], roots: vec![0xEE; 4 * capacity] }
    }

    fn capacity(&self) -> u32 {
        (self.roots.len() / 4) as u32
    }

    /// count, bytes, error code, error offset; the reserved fields must be cleared.
    fn header(&self) -> (u32, u64, u32, u64) {
        assert_eq!((u32_at(&self.table, 4), u32_at(&self.table, 20)), (0, 0), "reserved fields cleared");
        let u64_at = |at: usize| u64::from_le_bytes(self.table[at..at + 8].try_into().unwrap());
        (u32_at(&self.table, 0), u64_at(8), u32_at(&self.table, 16), u64_at(24))
    }

    /// Entry `i`: (correlation id, method id, payload offset, payload length, flags and reserved).
    fn entry(&self, i: usize) -> (u64, u32, u32, u32, u32) {
        let at = 32 + 24 * i;
        let t = &self.table;
        (
            u64::from_le_bytes(t[at..at + 8].try_into().unwrap()),
            u32_at(t, at + 8),
            u32_at(t, at + 12),
            u32_at(t, at + 16),
            u32_at(t, at + 20),
        )
    }

    fn root(&self, i: usize) -> u32 {
        u32_at(&self.roots, 4 * i)
    }
}

#[allow(clippy::too_many_arguments)]
fn batch(
    schema: &Handle,
    msg: u32,
    input: &[u8],
    base: u64,
    max_payload: u32,
    end: bool,
    out: &mut BatchOut,
    arena: &mut [u8],
) -> (i32, Result) {
    let mut block = Block::new(DEPTH);
    let capacity = out.capacity();
    // SAFETY: valid buffers of the lengths given; a live schema handle.
    let status = unsafe {
        ferrule_proto_decode_grpc_batch(
            schema.0,
            msg,
            input.as_ptr(),
            input.len() as u64,
            base,
            max_payload,
            end,
            out.table.as_mut_ptr(),
            capacity,
            out.roots.as_mut_ptr(),
            arena.as_mut_ptr(),
            arena.len() as u64,
            DEPTH,
            block.ptr(),
        )
    };
    (status, block.result())
}

#[test]
fn batch_decode_fills_table_roots_and_arena() {
    let k = kitchen();
    let (schema, _) = register(&k.built.bytes);
    let payloads = [[vf(1, 7), lf(14, b"hi")].concat(), vf(2, 3), Vec::new(), lf(32, &vf(1, 1))];
    let framed: Vec<u8> = payloads.iter().flat_map(|p| grpc(0, p)).collect();
    let base = 10;
    let mut buffer = vec![0u8; base];
    buffer.extend_from_slice(&framed);
    buffer.extend_from_slice(&[0, 0, 0]); // a partial tail

    // Capacity 3 of 4: a full batch. The arena is the one single decodes give.
    let mut a = arena(1 << 12);
    let mut out = BatchOut::new(3);
    let (status, result) = batch(&schema, k.all, &buffer[base..], base as u64, 1 << 20, false, &mut out, &mut a);
    assert_eq!((status, result), (0, Block::ok(0, 0)));
    let consumed: usize = payloads[..3].iter().map(|p| 5 + p.len()).sum();
    assert_eq!(out.header(), (3, consumed as u64, 0, 0));
    let mut expected = arena(1 << 12);
    let mut at = base;
    for (i, p) in payloads[..3].iter().enumerate() {
        let (status, single) =
            decode(&schema, k.all, &buffer[at + 5..at + 5 + p.len()], (at + 5) as u64, &mut expected, DEPTH);
        assert_eq!(status, 0);
        assert_eq!(out.entry(i), (0, 0, (at + 5) as u32, p.len() as u32, 0));
        assert_eq!(out.root(i), single.root);
        at += 5 + p.len();
    }
    assert_eq!(a, expected);

    // The rest: one message, then the partial tail is left (or truncated at the end of input).
    let mut out = BatchOut::new(8);
    let (status, _) = batch(&schema, k.all, &buffer[at..], at as u64, 1 << 20, false, &mut out, &mut a);
    assert_eq!(status, 0);
    assert_eq!(out.header(), (1, (5 + payloads[3].len()) as u64, 0, 0));
    assert_eq!(out.entry(0).2, (at + 5) as u32);
    assert_eq!(out.entry(1), (0xEEEE_EEEE_EEEE_EEEE, 0xEEEE_EEEE, 0xEEEE_EEEE, 0xEEEE_EEEE, 0xEEEE_EEEE), "untouched");
    assert_eq!(out.roots[4..], [0xEE; 28], "untouched");
    let tail = buffer.len() - 3;
    let used = a[..16].to_vec();
    let (status, result) = batch(&schema, k.all, &buffer[tail..], tail as u64, 1 << 20, true, &mut out, &mut a);
    assert_eq!((status, result), (FRAME_TRUNCATED, Block::err(FRAME_TRUNCATED, tail as u64, &[])));
    assert_eq!(out.header(), (0, 0, FRAME_TRUNCATED as u32, tail as u64));
    assert_eq!(a[..16], used[..]);
}

#[test]
fn batch_decode_reports_errors_on_the_next_call() {
    let k = kitchen();
    let (schema, _) = register(&k.built.bytes);
    let good = vf(1, 7);
    let bad = lf(32, &lf(2, b"\xC0\x80"));
    let buffer = [grpc(0, &good), grpc(0, &bad), grpc(1, &good)].concat();
    let mut a = arena(1 << 12);
    let mut out = BatchOut::new(4);
    let (status, _) = batch(&schema, k.all, &buffer, 0, 1 << 20, true, &mut out, &mut a);
    assert_eq!((status, out.header()), (0, (1, 7, 0, 0)));
    let used = a[..16].to_vec();
    let (status, result) = batch(&schema, k.all, &buffer[7..], 7, 1 << 20, true, &mut out, &mut a);
    assert_eq!(
        (status, result),
        (PROTO_INVALID_UTF8, Block::err(PROTO_INVALID_UTF8, 7 + 5 + 5, &[(32, 0), (2, NO_INDEX)]))
    );
    assert_eq!(out.header(), (0, 0, PROTO_INVALID_UTF8 as u32, 17));
    assert_eq!(a[..16], used[..]);
    let third = 7 + 5 + bad.len();
    let (status, result) = batch(&schema, k.all, &buffer[third..], third as u64, 1 << 20, true, &mut out, &mut a);
    assert_eq!((status, result), (COMPRESSION_UNSUPPORTED, Block::err(COMPRESSION_UNSUPPORTED, third as u64, &[])));
}

#[test]
fn batch_decode_argument_errors() {
    let k = kitchen();
    let (schema, _) = register(&k.built.bytes);
    let input = grpc(0, &vf(1, 1));
    let mut a = arena(1024);
    let mut out = BatchOut::new(2);
    let (table, roots, arena_ptr) = (out.table.as_mut_ptr(), out.roots.as_mut_ptr(), a.as_mut_ptr());
    let mut block = Block::new(DEPTH);
    let b = block.ptr();
    let call = |schema: *const FerruleSchema,
                msg: u32,
                input: *const u8,
                input_len: u64,
                max_payload: u32,
                table: *mut u8,
                roots: *mut u8,
                arena: *mut u8,
                block: *mut u8| {
        // SAFETY: every non-null pointer below is valid for the length given, or refused first.
        unsafe {
            ferrule_proto_decode_grpc_batch(
                schema,
                msg,
                input,
                input_len,
                0,
                max_payload,
                true,
                table,
                2,
                roots,
                arena,
                1024,
                DEPTH,
                block,
            )
        }
    };
    let invalid = |status: i32, block: &Block| {
        assert_eq!(status, INVALID_ARGUMENT);
        assert_eq!(block.result(), Block::err(INVALID_ARGUMENT, 0, &[]));
    };
    let p = input.as_ptr();
    let n = input.len() as u64;
    invalid(call(ptr::null(), k.all, p, n, 1 << 20, table, roots, arena_ptr, b), &block);
    invalid(call(schema.0, k.all, p, n, 1 << 20, ptr::null_mut(), roots, arena_ptr, b), &block);
    invalid(call(schema.0, k.all, p, n, 1 << 20, table, ptr::null_mut(), arena_ptr, b), &block);
    invalid(call(schema.0, k.all, p, n, 1 << 20, table, roots, ptr::null_mut(), b), &block);
    invalid(call(schema.0, k.all, ptr::null(), n, 1 << 20, table, roots, arena_ptr, b), &block);
    invalid(call(schema.0, k.all, p, -1i64 as u64, 1 << 20, table, roots, arena_ptr, b), &block);
    assert_eq!(out.table[..32], [0xEE; 32], "pointer errors are not recorded in the table");
    // The others are recorded in the table header too.
    invalid(call(schema.0, 999, p, n, 1 << 20, table, roots, arena_ptr, b), &block);
    assert_eq!(out.header(), (0, 0, INVALID_ARGUMENT as u32, 0));
    out.table[..32].fill(0xEE);
    invalid(call(schema.0, k.all, p, n, u32::MAX, table, roots, arena_ptr, b), &block);
    assert_eq!(out.header(), (0, 0, INVALID_ARGUMENT as u32, 0));
    out.table[..32].fill(0xEE);
    // Overlaps: the roots inside the table, the input inside the arena, the block inside the arena.
    // SAFETY: (for the pointer arithmetic) each stays inside its buffer.
    let (in_table, in_arena) = unsafe { (table.add(40), arena_ptr.add(512)) };
    invalid(call(schema.0, k.all, p, n, 1 << 20, table, in_table, arena_ptr, b), &block);
    invalid(call(schema.0, k.all, in_arena, 4, 1 << 20, table, roots, arena_ptr, b), &block);
    assert_eq!(call(schema.0, k.all, p, n, 1 << 20, table, roots, arena_ptr, in_arena), INVALID_ARGUMENT);
    // A null block cannot be reported to.
    assert_eq!(call(schema.0, k.all, p, n, 1 << 20, table, roots, arena_ptr, ptr::null_mut()), INVALID_ARGUMENT);
    assert_eq!(out.table[..32], [0xEE; 32]);
    // An unusable arena header: in the table header too.
    a[0] = 3;
    invalid(call(schema.0, k.all, p, n, 1 << 20, table, roots, arena_ptr, b), &block);
    assert_eq!(out.header(), (0, 0, INVALID_ARGUMENT as u32, 0));
    a[0] = 16;
    // A null input of length 0 is an empty batch.
    assert_eq!(call(schema.0, k.all, ptr::null(), 0, 1 << 20, table, roots, arena_ptr, b), 0);
    assert_eq!(block.result(), Block::ok(0, 0));
    assert_eq!(out.header(), (0, 0, 0, 0));
    // And the real thing works with these buffers.
    assert_eq!(call(schema.0, k.all, p, n, 1 << 20, table, roots, arena_ptr, b), 0);
    assert_eq!(out.header(), (1, n, 0, 0));
    assert_eq!(out.root(0), 16);
}

fn encode_batch(
    schema: &Handle,
    msg: u32,
    roots: &[u32],
    arena: &[u8],
    input: &[u8],
    output: &mut [u8],
) -> (i32, Result) {
    let mut block = Block::new(DEPTH);
    let roots: Vec<u8> = roots.iter().flat_map(|r| r.to_le_bytes()).collect();
    // SAFETY: valid buffers of the lengths given; a live schema handle.
    let status = unsafe {
        ferrule_proto_encode_grpc_batch(
            schema.0,
            msg,
            roots.as_ptr(),
            (roots.len() / 4) as u32,
            arena.as_ptr(),
            arena.len() as u64,
            input.as_ptr(),
            input.len() as u64,
            if output.is_empty() { ptr::null_mut() } else { output.as_mut_ptr() },
            output.len() as u64,
            DEPTH,
            block.ptr(),
        )
    };
    (status, block.result())
}

#[test]
fn batch_encode_writes_grpc_frames_sized_exactly() {
    let k = kitchen();
    let (schema, _) = register(&k.built.bytes);
    let payloads = [[vf(1, 7), lf(14, b"hi")].concat(), vf(2, 3), Vec::new(), lf(32, &vf(1, 1))];
    let framed: Vec<u8> = payloads.iter().flat_map(|p| grpc(0, p)).collect();
    let mut a = arena(1 << 12);
    let mut out = BatchOut::new(4);
    let (status, _) = batch(&schema, k.all, &framed, 0, 1 << 20, true, &mut out, &mut a);
    assert_eq!(status, 0);
    let mut roots: Vec<u32> =
        (0..4).map(|i| u32::from_le_bytes(out.roots[4 * i..4 * i + 4].try_into().unwrap())).collect();
    roots.push(0); // an empty message
    let mut expected = framed.clone();
    expected.extend_from_slice(&grpc(0, &[]));

    // Sizing: a null output of length 0.
    let (status, result) = encode_batch(&schema, k.all, &roots, &a, &framed, &mut []);
    assert_eq!(
        (status, result),
        (BUFFER_TOO_SMALL, Result { bytes: expected.len() as u64, ..Block::err(BUFFER_TOO_SMALL, 0, &[]) })
    );
    let mut short = vec![0xA5; expected.len() - 1];
    assert_eq!(encode_batch(&schema, k.all, &roots, &a, &framed, &mut short).0, BUFFER_TOO_SMALL);
    assert!(short.iter().all(|&b| b == 0xA5), "nothing written");
    let mut output = vec![0xA5; expected.len() + 2];
    let (status, result) = encode_batch(&schema, k.all, &roots, &a, &framed, &mut output);
    assert_eq!((status, result), (0, Block::ok(0, expected.len() as u64)));
    assert_eq!(output[..expected.len()], expected[..]);
    assert_eq!(output[expected.len()..], [0xA5, 0xA5]);

    // A corrupt record: the message's index as the offset, nothing written.
    roots[1] = (1 << 12) - 8;
    let mut output = vec![0xA5; 256];
    let (status, result) = encode_batch(&schema, k.all, &roots, &a, &framed, &mut output);
    assert_eq!((status, result.code, result.offset), (INVALID_ARGUMENT, INVALID_ARGUMENT as u32, 1));
    assert!(output.iter().all(|&b| b == 0xA5));
    // Argument errors: an unknown message, a null schema, output overlapping the input.
    assert_eq!(
        encode_batch(&schema, 999, &roots, &a, &framed, &mut output),
        (INVALID_ARGUMENT, Block::err(INVALID_ARGUMENT, 0, &[]))
    );
    assert_eq!(encode_batch(&Handle(ptr::null_mut()), k.all, &roots, &a, &framed, &mut output).0, INVALID_ARGUMENT);
    let mut block = Block::new(DEPTH);
    // SAFETY: valid buffers of the lengths given; a live schema handle; the output overlaps the input.
    let status = unsafe {
        ferrule_proto_encode_grpc_batch(
            schema.0,
            k.all,
            ptr::null(),
            0,
            a.as_ptr(),
            a.len() as u64,
            output.as_ptr(),
            8,
            output.as_mut_ptr(),
            8,
            DEPTH,
            block.ptr(),
        )
    };
    assert_eq!((status, block.result()), (INVALID_ARGUMENT, Block::err(INVALID_ARGUMENT, 0, &[])));
}
