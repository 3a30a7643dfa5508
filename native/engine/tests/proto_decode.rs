//! Hand-written protobuf bytes for every decode rule of `docs/message-layout.md`, section 3: each
//! error code with its offset and path, merging, oneofs, closed enums, groups, depth, required
//! fields, and the arena's allocation rules.

mod common;

use common::*;
use ferrule_engine::proto::{decode, encode, encoded_len, DecodeError, PathEntry, Schema};
use ferrule_engine::ErrorCode::{self, *};

const NI: u32 = u32::MAX;
const DEPTH: u32 = 100;

struct Fx {
    k: Kitchen,
    schema: Schema,
}

fn fx() -> Fx {
    let k = kitchen();
    let schema = Schema::from_compiled(&k.built.bytes).expect("the kitchen schema is valid");
    Fx { k, schema }
}

fn path(entries: &[(u32, u32)]) -> Vec<PathEntry> {
    entries.iter().map(|&(field_number, index)| PathEntry { field_number, index }).collect()
}

/// A decoded message: the arena, the buffer (input at `base`), the root record.
struct Decoded {
    arena: Vec<u8>,
    buffer: Vec<u8>,
    root: u32,
}

impl Fx {
    fn try_decode(
        &self,
        msg: u32,
        input: &[u8],
        base: usize,
        max_depth: u32,
        capacity: usize,
    ) -> Result<Decoded, DecodeError> {
        let mut buffer = vec![0xEE; base];
        buffer.extend_from_slice(input);
        let mut arena = arena(capacity);
        let before = arena.clone();
        match decode(&self.schema, msg, &buffer[base..], base as u64, &mut arena, max_depth) {
            Ok(root) => Ok(Decoded { arena, buffer, root }),
            Err(e) => {
                assert_eq!(arena[..16], before[..16], "a failed decode leaves the arena header as it was");
                Err(e)
            }
        }
    }

    fn decode(&self, msg: u32, input: &[u8]) -> Decoded {
        self.try_decode(msg, input, 0, DEPTH, 1 << 16).unwrap_or_else(|e| panic!("decode failed: {e}"))
    }

    fn read(&self, msg: u32, d: &Decoded) -> MsgVal {
        read(&self.k.built, &d.arena, &d.buffer, msg, d.root as usize)
    }

    fn encode(&self, msg: u32, d: &Decoded) -> Vec<u8> {
        let len = encoded_len(&self.schema, msg, d.root, &d.arena, &d.buffer, DEPTH).unwrap();
        let mut out = vec![0; len];
        assert_eq!(encode(&self.schema, msg, d.root, &d.arena, &d.buffer, &mut out, DEPTH), Ok(len));
        out
    }

    /// Decodes, then checks that the engine's re-encoding matches the reference encoder's
    /// encoding of what was decoded.
    fn roundtrip(&self, msg: u32, input: &[u8]) -> (MsgVal, Vec<u8>) {
        let d = self.decode(msg, input);
        let v = self.read(msg, &d);
        let out = self.encode(msg, &d);
        assert_eq!(out, ref_encode(&self.k.built, msg, &v), "engine and reference encodings differ");
        (v, out)
    }

    fn err(&self, msg: u32, input: &[u8]) -> DecodeError {
        self.err_with(msg, input, 0, DEPTH)
    }

    fn err_with(&self, msg: u32, input: &[u8], base: usize, max_depth: u32) -> DecodeError {
        match self.try_decode(msg, input, base, max_depth, 1 << 16) {
            Ok(_) => panic!("decode of {input:02x?} succeeded"),
            Err(e) => e,
        }
    }

    fn slot(&self, msg: u32, number: u32) -> usize {
        self.k.built.msg(msg).field(number).slot as usize
    }
}

fn expect(e: DecodeError, code: ErrorCode, offset: u64, p: &[(u32, u32)]) {
    assert_eq!((e.code, e.offset, e.path.clone()), (code, offset, path(p)), "{e}");
}

fn n(v: i64) -> u64 {
    v as u64
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn scalars_of_every_type() {
    let fx = fx();
    let all = fx.k.all;
    let input = cat(&[
        vf(1, n(-5)),
        vf(2, 0x8000_0000_0000_0001),
        vf(3, (1 << 33) | 7),
        vf(4, u64::MAX),
        vf(5, 5),
        vf(6, 3),
        f32f(7, 0xDEAD_BEEF),
        f64f(8, 0x0102_0304_0506_0708),
        f32f(9, 0xFFFF_FFFF),
        f64f(10, 1),
        f32f(11, 0x8000_0000),
        f64f(12, 0x8000_0000_0000_0000),
        vf(13, 2),
        lf(14, "héllo".as_bytes()),
        lf(15, &[0xFF, 0x00]),
        vf(16, 7),
        vf(1000, 1),
        vf(536_870_911, 42),
    ]);
    let (v, out) = fx.roundtrip(all, &input);
    let expected = MsgVal::new()
        .num(1, 0xFFFF_FFFB)
        .num(2, 0x8000_0000_0000_0001)
        .num(3, 7)
        .num(4, u64::MAX)
        .num(5, 0xFFFF_FFFD)
        .num(6, n(-2))
        .num(7, 0xDEAD_BEEF)
        .num(8, 0x0102_0304_0506_0708)
        .num(9, 0xFFFF_FFFF)
        .num(10, 1)
        .num(11, 0x8000_0000)
        .num(12, 0x8000_0000_0000_0000)
        .num(13, 1)
        .bytes(14, "héllo".as_bytes())
        .bytes(15, &[0xFF, 0x00])
        .num(16, 7)
        .num(1000, 0xFFFF_FFFF)
        .num(536_870_911, 42);
    assert_eq!(v, expected);
    // Re-encoded canonically: uint32 keeps its low 32 bits, bool is 1, the rest as they came.
    let mut canonical = input.clone();
    let at3 = vf(1, n(-5)).len() + vf(2, 0x8000_0000_0000_0001).len();
    canonical.splice(at3..at3 + vf(3, (1 << 33) | 7).len(), vf(3, 7));
    let at13 = canonical.windows(2).position(|w| w == [13 << 3, 2]).unwrap();
    canonical[at13 + 1] = 1;
    assert_eq!(out, canonical);
}

#[test]
fn views_are_absolute_offsets() {
    let fx = fx();
    let input = cat(&[vf(1, 1), lf(14, b"abc"), lf(31, b"x")]);
    let d = fx.try_decode(fx.k.all, &input, 1000, DEPTH, 1 << 16).unwrap();
    let slot = d.root as usize + fx.slot(fx.k.all, 14);
    assert_eq!(u32_at(&d.arena, slot), 1000 + 4, "offset = base + index of the string's bytes");
    assert_eq!(u32_at(&d.arena, slot + 4), 3);
    assert_eq!(fx.read(fx.k.all, &d).get(31), Some(&Val::Bytes(b"x".to_vec())));
    // Offsets must fit 31 bits.
    let e = fx.try_decode(fx.k.all, &[], 0, DEPTH, 1 << 16).map(|_| ());
    assert!(e.is_ok());
    let mut a = arena(1024);
    let big = decode(&fx.schema, fx.k.all, b"\x08\x01", (1 << 31) - 2, &mut a, DEPTH).unwrap_err();
    expect(big, InvalidArgument, 0, &[]);
    assert!(decode(&fx.schema, fx.k.all, b"\x08\x01", (1 << 31) - 3, &mut a, DEPTH).is_ok());
}

#[test]
fn last_occurrence_wins_and_presence() {
    let fx = fx();
    let (v, out) = fx.roundtrip(fx.k.all, &cat(&[vf(18, 1), vf(18, 0), vf(1, 4), vf(1, 0), vf(2, 9)]));
    assert_eq!(v, MsgVal::new().num(2, 9).num(18, 0), "implicit 0 is absent; optional 0 is present");
    assert_eq!(out, cat(&[vf(2, 9), vf(18, 0)]));
}

#[test]
fn packed_and_unpacked_are_both_accepted() {
    let fx = fx();
    let input = cat(&[
        vf(20, 1),
        vf(20, n(-1)),
        lf(20, &cat(&[varint(3), varint(4)])),
        lf(30, &cat(&[varint(5), varint(6)])),
        vf(30, 7),
        lf(22, &[1, 0, 0, 0, 2, 0, 0, 0]),
        f32f(22, 3),
        lf(24, &[0, 2, 1]),
        lf(33, &[9, 0, 0, 0, 0, 0, 0, 0]),
        lf(21, &varint(3)),
    ]);
    let (v, out) = fx.roundtrip(fx.k.all, &input);
    let nums = |xs: &[u64]| xs.iter().map(|&x| Val::Num(x)).collect::<Vec<_>>();
    assert_eq!(v.fields[&20], nums(&[1, 0xFFFF_FFFF, 3, 4]));
    assert_eq!(v.fields[&30], nums(&[5, 6, 7]));
    assert_eq!(v.fields[&22], nums(&[1, 2, 3]));
    assert_eq!(v.fields[&24], nums(&[0, 1, 1]));
    assert_eq!(v.fields[&33], nums(&[9]));
    assert_eq!(v.fields[&21], nums(&[n(-2)]));
    // Written per the PACKED flag: 20, 21, 22, 24 packed; 30 and 33 one tag per element.
    let expected = cat(&[
        lf(20, &cat(&[varint(1), varint(n(-1)), varint(3), varint(4)])),
        lf(21, &varint(3)),
        lf(22, &[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]),
        lf(24, &[0, 1, 1]),
        vf(30, 5),
        vf(30, 6),
        vf(30, 7),
        f64f(33, 9),
    ]);
    assert_eq!(out, expected);
}

#[test]
fn packed_run_errors() {
    let fx = fx();
    let all = fx.k.all;
    // A fixed32 run whose length is not a multiple of 4: cut short after one element.
    expect(fx.err(all, &lf(22, &[1, 0, 0, 0, 2])), ProtoTruncated, 0, &[(22, 1)]);
    // A varint run ending inside a varint (the input goes on).
    let input = cat(&[lf(20, &[0x01, 0x80]), vf(1, 1)]);
    expect(fx.err(all, &input), ProtoTruncated, 0, &[(20, 1)]);
    // A malformed varint inside a run is reported at its first byte.
    let mut run = vec![0x05];
    run.extend([0x80; 10]);
    run.push(0x01);
    expect(fx.err(all, &lf(20, &run)), ProtoMalformedVarint, 4, &[(20, 1)]);
    // A run longer than the message.
    expect(fx.err(all, &[0xA2, 0x01, 0x05, 0x01]), ProtoTruncated, 0, &[(20, 0)]);
}

#[test]
fn a_wire_type_mismatch_is_an_unknown_field() {
    let fx = fx();
    let input = cat(&[f32f(1, 5), vf(2, 3), lf(13, b"zz"), vf(14, 1)]);
    let (v, out) = fx.roundtrip(fx.k.all, &input);
    assert_eq!(v.fields.len(), 1);
    assert_eq!(v.unknown, vec![f32f(1, 5), lf(13, b"zz"), vf(14, 1)]);
    // Known fields first, then the unknown ones by number.
    assert_eq!(out, cat(&[vf(2, 3), f32f(1, 5), lf(13, b"zz"), vf(14, 1)]));
    // A packed wire type on a singular numeric field does not match either.
    let (v, _) = fx.roundtrip(fx.k.all, &lf(1, &[1]));
    assert_eq!(v.unknown, vec![lf(1, &[1])]);
}

#[test]
fn tag_errors() {
    let fx = fx();
    let all = fx.k.all;
    expect(fx.err(all, &[0x00]), ProtoInvalidTag, 0, &[]);
    expect(fx.err(all, &cat(&[vf(1, 1), vec![0x07]])), ProtoInvalidTag, 2, &[]);
    expect(fx.err(all, &tag(1, 6)), ProtoInvalidWireType, 0, &[]);
    expect(fx.err(all, &tag(1, 7)), ProtoInvalidWireType, 0, &[]);
    expect(fx.err(all, &tag(60, 4)), ProtoInvalidWireType, 0, &[]);
    let mut ten = vec![0x80; 10];
    ten.push(0x00);
    expect(fx.err(all, &ten), ProtoMalformedVarint, 0, &[]);
    expect(fx.err(all, &[0x80]), ProtoTruncated, 0, &[]);
    // Inside a sub-message: the path ends at the enclosing message; offsets are absolute.
    expect(fx.err_with(all, &lf(17, &[0x00]), 50, DEPTH), ProtoInvalidTag, 53, &[(17, NI)]);
    expect(fx.err(all, &lf(17, &tag(4, 4))), ProtoInvalidWireType, 3, &[(17, NI)]);
    let input = cat(&[lf(32, b""), lf(32, &cat(&[vf(1, 1), tag(2, 7)]))]);
    expect(fx.err(all, &input), ProtoInvalidWireType, 8, &[(32, 1)]);
}

#[test]
fn a_tag_keeps_its_low_32_bits() {
    let fx = fx();
    // A 10-byte tag whose low 32 bits say field 1, varint.
    let input = cat(&[varint((1 << 40) | (1 << 3)), varint(9)]);
    let (v, out) = fx.roundtrip(fx.k.all, &input);
    assert_eq!(v, MsgVal::new().num(1, 9));
    assert_eq!(out, vf(1, 9));
}

#[test]
fn value_errors() {
    let fx = fx();
    let all = fx.k.all;
    expect(fx.err(all, &[0x08, 0x80]), ProtoTruncated, 0, &[(1, NI)]);
    let mut malformed = vec![0x08];
    malformed.extend([0x80; 10]);
    malformed.push(0);
    expect(fx.err(all, &malformed), ProtoMalformedVarint, 1, &[(1, NI)]);
    expect(fx.err(all, &cat(&[tag(7, 5), vec![1, 2, 3]])), ProtoTruncated, 0, &[(7, NI)]);
    expect(fx.err(all, &cat(&[tag(8, 1), vec![1; 7]])), ProtoTruncated, 0, &[(8, NI)]);
    expect(fx.err(all, &cat(&[vf(30, 1), vec![0xF0, 0x01, 0x80]])), ProtoTruncated, 3, &[(30, 1)]);
    // Unknown fields have their own path entry, (number, NO_INDEX).
    expect(fx.err(all, &cat(&[tag(99, 0), vec![0x80]])), ProtoTruncated, 0, &[(99, NI)]);
    let mut unknown = tag(99, 0);
    unknown.extend([0xFF; 10]);
    expect(fx.err(all, &unknown), ProtoMalformedVarint, 2, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 5), vec![1, 2]])), ProtoTruncated, 0, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 1), vec![1, 2]])), ProtoTruncated, 0, &[(99, NI)]);
}

#[test]
fn length_errors() {
    let fx = fx();
    let all = fx.k.all;
    expect(fx.err(all, &cat(&[tag(14, 2), varint(1 << 31)])), ProtoBadLength, 1, &[(14, NI)]);
    expect(fx.err(all, &cat(&[tag(14, 2), varint((1 << 32) | 1), vec![0]])), ProtoBadLength, 1, &[(14, NI)]);
    expect(fx.err(all, &cat(&[tag(14, 2), varint((1 << 31) - 1)])), ProtoTruncated, 0, &[(14, NI)]);
    let mut malformed = tag(14, 2);
    malformed.extend([0x80; 10]);
    expect(fx.err(all, &malformed), ProtoMalformedVarint, 1, &[(14, NI)]);
    expect(fx.err(all, &[0x8A, 0x01, 0x05, 0x08, 0x01]), ProtoTruncated, 0, &[(17, NI)]);
    // A string running past its sub-message, though not past the input.
    let input = cat(&[lf(17, &[0x12, 0x03, b'a']), b"bc".to_vec()]);
    expect(fx.err(all, &input), ProtoTruncated, 3, &[(17, NI), (2, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 2), varint(1 << 31)])), ProtoBadLength, 2, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 2), varint(5), vec![1]])), ProtoTruncated, 0, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(32, 2), varint(1 << 40)])), ProtoBadLength, 2, &[(32, 0)]);
}

#[test]
fn utf8_is_checked_where_flagged() {
    let fx = fx();
    let all = fx.k.all;
    for bad in [&[0xED, 0xA0, 0x80][..], &[0xC0, 0x80], &[0xF4, 0x90, 0x80, 0x80], &[0xE2, 0x82], &[b'a', 0xFF]] {
        expect(fx.err_with(all, &lf(14, bad), 10, DEPTH), ProtoInvalidUtf8, 12, &[(14, NI)]);
        // Bytes, and strings without VALIDATE_UTF8 (proto2), take anything.
        let (v, _) = fx.roundtrip(all, &cat(&[lf(15, bad), lf(19, bad)]));
        assert_eq!(v.get(19), Some(&Val::Bytes(bad.to_vec())));
    }
    expect(fx.err(all, &cat(&[lf(31, b"ok"), lf(31, &[0xFF])])), ProtoInvalidUtf8, 8, &[(31, 1)]);
    expect(fx.err(all, &lf(41, &[0xFF])), ProtoInvalidUtf8, 3, &[(41, NI)]);
    let input = cat(&[lf(32, b""), lf(32, &lf(2, &[0xC1, 0xBF]))]);
    expect(fx.err(all, &input), ProtoInvalidUtf8, 8, &[(32, 1), (2, NI)]);
    // Valid: every length of sequence, up to U+10FFFF.
    fx.roundtrip(all, &lf(14, "aé€😀\u{10FFFF}".as_bytes()));
}

#[test]
fn a_repeated_sub_message_occurrence_merges() {
    let fx = fx();
    let first = cat(&[vf(1, 1), lf(2, b"a"), vf(5, 1), lf(4, &vf(1, 10))]);
    let second = cat(&[vf(1, 2), vf(5, 2), lf(4, &lf(2, b"z"))]);
    let d = fx.decode(fx.k.all, &cat(&[lf(17, &first), lf(17, &second)]));
    let v = fx.read(fx.k.all, &d);
    let child = v.child(17);
    assert_eq!(child.get(1), Some(&Val::Num(2)), "scalars overwritten");
    assert_eq!(child.get(2), Some(&Val::Bytes(b"a".to_vec())), "untouched fields kept");
    assert_eq!(child.fields[&5], vec![Val::Num(1), Val::Num(2)], "repeated fields appended");
    assert_eq!(child.child(4), &MsgVal::new().num(1, 10).bytes(2, b"z"), "nested messages merged too");
    // One record, allocated once: the same record size as a single occurrence needs.
    let single = fx.decode(fx.k.all, &lf(17, &first));
    let used = |d: &Decoded| u32_at(&d.arena, 0);
    let child_size = fx.k.built.msg(fx.k.child).record_size;
    // The second occurrence allocates only the grown array of field 5 (none: capacity 4 holds 2).
    assert_eq!(used(&d), used(&single));
    assert!(used(&d) as usize >= 16 + fx.k.built.msg(fx.k.all).record_size as usize + 2 * child_size as usize);
    // Repeated sub-messages get one record each.
    let (v, _) = fx.roundtrip(fx.k.all, &cat(&[lf(32, &vf(1, 1)), lf(32, &vf(1, 2))]));
    assert_eq!(v.fields[&32].len(), 2);
}

#[test]
fn oneof_members_replace_each_other() {
    let fx = fx();
    let all = fx.k.all;
    let d = fx.decode(all, &cat(&[vf(40, 7), lf(41, b"x")]));
    assert_eq!(fx.read(all, &d), MsgVal::new().bytes(41, b"x"));
    let slot40 = d.root as usize + fx.slot(all, 40);
    assert_eq!(u32_at(&d.arena, slot40), 0, "the previous member's slot is zeroed");
    let oneof_at = d.root as usize + fx.k.built.msg(all).oneof_offset as usize;
    assert_eq!(u32_at(&d.arena, oneof_at), 41, "the case word names the member");

    // The same message member twice merges.
    let (v, _) = fx.roundtrip(all, &cat(&[lf(42, &cat(&[vf(1, 1), lf(2, b"a")])), lf(42, &vf(1, 2))]));
    assert_eq!(v, MsgVal::new().msg(42, MsgVal::new().num(1, 2).bytes(2, b"a")));

    // Switching away and back starts a new record: nothing of the old one is merged.
    let input = cat(&[lf(42, &cat(&[vf(1, 1), lf(2, b"a")])), vf(40, 3), lf(42, &vf(1, 2))]);
    let d = fx.decode(all, &input);
    assert_eq!(fx.read(all, &d), MsgVal::new().msg(42, MsgVal::new().num(1, 2)));
    assert_eq!(u32_at(&d.arena, slot40), 0);
    let (_, out) = fx.roundtrip(all, &input);
    assert_eq!(out, lf(42, &vf(1, 2)));
    // After switching to 40 the old record is gone from the slot.
    let d = fx.decode(all, &cat(&[lf(42, &vf(1, 1)), vf(40, 3)]));
    assert_eq!(u32_at(&d.arena, d.root as usize + fx.slot(all, 42)), 0);
    assert_eq!(fx.read(all, &d), MsgVal::new().num(40, 3));
}

#[test]
fn closed_enums_send_unknown_numbers_to_unknown_fields() {
    let fx = fx();
    let all = fx.k.all;
    let (v, _) = fx.roundtrip(all, &vf(50, 5));
    assert_eq!(v, MsgVal::new().num(50, 5));
    let (v, _) = fx.roundtrip(all, &vf(50, n(-3)));
    assert_eq!(v, MsgVal::new().num(50, 0xFFFF_FFFD));
    // Low 32 bits of the varint decide.
    let (v, _) = fx.roundtrip(all, &vf(50, (1 << 32) | 5));
    assert_eq!(v, MsgVal::new().num(50, 5));

    // An unknown number: the field is not set (no hasbit), the whole field is an unknown field.
    let (v, out) = fx.roundtrip(all, &cat(&[vf(50, 1), vf(50, 7), vf(2, 1)]));
    assert_eq!(v, MsgVal { unknown: vec![vf(50, 7)], ..MsgVal::new().num(2, 1).num(50, 1) });
    assert_eq!(out, cat(&[vf(2, 1), vf(50, 1), vf(50, 7)]));
    let (v, _) = fx.roundtrip(all, &vf(50, 7));
    assert_eq!(v, MsgVal { unknown: vec![vf(50, 7)], ..MsgVal::new() });

    // Unpacked repeated: the unknown field is a view of the input.
    let d = fx.decode(all, &cat(&[vf(52, 1), vf(52, 9), vf(52, 5)]));
    assert_eq!(
        fx.read(all, &d),
        MsgVal { unknown: vec![vf(52, 9)], ..MsgVal::new().with(52, vec![Val::Num(1), Val::Num(5)]) }
    );

    // Packed: each unknown number re-encoded as a plain varint field in the arena, sign-extended.
    let run = cat(&[varint(1), varint(7), varint(0xFFFF_FFFE), varint(5), varint(n(-9))]);
    let input = cat(&[lf(51, &run), vf(1, 1)]);
    let d = fx.decode(all, &input);
    let v = fx.read(all, &d);
    assert_eq!(v.fields[&51], vec![Val::Num(1), Val::Num(5)]);
    assert_eq!(v.unknown, vec![vf(51, 7), vf(51, n(-2)), vf(51, n(-9))]);
    let m = fx.k.built.msg(all);
    let slot = d.root as usize + m.unknown_slot as usize;
    let first = u32_at(&d.arena, slot) as usize;
    for i in 0..3 {
        assert_ne!(u32_at(&d.arena, first + 8 * i) & REF_FLAG, 0, "an arena view");
    }
    let out = fx.encode(all, &d);
    assert_eq!(out, cat(&[vf(1, 1), lf(51, &cat(&[varint(1), varint(5)])), vf(51, 7), vf(51, n(-2)), vf(51, n(-9))]));

    // Open enums keep any number, packed or not.
    let (v, _) = fx.roundtrip(all, &cat(&[vf(16, 77), lf(25, &cat(&[varint(3), varint(n(-5))]))]));
    assert_eq!(v, MsgVal::new().num(16, 77).with(25, vec![Val::Num(3), Val::Num(0xFFFF_FFFB)]));
}

#[test]
fn groups() {
    let fx = fx();
    let all = fx.k.all;
    let input = cat(&[gf(60, &cat(&[vf(1, 5), vf(2, 1), vf(2, 2), gf(3, &vf(1, 9))])), gf(61, b""), gf(61, &vf(1, 1))]);
    let (v, out) = fx.roundtrip(all, &input);
    assert_eq!(out, input);
    let g = v.child(60);
    assert_eq!(g.get(1), Some(&Val::Num(5)));
    assert_eq!(g.child(3), &MsgVal::new().num(1, 9));
    assert_eq!(v.fields[&61].len(), 2);
    // Merge like messages.
    let (v, _) = fx.roundtrip(all, &cat(&[gf(60, &vf(1, 1)), gf(60, &vf(2, 7))]));
    assert_eq!(v, MsgVal::new().msg(60, MsgVal::new().num(1, 1).with(2, vec![Val::Num(7)])));
    // A group field with a length-delimited wire type is an unknown field.
    let (v, _) = fx.roundtrip(all, &lf(60, b"abc"));
    assert_eq!(v.unknown, vec![lf(60, b"abc")]);

    // An END_GROUP with another number.
    expect(fx.err(all, &cat(&[tag(60, 3), vf(1, 5), tag(61, 4)])), ProtoInvalidWireType, 4, &[(60, NI)]);
    // Running out of input inside a group: at the group's tag, the path ending with the group.
    expect(fx.err_with(all, &cat(&[tag(60, 3), vf(1, 5)]), 3, DEPTH), ProtoTruncated, 3, &[(60, NI)]);
    expect(fx.err(all, &cat(&[vf(1, 1), tag(61, 3), tag(3, 3)])), ProtoTruncated, 4, &[(61, 0), (3, NI)]);
    // ... or out of the enclosing message.
    let input = cat(&[lf(17, &cat(&[tag(6, 3), vf(1, 1)])), vf(1, 3)]);
    expect(fx.err(all, &input), ProtoTruncated, 3, &[(17, NI), (6, NI)]);
    // A field inside a group cut short.
    expect(fx.err(all, &cat(&[tag(60, 3), vec![0x08]])), ProtoTruncated, 2, &[(60, NI), (1, NI)]);
}

#[test]
fn unknown_groups_are_skipped_whole() {
    let fx = fx();
    let all = fx.k.all;
    let group = gf(99, &cat(&[vf(1, 1), gf(2, &lf(3, b"x")), f32f(4, 1), f64f(5, 2), gf(99, b"")]));
    let (v, out) = fx.roundtrip(all, &cat(&[group.clone(), vf(1, 1)]));
    assert_eq!(v.unknown, vec![group.clone()]);
    assert_eq!(out, cat(&[vf(1, 1), group]));
    expect(fx.err(all, &cat(&[tag(99, 3), tag(98, 4)])), ProtoInvalidWireType, 2, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 3), vf(1, 1)])), ProtoTruncated, 0, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 3), tag(98, 3), vf(1, 1)])), ProtoTruncated, 2, &[(99, NI), (98, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 3), vec![0x00]])), ProtoInvalidTag, 2, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 3), tag(1, 6)])), ProtoInvalidWireType, 2, &[(99, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 3), tag(1, 0), vec![0x80]])), ProtoTruncated, 2, &[(99, NI), (1, NI)]);
    expect(fx.err(all, &cat(&[tag(99, 3), tag(1, 2), varint(1 << 31)])), ProtoBadLength, 3, &[(99, NI), (1, NI)]);
    // Inside a sub-message the group ends with it.
    expect(fx.err(all, &cat(&[lf(17, &tag(99, 3)), tag(99, 4)])), ProtoTruncated, 3, &[(17, NI), (99, NI)]);
}

#[test]
fn depth_limits() {
    let fx = fx();
    let all = fx.k.all;
    // Root 0, 17 at 1, 4 at 2: fine with a limit of 2; one more is too deep.
    assert!(fx.try_decode(all, &lf(17, &lf(4, &vf(1, 1))), 0, 2, 1 << 16).is_ok());
    expect(
        fx.err_with(all, &lf(17, &lf(4, &lf(4, &vf(1, 1)))), 0, 2),
        ProtoDepthExceeded,
        5,
        &[(17, NI), (4, NI), (4, NI)],
    );
    expect(fx.err_with(all, &lf(17, b""), 7, 0), ProtoDepthExceeded, 7, &[(17, NI)]);
    let input = cat(&[lf(32, b""), lf(32, &lf(4, &lf(4, b"")))]);
    expect(fx.err_with(all, &input, 0, 2), ProtoDepthExceeded, 8, &[(32, 1), (4, NI), (4, NI)]);
    // Groups, known and unknown, count too.
    expect(fx.err_with(all, &gf(60, &gf(3, b"")), 0, 1), ProtoDepthExceeded, 2, &[(60, NI), (3, NI)]);
    assert!(fx.try_decode(all, &gf(99, b""), 0, 1, 1 << 16).is_ok());
    expect(fx.err_with(all, &gf(99, &gf(98, b"")), 0, 1), ProtoDepthExceeded, 2, &[(99, NI), (98, NI)]);
    expect(fx.err_with(all, &gf(99, b""), 0, 0), ProtoDepthExceeded, 0, &[(99, NI)]);
    expect(fx.err_with(all, &lf(17, &gf(99, b"")), 0, 1), ProtoDepthExceeded, 3, &[(17, NI), (99, NI)]);
    // As protobuf-java: a sub-message's length is read, then its depth checked, then the length.
    let bad_length = cat(&[tag(17, 2), varint(1 << 31)]);
    expect(fx.err_with(all, &bad_length, 0, 0), ProtoDepthExceeded, 0, &[(17, NI)]);
    expect(fx.err_with(all, &bad_length, 0, 1), ProtoBadLength, 2, &[(17, NI)]);
    let mut malformed = tag(17, 2);
    malformed.extend([0x80; 10]);
    expect(fx.err_with(all, &malformed, 0, 0), ProtoMalformedVarint, 2, &[(17, NI)]);
}

#[test]
fn very_deep_nesting_uses_no_native_stack() {
    let fx = fx();
    let all = fx.k.all;
    let levels = 200_000;
    // Known groups nested through field 3 of the group message.
    let mut input = tag(60, 3);
    input.extend(std::iter::repeat_n(tag(3, 3), levels).flatten());
    input.extend(vf(1, 1));
    input.extend(std::iter::repeat_n(tag(3, 4), levels).flatten());
    input.extend(tag(60, 4));
    let record = fx.k.built.msg(fx.k.group).record_size as usize;
    let root = fx.k.built.msg(all).record_size as usize;
    let capacity = 16 + root + (levels + 1) * record;
    let Ok(d) = fx.try_decode(all, &input, 0, u32::MAX, capacity) else { panic!("deep groups do not decode") };
    let len = encoded_len(&fx.schema, all, d.root, &d.arena, &d.buffer, u32::MAX).unwrap();
    assert_eq!(len, input.len());
    let mut out = vec![0; len];
    encode(&fx.schema, all, d.root, &d.arena, &d.buffer, &mut out, u32::MAX).unwrap();
    assert_eq!(out, input);
    // The encoder's depth limit applies too.
    let e = encode(&fx.schema, all, d.root, &d.arena, &d.buffer, &mut out, 100).unwrap_err();
    assert_eq!((e.code, e.path.len()), (ProtoDepthExceeded, 101));
    // Unknown groups, a million deep.
    let deep = 1_000_000;
    let mut input: Vec<u8> = std::iter::repeat_n(tag(99, 3), deep).flatten().collect();
    input.extend(std::iter::repeat_n(tag(99, 4), deep).flatten());
    let Ok(d) = fx.try_decode(all, &input, 0, u32::MAX, 1 << 12) else { panic!("deep unknown groups do not decode") };
    assert_eq!(fx.read(all, &d).unknown.len(), 1);
    let e = fx.err_with(all, &input, 0, 1000);
    assert_eq!((e.code, e.offset, e.path.len()), (ProtoDepthExceeded, 2 * 1000, 1001));
    assert!(e.path.iter().all(|p| *p == PathEntry { field_number: 99, index: NI }));
}

#[test]
fn required_fields_are_checked_after_decoding() {
    let fx = fx();
    let req = fx.k.req;
    expect(fx.err_with(req, b"", 40, DEPTH), ProtoRequiredFieldMissing, 40, &[(1, NI)]);
    expect(fx.err(req, &vf(1, 1)), ProtoRequiredFieldMissing, 0, &[(4, NI)]);
    let full = cat(&[vf(1, 1), lf(4, b"x")]);
    fx.roundtrip(req, &full);
    // The second element of field 3 lacks field 4: the offset is that element's first byte.
    let input = cat(&[full.clone(), lf(3, &full), lf(3, &vf(1, 1))]);
    let second = full.len() + lf(3, &full).len() + 2;
    expect(fx.err_with(req, &input, 5, DEPTH), ProtoRequiredFieldMissing, 5 + second as u64, &[(3, 1), (4, NI)]);
    // protobuf-java's order: a record's own fields first, then its sub-messages in field order.
    let input = cat(&[vf(1, 1), lf(2, &lf(4, b"y"))]);
    expect(fx.err(req, &input), ProtoRequiredFieldMissing, 0, &[(4, NI)]);
    let input = cat(&[full.clone(), lf(2, &lf(4, b"y")), lf(3, &vf(1, 1))]);
    expect(fx.err(req, &input), ProtoRequiredFieldMissing, full.len() as u64 + 2, &[(2, NI), (1, NI)]);
    let input = cat(&[full.clone(), lf(2, &cat(&[vf(1, 1), lf(2, &lf(4, b"g"))]))]);
    expect(fx.err(req, &input), ProtoRequiredFieldMissing, full.len() as u64 + 2, &[(2, NI), (4, NI)]);
    // A map value with required fields: absent, it is an empty message, missing its first one,
    // reported at the map entry.
    let all = fx.k.all;
    expect(fx.err(all, &lf(72, &vf(1, 5))), ProtoRequiredFieldMissing, 3, &[(72, 0), (2, NI), (1, NI)]);
    let input = lf(72, &cat(&[vf(1, 5), lf(2, &vf(1, 1))]));
    expect(fx.err(all, &input), ProtoRequiredFieldMissing, 7, &[(72, 0), (2, NI), (4, NI)]);
    fx.roundtrip(all, &lf(72, &cat(&[vf(1, 5), lf(2, &full)])));
    // Through a message without required fields of its own.
    let input = cat(&[vf(1, 1), lf(80, &vf(1, 1))]);
    expect(fx.err(fx.k.all, &input), ProtoRequiredFieldMissing, 5, &[(80, NI), (4, NI)]);
    // Merged occurrences complete each other.
    fx.roundtrip(fx.k.all, &cat(&[lf(80, &vf(1, 1)), lf(80, &lf(4, b"z"))]));
}

#[test]
fn arena_exhaustion_and_allocation_rules() {
    let fx = fx();
    let all = fx.k.all;
    let root_size = fx.k.built.msg(all).record_size as usize;
    let child_size = fx.k.built.msg(fx.k.child).record_size as usize;
    // No room for the root: offset 0 even with a base offset.
    let e = fx.try_decode(all, b"", 9, DEPTH, 16 + root_size - 8).map(|_| ()).unwrap_err();
    expect(e, ArenaExhausted, 0, &[]);
    // Room for the root only.
    let e = fx.try_decode(all, &cat(&[vf(1, 1), lf(17, &vf(1, 1))]), 9, DEPTH, 16 + root_size).map(|_| ()).unwrap_err();
    expect(e, ArenaExhausted, 11, &[(17, NI)]);

    // Arrays: capacity 4, then 8, ...; each growth is a new block, the old one stays.
    let five = cat(&[vf(30, 1), vf(30, 2), vf(30, 3), vf(30, 4), vf(30, 5)]);
    let d = fx.decode(all, &five);
    let slot = d.root as usize + fx.slot(all, 30);
    let first = u32_at(&d.arena, slot) as usize;
    assert_eq!(u32_at(&d.arena, slot + 4), 5);
    assert_eq!(u32_at(&d.arena, first - 8), 8, "grown to max(4, 2 * 4)");
    assert_eq!(first, 16 + root_size + (8 + 16) + 8);
    assert_eq!(u32_at(&d.arena, 0) as usize, 16 + root_size + (8 + 4 * 4) + (8 + 8 * 4));
    // Without room for the second block: the fifth element fails, at its tag.
    let e = fx.try_decode(all, &five, 0, DEPTH, 16 + root_size + 24 + 39).map(|_| ()).unwrap_err();
    expect(e, ArenaExhausted, 12, &[(30, 4)]);
    // Bool arrays round blocks up to 8 bytes.
    let d = fx.decode(all, &lf(24, &[1]));
    assert_eq!(u32_at(&d.arena, 0) as usize, 16 + root_size + 16);

    // Records are allocated before the array slot that holds them; views need no allocation.
    let d = fx.decode(fx.k.child, &cat(&[lf(3, &lf(2, b"s")), lf(2, b"t")]));
    assert_eq!(d.root, 16);
    let array = u32_at(&d.arena, 16 + fx.slot(fx.k.child, 3)) as usize;
    assert_eq!(u32_at(&d.arena, array) as usize, 16 + child_size, "the element record");
    assert_eq!(array, 16 + 2 * child_size + 8, "then the array block");
    assert_eq!(u32_at(&d.arena, 0) as usize, 16 + 2 * child_size + 8 + 16);

    // A second decode into the same arena starts at its `used`.
    let mut a = arena(1 << 12);
    let first_root = decode(&fx.schema, fx.k.child, &vf(1, 1), 0, &mut a, DEPTH).unwrap();
    let second_root = decode(&fx.schema, fx.k.child, &vf(1, 2), 0, &mut a, DEPTH).unwrap();
    assert_eq!((first_root as usize, second_root as usize), (16, 16 + child_size));
    // Records are zeroed even over junk.
    assert!(a[16..16 + child_size].iter().enumerate().all(|(i, &b)| b == 0 || i == fx.slot(fx.k.child, 1)));
}

#[test]
fn invalid_arguments() {
    let fx = fx();
    let mut a = arena(1024);
    let invalid = |e: DecodeError| expect(e, InvalidArgument, 0, &[]);
    invalid(decode(&fx.schema, fx.k.built.messages.len() as u32, b"", 0, &mut a, DEPTH).unwrap_err());
    invalid(decode(&fx.schema, 0, b"", 0, &mut a[..15], DEPTH).unwrap_err());
    for used in [0u32, 8, 20, 1032] {
        let mut a = arena(1024);
        a[0..4].copy_from_slice(&used.to_le_bytes());
        invalid(decode(&fx.schema, 0, b"", 0, &mut a, DEPTH).unwrap_err());
    }
    invalid(decode(&fx.schema, 0, b"", u64::MAX, &mut a, DEPTH).unwrap_err());
    // The header's capacity is not used: the slice length is authoritative.
    let mut a = arena(1024);
    a[4..8].copy_from_slice(&8u32.to_le_bytes());
    assert!(decode(&fx.schema, 0, b"", 0, &mut a, DEPTH).is_ok());
}

#[test]
fn maps_are_repeated_entries_with_always_written_keys_and_values() {
    let fx = fx();
    let all = fx.k.all;
    let (_, out) = fx.roundtrip(all, &cat(&[lf(70, &lf(1, b"k")), lf(70, &vf(2, 3)), lf(71, &vf(1, 5))]));
    let expected = cat(&[
        lf(70, &cat(&[lf(1, b"k"), vf(2, 0)])),
        lf(70, &cat(&[lf(1, b""), vf(2, 3)])),
        lf(71, &cat(&[vf(1, 5), lf(2, b"")])),
    ]);
    assert_eq!(out, expected);
    // Duplicate keys stay: a map field is its entries.
    let (v, _) = fx.roundtrip(all, &cat(&[lf(70, &lf(1, b"k")), lf(70, &lf(1, b"k"))]));
    assert_eq!(v.fields[&70].len(), 2);
}

#[test]
fn errors_display_their_code_offset_and_path() {
    let fx = fx();
    let e = fx.err(fx.k.all, &cat(&[lf(32, b""), lf(32, &[0x00])]));
    assert_eq!(e.to_string(), "PROTO_INVALID_TAG (202) at input offset 6, field path 32[1]");
    let e = fx.err(fx.k.all, &[0x00]);
    assert_eq!(e.to_string(), "PROTO_INVALID_TAG (202) at input offset 0, field path <root>");
}
