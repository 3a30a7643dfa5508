//! The compiled schema (`docs/message-layout.md`, section 1): parsing, validation, and the tables
//! the codec runs on.

use core::fmt;

use super::wire::{self, MAX_FIELD_NUMBER};
use crate::abi::{self, ErrorCode};

const HEADER_LENGTH: usize = abi::SCHEMA_HEADER_LENGTH as usize;
const MESSAGE_LENGTH: usize = abi::SCHEMA_MESSAGE_LENGTH as usize;
const FIELD_LENGTH: usize = abi::SCHEMA_FIELD_LENGTH as usize;
const ENUM_LENGTH: usize = abi::SCHEMA_ENUM_LENGTH as usize;
const ENUM_VALUE_LENGTH: usize = abi::SCHEMA_ENUM_VALUE_LENGTH as usize;
const NO_INDEX: u32 = abi::NO_INDEX;

/// Field entry flag bits.
const FLAG_PACKED: u8 = 1;
const FLAG_VALIDATE_UTF8: u8 = 2;
const FLAG_CLOSED_ENUM: u8 = 4;
const FLAG_HAS_DEFAULT: u8 = 8;

/// Message entry flag bit 0.
const MESSAGE_MAP_ENTRY: u32 = 1;

/// Fields numbered below this (and below `4 × count + 32`) are found through a dense table.
const DENSE_LIMIT: u32 = 1024;

/// A field's type, numbered as `FieldDescriptorProto.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)] // the names are protobuf's own
pub enum FieldType {
    Double = 1,
    Float = 2,
    Int64 = 3,
    Uint64 = 4,
    Int32 = 5,
    Fixed64 = 6,
    Fixed32 = 7,
    Bool = 8,
    String = 9,
    Group = 10,
    Message = 11,
    Bytes = 12,
    Uint32 = 13,
    Enum = 14,
    Sfixed32 = 15,
    Sfixed64 = 16,
    Sint32 = 17,
    Sint64 = 18,
}

impl FieldType {
    /// The type with this `FieldDescriptorProto.Type` number.
    pub const fn from_number(n: u8) -> Option<FieldType> {
        use FieldType::*;
        Some(match n {
            1 => Double,
            2 => Float,
            3 => Int64,
            4 => Uint64,
            5 => Int32,
            6 => Fixed64,
            7 => Fixed32,
            8 => Bool,
            9 => String,
            10 => Group,
            11 => Message,
            12 => Bytes,
            13 => Uint32,
            14 => Enum,
            15 => Sfixed32,
            16 => Sfixed64,
            17 => Sint32,
            18 => Sint64,
            _ => return None,
        })
    }

    /// The wire type a value of this type is written with (a GROUP's is START_GROUP).
    pub const fn wire_type(self) -> u32 {
        use FieldType::*;
        match self {
            Double | Fixed64 | Sfixed64 => wire::FIXED64,
            Float | Fixed32 | Sfixed32 => wire::FIXED32,
            String | Bytes | Message => wire::LEN,
            Group => wire::START_GROUP,
            Int64 | Uint64 | Int32 | Bool | Uint32 | Enum | Sint32 | Sint64 => wire::VARINT,
        }
    }

    /// Whether a repeated field of this type can be packed: every numeric type, BOOL and ENUM.
    pub const fn is_packable(self) -> bool {
        !matches!(self, FieldType::String | FieldType::Bytes | FieldType::Message | FieldType::Group)
    }

    /// Whether values of this type are records: MESSAGE and GROUP.
    pub const fn is_message(self) -> bool {
        matches!(self, FieldType::Message | FieldType::Group)
    }

    /// Bytes of one value in a record slot or array element (section 2).
    pub const fn element_size(self) -> usize {
        use FieldType::*;
        match self {
            Double | Int64 | Uint64 | Fixed64 | Sfixed64 | Sint64 | String | Bytes => 8,
            Float | Int32 | Uint32 | Fixed32 | Sfixed32 | Sint32 | Enum | Message | Group => 4,
            Bool => 1,
        }
    }
}

/// A field's cardinality: how presence is tracked and when it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cardinality {
    /// Singular without presence (proto3 plain fields): written when not zero.
    Implicit = 0,
    /// Singular with a hasbit.
    Optional = 1,
    /// Proto2 required: a hasbit, checked after decoding.
    Required = 2,
    /// Repeated: an array in the arena.
    Repeated = 3,
    /// A member of a oneof: written when the oneof's case word names it.
    Oneof = 4,
    /// A map entry's key or value: always written.
    Always = 5,
}

impl Cardinality {
    /// The cardinality with this number.
    pub const fn from_number(n: u8) -> Option<Cardinality> {
        Some(match n {
            0 => Cardinality::Implicit,
            1 => Cardinality::Optional,
            2 => Cardinality::Required,
            3 => Cardinality::Repeated,
            4 => Cardinality::Oneof,
            5 => Cardinality::Always,
            _ => return None,
        })
    }
}

/// Why a compiled schema was refused (`SCHEMA_INVALID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// Byte offset in the compiled schema of the entry (or header field) at fault.
    pub offset: usize,
    /// What is wrong, in a few words.
    pub reason: &'static str,
}

impl SchemaError {
    /// Always `SCHEMA_INVALID`.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::SchemaInvalid
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::code_name(f, self.code())?;
        write!(f, ": compiled schema byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for SchemaError {}

/// One field, unpacked from its entry. Flags that do not apply to the field's type and
/// cardinality are cleared, so the codec can test them alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) number: u32,
    pub(crate) ty: FieldType,
    pub(crate) card: Cardinality,
    /// Written packed (a repeated packable field with PACKED).
    pub(crate) packed: bool,
    /// Decoding checks UTF-8 (a STRING with VALIDATE_UTF8).
    pub(crate) validate_utf8: bool,
    /// Unknown enum numbers go to unknown fields (an ENUM with CLOSED_ENUM).
    pub(crate) closed_enum: bool,
    pub(crate) slot: u32,
    pub(crate) presence: u32,
    pub(crate) type_ref: u32,
}

impl Field {
    /// Bytes of the field's slot in its record.
    pub(crate) fn slot_size(&self) -> usize {
        if self.card == Cardinality::Repeated {
            8
        } else {
            self.ty.element_size()
        }
    }
}

/// One message, unpacked from its entry, with its field lookup table.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) name: (u32, u32),
    /// Index of its first field in [`Schema::fields`].
    pub(crate) first_field: u32,
    pub(crate) field_count: u32,
    pub(crate) record_size: u32,
    pub(crate) oneof_offset: u32,
    pub(crate) unknown_slot: u32,
    pub(crate) map_entry: bool,
    /// Some field is REQUIRED.
    pub(crate) has_required: bool,
    /// Some record reachable from this one (itself included) may miss a required field.
    pub(crate) check_required: bool,
    /// `dense[n]` is the local index of field number `n`, or `NO_INDEX`.
    dense: Box<[u32]>,
}

/// A validated compiled schema: the tables [`decode`](super::decode) and
/// [`encode`](super::encode) run on. Immutable and `Sync`; share it between threads freely.
#[derive(Debug, Clone)]
pub struct Schema {
    bytes: Box<[u8]>,
    strings_at: usize,
    pub(crate) messages: Vec<Message>,
    pub(crate) fields: Vec<Field>,
    /// The value numbers of each enum, sorted.
    enum_values: Vec<Box<[i32]>>,
    enum_names: Vec<(u32, u32)>,
}

/// Little-endian reads from a slice already known to be long enough (a bug panics, never UB).
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl Schema {
    /// Parses and validates a compiled schema, copying what it keeps.
    ///
    /// Refuses, with the offset of the entry at fault: a wrong magic or version, sections that do
    /// not add up to exactly the schema's length, string refs outside the strings area, field
    /// ranges outside the field table or overlapping another message's, fields not strictly
    /// ascending by number (or numbered 0 or above 2^29 − 1), unknown types or cardinalities,
    /// IMPLICIT MESSAGE or GROUP fields (section 2 gives every singular sub-message presence), type
    /// refs that do not match the field type, presence indexes that do not match the cardinality
    /// or fall outside the message's hasbits or oneofs, record sizes that are not a positive
    /// multiple of 8, and any slot, hasbit word, oneof case word or unknown-fields slot that falls
    /// outside its record or shares a byte with another. Enum values must be sorted by number.
    pub fn from_compiled(bytes: &[u8]) -> Result<Schema, SchemaError> {
        let fail = |offset: usize, reason: &'static str| Err(SchemaError { offset, reason });
        if bytes.len() < HEADER_LENGTH {
            return fail(0, "shorter than its header");
        }
        if u32_at(bytes, 0) != abi::SCHEMA_MAGIC {
            return fail(0, "bad magic");
        }
        if u32_at(bytes, 4) != abi::SCHEMA_VERSION {
            return fail(4, "unsupported version");
        }
        let message_count = u32_at(bytes, 8) as usize;
        let field_count = u32_at(bytes, 12) as usize;
        let enum_count = u32_at(bytes, 16) as usize;
        let value_count = u32_at(bytes, 20) as usize;
        let strings_length = u32_at(bytes, 24) as usize;

        // u64 arithmetic: five u32-sized sections cannot overflow it.
        let sections = [
            (message_count, MESSAGE_LENGTH),
            (field_count, FIELD_LENGTH),
            (enum_count, ENUM_LENGTH),
            (value_count, ENUM_VALUE_LENGTH),
            (strings_length, 1),
        ];
        let mut starts = [0usize; 5];
        let mut at = HEADER_LENGTH as u64;
        for (start, (count, size)) in starts.iter_mut().zip(sections) {
            *start = at.min(bytes.len() as u64) as usize;
            at += count as u64 * size as u64;
        }
        if at != bytes.len() as u64 {
            return fail(8, "sections do not add up to the schema's length");
        }
        let [messages_at, fields_at, enums_at, values_at, strings_at] = starts;

        let string_ok = |offset: u32, length: u32| u64::from(offset) + u64::from(length) <= strings_length as u64;

        // Enums first: fields refer to them.
        let mut enum_values = Vec::with_capacity(enum_count);
        let mut enum_names = Vec::with_capacity(enum_count);
        for e in 0..enum_count {
            let at = enums_at + e * ENUM_LENGTH;
            let (name_offset, name_length) = (u32_at(bytes, at), u32_at(bytes, at + 4));
            if !string_ok(name_offset, name_length) {
                return fail(at, "enum name outside the strings area");
            }
            let (first, count) = (u32_at(bytes, at + 8) as usize, u32_at(bytes, at + 12) as usize);
            if first as u64 + count as u64 > value_count as u64 {
                return fail(at + 8, "enum values outside the value table");
            }
            let mut numbers = Vec::with_capacity(count);
            for v in first..first + count {
                let vat = values_at + v * ENUM_VALUE_LENGTH;
                let number = u32_at(bytes, vat) as i32;
                if numbers.last().is_some_and(|&last| last > number) {
                    return fail(vat, "enum values not sorted by number");
                }
                numbers.push(number);
            }
            enum_values.push(numbers.into_boxed_slice());
            enum_names.push((name_offset, name_length));
        }
        for v in 0..value_count {
            let vat = values_at + v * ENUM_VALUE_LENGTH;
            if !string_ok(u32_at(bytes, vat + 4), u32_at(bytes, vat + 8)) {
                return fail(vat + 4, "enum value name outside the strings area");
            }
        }

        // Fields: each one alone. Their fit in a record is checked per message below.
        let mut fields = Vec::with_capacity(field_count);
        for i in 0..field_count {
            let at = fields_at + i * FIELD_LENGTH;
            let number = u32_at(bytes, at);
            if number == 0 || number > MAX_FIELD_NUMBER {
                return fail(at, "field number out of range");
            }
            let Some(ty) = FieldType::from_number(bytes[at + 4]) else {
                return fail(at + 4, "unknown field type");
            };
            let Some(card) = Cardinality::from_number(bytes[at + 5]) else {
                return fail(at + 5, "unknown cardinality");
            };
            // Section 2: a singular sub-message always has presence (a hasbit, a oneof case, or
            // ALWAYS for a map value), never IMPLICIT.
            if ty.is_message() && card == Cardinality::Implicit {
                return fail(at + 5, "a MESSAGE or GROUP field cannot be IMPLICIT");
            }
            let flags = bytes[at + 6];
            let type_ref = u32_at(bytes, at + 16);
            let type_ref_ok = match ty {
                FieldType::Message | FieldType::Group => (type_ref as usize) < message_count,
                FieldType::Enum => (type_ref as usize) < enum_count,
                _ => type_ref == NO_INDEX,
            };
            if !type_ref_ok {
                return fail(at + 16, "type ref does not match the field type");
            }
            if !string_ok(u32_at(bytes, at + 20), u32_at(bytes, at + 24)) {
                return fail(at + 20, "field name outside the strings area");
            }
            if !string_ok(u32_at(bytes, at + 28), u32_at(bytes, at + 32)) {
                return fail(at + 28, "json name outside the strings area");
            }
            if flags & FLAG_HAS_DEFAULT != 0 && matches!(ty, FieldType::String | FieldType::Bytes) {
                let default = u64_at(bytes, at + 40);
                if !string_ok(default as u32, (default >> 32) as u32) {
                    return fail(at + 40, "default outside the strings area");
                }
            }
            let repeated = card == Cardinality::Repeated;
            fields.push(Field {
                number,
                ty,
                card,
                packed: flags & FLAG_PACKED != 0 && repeated && ty.is_packable(),
                validate_utf8: flags & FLAG_VALIDATE_UTF8 != 0 && ty == FieldType::String,
                closed_enum: flags & FLAG_CLOSED_ENUM != 0 && ty == FieldType::Enum,
                slot: u32_at(bytes, at + 8),
                presence: u32_at(bytes, at + 12),
                type_ref,
            });
        }

        // Each field entry belongs to one message at most, which also keeps validation and the
        // tables below linear in the schema's size.
        let mut owned = vec![false; field_count];
        let mut messages = Vec::with_capacity(message_count);
        for m in 0..message_count {
            let at = messages_at + m * MESSAGE_LENGTH;
            let name = (u32_at(bytes, at), u32_at(bytes, at + 4));
            if !string_ok(name.0, name.1) {
                return fail(at, "message name outside the strings area");
            }
            let (first_field, count) = (u32_at(bytes, at + 8), u32_at(bytes, at + 12));
            if u64::from(first_field) + u64::from(count) > field_count as u64 {
                return fail(at + 8, "message fields outside the field table");
            }
            let record_size = u32_at(bytes, at + 16);
            if record_size < 8 || !record_size.is_multiple_of(8) {
                return fail(at + 16, "record size is not a positive multiple of 8");
            }
            let record_size64 = u64::from(record_size);
            let hasbits = u32_at(bytes, at + 20);
            if u64::from(hasbits).div_ceil(32) * 4 > record_size64 {
                return fail(at + 20, "hasbit words outside the record");
            }
            let oneofs = u32_at(bytes, at + 24);
            let oneof_offset = u32_at(bytes, at + 36);
            if oneofs > 0 && u64::from(oneof_offset) + 4 * u64::from(oneofs) > record_size64 {
                return fail(at + 36, "oneof case words outside the record");
            }
            let unknown_slot = u32_at(bytes, at + 32);
            if u64::from(unknown_slot) + 8 > record_size64 {
                return fail(at + 32, "unknown-fields slot outside the record");
            }

            let range = first_field as usize..(first_field + count) as usize;
            if owned[range.clone()].iter().any(|&o| o) {
                return fail(at + 8, "message fields overlap another message's");
            }
            owned[range.clone()].fill(true);
            let own = &fields[range];
            let mut previous = 0;
            for (i, f) in own.iter().enumerate() {
                let fat = fields_at + (first_field as usize + i) * FIELD_LENGTH;
                if f.number <= previous {
                    return fail(fat, "fields not strictly ascending by number");
                }
                previous = f.number;
                if u64::from(f.slot) + f.slot_size() as u64 > record_size64 {
                    return fail(fat + 8, "slot outside the record");
                }
                let presence_ok = match f.card {
                    Cardinality::Optional | Cardinality::Required => f.presence < hasbits,
                    Cardinality::Oneof => f.presence < oneofs,
                    Cardinality::Implicit | Cardinality::Repeated | Cardinality::Always => f.presence == NO_INDEX,
                };
                if !presence_ok {
                    return fail(fat + 12, "presence does not match the cardinality or the record");
                }
            }

            // The hasbit words, oneof case words, unknown-fields slot and field slots must not
            // share a byte: a write to one would corrupt another, e.g. a hasbit landing in an array
            // offset. (Oneof members have slots of their own.) Sorted by start, any overlap shows
            // between neighbours.
            let mut regions: Vec<(u64, u64, usize)> = Vec::with_capacity(own.len() + 3);
            regions.push((0, u64::from(hasbits).div_ceil(32) * 4, at + 20));
            if oneofs > 0 {
                regions.push((u64::from(oneof_offset), u64::from(oneof_offset) + 4 * u64::from(oneofs), at + 36));
            }
            regions.push((u64::from(unknown_slot), u64::from(unknown_slot) + 8, at + 32));
            for (i, f) in own.iter().enumerate() {
                let fat = fields_at + (first_field as usize + i) * FIELD_LENGTH;
                regions.push((u64::from(f.slot), u64::from(f.slot) + f.slot_size() as u64, fat + 8));
            }
            regions.retain(|&(start, end, _)| start < end);
            regions.sort_unstable();
            if let Some(pair) = regions.windows(2).find(|pair| pair[1].0 < pair[0].1) {
                return fail(pair[1].2, "record regions overlap");
            }

            let max_number = own.last().map_or(0, |f| f.number);
            let dense_len = max_number.min(4 * count.min(DENSE_LIMIT) + 32).min(DENSE_LIMIT) as usize + 1;
            let mut dense = vec![NO_INDEX; dense_len].into_boxed_slice();
            for (i, f) in own.iter().enumerate() {
                if let Some(entry) = dense.get_mut(f.number as usize) {
                    *entry = i as u32;
                }
            }
            messages.push(Message {
                name,
                first_field,
                field_count: count,
                record_size,
                oneof_offset,
                unknown_slot,
                map_entry: u32_at(bytes, at + 28) & MESSAGE_MAP_ENTRY != 0,
                has_required: own.iter().any(|f| f.card == Cardinality::Required),
                check_required: false,
                dense,
            });
        }

        // check_required: messages that reach a REQUIRED field, through the reverse type graph.
        let mut referrers: Vec<Vec<u32>> = vec![Vec::new(); message_count];
        for (m, message) in messages.iter().enumerate() {
            for f in &fields[message.first_field as usize..(message.first_field + message.field_count) as usize] {
                if f.ty.is_message() {
                    referrers[f.type_ref as usize].push(m as u32);
                }
            }
        }
        let mut queue: Vec<u32> = (0..message_count as u32).filter(|&m| messages[m as usize].has_required).collect();
        for &m in &queue {
            messages[m as usize].check_required = true;
        }
        while let Some(m) = queue.pop() {
            for &r in &referrers[m as usize] {
                if !messages[r as usize].check_required {
                    messages[r as usize].check_required = true;
                    queue.push(r);
                }
            }
        }

        Ok(Schema { bytes: bytes.into(), strings_at, messages, fields, enum_values, enum_names })
    }

    /// Number of message types.
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// Number of enum types.
    pub fn enum_count(&self) -> usize {
        self.enum_values.len()
    }

    fn string(&self, (offset, length): (u32, u32)) -> &[u8] {
        let start = self.strings_at + offset as usize;
        &self.bytes[start..start + length as usize]
    }

    /// The full name of message `message` (e.g. `opentelemetry.proto.trace.v1.Span`), if it is
    /// UTF-8.
    pub fn message_name(&self, message: u32) -> Option<&str> {
        let m = self.messages.get(message as usize)?;
        core::str::from_utf8(self.string(m.name)).ok()
    }

    /// The index of the message with this full name (a leading `.` is ignored).
    pub fn message_index(&self, full_name: &str) -> Option<u32> {
        let name = full_name.strip_prefix('.').unwrap_or(full_name).as_bytes();
        self.messages.iter().position(|m| self.string(m.name) == name).map(|i| i as u32)
    }

    /// The full name of enum `index`, if it is UTF-8.
    pub fn enum_name(&self, index: u32) -> Option<&str> {
        let name = *self.enum_names.get(index as usize)?;
        core::str::from_utf8(self.string(name)).ok()
    }

    /// Record size in bytes of message `message`.
    pub fn record_size(&self, message: u32) -> Option<u32> {
        self.messages.get(message as usize).map(|m| m.record_size)
    }

    /// Whether message `message` is a synthesized map entry.
    pub fn is_map_entry(&self, message: u32) -> Option<bool> {
        self.messages.get(message as usize).map(|m| m.map_entry)
    }

    /// The fields of message `m` (which must exist), sorted by number.
    pub(crate) fn fields_of(&self, m: &Message) -> &[Field] {
        &self.fields[m.first_field as usize..(m.first_field + m.field_count) as usize]
    }

    /// The field of `m` with this number.
    #[inline]
    pub(crate) fn find_field<'s>(&'s self, m: &Message, number: u32) -> Option<&'s Field> {
        let own = self.fields_of(m);
        match m.dense.get(number as usize) {
            Some(&i) => own.get(i as usize),
            None => own.binary_search_by_key(&number, |f| f.number).ok().map(|i| &own[i]),
        }
    }

    /// Whether enum `e` has a value numbered `number`.
    #[inline]
    pub(crate) fn enum_has(&self, e: u32, number: i32) -> bool {
        self.enum_values.get(e as usize).is_some_and(|values| values.binary_search(&number).is_ok())
    }
}
