//! The encoder (`docs/message-layout.md`, section 4): one walk over the record tree, driven by
//! the schema's tables and run twice — first into a byte counter that records every
//! sub-message's size in visit order, then into the output, taking those sizes back in the same
//! order. Like the decoder it keeps an explicit stack, and it trusts nothing in the arena: every
//! record, array and view is bounds-checked, since Java builders write records too.

use core::fmt;

use super::arena::HEADER_LENGTH as ARENA_HEADER_LENGTH;
use super::schema::{Cardinality, Field, FieldType, Message, Schema};
use super::wire::{self, tag, varint_len, zigzag32, zigzag64};
use super::PathEntry;
use crate::abi;
use crate::ErrorCode;

/// The largest message the encoder writes: protobuf's own 2 GiB limit, and a Java buffer's. It
/// also bounds the work on a corrupt arena whose records share children exponentially.
const MAX_ENCODED_LEN: u64 = i32::MAX as u64;

/// Why [`encode`] or [`encoded_len`] failed; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// `BUFFER_TOO_SMALL`; `INVALID_ARGUMENT` for an unknown message index, an unusable arena
    /// header, or a corrupt arena (a record, array or arena view outside the arena's used part, an
    /// input view outside the input, an unparsable unknown field); `PROTO_DEPTH_EXCEEDED` for
    /// records nested deeper than the limit (or a cycle);
    /// `PROTO_MESSAGE_TOO_LARGE` for an encoding over 2^31 − 1 bytes.
    pub code: ErrorCode,
    /// For `INVALID_ARGUMENT` and `PROTO_DEPTH_EXCEEDED`, the arena offset holding the reference
    /// at fault (a slot or array element; the root record's own offset for the root); else 0.
    pub offset: u64,
    /// For `BUFFER_TOO_SMALL`, the bytes the encoding needs; else 0.
    pub required: u64,
    /// The fields being encoded, from the root down, ending with the field at fault.
    pub path: Vec<PathEntry>,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::code_name(f, self.code)?;
        if self.code == ErrorCode::BufferTooSmall {
            return write!(f, ": the message needs {} bytes", self.required);
        }
        write!(f, " at arena offset {}, field path ", self.offset)?;
        super::fmt_path(f, &self.path)
    }
}

impl std::error::Error for EncodeError {}

/// A record being encoded.
#[derive(Debug, Clone, Copy)]
struct Frame {
    msg: u32,
    record: u32,
    /// Local index of the next field.
    field: u32,
    /// Elements of that (message) field already visited.
    element: u32,
    entry: PathEntry,
    /// The group's field number, or 0 for a length-delimited message (and the root).
    group: u32,
    /// Counting pass: the count when the message's body began, and its index in `sizes`.
    mark: u64,
    size_index: usize,
}

/// Reusable scratch for [`encode`]: keep one per thread to encode without allocating once its
/// vectors have grown.
#[derive(Debug, Default)]
pub struct Encoder {
    frames: Vec<Frame>,
    /// Sub-message sizes, in visit order.
    sizes: Vec<u32>,
    /// Sort keys of one record's unknown fields: (number << 3 | wire-type rank, index).
    unknown: Vec<(u64, u32)>,
}

/// Bytes `encode` would write for the record; see [`Encoder::encoded_len`].
pub fn encoded_len(
    schema: &Schema,
    message: u32,
    record: u32,
    arena: &[u8],
    input: &[u8],
    max_depth: u32,
) -> Result<usize, EncodeError> {
    Encoder::new().encoded_len(schema, message, record, arena, input, max_depth)
}

/// Encodes a record with a fresh [`Encoder`]; see [`Encoder::encode`].
pub fn encode(
    schema: &Schema,
    message: u32,
    record: u32,
    arena: &[u8],
    input: &[u8],
    out: &mut [u8],
    max_depth: u32,
) -> Result<usize, EncodeError> {
    Encoder::new().encode(schema, message, record, arena, input, out, max_depth)
}

impl Encoder {
    /// An encoder with empty scratch.
    pub fn new() -> Encoder {
        Encoder::default()
    }

    /// The exact size of [`Encoder::encode`]'s output for the same arguments.
    pub fn encoded_len(
        &mut self,
        schema: &Schema,
        message: u32,
        record: u32,
        arena: &[u8],
        input: &[u8],
        max_depth: u32,
    ) -> Result<usize, EncodeError> {
        self.count(schema, message, record, arena, input, max_depth, None)
    }

    /// The counting pass. With `store_up_to`, it also records sub-message sizes for the writing
    /// pass, but only while the count is within that many bytes: beyond it the output is too
    /// small anyway, and the sizes of a message that will not be written are not kept.
    #[allow(clippy::too_many_arguments)]
    fn count(
        &mut self,
        schema: &Schema,
        message: u32,
        record: u32,
        arena: &[u8],
        input: &[u8],
        max_depth: u32,
        store_up_to: Option<u64>,
    ) -> Result<usize, EncodeError> {
        let arena = used_part(arena)?;
        let ctx = Ctx { schema, arena, input, max_depth: effective_depth(max_depth, arena) };
        self.sizes.clear();
        let mut counter = Counter { total: 0, sizes: &mut self.sizes, store_up_to };
        walk(&ctx, &mut self.frames, &mut self.unknown, &mut counter, message, record)?;
        // total <= MAX_ENCODED_LEN, checked by the walk.
        Ok(counter.total as usize)
    }

    /// Encodes the record at arena offset `record`, of message type `message`, into the front of
    /// `out`; returns the bytes written.
    ///
    /// Fields go out in field number order, then the unknown fields sorted by number (section 4),
    /// byte for byte as protobuf-java serializes the same message. A present singular message
    /// field whose slot is 0 is not written, unless it is ALWAYS (a map value: an empty message);
    /// a 0 element of a repeated message field is an empty message. `arena` must start with a
    /// valid header, and every record, array and arena view must lie in its used part. Views without
    /// `ARENA_REF_FLAG` read `input`, whose index 0 is buffer index 0 (the absolute offsets the
    /// decoder stored); views with it read `arena`. Records nested deeper than `max_depth` (the
    /// root is depth 0) are `PROTO_DEPTH_EXCEEDED`, which also stops record cycles. The size is
    /// computed first: if `out` is too short the error is `BUFFER_TOO_SMALL` with the size
    /// required, and nothing is written.
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &mut self,
        schema: &Schema,
        message: u32,
        record: u32,
        arena: &[u8],
        input: &[u8],
        out: &mut [u8],
        max_depth: u32,
    ) -> Result<usize, EncodeError> {
        let total = self.count(schema, message, record, arena, input, max_depth, Some(out.len() as u64))?;
        if out.len() < total {
            return Err(EncodeError {
                code: ErrorCode::BufferTooSmall,
                offset: 0,
                required: total as u64,
                path: Vec::new(),
            });
        }
        let arena = used_part(arena)?;
        let ctx = Ctx { schema, arena, input, max_depth: effective_depth(max_depth, arena) };
        let mut writer = Writer { out: &mut out[..total], pos: 0, sizes: &self.sizes, next: 0 };
        walk(&ctx, &mut self.frames, &mut self.unknown, &mut writer, message, record)?;
        // The second walk read what the first one did: a mismatch is a defect, never bad input.
        assert!(writer.pos == total && writer.next == self.sizes.len(), "the two encoding passes disagree");
        Ok(total)
    }
}

/// The part of the arena in use, `[0, used)`, where every record, array and arena view must
/// lie; `INVALID_ARGUMENT` if the header is unusable (shorter than 16 bytes, or `used` below 16,
/// not a multiple of 8, or past the end).
pub(super) fn used_part(arena: &[u8]) -> Result<&[u8], EncodeError> {
    let used = super::arena_used(arena).map(|used| used as usize);
    match used {
        Some(used) if used >= ARENA_HEADER_LENGTH && used.is_multiple_of(8) && used <= arena.len() => {
            Ok(&arena[..used])
        }
        _ => Err(EncodeError { code: ErrorCode::InvalidArgument, offset: 0, required: 0, path: Vec::new() }),
    }
}

/// `max_depth`, lowered to what an acyclic record tree in `arena` can reach: a chain of distinct
/// records, each at least 8 bytes (but never below `DEFAULT_MAX_DEPTH`). Anything deeper is a
/// cycle, refused before the stack of open records grows past a few times the arena's size,
/// whatever limit the caller asked for.
fn effective_depth(max_depth: u32, arena: &[u8]) -> u32 {
    let chain = u32::try_from(arena.len().saturating_sub(ARENA_HEADER_LENGTH) / 8).unwrap_or(u32::MAX);
    max_depth.min(chain.max(abi::DEFAULT_MAX_DEPTH))
}

/// The most records one walk may enter below its root: what `arena` can hold as distinct records,
/// each at least 8 bytes (but never below `DEFAULT_MAX_DEPTH`). Decoders and builders never share
/// a record between two references, so a walk entering more records is crossing shared ones: a
/// corrupt arena whose records share children at every level would otherwise cost time exponential
/// in its size (found by the `proto_encode_arena` fuzz target: 3 KiB took minutes).
fn record_budget(arena: &[u8]) -> u64 {
    ((arena.len().saturating_sub(ARENA_HEADER_LENGTH) / 8) as u64).max(u64::from(abi::DEFAULT_MAX_DEPTH))
}

/// Where the walk's bytes go.
trait Sink {
    /// Whether bytes are really written (unknown fields then need sorting).
    const WRITES: bool;
    fn varint(&mut self, v: u64);
    fn fixed32(&mut self, v: u32);
    fn fixed64(&mut self, v: u64);
    fn raw(&mut self, bytes: &[u8]);
    /// A sub-message's tag and length prefix.
    fn begin_message(&mut self, tag: u64, frame: &mut Frame);
    /// The end of a sub-message begun with `begin_message`.
    fn end_message(&mut self, frame: &Frame);
    /// Bytes so far.
    fn len(&self) -> u64;
}

/// The first pass: counts bytes and records sub-message sizes.
struct Counter<'s> {
    total: u64,
    sizes: &'s mut Vec<u32>,
    /// Record sizes while `total` is at most this (see `Encoder::count`).
    store_up_to: Option<u64>,
}

/// `Frame::size_index` of a sub-message whose size is not recorded.
const NOT_STORED: usize = usize::MAX;

impl Sink for Counter<'_> {
    const WRITES: bool = false;

    fn varint(&mut self, v: u64) {
        self.total += varint_len(v) as u64;
    }

    fn fixed32(&mut self, _: u32) {
        self.total += 4;
    }

    fn fixed64(&mut self, _: u64) {
        self.total += 8;
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
    }

    fn begin_message(&mut self, tag: u64, frame: &mut Frame) {
        self.varint(tag);
        frame.mark = self.total;
        frame.size_index = if self.store_up_to.is_some_and(|limit| self.total <= limit) {
            self.sizes.push(0);
            self.sizes.len() - 1
        } else {
            NOT_STORED
        };
    }

    fn end_message(&mut self, frame: &Frame) {
        let size = self.total - frame.mark;
        if let Some(slot) = self.sizes.get_mut(frame.size_index) {
            // Over u32 only past MAX_ENCODED_LEN, which the walk refuses right after.
            *slot = u32::try_from(size).unwrap_or(u32::MAX);
        }
        self.varint(size);
    }

    fn len(&self) -> u64 {
        self.total
    }
}

/// The second pass: writes into an output exactly as long as the first pass counted.
struct Writer<'o> {
    out: &'o mut [u8],
    pos: usize,
    sizes: &'o [u32],
    next: usize,
}

impl Sink for Writer<'_> {
    const WRITES: bool = true;

    fn varint(&mut self, mut v: u64) {
        // Straight into the output (sized exactly by the first pass), without a scratch copy.
        while v >= 0x80 {
            self.out[self.pos] = (v as u8) | 0x80;
            v >>= 7;
            self.pos += 1;
        }
        self.out[self.pos] = v as u8;
        self.pos += 1;
    }

    fn fixed32(&mut self, v: u32) {
        self.out[self.pos..self.pos + 4].copy_from_slice(&v.to_le_bytes());
        self.pos += 4;
    }

    fn fixed64(&mut self, v: u64) {
        self.out[self.pos..self.pos + 8].copy_from_slice(&v.to_le_bytes());
        self.pos += 8;
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.out[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
    }

    fn begin_message(&mut self, tag: u64, _: &mut Frame) {
        self.varint(tag);
        let size = self.sizes[self.next];
        self.next += 1;
        self.varint(u64::from(size));
    }

    fn end_message(&mut self, _: &Frame) {}

    fn len(&self) -> u64 {
        self.pos as u64
    }
}

/// What one call reads.
struct Ctx<'c> {
    schema: &'c Schema,
    /// The arena's used part: references past `used` are refused like references past its end.
    arena: &'c [u8],
    input: &'c [u8],
    max_depth: u32,
}

/// A fault found below the walk: its code, the arena offset at fault, and the field (if any)
/// to add to the path of open records.
struct Bad {
    code: ErrorCode,
    offset: usize,
    field: Option<PathEntry>,
}

fn invalid(offset: usize, field: Option<PathEntry>) -> Bad {
    Bad { code: ErrorCode::InvalidArgument, offset, field }
}

/// The path of the open records plus `field`.
fn path(frames: &[Frame], field: Option<PathEntry>) -> Vec<PathEntry> {
    let mut path: Vec<PathEntry> = frames.iter().skip(1).map(|f| f.entry).collect();
    path.extend(field);
    path
}

fn fail(frames: &[Frame], bad: Bad) -> EncodeError {
    EncodeError { code: bad.code, offset: bad.offset as u64, required: 0, path: path(frames, bad.field) }
}

/// Rank of a wire type among one field number's unknown fields (section 4).
fn wire_rank(wire_type: u32) -> u64 {
    match wire_type {
        wire::VARINT => 0,
        wire::FIXED32 => 1,
        wire::FIXED64 => 2,
        wire::LEN => 3,
        _ => 4,
    }
}

/// A slot or element value as its varint on the wire (section 4).
#[inline]
fn to_varint(ty: FieldType, raw: u64) -> u64 {
    match ty {
        // Sign-extended: a negative value takes 10 bytes.
        FieldType::Int32 | FieldType::Enum => raw as u32 as i32 as i64 as u64,
        FieldType::Uint32 => u64::from(raw as u32),
        FieldType::Sint32 => u64::from(zigzag32(raw as u32)),
        FieldType::Sint64 => zigzag64(raw),
        FieldType::Bool => u64::from(raw as u8 != 0),
        _ => raw,
    }
}

/// One parsed unknown field.
struct Unknown<'u> {
    number: u32,
    wire_type: u32,
    /// The stored bytes, tag included.
    bytes: &'u [u8],
    /// A varint's value.
    value: u64,
}

impl<'c> Ctx<'c> {
    fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.arena[at..at + 4].try_into().expect("4 bytes"))
    }

    /// A slot or element of 1, 4 or 8 bytes, zero-extended.
    fn raw(&self, at: usize, size: usize) -> u64 {
        // Fixed-size reads stay inline; a copy of run-time length would call memcpy per value.
        match size {
            1 => u64::from(self.arena[at]),
            4 => u64::from(self.u32(at)),
            8 => u64::from_le_bytes(self.arena[at..at + 8].try_into().expect("8 bytes")),
            _ => {
                let mut bytes = [0; 8];
                bytes[..size].copy_from_slice(&self.arena[at..at + size]);
                u64::from_le_bytes(bytes)
            }
        }
    }

    /// Checks that a record of message `msg` at `record` lies inside the arena, after its header.
    fn check_record(&self, msg: u32, record: u32, ref_at: usize, field: Option<PathEntry>) -> Result<(), Bad> {
        let size = self.schema.messages[msg as usize].record_size as usize;
        let record = record as usize;
        if record < ARENA_HEADER_LENGTH || record.checked_add(size).is_none_or(|end| end > self.arena.len()) {
            return Err(invalid(ref_at, field));
        }
        Ok(())
    }

    /// The `(first, count)` of the array whose slot is at `slot_at`, checked to lie inside the
    /// arena.
    fn array(&self, slot_at: usize, element_size: usize, field: Option<PathEntry>) -> Result<(usize, u32), Bad> {
        let first = self.u32(slot_at) as usize;
        let count = self.u32(slot_at + 4);
        if count == 0 {
            return Ok((0, 0));
        }
        let end = (count as usize).checked_mul(element_size).and_then(|len| first.checked_add(len));
        if first < ARENA_HEADER_LENGTH || end.is_none_or(|end| end > self.arena.len()) {
            return Err(invalid(slot_at, field));
        }
        Ok((first, count))
    }

    /// The bytes of the view stored at `at`.
    fn view(&self, at: usize, field: Option<PathEntry>) -> Result<&'c [u8], Bad> {
        let raw = self.raw(at, 8);
        let (offset, len) = (raw as u32, (raw >> 32) as usize);
        let (source, start) = if offset & abi::ARENA_REF_FLAG != 0 {
            (self.arena, (offset & !abi::ARENA_REF_FLAG) as usize)
        } else {
            (self.input, offset as usize)
        };
        start.checked_add(len).and_then(|end| source.get(start..end)).ok_or_else(|| invalid(at, field))
    }

    fn hasbit(&self, record: usize, index: u32) -> bool {
        self.u32(record + 4 * (index / 32) as usize) & (1 << (index % 32)) != 0
    }

    /// Whether singular field `f` of the record is written (section 4).
    fn present(&self, record: usize, m: &Message, f: &Field) -> bool {
        let slot_at = record + f.slot as usize;
        match f.card {
            Cardinality::Implicit => match f.ty {
                // Empty strings and bytes are skipped whatever the view's offset.
                FieldType::String | FieldType::Bytes => self.u32(slot_at + 4) != 0,
                // Float and double: only all-zero bits are skipped, so -0.0 is written.
                _ => self.raw(slot_at, f.ty.element_size()) != 0,
            },
            Cardinality::Optional | Cardinality::Required => self.hasbit(record, f.presence),
            Cardinality::Oneof => self.u32(record + m.oneof_offset as usize + 4 * f.presence as usize) == f.number,
            Cardinality::Always => true,
            Cardinality::Repeated => unreachable!("repeated fields are not singular"),
        }
    }

    /// Writes one value of field `f` stored at `at` (its wire value, without the tag).
    fn value<S: Sink>(&self, sink: &mut S, f: &Field, at: usize, field: Option<PathEntry>) -> Result<(), Bad> {
        match f.ty.wire_type() {
            wire::VARINT => sink.varint(to_varint(f.ty, self.raw(at, f.ty.element_size()))),
            wire::FIXED32 => sink.fixed32(self.raw(at, 4) as u32),
            wire::FIXED64 => sink.fixed64(self.raw(at, 8)),
            _ => {
                let bytes = self.view(at, field)?;
                sink.varint(bytes.len() as u64);
                sink.raw(bytes);
            }
        }
        Ok(())
    }

    /// Writes a non-message field of the record at `record`.
    fn scalar<S: Sink>(&self, sink: &mut S, record: usize, m: &Message, f: &Field) -> Result<(), Bad> {
        let slot_at = record + f.slot as usize;
        let wire_type = f.ty.wire_type();
        if f.card != Cardinality::Repeated {
            if self.present(record, m, f) {
                sink.varint(tag(f.number, wire_type));
                self.value(sink, f, slot_at, Some(PathEntry::singular(f.number)))?;
            }
            return Ok(());
        }
        let size = f.ty.element_size();
        let (first, count) = self.array(slot_at, size, Some(PathEntry::singular(f.number)))?;
        if count == 0 {
            return Ok(());
        }
        let elements = (0..count as usize).map(|i| first + i * size);
        if f.packed {
            let payload = match wire_type {
                wire::VARINT => elements.clone().map(|at| varint_len(to_varint(f.ty, self.raw(at, size))) as u64).sum(),
                _ => u64::from(count) * size as u64,
            };
            sink.varint(tag(f.number, wire::LEN));
            sink.varint(payload);
            for at in elements {
                self.value(sink, f, at, None)?;
            }
        } else {
            for (i, at) in elements.enumerate() {
                sink.varint(tag(f.number, wire_type));
                self.value(sink, f, at, Some(PathEntry::element(f.number, i as u32)))?;
            }
        }
        Ok(())
    }

    /// Parses the unknown field whose view is at `at`.
    fn unknown(&self, at: usize) -> Result<Unknown<'c>, Bad> {
        let bytes = self.view(at, None)?;
        let mut pos = 0;
        let tag = wire::read_varint(bytes, &mut pos, bytes.len()).map_err(|_| invalid(at, None))? as u32;
        let (number, wire_type) = (tag >> 3, tag & 7);
        if number == 0
            || !matches!(wire_type, wire::VARINT | wire::FIXED64 | wire::LEN | wire::START_GROUP | wire::FIXED32)
        {
            return Err(invalid(at, None));
        }
        let value = if wire_type == wire::VARINT {
            wire::read_varint(bytes, &mut pos, bytes.len()).map_err(|_| invalid(at, None))?
        } else if wire::is_one_whole_field(bytes) {
            0
        } else {
            // Copied byte for byte, so it must be exactly one field, or the output would not decode.
            return Err(invalid(at, None));
        };
        Ok(Unknown { number, wire_type, bytes, value })
    }

    fn put_unknown<S: Sink>(sink: &mut S, u: &Unknown<'_>) {
        if u.wire_type == wire::VARINT {
            // Written back minimally, as protobuf-java's UnknownFieldSet does.
            sink.varint(tag(u.number, wire::VARINT));
            sink.varint(u.value);
        } else {
            sink.raw(u.bytes);
        }
    }

    /// Writes the record's unknown fields, sorted by number, then by wire type rank (stable).
    fn unknowns<S: Sink>(
        &self,
        sink: &mut S,
        keys: &mut Vec<(u64, u32)>,
        record: usize,
        m: &Message,
    ) -> Result<(), Bad> {
        let (first, count) = self.array(record + m.unknown_slot as usize, 8, None)?;
        if !S::WRITES {
            // Sizes do not depend on the order.
            for i in 0..count as usize {
                Ctx::put_unknown(sink, &self.unknown(first + 8 * i)?);
            }
            return Ok(());
        }
        keys.clear();
        for i in 0..count {
            let u = self.unknown(first + 8 * i as usize)?;
            keys.push((u64::from(u.number) << 3 | wire_rank(u.wire_type), i));
        }
        keys.sort_by_key(|&(key, _)| key);
        for &(_, i) in keys.iter() {
            Ctx::put_unknown(sink, &self.unknown(first + 8 * i as usize)?);
        }
        Ok(())
    }

    /// The next child record of message field `f` to visit, if any: (record, path entry, arena
    /// offset of the reference). A record of 0 here (a repeated element, or an ALWAYS field) is
    /// written as an empty message.
    fn next_child(&self, top: &Frame, m: &Message, f: &Field) -> Result<Option<(u32, PathEntry, usize)>, Bad> {
        let record = top.record as usize;
        let slot_at = record + f.slot as usize;
        if f.card == Cardinality::Repeated {
            let (first, count) = self.array(slot_at, 4, Some(PathEntry::singular(f.number)))?;
            if top.element >= count {
                return Ok(None);
            }
            let at = first + 4 * top.element as usize;
            return Ok(Some((self.u32(at), PathEntry::element(f.number, top.element), at)));
        }
        if top.element > 0 {
            return Ok(None);
        }
        let present = match f.card {
            // Not expected for messages, but well defined: written when there is a record.
            Cardinality::Implicit => self.u32(slot_at) != 0,
            _ => self.present(record, m, f),
        };
        let child = self.u32(slot_at);
        // A present field without a record is not written, except ALWAYS (a map value), which is
        // then an empty message.
        let written = present && (child != 0 || f.card == Cardinality::Always);
        Ok(written.then_some((child, PathEntry::singular(f.number), slot_at)))
    }
}

/// Walks the record tree from `record` into `sink`.
fn walk<S: Sink>(
    ctx: &Ctx<'_>,
    frames: &mut Vec<Frame>,
    keys: &mut Vec<(u64, u32)>,
    sink: &mut S,
    message: u32,
    record: u32,
) -> Result<(), EncodeError> {
    let schema = ctx.schema;
    frames.clear();
    let too_large = |frames: &[Frame]| EncodeError {
        code: ErrorCode::ProtoMessageTooLarge,
        offset: 0,
        required: 0,
        path: path(frames, None),
    };
    if message as usize >= schema.messages.len() {
        return Err(fail(frames, invalid(0, None)));
    }
    ctx.check_record(message, record, record as usize, None).map_err(|bad| fail(frames, bad))?;
    let budget = record_budget(ctx.arena);
    let mut entered: u64 = 0;
    // The open record's progress (`field`, `element`) lives in `top`, in registers, and goes back into
    // `frames` only when a child is opened: updating it in the vector on every field and reading the
    // whole frame back at the next one stalled each step on store forwarding (perf, Car encode).
    // The copies in `frames` keep what errors and closing need (`entry`, `group`, `mark`,
    // `size_index`), which never change once a frame is pushed.
    let mut top = Frame {
        msg: message,
        record,
        field: 0,
        element: 0,
        entry: PathEntry::singular(0),
        group: 0,
        mark: 0,
        size_index: 0,
    };
    frames.push(top);

    loop {
        if sink.len() > MAX_ENCODED_LEN {
            return Err(too_large(frames));
        }
        let m = &schema.messages[top.msg as usize];
        let Some(f) = schema.fields_of(m).get(top.field as usize) else {
            ctx.unknowns(sink, keys, top.record as usize, m).map_err(|bad| fail(frames, bad))?;
            let done = frames.pop().expect("the frame being closed");
            if frames.is_empty() {
                return if sink.len() > MAX_ENCODED_LEN { Err(too_large(frames)) } else { Ok(()) };
            }
            if done.group != 0 {
                sink.varint(tag(done.group, wire::END_GROUP));
            } else {
                sink.end_message(&done);
            }
            top = *frames.last().expect("the parent frame");
            continue;
        };

        if !f.ty.is_message() {
            ctx.scalar(sink, top.record as usize, m, f).map_err(|bad| fail(frames, bad))?;
            top.field += 1;
            continue;
        }

        let Some((child, entry, ref_at)) = ctx.next_child(&top, m, f).map_err(|bad| fail(frames, bad))? else {
            top.field += 1;
            top.element = 0;
            continue;
        };
        top.element += 1;
        let group = if f.ty == FieldType::Group { f.number } else { 0 };
        if child == 0 {
            // No record: an empty message.
            if group != 0 {
                sink.varint(tag(group, wire::START_GROUP));
                sink.varint(tag(group, wire::END_GROUP));
            } else {
                sink.varint(tag(f.number, wire::LEN));
                sink.varint(0);
            }
            continue;
        }
        // The root is depth 0 and the only frame at depth 0.
        if frames.len() as u64 > u64::from(ctx.max_depth) {
            let bad = Bad { code: ErrorCode::ProtoDepthExceeded, offset: ref_at, field: Some(entry) };
            return Err(fail(frames, bad));
        }
        ctx.check_record(f.type_ref, child, ref_at, Some(entry)).map_err(|bad| fail(frames, bad))?;
        entered += 1;
        if entered > budget {
            return Err(fail(frames, Bad { code: ErrorCode::InvalidArgument, offset: ref_at, field: Some(entry) }));
        }
        let mut frame =
            Frame { msg: f.type_ref, record: child, field: 0, element: 0, entry, group, mark: 0, size_index: 0 };
        if group != 0 {
            sink.varint(tag(group, wire::START_GROUP));
        } else {
            sink.begin_message(tag(f.number, wire::LEN), &mut frame);
        }
        *frames.last_mut().expect("the open frame") = top;
        frames.push(frame);
        top = frame;
    }
}
