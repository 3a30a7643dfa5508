//! Test support for the protobuf engine, written from `docs/message-layout.md` alone and sharing
//! no code with it: a `SchemaBuilder` that lays out records and writes compiled schemas, a value
//! model with an arena writer (what a Java builder does) and reader, a reference encoder, and
//! helpers to write protobuf bytes by hand. Also used by `native/ffi/tests` through `#[path]`.
#![allow(dead_code)]

use std::collections::BTreeMap;

pub const NO_INDEX: u32 = u32::MAX;
pub const REF_FLAG: u32 = 1 << 31;

/// FieldDescriptorProto.Type numbers.
pub mod ty {
    pub const DOUBLE: u8 = 1;
    pub const FLOAT: u8 = 2;
    pub const INT64: u8 = 3;
    pub const UINT64: u8 = 4;
    pub const INT32: u8 = 5;
    pub const FIXED64: u8 = 6;
    pub const FIXED32: u8 = 7;
    pub const BOOL: u8 = 8;
    pub const STRING: u8 = 9;
    pub const GROUP: u8 = 10;
    pub const MESSAGE: u8 = 11;
    pub const BYTES: u8 = 12;
    pub const UINT32: u8 = 13;
    pub const ENUM: u8 = 14;
    pub const SFIXED32: u8 = 15;
    pub const SFIXED64: u8 = 16;
    pub const SINT32: u8 = 17;
    pub const SINT64: u8 = 18;
}

/// Cardinalities.
pub mod card {
    pub const IMPLICIT: u8 = 0;
    pub const OPTIONAL: u8 = 1;
    pub const REQUIRED: u8 = 2;
    pub const REPEATED: u8 = 3;
    pub const ONEOF: u8 = 4;
    pub const ALWAYS: u8 = 5;
}

/// Field flags.
pub mod flag {
    pub const PACKED: u8 = 1;
    pub const UTF8: u8 = 2;
    pub const CLOSED: u8 = 4;
    pub const HAS_DEFAULT: u8 = 8;
    pub const MAP: u8 = 16;
}

pub fn element_size(t: u8) -> usize {
    match t {
        ty::DOUBLE | ty::INT64 | ty::UINT64 | ty::FIXED64 | ty::SFIXED64 | ty::SINT64 | ty::STRING | ty::BYTES => 8,
        ty::BOOL => 1,
        _ => 4,
    }
}

pub fn wire_type_of(t: u8) -> u32 {
    match t {
        ty::DOUBLE | ty::FIXED64 | ty::SFIXED64 => 1,
        ty::FLOAT | ty::FIXED32 | ty::SFIXED32 => 5,
        ty::STRING | ty::BYTES | ty::MESSAGE => 2,
        ty::GROUP => 3,
        _ => 0,
    }
}

pub fn is_message(t: u8) -> bool {
    t == ty::MESSAGE || t == ty::GROUP
}

pub fn packable(t: u8) -> bool {
    !matches!(t, ty::STRING | ty::BYTES | ty::MESSAGE | ty::GROUP)
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub number: u32,
    pub name: String,
    pub ty: u8,
    pub card: u8,
    pub flags: u8,
    pub type_ref: u32,
    /// The oneof index of a ONEOF member.
    pub oneof: u32,
    /// Computed by `build`.
    pub slot: u32,
    pub presence: u32,
}

impl FieldDef {
    pub fn packed(&self) -> bool {
        self.card == card::REPEATED && self.flags & flag::PACKED != 0 && packable(self.ty)
    }

    pub fn slot_size(&self) -> usize {
        if self.card == card::REPEATED {
            8
        } else {
            element_size(self.ty)
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct MsgDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub map_entry: bool,
    pub oneof_count: u32,
    /// Computed by `build`.
    pub record_size: u32,
    pub hasbits: u32,
    pub oneof_offset: u32,
    pub unknown_slot: u32,
}

impl MsgDef {
    pub fn field(&self, number: u32) -> &FieldDef {
        self.fields.iter().find(|f| f.number == number).unwrap_or_else(|| panic!("no field {number} in {}", self.name))
    }
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: String,
    pub values: Vec<i32>,
    pub closed: bool,
}

#[derive(Clone, Debug, Default)]
pub struct SchemaBuilder {
    pub messages: Vec<MsgDef>,
    pub enums: Vec<EnumDef>,
}

/// A built schema: its compiled bytes and the layouts it describes.
#[derive(Clone, Debug)]
pub struct Built {
    pub bytes: Vec<u8>,
    pub messages: Vec<MsgDef>,
    pub enums: Vec<EnumDef>,
}

impl Built {
    pub fn msg(&self, m: u32) -> &MsgDef {
        &self.messages[m as usize]
    }

    /// Byte offset of message entry `m` in the compiled bytes.
    pub fn message_entry_at(&self, m: u32) -> usize {
        32 + 40 * m as usize
    }

    /// Byte offset of the field entry of field `number` of message `m`.
    pub fn field_entry_at(&self, m: u32, number: u32) -> usize {
        let before: usize = self.messages[..m as usize].iter().map(|d| d.fields.len()).sum();
        let i = self.messages[m as usize].fields.iter().position(|f| f.number == number).expect("field");
        32 + 40 * self.messages.len() + 48 * (before + i)
    }

    pub fn enum_entry_at(&self, e: u32) -> usize {
        let fields: usize = self.messages.iter().map(|d| d.fields.len()).sum();
        32 + 40 * self.messages.len() + 48 * fields + 24 * e as usize
    }
}

fn align8(n: u32) -> u32 {
    (n + 7) & !7
}

impl SchemaBuilder {
    pub fn new() -> SchemaBuilder {
        SchemaBuilder::default()
    }

    pub fn message(&mut self, name: &str) -> u32 {
        self.messages.push(MsgDef { name: name.to_string(), ..MsgDef::default() });
        (self.messages.len() - 1) as u32
    }

    pub fn map_entry(&mut self, name: &str) -> u32 {
        let m = self.message(name);
        self.messages[m as usize].map_entry = true;
        m
    }

    pub fn enumeration(&mut self, name: &str, values: &[i32], closed: bool) -> u32 {
        let mut values = values.to_vec();
        values.sort();
        self.enums.push(EnumDef { name: name.to_string(), values, closed });
        (self.enums.len() - 1) as u32
    }

    /// Adds a field; `type_ref` is the message or enum index (ignored for other types).
    pub fn field(&mut self, m: u32, number: u32, t: u8, c: u8, flags: u8, type_ref: u32) -> &mut Self {
        let type_ref = if is_message(t) || t == ty::ENUM { type_ref } else { NO_INDEX };
        self.messages[m as usize].fields.push(FieldDef {
            number,
            name: format!("f{number}"),
            ty: t,
            card: c,
            flags,
            type_ref,
            oneof: NO_INDEX,
            slot: 0,
            presence: NO_INDEX,
        });
        self
    }

    pub fn scalar(&mut self, m: u32, number: u32, t: u8, c: u8) -> &mut Self {
        self.field(m, number, t, c, 0, NO_INDEX)
    }

    pub fn oneof(&mut self, m: u32) -> u32 {
        let d = &mut self.messages[m as usize];
        d.oneof_count += 1;
        d.oneof_count - 1
    }

    pub fn oneof_field(&mut self, m: u32, oneof: u32, number: u32, t: u8, flags: u8, type_ref: u32) -> &mut Self {
        self.field(m, number, t, card::ONEOF, flags, type_ref);
        self.messages[m as usize].fields.last_mut().unwrap().oneof = oneof;
        self
    }

    /// Lays out every record and writes the compiled schema.
    pub fn build(&self) -> Built {
        let mut messages = self.messages.clone();
        for d in &mut messages {
            d.fields.sort_by_key(|f| f.number);
            let mut hasbits = 0;
            for f in &mut d.fields {
                f.presence = match f.card {
                    card::OPTIONAL | card::REQUIRED => {
                        hasbits += 1;
                        hasbits - 1
                    }
                    card::ONEOF => f.oneof,
                    _ => NO_INDEX,
                };
            }
            d.hasbits = hasbits;
            d.oneof_offset = 4 * hasbits.div_ceil(32);
            let mut at = align8(d.oneof_offset + 4 * d.oneof_count);
            d.unknown_slot = at;
            at += 8;
            for size in [8, 4, 1] {
                for f in d.fields.iter_mut().filter(|f| f.slot_size() == size) {
                    f.slot = at;
                    at += size as u32;
                }
            }
            d.record_size = align8(at.max(8));
        }

        let mut strings = Vec::new();
        let mut string = |s: &str| {
            let at = strings.len() as u32;
            strings.extend_from_slice(s.as_bytes());
            (at, s.len() as u32)
        };
        let mut msg_bytes = Vec::new();
        let mut field_bytes = Vec::new();
        let mut first_field = 0u32;
        for d in &messages {
            let (no, nl) = string(&d.name);
            for v in [no, nl, first_field, d.fields.len() as u32, d.record_size, d.hasbits, d.oneof_count] {
                msg_bytes.extend_from_slice(&v.to_le_bytes());
            }
            for v in [u32::from(d.map_entry), d.unknown_slot, d.oneof_offset] {
                msg_bytes.extend_from_slice(&v.to_le_bytes());
            }
            first_field += d.fields.len() as u32;
            for f in &d.fields {
                let (fo, fl) = string(&f.name);
                let (jo, jl) = string(&format!("json{}", f.number));
                field_bytes.extend_from_slice(&f.number.to_le_bytes());
                field_bytes.extend_from_slice(&[f.ty, f.card, f.flags, 0]);
                for v in [f.slot, f.presence, f.type_ref, fo, fl, jo, jl, 0] {
                    field_bytes.extend_from_slice(&v.to_le_bytes());
                }
                field_bytes.extend_from_slice(&0u64.to_le_bytes());
            }
        }
        let mut enum_bytes = Vec::new();
        let mut value_bytes = Vec::new();
        let mut first_value = 0u32;
        for e in &self.enums {
            let (eo, el) = string(&e.name);
            for v in [eo, el, first_value, e.values.len() as u32, u32::from(e.closed), 0] {
                enum_bytes.extend_from_slice(&v.to_le_bytes());
            }
            first_value += e.values.len() as u32;
            for &n in &e.values {
                let (vo, vl) = string(&format!("V{n}"));
                for v in [n as u32, vo, vl, 0] {
                    value_bytes.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        let field_count: usize = messages.iter().map(|d| d.fields.len()).sum();
        let mut bytes = Vec::new();
        for v in [
            u32::from_le_bytes(*b"FST1"),
            1,
            messages.len() as u32,
            field_count as u32,
            self.enums.len() as u32,
            first_value,
            strings.len() as u32,
            0,
        ] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.extend(msg_bytes);
        bytes.extend(field_bytes);
        bytes.extend(enum_bytes);
        bytes.extend(value_bytes);
        bytes.extend(strings);
        Built { bytes, messages, enums: self.enums.clone() }
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written protobuf.

pub fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        if v < 0x80 {
            out.push(v as u8);
            return out;
        }
        out.push((v as u8 & 0x7F) | 0x80);
        v >>= 7;
    }
}

pub fn tag(number: u32, wire_type: u32) -> Vec<u8> {
    varint((u64::from(number) << 3) | u64::from(wire_type))
}

/// A varint field.
pub fn vf(number: u32, v: u64) -> Vec<u8> {
    [tag(number, 0), varint(v)].concat()
}

/// A length-delimited field.
pub fn lf(number: u32, body: &[u8]) -> Vec<u8> {
    [tag(number, 2), varint(body.len() as u64), body.to_vec()].concat()
}

pub fn f32f(number: u32, v: u32) -> Vec<u8> {
    [tag(number, 5), v.to_le_bytes().to_vec()].concat()
}

pub fn f64f(number: u32, v: u64) -> Vec<u8> {
    [tag(number, 1), v.to_le_bytes().to_vec()].concat()
}

/// A group field.
pub fn gf(number: u32, body: &[u8]) -> Vec<u8> {
    [tag(number, 3), body.to_vec(), tag(number, 4)].concat()
}

// ---------------------------------------------------------------------------------------------
// Values, written to and read from arenas.

/// A field value: scalar bits as the slot stores them (zero-extended), bytes, or a sub-message
/// (`None`: a record offset of 0).
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Num(u64),
    Bytes(Vec<u8>),
    Msg(Option<Box<MsgVal>>),
}

/// A message: its set fields by number (one value for singular fields) and its unknown fields,
/// each a whole field as stored.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct MsgVal {
    pub fields: BTreeMap<u32, Vec<Val>>,
    pub unknown: Vec<Vec<u8>>,
}

impl MsgVal {
    pub fn new() -> MsgVal {
        MsgVal::default()
    }

    pub fn with(mut self, number: u32, vals: Vec<Val>) -> MsgVal {
        self.fields.insert(number, vals);
        self
    }

    pub fn num(self, number: u32, v: u64) -> MsgVal {
        self.with(number, vec![Val::Num(v)])
    }

    pub fn bytes(self, number: u32, v: &[u8]) -> MsgVal {
        self.with(number, vec![Val::Bytes(v.to_vec())])
    }

    pub fn msg(self, number: u32, v: MsgVal) -> MsgVal {
        self.with(number, vec![Val::Msg(Some(Box::new(v)))])
    }

    pub fn get(&self, number: u32) -> Option<&Val> {
        self.fields.get(&number).and_then(|v| v.first())
    }

    pub fn child(&self, number: u32) -> &MsgVal {
        match self.get(number) {
            Some(Val::Msg(Some(m))) => m,
            other => panic!("field {number} is not a message: {other:?}"),
        }
    }
}

/// An arena being filled the way a builder would, plus the "input" that views without the arena
/// flag point into.
pub struct ArenaWriter<'b> {
    pub built: &'b Built,
    pub arena: Vec<u8>,
    pub input: Vec<u8>,
    /// Put bytes in the arena (flagged views) rather than in `input`.
    pub bytes_in_arena: bool,
}

impl<'b> ArenaWriter<'b> {
    pub fn new(built: &'b Built, capacity: usize) -> ArenaWriter<'b> {
        let mut arena = vec![0xA5; capacity];
        arena[..16].fill(0);
        arena[0..4].copy_from_slice(&16u32.to_le_bytes());
        arena[4..8].copy_from_slice(&(capacity as u32).to_le_bytes());
        ArenaWriter { built, arena, input: vec![0xEE; 3], bytes_in_arena: false }
    }

    fn used(&self) -> usize {
        u32::from_le_bytes(self.arena[0..4].try_into().unwrap()) as usize
    }

    pub fn alloc(&mut self, size: usize) -> usize {
        let at = self.used();
        let end = at + ((size + 7) & !7);
        assert!(end <= self.arena.len(), "test arena too small");
        self.arena[at..end].fill(0);
        self.arena[0..4].copy_from_slice(&(end as u32).to_le_bytes());
        at
    }

    pub fn put(&mut self, at: usize, bytes: &[u8]) {
        self.arena[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn view(&mut self, bytes: &[u8]) -> u64 {
        let offset = if self.bytes_in_arena {
            let at = self.alloc(bytes.len());
            self.put(at, bytes);
            at as u32 | REF_FLAG
        } else {
            let at = self.input.len() as u32;
            self.input.extend_from_slice(bytes);
            at
        };
        u64::from(offset) | (bytes.len() as u64) << 32
    }

    fn element(&mut self, f: &FieldDef, v: &Val) -> Vec<u8> {
        let size = if f.card == card::REPEATED { element_size(f.ty) } else { f.slot_size() };
        match v {
            Val::Num(n) => n.to_le_bytes()[..size].to_vec(),
            Val::Bytes(b) => self.view(b).to_le_bytes().to_vec(),
            Val::Msg(None) => vec![0; 4],
            Val::Msg(Some(m)) => (self.write(f.type_ref, m) as u32).to_le_bytes().to_vec(),
        }
    }

    /// Writes `v` as a record of message `m`; returns its offset.
    pub fn write(&mut self, m: u32, v: &MsgVal) -> usize {
        let d = self.built.msg(m).clone();
        let record = self.alloc(d.record_size as usize);
        for (&number, vals) in &v.fields {
            let f = d.field(number).clone();
            let slot = record + f.slot as usize;
            if f.card == card::REPEATED {
                let elements: Vec<Vec<u8>> = vals.iter().map(|v| self.element(&f, v)).collect();
                let size = element_size(f.ty);
                let capacity = elements.len() + (number as usize % 3);
                let block = self.alloc(8 + capacity * size);
                self.put(block, &(capacity as u32).to_le_bytes());
                for (i, e) in elements.iter().enumerate() {
                    self.put(block + 8 + i * size, e);
                }
                self.put(slot, &((block + 8) as u32).to_le_bytes());
                self.put(slot + 4, &(elements.len() as u32).to_le_bytes());
            } else {
                assert_eq!(vals.len(), 1, "singular field {number}");
                let e = self.element(&f, &vals[0]);
                self.put(slot, &e);
                match f.card {
                    card::OPTIONAL | card::REQUIRED => {
                        let at = record + 4 * (f.presence / 32) as usize;
                        let word =
                            u32::from_le_bytes(self.arena[at..at + 4].try_into().unwrap()) | 1 << (f.presence % 32);
                        self.put(at, &word.to_le_bytes());
                    }
                    card::ONEOF => {
                        let at = record + d.oneof_offset as usize + 4 * f.presence as usize;
                        self.put(at, &number.to_le_bytes());
                    }
                    _ => {}
                }
            }
        }
        if !v.unknown.is_empty() {
            let views: Vec<u64> = v.unknown.iter().map(|u| self.view(u)).collect();
            let block = self.alloc(8 + 8 * views.len());
            self.put(block, &(views.len() as u32).to_le_bytes());
            for (i, view) in views.iter().enumerate() {
                self.put(block + 8 + 8 * i, &view.to_le_bytes());
            }
            let slot = record + d.unknown_slot as usize;
            self.put(slot, &((block + 8) as u32).to_le_bytes());
            self.put(slot + 4, &(views.len() as u32).to_le_bytes());
        }
        record
    }
}

fn le(b: &[u8], at: usize, size: usize) -> u64 {
    let mut x = [0u8; 8];
    x[..size].copy_from_slice(&b[at..at + size]);
    u64::from_le_bytes(x)
}

pub fn u32_at(b: &[u8], at: usize) -> u32 {
    le(b, at, 4) as u32
}

/// Resolves a view as section 2 says.
pub fn resolve<'x>(arena: &'x [u8], input: &'x [u8], view: u64) -> &'x [u8] {
    let (offset, len) = (view as u32, (view >> 32) as usize);
    if offset & REF_FLAG != 0 {
        let at = (offset & !REF_FLAG) as usize;
        &arena[at..at + len]
    } else {
        &input[offset as usize..offset as usize + len]
    }
}

/// Reads the record at `record` as message `m`: the fields an encoder would consider set.
pub fn read(built: &Built, arena: &[u8], input: &[u8], m: u32, record: usize) -> MsgVal {
    let d = built.msg(m);
    let mut v = MsgVal::new();
    let value = |f: &FieldDef, at: usize| -> Val {
        match f.ty {
            ty::STRING | ty::BYTES => Val::Bytes(resolve(arena, input, le(arena, at, 8)).to_vec()),
            ty::MESSAGE | ty::GROUP => match u32_at(arena, at) {
                0 => Val::Msg(None),
                child => Val::Msg(Some(Box::new(read(built, arena, input, f.type_ref, child as usize)))),
            },
            _ => Val::Num(le(arena, at, element_size(f.ty))),
        }
    };
    for f in &d.fields {
        let slot = record + f.slot as usize;
        if f.card == card::REPEATED {
            let (first, count) = (u32_at(arena, slot) as usize, u32_at(arena, slot + 4) as usize);
            if count > 0 {
                let size = element_size(f.ty);
                v.fields.insert(f.number, (0..count).map(|i| value(f, first + i * size)).collect());
            }
            continue;
        }
        let set = match f.card {
            card::IMPLICIT => match f.ty {
                ty::STRING | ty::BYTES => u32_at(arena, slot + 4) != 0,
                _ => le(arena, slot, f.slot_size()) != 0,
            },
            card::OPTIONAL | card::REQUIRED => {
                u32_at(arena, record + 4 * (f.presence / 32) as usize) & 1 << (f.presence % 32) != 0
            }
            card::ONEOF => u32_at(arena, record + d.oneof_offset as usize + 4 * f.presence as usize) == f.number,
            _ => true,
        };
        if set {
            v.fields.insert(f.number, vec![value(f, slot)]);
        }
    }
    let slot = record + d.unknown_slot as usize;
    let (first, count) = (u32_at(arena, slot) as usize, u32_at(arena, slot + 4) as usize);
    for i in 0..count {
        v.unknown.push(resolve(arena, input, le(arena, first + 8 * i, 8)).to_vec());
    }
    v
}

// ---------------------------------------------------------------------------------------------
// The reference encoder.

fn ref_varint(v: &Val, t: u8) -> u64 {
    let Val::Num(n) = *v else { panic!("not a number") };
    match t {
        ty::INT32 | ty::ENUM => n as u32 as i32 as i64 as u64,
        ty::UINT32 => n as u32 as u64,
        ty::SINT32 => {
            let x = n as u32 as i32;
            ((x << 1) ^ (x >> 31)) as u32 as u64
        }
        ty::SINT64 => {
            let x = n as i64;
            ((x << 1) ^ (x >> 63)) as u64
        }
        ty::BOOL => (n != 0) as u64,
        _ => n,
    }
}

fn ref_value(built: &Built, f: &FieldDef, v: &Val, out: &mut Vec<u8>) {
    match wire_type_of(f.ty) {
        0 => out.extend(varint(ref_varint(v, f.ty))),
        5 => {
            let Val::Num(n) = v else { panic!() };
            out.extend_from_slice(&(*n as u32).to_le_bytes());
        }
        1 => {
            let Val::Num(n) = v else { panic!() };
            out.extend_from_slice(&n.to_le_bytes());
        }
        _ => match v {
            Val::Bytes(b) => {
                out.extend(varint(b.len() as u64));
                out.extend_from_slice(b);
            }
            Val::Msg(m) => {
                let body = m.as_ref().map(|m| ref_encode(built, f.type_ref, m)).unwrap_or_default();
                out.extend(varint(body.len() as u64));
                out.extend(body);
            }
            Val::Num(_) => panic!("a number in a length-delimited field"),
        },
    }
}

fn is_zero(v: &Val) -> bool {
    match v {
        Val::Num(n) => *n == 0,
        Val::Bytes(b) => b.is_empty(),
        Val::Msg(m) => m.is_none(),
    }
}

/// Parses one stored unknown field: (number, wire type, varint value).
pub fn parse_unknown(bytes: &[u8]) -> (u32, u32, u64) {
    let read = |at: &mut usize| {
        let mut v = 0u64;
        for i in 0..10 {
            let b = bytes[*at];
            *at += 1;
            v |= u64::from(b & 0x7F) << (7 * i);
            if b < 0x80 {
                break;
            }
        }
        v
    };
    let mut at = 0;
    let tag = read(&mut at) as u32;
    let value = if tag & 7 == 0 { read(&mut at) } else { 0 };
    (tag >> 3, tag & 7, value)
}

/// Encodes `v` as message `m` the way protobuf-java would, straight from section 4.
pub fn ref_encode(built: &Built, m: u32, v: &MsgVal) -> Vec<u8> {
    let d = built.msg(m);
    let mut out = Vec::new();
    for f in &d.fields {
        let vals = v.fields.get(&f.number);
        if f.card == card::REPEATED {
            let Some(vals) = vals.filter(|v| !v.is_empty()) else { continue };
            if f.packed() {
                let mut body = Vec::new();
                for x in vals {
                    ref_value(built, f, x, &mut body);
                }
                out.extend(tag(f.number, 2));
                out.extend(varint(body.len() as u64));
                out.extend(body);
            } else {
                for x in vals {
                    emit_singular(built, f, x, &mut out);
                }
            }
            continue;
        }
        let zero = match f.ty {
            ty::STRING | ty::BYTES => Val::Bytes(Vec::new()),
            ty::MESSAGE | ty::GROUP => Val::Msg(None),
            _ => Val::Num(0),
        };
        let x = match (f.card, vals.and_then(|v| v.first())) {
            (card::IMPLICIT, Some(x)) if !(is_zero(x)) => x,
            (card::IMPLICIT, _) => continue,
            (card::ALWAYS, x) => x.unwrap_or(&zero),
            // A present message field without a record is not written (only ALWAYS writes it).
            (_, Some(Val::Msg(None))) => continue,
            (_, Some(x)) => x,
            (_, None) => continue,
        };
        emit_singular(built, f, x, &mut out);
    }
    let rank = |w: u32| [0, 2, 3, 4, 9, 1][w as usize];
    let mut unknown: Vec<&Vec<u8>> = v.unknown.iter().collect();
    unknown.sort_by_key(|u| {
        let (n, w, _) = parse_unknown(u);
        (n, rank(w))
    });
    for u in unknown {
        let (n, w, value) = parse_unknown(u);
        if w == 0 {
            out.extend(vf(n, value));
        } else {
            out.extend_from_slice(u);
        }
    }
    out
}

fn emit_singular(built: &Built, f: &FieldDef, x: &Val, out: &mut Vec<u8>) {
    if f.ty == ty::GROUP {
        out.extend(tag(f.number, 3));
        if let Val::Msg(Some(m)) = x {
            out.extend(ref_encode(built, f.type_ref, m));
        }
        out.extend(tag(f.number, 4));
    } else {
        out.extend(tag(f.number, wire_type_of(f.ty)));
        ref_value(built, f, x, out);
    }
}

// ---------------------------------------------------------------------------------------------
// The kitchen-sink schema most tests use.

/// Indexes into the kitchen-sink schema.
pub struct Kitchen {
    pub built: Built,
    pub all: u32,
    pub child: u32,
    pub group: u32,
    pub req: u32,
    pub entry_si: u32,
    pub entry_ic: u32,
    pub entry_ir: u32,
    pub open_enum: u32,
    pub closed_enum: u32,
}

/// Values of the closed enum.
pub const CLOSED_VALUES: [i32; 4] = [-3, 0, 1, 5];

pub fn kitchen() -> Kitchen {
    use card::*;
    use ty::*;
    let mut b = SchemaBuilder::new();
    let all = b.message("t.All");
    let child = b.message("t.Child");
    let group = b.message("t.All.G");
    let req = b.message("t.Req");
    let entry_si = b.map_entry("t.All.M70Entry");
    let entry_ic = b.map_entry("t.All.M71Entry");
    let entry_ir = b.map_entry("t.All.M72Entry");
    let open_enum = b.enumeration("t.E", &[0, 1, 2, -1], false);
    let closed_enum = b.enumeration("t.C", &CLOSED_VALUES, true);

    for (n, t) in [
        (1, INT32),
        (2, INT64),
        (3, UINT32),
        (4, UINT64),
        (5, SINT32),
        (6, SINT64),
        (7, FIXED32),
        (8, FIXED64),
        (9, SFIXED32),
        (10, SFIXED64),
        (11, FLOAT),
        (12, DOUBLE),
        (13, BOOL),
    ] {
        b.scalar(all, n, t, IMPLICIT);
    }
    b.field(all, 14, STRING, IMPLICIT, flag::UTF8, NO_INDEX);
    b.scalar(all, 15, BYTES, IMPLICIT);
    b.field(all, 16, ENUM, IMPLICIT, 0, open_enum);
    b.field(all, 17, MESSAGE, OPTIONAL, 0, child);
    b.scalar(all, 18, INT32, OPTIONAL);
    b.scalar(all, 19, STRING, OPTIONAL); // no UTF-8 check (proto2 string)
    b.field(all, 20, INT32, REPEATED, flag::PACKED, NO_INDEX);
    b.field(all, 21, SINT64, REPEATED, flag::PACKED, NO_INDEX);
    b.field(all, 22, FIXED32, REPEATED, flag::PACKED, NO_INDEX);
    b.field(all, 23, DOUBLE, REPEATED, flag::PACKED, NO_INDEX);
    b.field(all, 24, BOOL, REPEATED, flag::PACKED, NO_INDEX);
    b.field(all, 25, ENUM, REPEATED, flag::PACKED, open_enum);
    b.scalar(all, 30, INT32, REPEATED);
    b.field(all, 31, STRING, REPEATED, flag::UTF8, NO_INDEX);
    b.field(all, 32, MESSAGE, REPEATED, 0, child);
    b.scalar(all, 33, FIXED64, REPEATED);
    let o = b.oneof(all);
    b.oneof_field(all, o, 40, INT32, 0, NO_INDEX);
    b.oneof_field(all, o, 41, STRING, flag::UTF8, NO_INDEX);
    b.oneof_field(all, o, 42, MESSAGE, 0, child);
    b.field(all, 50, ENUM, OPTIONAL, flag::CLOSED, closed_enum);
    b.field(all, 51, ENUM, REPEATED, flag::CLOSED | flag::PACKED, closed_enum);
    b.field(all, 52, ENUM, REPEATED, flag::CLOSED, closed_enum);
    b.field(all, 60, GROUP, OPTIONAL, 0, group);
    b.field(all, 61, GROUP, REPEATED, 0, group);
    b.field(all, 70, MESSAGE, REPEATED, flag::MAP, entry_si);
    b.field(all, 71, MESSAGE, REPEATED, flag::MAP, entry_ic);
    b.field(all, 72, MESSAGE, REPEATED, flag::MAP, entry_ir);
    b.field(all, 80, MESSAGE, OPTIONAL, 0, req);
    b.scalar(all, 1000, SINT32, IMPLICIT);
    b.scalar(all, 536_870_911, UINT64, OPTIONAL);

    b.scalar(child, 1, INT32, IMPLICIT);
    b.field(child, 2, STRING, IMPLICIT, flag::UTF8, NO_INDEX);
    b.field(child, 3, MESSAGE, REPEATED, 0, child);
    b.field(child, 4, MESSAGE, OPTIONAL, 0, child);
    b.scalar(child, 5, INT32, REPEATED);
    b.field(child, 6, GROUP, OPTIONAL, 0, group);

    b.scalar(group, 1, INT32, OPTIONAL);
    b.scalar(group, 2, INT32, REPEATED);
    b.field(group, 3, GROUP, OPTIONAL, 0, group);

    b.scalar(req, 1, INT32, REQUIRED);
    b.field(req, 2, MESSAGE, OPTIONAL, 0, req);
    b.field(req, 3, MESSAGE, REPEATED, 0, req);
    b.scalar(req, 4, STRING, REQUIRED);

    b.scalar(entry_si, 1, STRING, ALWAYS);
    b.scalar(entry_si, 2, INT32, ALWAYS);
    b.scalar(entry_ic, 1, INT32, ALWAYS);
    b.field(entry_ic, 2, MESSAGE, ALWAYS, 0, child);
    b.scalar(entry_ir, 1, INT32, ALWAYS);
    b.field(entry_ir, 2, MESSAGE, ALWAYS, 0, req);

    Kitchen { built: b.build(), all, child, group, req, entry_si, entry_ic, entry_ir, open_enum, closed_enum }
}

// ---------------------------------------------------------------------------------------------
// Random values (a tiny deterministic generator, seeded by proptest).

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn bits(&mut self, size: usize) -> u64 {
        let v = match self.below(6) {
            0 => 0,
            1 => u64::MAX,
            2 => self.below(300),
            3 => 1 << self.below(64),
            _ => self.next(),
        };
        if size == 8 {
            v
        } else {
            v & 0xFFFF_FFFF
        }
    }

    fn bytes(&mut self) -> Vec<u8> {
        let n = self.below(6) as usize;
        // Valid UTF-8 always (strings are checked on decode): ASCII and a two-byte sequence.
        (0..n).flat_map(|i| if i % 4 == 3 { vec![0xC3, 0xA9] } else { vec![b'a' + (self.below(26) as u8)] }).collect()
    }
}

fn gen_val(built: &Built, f: &FieldDef, rng: &mut Rng, depth: u32) -> Val {
    match f.ty {
        ty::STRING | ty::BYTES => Val::Bytes(rng.bytes()),
        ty::MESSAGE | ty::GROUP => {
            // Builders never leave a map entry or a message with required fields as record 0.
            let target = built.msg(f.type_ref);
            let must = target.map_entry || target.fields.iter().any(|g| g.card == card::REQUIRED);
            if !must && (depth >= 3 || rng.chance(15)) {
                Val::Msg(None)
            } else {
                Val::Msg(Some(Box::new(gen_msg(built, f.type_ref, rng, depth + 1))))
            }
        }
        ty::BOOL => Val::Num(rng.below(2)),
        ty::ENUM => {
            let values = &built.enums[f.type_ref as usize].values;
            if f.flags & flag::CLOSED != 0 || rng.chance(50) {
                Val::Num(u64::from(values[rng.below(values.len() as u64) as usize] as u32))
            } else {
                Val::Num(rng.bits(4))
            }
        }
        _ => Val::Num(rng.bits(element_size(f.ty))),
    }
}

fn gen_unknown(rng: &mut Rng) -> Vec<u8> {
    let number = [90, 91, 92, 1_000_000][rng.below(4) as usize];
    match rng.below(5) {
        0 => {
            // Sometimes non-minimal: a trailing 0x80 0x00 pad.
            let value = rng.bits(8);
            let mut v = vf(number, value);
            if rng.chance(30) && varint(value).len() < 10 {
                let last = v.len() - 1;
                v[last] |= 0x80;
                v.push(0);
            }
            v
        }
        1 => f32f(number, rng.bits(4) as u32),
        2 => f64f(number, rng.bits(8)),
        3 => lf(number, &rng.bytes()),
        _ => gf(number, &[vf(1, 5), gf(2, &f32f(3, 7))].concat()),
    }
}

/// A random message of type `m` that decodes successfully (required fields set, strings UTF-8).
pub fn gen_msg(built: &Built, m: u32, rng: &mut Rng, depth: u32) -> MsgVal {
    let d = built.msg(m);
    let mut v = MsgVal::new();
    let mut oneof_taken = vec![false; d.oneof_count as usize];
    for f in &d.fields {
        // Required fields, and map values whose type has them (absent, they are empty messages
        // missing their required fields), are always set.
        let needed = f.card == card::REQUIRED
            || (f.card == card::ALWAYS
                && is_message(f.ty)
                && built.msg(f.type_ref).fields.iter().any(|g| g.card == card::REQUIRED));
        if needed {
            v.fields.insert(f.number, vec![gen_val(built, f, rng, depth)]);
            continue;
        }
        if !rng.chance(55) {
            continue;
        }
        if is_message(f.ty) && depth >= 3 && f.card != card::ALWAYS {
            continue;
        }
        match f.card {
            card::REPEATED => {
                let n = rng.below(if depth >= 2 { 2 } else { 5 });
                let vals = (0..n).map(|_| gen_val(built, f, rng, depth)).collect();
                v.fields.insert(f.number, vals);
            }
            card::ONEOF => {
                if !oneof_taken[f.presence as usize] {
                    oneof_taken[f.presence as usize] = true;
                    v.fields.insert(f.number, vec![gen_val(built, f, rng, depth)]);
                }
            }
            _ => {
                v.fields.insert(f.number, vec![gen_val(built, f, rng, depth)]);
            }
        }
    }
    for _ in 0..rng.below(3).saturating_sub(1) {
        v.unknown.push(gen_unknown(rng));
    }
    v
}

/// An empty arena of `capacity` bytes, its unused part filled with junk.
pub fn arena(capacity: usize) -> Vec<u8> {
    let mut a = vec![0x5A; capacity];
    a[..16].fill(0);
    a[0..4].copy_from_slice(&16u32.to_le_bytes());
    a[4..8].copy_from_slice(&(capacity as u32).to_le_bytes());
    a
}
