//! The encode rules of `docs/message-layout.md`, section 4, on records written the way a Java
//! builder writes them, checked against hand-written bytes; and the encoder's defences against a
//! corrupt arena.

mod common;

use common::*;
use ferrule_engine::proto::{encode, encoded_len, EncodeError, PathEntry, Schema};
use ferrule_engine::ErrorCode::{self, *};

const NI: u32 = u32::MAX;
const DEPTH: u32 = 100;

struct Fx {
    k: Kitchen,
    schema: Schema,
}

fn fx() -> Fx {
    let k = kitchen();
    let schema = Schema::from_compiled(&k.built.bytes).unwrap();
    Fx { k, schema }
}

fn n(v: i64) -> u64 {
    v as u64
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

impl Fx {
    /// Writes `v` (with bytes in the input, then again in the arena), encodes it both times,
    /// and checks both against the reference encoder; returns the bytes.
    fn enc(&self, msg: u32, v: &MsgVal) -> Vec<u8> {
        let mut results = Vec::new();
        for in_arena in [false, true] {
            let mut w = ArenaWriter::new(&self.k.built, 1 << 16);
            w.bytes_in_arena = in_arena;
            let record = w.write(msg, v) as u32;
            let len = encoded_len(&self.schema, msg, record, &w.arena, &w.input, DEPTH).unwrap();
            let mut out = vec![0xCC; len + 3];
            let written = encode(&self.schema, msg, record, &w.arena, &w.input, &mut out, DEPTH).unwrap();
            assert_eq!(written, len);
            assert_eq!(out[len..], [0xCC; 3], "nothing written past the message");
            out.truncate(len);
            assert_eq!(out, ref_encode(&self.k.built, msg, v), "engine and reference encodings differ");
            results.push(out);
        }
        assert_eq!(results[0], results[1]);
        results.pop().unwrap()
    }

    fn enc_err(&self, msg: u32, arena: &[u8], input: &[u8], record: u32) -> EncodeError {
        let mut out = vec![0xCC; 1 << 12];
        let e = encode(&self.schema, msg, record, arena, input, &mut out, DEPTH).unwrap_err();
        assert!(out.iter().all(|&b| b == 0xCC), "nothing written on error");
        assert_eq!(encoded_len(&self.schema, msg, record, arena, input, DEPTH).unwrap_err(), e);
        e
    }
}

fn expect(e: EncodeError, code: ErrorCode, offset: usize, p: &[(u32, u32)]) {
    let p: Vec<PathEntry> = p.iter().map(|&(field_number, index)| PathEntry { field_number, index }).collect();
    assert_eq!((e.code, e.offset, e.path.clone()), (code, offset as u64, p), "{e}");
}

#[test]
fn implicit_fields_are_skipped_when_zero() {
    let fx = fx();
    let all = fx.k.all;
    let mut zeros = MsgVal::new();
    for number in 1..=13 {
        zeros = zeros.num(number, 0);
    }
    zeros = zeros.bytes(14, b"").bytes(15, b"").num(16, 0).num(1000, 0);
    assert_eq!(fx.enc(all, &zeros), b"");
    // -0.0 has a bit set: written.
    let neg_zero = MsgVal::new().num(11, 0x8000_0000).num(12, 0x8000_0000_0000_0000);
    assert_eq!(fx.enc(all, &neg_zero), cat(&[f32f(11, 0x8000_0000), f64f(12, 0x8000_0000_0000_0000)]));
}

#[test]
fn varints_are_minimal_and_sign_extended() {
    let fx = fx();
    let all = fx.k.all;
    let out = fx.enc(all, &MsgVal::new().num(1, 0xFFFF_FFFF));
    assert_eq!(out, [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "int32 -1 takes 10 bytes");
    assert_eq!(fx.enc(all, &MsgVal::new().num(16, 0xFFFF_FFFF)).len(), 12, "so does enum -1");
    assert_eq!(fx.enc(all, &MsgVal::new().num(3, 0xFFFF_FFFF)), cat(&[vec![0x18], varint(0xFFFF_FFFF)]));
    assert_eq!(fx.enc(all, &MsgVal::new().num(5, 0xFFFF_FFFF)), [0x28, 0x01], "sint32 -1 zigzags to 1");
    assert_eq!(fx.enc(all, &MsgVal::new().num(6, n(-2))), [0x30, 0x03]);
    assert_eq!(fx.enc(all, &MsgVal::new().num(1000, 0x8000_0000)), vf(1000, 0xFFFF_FFFF));
    assert_eq!(fx.enc(all, &MsgVal::new().num(13, 1)), [0x68, 0x01]);
    assert_eq!(fx.enc(all, &MsgVal::new().num(7, 0x0403_0201)), [0x3D, 1, 2, 3, 4]);
}

#[test]
fn presence_by_cardinality() {
    let fx = fx();
    let all = fx.k.all;
    // OPTIONAL: the hasbit decides, even for 0.
    assert_eq!(fx.enc(all, &MsgVal::new().num(18, 0)), vf(18, 0));
    assert_eq!(fx.enc(all, &MsgVal::new().num(536_870_911, 0)), vf(536_870_911, 0));
    // ONEOF: the case word decides.
    assert_eq!(fx.enc(all, &MsgVal::new().num(40, 0)), vf(40, 0));
    assert_eq!(fx.enc(all, &MsgVal::new().bytes(41, b"")), lf(41, b""));
    // A value in a member's slot without its case is not written.
    let mut w = ArenaWriter::new(&fx.k.built, 4096);
    let record = w.write(all, &MsgVal::new().num(40, 5));
    let oneof_at = record + fx.k.built.msg(all).oneof_offset as usize;
    w.put(oneof_at, &41u32.to_le_bytes());
    let mut out = vec![0; 64];
    let len = encode(&fx.schema, all, record as u32, &w.arena, &w.input, &mut out, DEPTH).unwrap();
    assert_eq!(out[..len], lf(41, b""));
    // ALWAYS: map entries write key and value even when zero.
    let entry = fx.k.entry_si;
    assert_eq!(fx.enc(entry, &MsgVal::new()), cat(&[lf(1, b""), vf(2, 0)]));
    assert_eq!(fx.enc(fx.k.entry_ic, &MsgVal::new()), cat(&[vf(1, 0), lf(2, b"")]));
}

#[test]
fn sub_messages_and_groups() {
    let fx = fx();
    let all = fx.k.all;
    let child = MsgVal::new().num(1, 1).msg(4, MsgVal::new().bytes(2, b"ab"));
    let v = MsgVal::new().msg(17, child.clone()).with(32, vec![Val::Msg(Some(Box::new(child))), Val::Msg(None)]);
    let inner = cat(&[vf(1, 1), lf(4, &lf(2, b"ab"))]);
    assert_eq!(fx.enc(all, &v), cat(&[lf(17, &inner), lf(32, &inner), lf(32, b"")]));
    // A set hasbit, or a oneof case, with no record: not written (only ALWAYS writes it empty).
    assert_eq!(fx.enc(all, &MsgVal::new().with(17, vec![Val::Msg(None)])), b"");
    assert_eq!(fx.enc(all, &MsgVal::new().with(42, vec![Val::Msg(None)])), b"");
    assert_eq!(fx.enc(all, &MsgVal::new().with(60, vec![Val::Msg(None)])), b"");
    // Groups: START_GROUP, the fields, END_GROUP.
    let g = MsgVal::new().num(1, 3).msg(3, MsgVal::new());
    let v = MsgVal::new().msg(60, g).with(61, vec![Val::Msg(None)]);
    assert_eq!(fx.enc(all, &v), cat(&[gf(60, &cat(&[vf(1, 3), gf(3, b"")])), gf(61, b"")]));
}

#[test]
fn repeated_fields_follow_the_packed_flag() {
    let fx = fx();
    let all = fx.k.all;
    let nums = |xs: &[u64]| xs.iter().map(|&x| Val::Num(x)).collect::<Vec<_>>();
    let v = MsgVal::new()
        .with(20, nums(&[1, 0xFFFF_FFFF]))
        .with(23, nums(&[0x8000_0000_0000_0000]))
        .with(24, nums(&[1, 0, 1]))
        .with(30, nums(&[1, 0xFFFF_FFFF]))
        .with(31, vec![Val::Bytes(b"a".to_vec()), Val::Bytes(Vec::new())])
        .with(33, nums(&[2]))
        .with(21, Vec::new());
    let expected = cat(&[
        lf(20, &cat(&[varint(1), varint(u64::MAX)])),
        lf(23, &0x8000_0000_0000_0000u64.to_le_bytes()),
        lf(24, &[1, 0, 1]),
        vf(30, 1),
        vf(30, u64::MAX),
        lf(31, b"a"),
        lf(31, b""),
        f64f(33, 2),
    ]);
    assert_eq!(fx.enc(all, &v), expected);
}

#[test]
fn unknown_fields_come_last_sorted_by_number_then_wire_type() {
    let fx = fx();
    let all = fx.k.all;
    let mut padded = vf(91, 300);
    let last = padded.len() - 1;
    padded[last] |= 0x80;
    padded.extend([0x80, 0x00]);
    let unknown = vec![
        lf(92, b"a"),
        padded,
        gf(92, &vf(1, 1)),
        f32f(92, 1),
        vf(92, 3),
        f64f(91, 2),
        lf(91, b"b"),
        vf(92, 4),
        lf(2, b"mismatched"),
        // A non-minimal tag stays as stored on a non-varint field.
        cat(&[vec![0xDD, 0x85, 0x80, 0x00], 7u32.to_le_bytes().to_vec()]),
    ];
    let v = MsgVal { unknown, ..MsgVal::new().num(1, 1) };
    let expected = cat(&[
        vf(1, 1),
        lf(2, b"mismatched"),
        vf(91, 300),
        // 0xDD 0x85 0x80 0x00: field 91, fixed32, in four bytes.
        cat(&[vec![0xDD, 0x85, 0x80, 0x00], 7u32.to_le_bytes().to_vec()]),
        f64f(91, 2),
        lf(91, b"b"),
        vf(92, 3),
        vf(92, 4),
        f32f(92, 1),
        lf(92, b"a"),
        gf(92, &vf(1, 1)),
    ]);
    assert_eq!(fx.enc(all, &v), expected);
}

#[test]
fn a_short_output_gets_the_size_and_nothing_written() {
    let fx = fx();
    let v = MsgVal::new().num(1, 1).bytes(14, b"hello");
    let mut w = ArenaWriter::new(&fx.k.built, 4096);
    let record = w.write(fx.k.all, &v) as u32;
    let len = ref_encode(&fx.k.built, fx.k.all, &v).len();
    let mut out = vec![0xCC; len - 1];
    let e = encode(&fx.schema, fx.k.all, record, &w.arena, &w.input, &mut out, DEPTH).unwrap_err();
    assert_eq!((e.code, e.required), (BufferTooSmall, len as u64));
    assert!(out.iter().all(|&b| b == 0xCC));
    let mut exact = vec![0; len];
    assert_eq!(encode(&fx.schema, fx.k.all, record, &w.arena, &w.input, &mut exact, DEPTH), Ok(len));
    assert_eq!(e.to_string(), format!("BUFFER_TOO_SMALL (2): the message needs {len} bytes"));
}

#[test]
fn a_corrupt_arena_is_an_error() {
    let fx = fx();
    let all = fx.k.all;
    let m = fx.k.built.msg(all).clone();
    let v = MsgVal::new()
        .msg(17, MsgVal::new().num(1, 1))
        .bytes(14, b"abc")
        .with(30, vec![Val::Num(1)])
        .with(32, vec![Val::Msg(Some(Box::new(MsgVal::new())))]);
    let v = MsgVal { unknown: vec![vf(99, 1)], ..v };
    let mut w = ArenaWriter::new(&fx.k.built, 4096);
    let record = w.write(all, &v);
    let base = (w.arena.clone(), w.input.clone());
    let slot = |n: u32| record + m.field(n).slot as usize;
    let patch = |at: usize, value: u32| {
        let mut a = base.0.clone();
        a[at..at + 4].copy_from_slice(&value.to_le_bytes());
        a
    };
    let input = &base.1;
    let len = base.0.len() as u32;

    // Root record outside the arena, or over its header, or 0.
    for r in [0, 8, len - 8, u32::MAX] {
        expect(fx.enc_err(all, &base.0, input, r), InvalidArgument, r as usize, &[]);
    }
    // Everything must lie in the arena's used part: a record past `used` is refused even
    // within the capacity.
    let used = u32_at(&base.0, 0);
    expect(fx.enc_err(all, &base.0, input, used), InvalidArgument, used as usize, &[]);
    expect(fx.enc_err(all, &patch(slot(17), used), input, record as u32), InvalidArgument, slot(17), &[(17, NI)]);
    // An unusable header.
    for bad in [0, 8, 12, len + 8] {
        expect(fx.enc_err(all, &patch(0, bad), input, record as u32), InvalidArgument, 0, &[]);
    }
    expect(fx.enc_err(all, &base.0[..15], input, record as u32), InvalidArgument, 0, &[]);
    expect(fx.enc_err(u32::MAX, &base.0, input, record as u32), InvalidArgument, 0, &[]);
    // A child record outside the arena.
    expect(fx.enc_err(all, &patch(slot(17), len - 4), input, record as u32), InvalidArgument, slot(17), &[(17, NI)]);
    // A view outside the input, or (flagged) outside the arena.
    expect(fx.enc_err(all, &patch(slot(14), 1000), input, record as u32), InvalidArgument, slot(14), &[(14, NI)]);
    expect(
        fx.enc_err(all, &patch(slot(14), REF_FLAG | (len - 2)), input, record as u32),
        InvalidArgument,
        slot(14),
        &[(14, NI)],
    );
    expect(
        fx.enc_err(all, &patch(slot(14) + 4, u32::MAX), input, record as u32),
        InvalidArgument,
        slot(14),
        &[(14, NI)],
    );
    // An array outside the arena.
    expect(
        fx.enc_err(all, &patch(slot(30) + 4, 1 << 30), input, record as u32),
        InvalidArgument,
        slot(30),
        &[(30, NI)],
    );
    expect(fx.enc_err(all, &patch(slot(30), 4), input, record as u32), InvalidArgument, slot(30), &[(30, NI)]);
    expect(
        fx.enc_err(all, &patch(slot(32) + 4, 1 << 29), input, record as u32),
        InvalidArgument,
        slot(32),
        &[(32, NI)],
    );
    let element = u32_at(&base.0, slot(32)) as usize;
    expect(fx.enc_err(all, &patch(element, len), input, record as u32), InvalidArgument, element, &[(32, 0)]);
    // Unknown fields that do not parse.
    let unknown_slot = record + m.unknown_slot as usize;
    let view_at = u32_at(&base.0, unknown_slot) as usize;
    let unknown_at = u32_at(&base.0, view_at) as usize;
    // Non-varint views are copied byte for byte, so each must hold exactly one field (fuzzing finding F3):
    // a fixed64 cut short, a fixed32 with a trailing byte, an unclosed group, a length past the view.
    for bad in [
        &[0x00, 0x01][..],
        &[0x0C, 0x01],
        &[0x0E],
        &[0x08, 0x80],
        &[0x80, 0x80],
        &[0x09, 0x01, 0x02],
        &[0x0D, 0x01, 0x02, 0x03],
        &[0x1B],
        &[0x12, 0x02, 0x01],
    ] {
        let mut input = input.clone();
        if input.len() < unknown_at + bad.len() {
            input.resize(unknown_at + bad.len(), 0);
        }
        input[unknown_at..unknown_at + bad.len()].copy_from_slice(bad);
        let mut a = base.0.clone();
        a[view_at + 4..view_at + 8].copy_from_slice(&(bad.len() as u32).to_le_bytes());
        expect(fx.enc_err(all, &a, &input, record as u32), InvalidArgument, view_at, &[]);
    }
}

#[test]
fn record_cycles_stop_at_the_depth_limit() {
    let fx = fx();
    let child = fx.k.child;
    let mut w = ArenaWriter::new(&fx.k.built, 4096);
    let record = w.write(child, &MsgVal::new().msg(4, MsgVal::new()));
    let slot = record + fx.k.built.msg(child).field(4).slot as usize;
    w.put(slot, &(record as u32).to_le_bytes());
    let e = encoded_len(&fx.schema, child, record as u32, &w.arena, &w.input, DEPTH).unwrap_err();
    assert_eq!((e.code, e.offset, e.path.len()), (ProtoDepthExceeded, slot as u64, DEPTH as usize + 1));
    assert!(e.path.iter().all(|p| *p == PathEntry { field_number: 4, index: NI }));
    // Whatever limit the caller gives, a chain deeper than the arena can hold distinct records
    // is a cycle: refused without a stack of millions of open records.
    let e = encoded_len(&fx.schema, child, record as u32, &w.arena, &w.input, u32::MAX).unwrap_err();
    assert_eq!(e.code, ProtoDepthExceeded);
    let chain = (u32_at(&w.arena, 0) as usize - 16) / 8;
    assert_eq!(e.path.len(), chain.max(100) + 1);
    // A big arena in use allows a deeper chain.
    let filler = w.alloc(8 * 300);
    assert!(filler > 0);
    let e = encoded_len(&fx.schema, child, record as u32, &w.arena, &w.input, u32::MAX).unwrap_err();
    assert_eq!(e.path.len(), (u32_at(&w.arena, 0) as usize - 16) / 8 + 1);
}

#[test]
fn shared_records_that_blow_up_are_refused() {
    // A DAG: 64 elements all pointing at one record, itself 64 times another... with a 1 MiB string
    // at the bottom: 64 × 64 × 1 MiB = 4 GiB of output, refused without writing or looping long:
    // the walk would enter 64 × 64 records, more than this arena holds distinct ones.
    let fx = fx();
    let child = fx.k.child;
    let d = fx.k.built.msg(child).clone();
    let mut w = ArenaWriter::new(&fx.k.built, 1 << 16);
    w.input = vec![b'x'; 1 << 20];
    let leaf = w.write(child, &MsgVal::new().bytes(2, b""));
    let leaf_view = leaf + d.field(2).slot as usize;
    w.put(leaf_view, &0u32.to_le_bytes());
    w.put(leaf_view + 4, &(1u32 << 20).to_le_bytes());
    let mut below = leaf;
    let mut levels = Vec::new();
    for _ in 0..2 {
        let list = vec![Val::Msg(None); 64];
        let record = w.write(child, &MsgVal::new().with(3, list));
        let array = u32_at(&w.arena, record + d.field(3).slot as usize) as usize;
        for i in 0..64 {
            w.put(array + 4 * i, &(below as u32).to_le_bytes());
        }
        below = record;
        levels.push(record);
    }
    let e = encoded_len(&fx.schema, child, below as u32, &w.arena, &w.input, DEPTH).unwrap_err();
    assert_eq!(e.code, InvalidArgument);
    // One level less is 64 MiB and fine: sharing within what the arena could hold is allowed.
    let leaf_len = 1 + 3 + (1 << 20);
    assert_eq!(encoded_len(&fx.schema, child, leaf as u32, &w.arena, &w.input, DEPTH), Ok(leaf_len));
    let len = encoded_len(&fx.schema, child, levels[0] as u32, &w.arena, &w.input, DEPTH).unwrap();
    assert_eq!(len, 64 * (1 + 3 + leaf_len));
}

/// Records that share their children at every level: a few KiB whose walk would visit 2^40 records
/// (found by the `proto_encode_arena` fuzz target, where 24 levels took 80 s). The walk stops once
/// it has entered more records than the arena can hold distinct ones.
#[test]
fn records_shared_at_every_level_are_refused_quickly() {
    let fx = fx();
    let child = fx.k.child;
    let d = fx.k.built.msg(child).clone();
    let mut w = ArenaWriter::new(&fx.k.built, 1 << 16);
    let mut below = w.write(child, &MsgVal::new());
    for _ in 0..40 {
        let record = w.write(child, &MsgVal::new().with(3, vec![Val::Msg(None); 2]));
        let first_element = u32_at(&w.arena, record + d.field(3).slot as usize) as usize;
        w.put(first_element, &(below as u32).to_le_bytes());
        w.put(first_element + 4, &(below as u32).to_le_bytes());
        below = record;
    }
    let e = encoded_len(&fx.schema, child, below as u32, &w.arena, &w.input, DEPTH).unwrap_err();
    assert_eq!(e.code, InvalidArgument);
    let budget = ((u32_at(&w.arena, 0) as usize - 16) / 8).max(100);
    assert!(budget < 1 << 10, "the arena is small: {budget}");
    assert!(e.offset >= 16 && e.offset < u64::from(u32_at(&w.arena, 0)), "{e}");
    let mut out = vec![0; 1 << 10];
    let e = encode(&fx.schema, child, below as u32, &w.arena, &w.input, &mut out, DEPTH).unwrap_err();
    assert_eq!(e.code, InvalidArgument);
}
