//! The decoder (`docs/message-layout.md`, section 3): one loop over the input, driven by the
//! schema's tables, with an explicit stack of open messages instead of recursion, so no input can
//! exhaust the native stack whatever the depth limit.

use core::fmt;

use super::arena::ArenaMut;
use super::schema::{Cardinality, Field, FieldType, Message, Schema};
use super::wire::{self, read_varint, unzigzag32, unzigzag64, VarintError, MAX_LENGTH};
use super::PathEntry;
use crate::abi;
use crate::ErrorCode;

/// Input offsets in views are 31-bit (bit 31 is `ARENA_REF_FLAG`).
pub(crate) const MAX_INPUT_END: u64 = i32::MAX as u64;

/// Why [`decode`] failed. The arena's `used` is as it was before the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What went wrong.
    pub code: ErrorCode,
    /// Absolute input offset (`base_offset` + index) of the item at fault, as section 3 defines it
    /// per code; 0 for argument errors and for an arena too small for the root record.
    pub offset: u64,
    /// The fields being decoded, from the root down (section 3). Empty for argument errors.
    pub path: Vec<PathEntry>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::code_name(f, self.code)?;
        write!(f, " at input offset {}, field path ", self.offset)?;
        super::fmt_path(f, &self.path)
    }
}

impl std::error::Error for DecodeError {}

/// A message being decoded.
#[derive(Debug, Clone, Copy)]
struct Frame {
    msg: u32,
    record: u32,
    /// Where its bytes end (for a group, its parent's end).
    end: usize,
    /// The group's field number, or 0 for a length-delimited message (and the root).
    group: u32,
    /// The tag that opened it, where a group cut short is reported.
    tag_start: usize,
    /// The field that holds it in its parent (unused for the root).
    entry: PathEntry,
}

/// A record visited by the required-field check.
#[derive(Debug, Clone, Copy)]
struct Visit {
    msg: u32,
    record: u32,
    /// Local index of the next field to descend into, or `NOT_STARTED` before the record's own
    /// REQUIRED fields are checked.
    field: u32,
    /// Elements of that field already visited.
    element: u32,
    entry: PathEntry,
}

/// `Visit::field` of a record whose own fields are not checked yet.
const NOT_STARTED: u32 = u32::MAX;

/// Reusable scratch for [`decode`]: keep one per thread to decode without allocating once its
/// vectors have grown to the depths and shapes seen.
#[derive(Debug, Default)]
pub struct Decoder {
    frames: Vec<Frame>,
    /// Open unknown groups: field number, tag offset (inputs are under 2^31 bytes).
    groups: Vec<(u32, u32)>,
    /// Records of messages with required fields, with the absolute offset of their first byte.
    starts: Vec<(u32, u64)>,
    visits: Vec<Visit>,
}

/// Decodes one message of type `message` from `input` into `arena` with a fresh [`Decoder`];
/// see [`Decoder::decode`].
pub fn decode(
    schema: &Schema,
    message: u32,
    input: &[u8],
    base_offset: u64,
    arena: &mut [u8],
    max_depth: u32,
) -> Result<u32, DecodeError> {
    Decoder::new().decode(schema, message, input, base_offset, arena, max_depth)
}

impl Decoder {
    /// A decoder with empty scratch.
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decodes one message of type `message` (a schema message index) from the whole of `input`
    /// into `arena`, and returns the arena offset of its root record.
    ///
    /// `base_offset` is the index of `input[0]` in the caller's buffer: views in the records and
    /// error offsets are absolute. `arena` must start with a valid header (see
    /// [`init_arena`](super::init_arena)); its length is its capacity. Sub-messages and groups
    /// nested deeper than `max_depth` (the root is depth 0) are `PROTO_DEPTH_EXCEEDED`.
    ///
    /// `INVALID_ARGUMENT` (offset 0, empty path): `message` is not in the schema, the arena header
    /// is unusable, or `base_offset + input.len()` is above 2^31 − 1. On any error the arena's
    /// `used` is left as it was.
    pub fn decode(
        &mut self,
        schema: &Schema,
        message: u32,
        input: &[u8],
        base_offset: u64,
        arena: &mut [u8],
        max_depth: u32,
    ) -> Result<u32, DecodeError> {
        let invalid = || DecodeError { code: ErrorCode::InvalidArgument, offset: 0, path: Vec::new() };
        if message as usize >= schema.messages.len() {
            return Err(invalid());
        }
        if base_offset.checked_add(input.len() as u64).is_none_or(|end| end > MAX_INPUT_END) {
            return Err(invalid());
        }
        let Some(arena) = ArenaMut::open(arena) else {
            return Err(invalid());
        };
        self.frames.clear();
        self.groups.clear();
        self.starts.clear();
        self.visits.clear();
        let mut run = Run { schema, input, base: base_offset, arena, max_depth, d: self };
        let root = run.message(message)?;
        run.check_required(message, root)?;
        run.arena.commit();
        Ok(root)
    }
}

/// One decode call.
struct Run<'r, 'a> {
    schema: &'r Schema,
    input: &'r [u8],
    base: u64,
    arena: ArenaMut<'a>,
    max_depth: u32,
    d: &'r mut Decoder,
}

fn varint_code(e: VarintError) -> ErrorCode {
    match e {
        VarintError::Truncated => ErrorCode::ProtoTruncated,
        VarintError::Malformed => ErrorCode::ProtoMalformedVarint,
    }
}

/// Where a varint error is reported: a truncated value at the tag of its field, a malformed one
/// at its own first byte.
fn varint_at(e: VarintError, tag_start: usize, value_start: usize) -> usize {
    match e {
        VarintError::Truncated => tag_start,
        VarintError::Malformed => value_start,
    }
}

/// A varint value as its slot stores it (section 3, "varint types").
#[inline]
fn from_varint(ty: FieldType, v: u64) -> u64 {
    match ty {
        FieldType::Int32 | FieldType::Uint32 | FieldType::Enum => u64::from(v as u32),
        FieldType::Sint32 => u64::from(unzigzag32(v as u32)),
        FieldType::Sint64 => unzigzag64(v),
        FieldType::Bool => u64::from(v != 0),
        _ => v,
    }
}

fn le32(b: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes")))
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl Run<'_, '_> {
    /// An error at input index `at`, with the path of the open messages plus `field`.
    fn error(&self, code: ErrorCode, at: usize, field: Option<PathEntry>) -> DecodeError {
        let mut path: Vec<PathEntry> = self.d.frames.iter().skip(1).map(|f| f.entry).collect();
        path.extend(field);
        DecodeError { code, offset: self.base + at as u64, path }
    }

    /// The path entry of `f` in `record`: for a repeated field, the index its next element gets.
    fn entry(&self, record: u32, f: &Field) -> PathEntry {
        if f.card == Cardinality::Repeated {
            PathEntry::element(f.number, self.arena.u32(record as usize + f.slot as usize + 4))
        } else {
            PathEntry::singular(f.number)
        }
    }

    fn field_error(&self, code: ErrorCode, at: usize, record: u32, f: &Field) -> DecodeError {
        self.error(code, at, Some(self.entry(record, f)))
    }

    /// Decodes the whole input as message `message`; returns its root record.
    fn message(&mut self, message: u32) -> Result<u32, DecodeError> {
        let schema = self.schema;
        let input = self.input;
        let m = &schema.messages[message as usize];
        let root = self.arena.alloc(m.record_size as usize).ok_or(DecodeError {
            code: ErrorCode::ArenaExhausted,
            offset: 0,
            path: Vec::new(),
        })?;
        if m.check_required {
            self.d.starts.push((root, self.base));
        }
        self.d.frames.push(Frame {
            msg: message,
            record: root,
            end: input.len(),
            group: 0,
            tag_start: 0,
            entry: PathEntry::singular(0),
        });

        let mut pos = 0;
        loop {
            let top = *self.d.frames.last().expect("the root frame stays");
            if pos >= top.end {
                if top.group != 0 {
                    // The group's own path entry is the last one: the field cut short.
                    return Err(self.error(ErrorCode::ProtoTruncated, top.tag_start, None));
                }
                if self.d.frames.len() == 1 {
                    return Ok(root);
                }
                self.d.frames.pop();
                continue;
            }

            let tag_start = pos;
            let tag = match read_varint(input, &mut pos, top.end) {
                Ok(tag) => tag as u32,
                Err(e) => return Err(self.error(varint_code(e), tag_start, None)),
            };
            let number = tag >> 3;
            let wire_type = tag & 7;
            if number == 0 {
                return Err(self.error(ErrorCode::ProtoInvalidTag, tag_start, None));
            }
            if wire_type == wire::END_GROUP {
                if top.group == number {
                    self.d.frames.pop();
                    continue;
                }
                return Err(self.error(ErrorCode::ProtoInvalidWireType, tag_start, None));
            }
            if wire_type > wire::FIXED32 {
                return Err(self.error(ErrorCode::ProtoInvalidWireType, tag_start, None));
            }

            let m = &schema.messages[top.msg as usize];
            match schema.find_field(m, number) {
                Some(f)
                    if wire_type == f.ty.wire_type()
                        || (wire_type == wire::LEN && f.card == Cardinality::Repeated && f.ty.is_packable()) =>
                {
                    pos = self.known(&top, m, f, wire_type, tag_start, pos)?;
                }
                _ => {
                    pos = self.skip(wire_type, number, tag_start, pos, top.end)?;
                    self.unknown(&top, m, tag_start, pos, Some(PathEntry::singular(number)))?;
                }
            }
        }
    }

    /// Decodes the value of known field `f` (its tag, at `tag_start`, already read; its value at
    /// `pos`) into `top`'s record; returns the position after it.
    fn known(
        &mut self,
        top: &Frame,
        m: &Message,
        f: &Field,
        wire_type: u32,
        tag_start: usize,
        mut pos: usize,
    ) -> Result<usize, DecodeError> {
        let input = self.input;
        let end = top.end;
        match wire_type {
            wire::VARINT => {
                let value_start = pos;
                let v = read_varint(input, &mut pos, end).map_err(|e| {
                    self.field_error(varint_code(e), varint_at(e, tag_start, value_start), top.record, f)
                })?;
                let value = from_varint(f.ty, v);
                if f.closed_enum && !self.schema.enum_has(f.type_ref, value as u32 as i32) {
                    self.unknown(top, m, tag_start, pos, Some(self.entry(top.record, f)))?;
                } else {
                    self.store(top, m, f, value, tag_start)?;
                }
            }
            wire::FIXED32 | wire::FIXED64 => {
                let size = if wire_type == wire::FIXED32 { 4 } else { 8 };
                if end - pos < size {
                    return Err(self.field_error(ErrorCode::ProtoTruncated, tag_start, top.record, f));
                }
                let value = if size == 4 { le32(input, pos) } else { le64(input, pos) };
                pos += size;
                self.store(top, m, f, value, tag_start)?;
            }
            wire::LEN => {
                let len_start = pos;
                let len = read_varint(input, &mut pos, end)
                    .map_err(|e| self.field_error(varint_code(e), varint_at(e, tag_start, len_start), top.record, f))?;
                // As protobuf-java: the length is read, then the depth checked, then the length.
                if f.ty == FieldType::Message {
                    self.check_depth(top, f, tag_start)?;
                }
                if len > MAX_LENGTH {
                    return Err(self.field_error(ErrorCode::ProtoBadLength, len_start, top.record, f));
                }
                let len = len as usize;
                if len > end - pos {
                    return Err(self.field_error(ErrorCode::ProtoTruncated, tag_start, top.record, f));
                }
                let body = pos;
                pos += len;
                match f.ty {
                    FieldType::String | FieldType::Bytes => {
                        if f.validate_utf8 && core::str::from_utf8(&input[body..pos]).is_err() {
                            return Err(self.field_error(ErrorCode::ProtoInvalidUtf8, body, top.record, f));
                        }
                        // Both fit 31 bits: base + input length was checked.
                        let offset = self.base + body as u64;
                        self.store(top, m, f, offset | (len as u64) << 32, tag_start)?;
                    }
                    FieldType::Message => {
                        self.enter(top, m, f, tag_start, body, pos, 0)?;
                        // Decoding continues inside the sub-message; its frame ends at `pos`.
                        pos = body;
                    }
                    _ => self.packed(top, m, f, tag_start, body, pos)?,
                }
            }
            wire::START_GROUP => {
                self.check_depth(top, f, tag_start)?;
                self.enter(top, m, f, tag_start, pos, end, f.number)?;
            }
            _ => unreachable!("a field's wire type is never END_GROUP"),
        }
        Ok(pos)
    }

    /// Stores a scalar (or view) `value` in field `f`: sets it and its presence, or appends it.
    fn store(&mut self, top: &Frame, m: &Message, f: &Field, value: u64, tag_start: usize) -> Result<(), DecodeError> {
        let bytes = value.to_le_bytes();
        let element = &bytes[..f.ty.element_size()];
        let slot_at = top.record as usize + f.slot as usize;
        if f.card == Cardinality::Repeated {
            if self.arena.append(slot_at, element).is_none() {
                return Err(self.field_error(ErrorCode::ArenaExhausted, tag_start, top.record, f));
            }
        } else {
            self.set_present(top.record, m, f);
            self.arena.put(slot_at, element);
        }
        Ok(())
    }

    /// Marks singular field `f` present: its hasbit, or its oneof's case word, zeroing the slot of
    /// the member that was set before.
    fn set_present(&mut self, record: u32, m: &Message, f: &Field) {
        let record = record as usize;
        match f.card {
            Cardinality::Optional | Cardinality::Required => self.arena.set_hasbit(record, f.presence),
            Cardinality::Oneof => {
                let case_at = record + m.oneof_offset as usize + 4 * f.presence as usize;
                let case = self.arena.u32(case_at);
                if case != f.number {
                    if let Some(other) = self.schema.find_field(m, case) {
                        if other.card == Cardinality::Oneof && other.presence == f.presence {
                            self.arena.zero(record + other.slot as usize, other.slot_size());
                        }
                    }
                    self.arena.set_u32(case_at, f.number);
                }
            }
            Cardinality::Implicit | Cardinality::Always | Cardinality::Repeated => {}
        }
    }

    /// Opens sub-message or group field `f`, whose contents start at `body` and end at `end` (a
    /// group: at its END_GROUP tag, before `end`): a new record, or the one already in a singular
    /// slot, which the new occurrence merges into.
    #[allow(clippy::too_many_arguments)]
    fn enter(
        &mut self,
        top: &Frame,
        m: &Message,
        f: &Field,
        tag_start: usize,
        body: usize,
        end: usize,
        group: u32,
    ) -> Result<(), DecodeError> {
        let entry = self.entry(top.record, f);
        let slot_at = top.record as usize + f.slot as usize;
        let child = if f.card == Cardinality::Repeated {
            let child = self.new_record(f.type_ref, body, tag_start, entry)?;
            if self.arena.append(slot_at, &child.to_le_bytes()).is_none() {
                return Err(self.error(ErrorCode::ArenaExhausted, tag_start, Some(entry)));
            }
            child
        } else {
            self.set_present(top.record, m, f);
            match self.arena.u32(slot_at) {
                0 => {
                    let child = self.new_record(f.type_ref, body, tag_start, entry)?;
                    self.arena.set_u32(slot_at, child);
                    child
                }
                existing => existing,
            }
        };
        self.d.frames.push(Frame { msg: f.type_ref, record: child, end, group, tag_start, entry });
        Ok(())
    }

    /// `PROTO_DEPTH_EXCEEDED` if a sub-message or group of `f` opened in `top` would be too deep.
    fn check_depth(&self, top: &Frame, f: &Field, tag_start: usize) -> Result<(), DecodeError> {
        // The root is depth 0 and the only frame at depth 0: a child's depth is the frame count.
        if self.d.frames.len() as u64 > u64::from(self.max_depth) {
            return Err(self.field_error(ErrorCode::ProtoDepthExceeded, tag_start, top.record, f));
        }
        Ok(())
    }

    /// Allocates a record of message `msg` whose bytes start at input index `body`.
    fn new_record(&mut self, msg: u32, body: usize, tag_start: usize, entry: PathEntry) -> Result<u32, DecodeError> {
        let m = &self.schema.messages[msg as usize];
        let Some(record) = self.arena.alloc(m.record_size as usize) else {
            return Err(self.error(ErrorCode::ArenaExhausted, tag_start, Some(entry)));
        };
        if m.check_required {
            self.d.starts.push((record, self.base + body as u64));
        }
        Ok(record)
    }

    /// Appends each element of the packed run `input[start..end]` to repeated field `f`.
    fn packed(
        &mut self,
        top: &Frame,
        m: &Message,
        f: &Field,
        tag_start: usize,
        start: usize,
        end: usize,
    ) -> Result<(), DecodeError> {
        let input = self.input;
        let wire_type = f.ty.wire_type();
        let mut pos = start;
        while pos < end {
            let value = match wire_type {
                wire::VARINT => {
                    let value_start = pos;
                    let v = read_varint(input, &mut pos, end).map_err(|e| {
                        self.field_error(varint_code(e), varint_at(e, tag_start, value_start), top.record, f)
                    })?;
                    from_varint(f.ty, v)
                }
                _ => {
                    let size = if wire_type == wire::FIXED32 { 4 } else { 8 };
                    if end - pos < size {
                        return Err(self.field_error(ErrorCode::ProtoTruncated, tag_start, top.record, f));
                    }
                    let value = if size == 4 { le32(input, pos) } else { le64(input, pos) };
                    pos += size;
                    value
                }
            };
            if f.closed_enum && !self.schema.enum_has(f.type_ref, value as u32 as i32) {
                self.unknown_enum(top, m, f, value as u32 as i32, tag_start)?;
            } else {
                self.store(top, m, f, value, tag_start)?;
            }
        }
        Ok(())
    }

    /// A closed enum's unknown number from a packed run: re-encoded as a plain varint field in
    /// the arena, and appended to the unknown fields as an arena view.
    fn unknown_enum(
        &mut self,
        top: &Frame,
        m: &Message,
        f: &Field,
        number: i32,
        tag_start: usize,
    ) -> Result<(), DecodeError> {
        let mut field = [0u8; 20];
        let mut scratch = [0u8; 10];
        let n = wire::put_varint(&mut scratch, wire::tag(f.number, wire::VARINT));
        field[..n].copy_from_slice(&scratch[..n]);
        let v = wire::put_varint(&mut scratch, i64::from(number) as u64);
        field[n..n + v].copy_from_slice(&scratch[..v]);
        let len = n + v;
        let Some(at) = self.arena.alloc(len) else {
            return Err(self.field_error(ErrorCode::ArenaExhausted, tag_start, top.record, f));
        };
        self.arena.put(at as usize, &field[..len]);
        let view = u64::from(at | abi::ARENA_REF_FLAG) | (len as u64) << 32;
        let slot_at = top.record as usize + m.unknown_slot as usize;
        if self.arena.append(slot_at, &view.to_le_bytes()).is_none() {
            return Err(self.field_error(ErrorCode::ArenaExhausted, tag_start, top.record, f));
        }
        Ok(())
    }

    /// Appends `input[start..end]`, a whole field, to the unknown fields of `top`'s record.
    fn unknown(
        &mut self,
        top: &Frame,
        m: &Message,
        start: usize,
        end: usize,
        field: Option<PathEntry>,
    ) -> Result<(), DecodeError> {
        let view = (self.base + start as u64) | ((end - start) as u64) << 32;
        let slot_at = top.record as usize + m.unknown_slot as usize;
        if self.arena.append(slot_at, &view.to_le_bytes()).is_none() {
            return Err(self.error(ErrorCode::ArenaExhausted, start, field));
        }
        Ok(())
    }

    /// An error inside unknown groups: the path of the open messages, then one entry per open
    /// unknown group, then `field`.
    fn group_error(&self, code: ErrorCode, at: usize, field: Option<PathEntry>) -> DecodeError {
        let mut e = self.error(code, at, None);
        e.path.extend(self.d.groups.iter().map(|&(number, _)| PathEntry::singular(number)));
        e.path.extend(field);
        e
    }

    /// Skips the value of unknown field `number`; returns the position after it (for a group,
    /// after its END_GROUP tag). Like a known field, the unknown field being skipped, and each
    /// unknown group open around the fault, has its own path entry `(number, NO_INDEX)`.
    fn skip(
        &mut self,
        wire_type: u32,
        number: u32,
        tag_start: usize,
        pos: usize,
        end: usize,
    ) -> Result<usize, DecodeError> {
        let entry = Some(PathEntry::singular(number));
        if wire_type != wire::START_GROUP {
            return self.skip_value(wire_type, tag_start, pos, end).map_err(|(code, at)| self.error(code, at, entry));
        }
        // The group is one deeper than the message holding it; each nested group one more.
        let depth = self.d.frames.len() as u64;
        if depth > u64::from(self.max_depth) {
            return Err(self.error(ErrorCode::ProtoDepthExceeded, tag_start, entry));
        }
        self.d.groups.clear();
        self.d.groups.push((number, tag_start as u32));
        let input = self.input;
        let mut pos = pos;
        loop {
            let &(open, open_at) = self.d.groups.last().expect("an open group");
            if pos >= end {
                return Err(self.group_error(ErrorCode::ProtoTruncated, open_at as usize, None));
            }
            let inner = pos;
            let tag = match read_varint(input, &mut pos, end) {
                Ok(tag) => tag as u32,
                Err(e) => return Err(self.group_error(varint_code(e), inner, None)),
            };
            let (n, w) = (tag >> 3, tag & 7);
            if n == 0 {
                return Err(self.group_error(ErrorCode::ProtoInvalidTag, inner, None));
            }
            match w {
                wire::END_GROUP if n == open => {
                    self.d.groups.pop();
                    if self.d.groups.is_empty() {
                        return Ok(pos);
                    }
                }
                wire::START_GROUP => {
                    if depth + self.d.groups.len() as u64 > u64::from(self.max_depth) {
                        let entry = Some(PathEntry::singular(n));
                        return Err(self.group_error(ErrorCode::ProtoDepthExceeded, inner, entry));
                    }
                    self.d.groups.push((n, inner as u32));
                }
                wire::VARINT | wire::FIXED64 | wire::LEN | wire::FIXED32 => {
                    pos = self
                        .skip_value(w, inner, pos, end)
                        .map_err(|(code, at)| self.group_error(code, at, Some(PathEntry::singular(n))))?;
                }
                _ => return Err(self.group_error(ErrorCode::ProtoInvalidWireType, inner, None)),
            }
        }
    }

    /// Skips a varint, fixed or length-delimited value whose field's tag is at `tag_start`;
    /// returns the position after it, or the error and the input index it is reported at.
    fn skip_value(
        &self,
        wire_type: u32,
        tag_start: usize,
        mut pos: usize,
        end: usize,
    ) -> Result<usize, (ErrorCode, usize)> {
        let input = self.input;
        match wire_type {
            wire::VARINT => {
                let value_start = pos;
                read_varint(input, &mut pos, end)
                    .map_err(|e| (varint_code(e), varint_at(e, tag_start, value_start)))?;
                Ok(pos)
            }
            wire::FIXED32 | wire::FIXED64 => {
                let size = if wire_type == wire::FIXED32 { 4 } else { 8 };
                if end - pos < size {
                    return Err((ErrorCode::ProtoTruncated, tag_start));
                }
                Ok(pos + size)
            }
            wire::LEN => {
                let len_start = pos;
                let len = read_varint(input, &mut pos, end)
                    .map_err(|e| (varint_code(e), varint_at(e, tag_start, len_start)))?;
                if len > MAX_LENGTH {
                    return Err((ErrorCode::ProtoBadLength, len_start));
                }
                if len as usize > end - pos {
                    return Err((ErrorCode::ProtoTruncated, tag_start));
                }
                Ok(pos + len as usize)
            }
            _ => unreachable!("groups are skipped by skip()"),
        }
    }

    /// Section 3, rule 6, in protobuf-java's order (`isInitialized`): a record's own REQUIRED
    /// fields in number order first, then its sub-messages in field order (elements in index
    /// order), depth first. Only subtrees that can hold required fields are visited. An absent
    /// ALWAYS message (a map value) is an empty message to protobuf-java, so if its type has
    /// REQUIRED fields the first of them is missing, reported at the map entry.
    fn check_required(&mut self, message: u32, root: u32) -> Result<(), DecodeError> {
        let schema = self.schema;
        if !schema.messages[message as usize].check_required {
            return Ok(());
        }
        let visits = &mut self.d.visits;
        let arena = &self.arena;
        let starts = &self.d.starts;
        let missing = |visits: &[Visit], record: u32, fields: &[PathEntry]| {
            let offset = match starts.binary_search_by_key(&record, |s| s.0) {
                Ok(i) => starts[i].1,
                Err(_) => self.base,
            };
            let mut path: Vec<PathEntry> = visits[1..].iter().map(|v| v.entry).collect();
            path.extend_from_slice(fields);
            DecodeError { code: ErrorCode::ProtoRequiredFieldMissing, offset, path }
        };
        let first_required =
            |m: &Message| schema.fields_of(m).iter().find(|f| f.card == Cardinality::Required).copied();
        visits.clear();
        visits.push(Visit {
            msg: message,
            record: root,
            field: NOT_STARTED,
            element: 0,
            entry: PathEntry::singular(0),
        });
        while let Some(&top) = visits.last() {
            let last = visits.len() - 1;
            let m = &schema.messages[top.msg as usize];
            let record = top.record as usize;
            if top.field == NOT_STARTED {
                if m.has_required {
                    for f in schema.fields_of(m) {
                        if f.card == Cardinality::Required && !arena.hasbit(record, f.presence) {
                            return Err(missing(visits, top.record, &[PathEntry::singular(f.number)]));
                        }
                    }
                }
                visits[last].field = 0;
                visits[last].element = 0;
                continue;
            }
            let Some(f) = schema.fields_of(m).get(top.field as usize) else {
                visits.pop();
                continue;
            };
            let target = f.ty.is_message().then(|| &schema.messages[f.type_ref as usize]);
            let Some(target) = target.filter(|t| t.check_required) else {
                visits[last].field += 1;
                continue;
            };
            let slot_at = record + f.slot as usize;
            let (child, entry) = if f.card == Cardinality::Repeated {
                if top.element >= arena.u32(slot_at + 4) {
                    visits[last].field += 1;
                    visits[last].element = 0;
                    continue;
                }
                visits[last].element += 1;
                let at = arena.u32(slot_at) as usize + 4 * top.element as usize;
                (arena.u32(at), PathEntry::element(f.number, top.element))
            } else {
                visits[last].field += 1;
                let present = match f.card {
                    Cardinality::Optional | Cardinality::Required => arena.hasbit(record, f.presence),
                    Cardinality::Oneof => {
                        arena.u32(record + m.oneof_offset as usize + 4 * f.presence as usize) == f.number
                    }
                    Cardinality::Always | Cardinality::Implicit | Cardinality::Repeated => true,
                };
                let child = if present { arena.u32(slot_at) } else { 0 };
                if child == 0 && f.card == Cardinality::Always {
                    if let Some(g) = first_required(target) {
                        let fields = [PathEntry::singular(f.number), PathEntry::singular(g.number)];
                        return Err(missing(visits, top.record, &fields));
                    }
                }
                (child, PathEntry::singular(f.number))
            };
            if child != 0 {
                visits.push(Visit { msg: f.type_ref, record: child, field: NOT_STARTED, element: 0, entry });
            }
        }
        Ok(())
    }
}
