//! Arena records read back into plain values, from the layout rules of `docs/message-layout.md`
//! (sections 1 and 2), independently of the engine's own schema tables.
//!
//! The tree holds what the encoder writes (section 4), so the round-trip invariant can be stated
//! as plain equality: a field appears when it would be encoded, and unknown fields are kept in
//! encode order, unknown varints by value (the encoder rewrites them minimally).

/// The parts of a compiled schema a record reader needs.
#[derive(Debug)]
pub struct Layout {
    messages: Vec<MessageLayout>,
}

#[derive(Debug)]
struct MessageLayout {
    fields: Vec<FieldLayout>,
    oneof_offset: u32,
    unknown_slot: u32,
}

#[derive(Debug, Clone, Copy)]
struct FieldLayout {
    number: u32,
    ty: u8,
    card: u8,
    slot: u32,
    presence: u32,
    type_ref: u32,
}

const TYPE_BOOL: u8 = 8;
const TYPE_STRING: u8 = 9;
const TYPE_GROUP: u8 = 10;
const TYPE_MESSAGE: u8 = 11;
const TYPE_BYTES: u8 = 12;

const IMPLICIT: u8 = 0;
const OPTIONAL: u8 = 1;
const REQUIRED: u8 = 2;
const REPEATED: u8 = 3;
const ONEOF: u8 = 4;
const ALWAYS: u8 = 5;

const REF_FLAG: u32 = 1 << 31;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl Layout {
    /// Reads the message and field tables of a compiled schema the engine has accepted.
    pub fn parse(schema: &[u8]) -> Layout {
        let message_count = u32_at(schema, 8) as usize;
        let fields_at = 32 + 40 * message_count;
        let messages = (0..message_count)
            .map(|m| {
                let e = 32 + 40 * m;
                let first = u32_at(schema, e + 8) as usize;
                let count = u32_at(schema, e + 12) as usize;
                let fields = (first..first + count)
                    .map(|f| {
                        let f = fields_at + 48 * f;
                        FieldLayout {
                            number: u32_at(schema, f),
                            ty: schema[f + 4],
                            card: schema[f + 5],
                            slot: u32_at(schema, f + 8),
                            presence: u32_at(schema, f + 12),
                            type_ref: u32_at(schema, f + 16),
                        }
                    })
                    .collect();
                MessageLayout { fields, unknown_slot: u32_at(schema, e + 32), oneof_offset: u32_at(schema, e + 36) }
            })
            .collect();
        Layout { messages }
    }
}

/// One message's fields as the encoder would write them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tree {
    /// Present fields in field number order, each with its values (one for a singular field).
    pub fields: Vec<(u32, Vec<Value>)>,
    /// Unknown fields, stably sorted as the encoder writes them.
    pub unknown: Vec<Unknown>,
}

/// One field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A numeric slot's bits (BOOL 0 or 1, 32-bit types zero-extended).
    Number(u64),
    /// STRING or BYTES contents.
    Bytes(Vec<u8>),
    /// A sub-message.
    Message(Tree),
}

/// One unknown field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// A varint field: number and value.
    Varint(u32, u64),
    /// Any other wire type: number, wire type and the field's bytes, tag included.
    Raw(u32, u32, Vec<u8>),
}

impl Unknown {
    /// The encoder's sort key: number, then varint, fixed32, fixed64, length-delimited, group.
    fn order(&self) -> (u32, u32) {
        match self {
            Unknown::Varint(n, _) => (*n, 0),
            Unknown::Raw(n, wire, _) => (*n, [9, 2, 3, 4, 9, 1, 9, 9][*wire as usize & 7]),
        }
    }
}

/// A varint at the front of `b`: value (all 64 bits) and length.
fn varint(b: &[u8]) -> (u64, usize) {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    panic!("an unknown field the decoder kept starts with a malformed varint: {b:?}");
}

/// Reads records of a decoded arena.
pub struct Reader<'a> {
    /// The schema's layout.
    pub layout: &'a Layout,
    /// The arena (its used part).
    pub arena: &'a [u8],
    /// The input the arena was decoded from, at base offset 0.
    pub input: &'a [u8],
}

impl Reader<'_> {
    /// The record of type `message` at arena offset `record`.
    pub fn read(&self, message: u32, record: u32) -> Tree {
        let m = &self.layout.messages[message as usize];
        let rec = record as usize;
        let mut tree = Tree::default();
        for f in &m.fields {
            let slot = rec + f.slot as usize;
            let values = if f.card == REPEATED {
                let (first, count) = (u32_at(self.arena, slot) as usize, u32_at(self.arena, slot + 4) as usize);
                let size = element_size(f.ty);
                (0..count).map(|i| self.element(f, first + i * size, true)).collect()
            } else {
                let present = match f.card {
                    IMPLICIT => !self.is_zero(f, slot),
                    OPTIONAL | REQUIRED => {
                        let word = u32_at(self.arena, rec + 4 * (f.presence as usize / 32));
                        word & (1 << (f.presence % 32)) != 0 && !(is_message(f.ty) && u32_at(self.arena, slot) == 0)
                    }
                    ONEOF => {
                        u32_at(self.arena, rec + m.oneof_offset as usize + 4 * f.presence as usize) == f.number
                            && !(is_message(f.ty) && u32_at(self.arena, slot) == 0)
                    }
                    ALWAYS => true,
                    other => panic!("cardinality {other}"),
                };
                if present {
                    vec![self.element(f, slot, f.card == ALWAYS)]
                } else {
                    Vec::new()
                }
            };
            if !values.is_empty() {
                tree.fields.push((f.number, values));
            }
        }
        let slot = rec + m.unknown_slot as usize;
        let (first, count) = (u32_at(self.arena, slot) as usize, u32_at(self.arena, slot + 4) as usize);
        for i in 0..count {
            let bytes = self.view(u64_at(self.arena, first + 8 * i));
            let (tag, tag_len) = varint(bytes);
            let (number, wire) = ((tag as u32) >> 3, tag as u32 & 7);
            tree.unknown.push(if wire == 0 {
                Unknown::Varint(number, varint(&bytes[tag_len..]).0)
            } else {
                Unknown::Raw(number, wire, bytes.to_vec())
            });
        }
        tree.unknown.sort_by_key(Unknown::order);
        tree
    }

    /// The value at arena index `at`; `empty_if_absent` turns a 0 message ref into an empty message.
    fn element(&self, f: &FieldLayout, at: usize, empty_if_absent: bool) -> Value {
        match f.ty {
            TYPE_STRING | TYPE_BYTES => Value::Bytes(self.view(u64_at(self.arena, at)).to_vec()),
            TYPE_MESSAGE | TYPE_GROUP => {
                let child = u32_at(self.arena, at);
                if child == 0 {
                    assert!(empty_if_absent, "field {} refers to no record", f.number);
                    Value::Message(Tree::default())
                } else {
                    Value::Message(self.read(f.type_ref, child))
                }
            }
            ty => Value::Number(match element_size(ty) {
                8 => u64_at(self.arena, at),
                4 => u64::from(u32_at(self.arena, at)),
                _ => u64::from(self.arena[at]),
            }),
        }
    }

    fn is_zero(&self, f: &FieldLayout, slot: usize) -> bool {
        match f.ty {
            TYPE_STRING | TYPE_BYTES => u32_at(self.arena, slot + 4) == 0,
            ty => self.arena[slot..slot + element_size(ty)].iter().all(|&b| b == 0),
        }
    }

    /// The bytes a `(offset, length)` view names.
    fn view(&self, view: u64) -> &[u8] {
        let (offset, len) = (view as u32, (view >> 32) as usize);
        if offset & REF_FLAG != 0 {
            let at = (offset & !REF_FLAG) as usize;
            &self.arena[at..at + len]
        } else {
            &self.input[offset as usize..offset as usize + len]
        }
    }
}

fn is_message(ty: u8) -> bool {
    ty == TYPE_MESSAGE || ty == TYPE_GROUP
}

fn element_size(ty: u8) -> usize {
    match ty {
        1 | 3 | 4 | 6 | 16 | 18 | TYPE_STRING | TYPE_BYTES => 8,
        TYPE_BOOL => 1,
        _ => 4,
    }
}
