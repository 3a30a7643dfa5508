//! Compiled schema validation (`docs/message-layout.md`, section 1): every check, each reported at
//! the byte offset of the entry at fault.

mod common;

use common::*;
use ferrule_engine::proto::{Schema, SchemaError};
use ferrule_engine::ErrorCode;

fn put(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn refused(bytes: &[u8]) -> SchemaError {
    let e = Schema::from_compiled(bytes).expect_err("the schema must be refused");
    assert_eq!(e.code(), ErrorCode::SchemaInvalid);
    e
}

/// Applies `patch` to the kitchen schema and expects a refusal at `offset`.
fn refuse(k: &Kitchen, offset: usize, patch: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = k.built.bytes.clone();
    patch(&mut bytes);
    let e = refused(&bytes);
    assert_eq!(e.offset, offset, "{e}");
}

#[test]
fn the_kitchen_schema_loads() {
    let k = kitchen();
    let schema = Schema::from_compiled(&k.built.bytes).unwrap();
    assert_eq!(schema.message_count(), k.built.messages.len());
    assert_eq!(schema.enum_count(), 2);
    assert_eq!(schema.message_index("t.All"), Some(k.all));
    assert_eq!(schema.message_index(".t.Req"), Some(k.req));
    assert_eq!(schema.message_index("t.Nope"), None);
    assert_eq!(schema.message_name(k.child), Some("t.Child"));
    assert_eq!(schema.message_name(99), None);
    assert_eq!(schema.enum_name(k.closed_enum), Some("t.C"));
    assert_eq!(schema.record_size(k.all), Some(k.built.msg(k.all).record_size));
    assert_eq!(schema.is_map_entry(k.entry_si), Some(true));
    assert_eq!(schema.is_map_entry(k.all), Some(false));
    // An empty schema is a schema.
    let empty = SchemaBuilder::new().build();
    assert_eq!(Schema::from_compiled(&empty.bytes).unwrap().message_count(), 0);
}

#[test]
fn header_and_sections() {
    let k = kitchen();
    let e = refused(&k.built.bytes[..31]);
    assert_eq!(e.offset, 0);
    refuse(&k, 0, |b| b[0] = b'X');
    refuse(&k, 4, |b| put(b, 4, 2));
    refuse(&k, 8, |b| put(b, 8, u32::MAX));
    refuse(&k, 8, |b| put(b, 12, 1 << 31));
    refuse(&k, 8, |b| b.push(0));
    refuse(&k, 8, |b| {
        b.pop();
    });
    refuse(&k, 8, |b| put(b, 24, u32::MAX));
    let e = refused(b"");
    assert_eq!(e.to_string(), "SCHEMA_INVALID (210): compiled schema byte 0: shorter than its header");
}

#[test]
fn message_entries() {
    let k = kitchen();
    let m = k.built.message_entry_at(k.child);
    let size = k.built.msg(k.child).record_size;
    let field_count = k.built.messages.iter().map(|d| d.fields.len() as u32).sum::<u32>();
    refuse(&k, m, |b| put(b, m, 1 << 20));
    refuse(&k, m, |b| put(b, m + 4, u32::MAX));
    refuse(&k, m + 8, |b| put(b, m + 8, field_count));
    refuse(&k, m + 8, |b| put(b, m + 12, field_count));
    refuse(&k, m + 16, |b| put(b, m + 16, 0));
    refuse(&k, m + 16, |b| put(b, m + 16, size + 4));
    refuse(&k, m + 20, |b| put(b, m + 20, size * 8 + 1));
    refuse(&k, m + 32, |b| put(b, m + 32, size - 4));
    let all = k.built.message_entry_at(k.all);
    let all_size = k.built.msg(k.all).record_size;
    refuse(&k, all + 36, |b| put(b, all + 36, all_size - 2));
    refuse(&k, all + 36, |b| put(b, all + 24, all_size));
    // Two messages claiming the same field entries.
    let child_first = u32::from_le_bytes(k.built.bytes[m + 8..m + 12].try_into().unwrap());
    let req = k.built.message_entry_at(k.req);
    refuse(&k, req + 8, |b| put(b, req + 8, child_first));
    // Oneof offsets do not matter without oneofs.
    let mut bytes = k.built.bytes.clone();
    put(&mut bytes, m + 36, u32::MAX);
    Schema::from_compiled(&bytes).unwrap();
}

#[test]
fn field_entries() {
    let k = kitchen();
    let f = |n| k.built.field_entry_at(k.all, n);
    refuse(&k, f(1), |b| put(b, f(1), 0));
    refuse(&k, f(536_870_911), |b| put(b, f(536_870_911), 1 << 29));
    // Not strictly ascending: a duplicate, then a decrease.
    refuse(&k, f(2), |b| put(b, f(2), 1));
    refuse(&k, f(3), |b| put(b, f(3), 1));
    refuse(&k, f(1) + 4, |b| b[f(1) + 4] = 0);
    refuse(&k, f(1) + 4, |b| b[f(1) + 4] = 19);
    refuse(&k, f(1) + 5, |b| b[f(1) + 5] = 6);
    // A singular sub-message always has presence.
    refuse(&k, f(17) + 5, |b| {
        b[f(17) + 5] = card::IMPLICIT;
        put(b, f(17) + 12, u32::MAX);
    });
    // Type refs must match the type.
    refuse(&k, f(17) + 16, |b| put(b, f(17) + 16, u32::MAX));
    refuse(&k, f(17) + 16, |b| put(b, f(17) + 16, k.built.messages.len() as u32));
    refuse(&k, f(16) + 16, |b| put(b, f(16) + 16, 2));
    refuse(&k, f(1) + 16, |b| put(b, f(1) + 16, 0));
    // Presence must match the cardinality and fit the record.
    refuse(&k, f(18) + 12, |b| put(b, f(18) + 12, u32::MAX));
    refuse(&k, f(18) + 12, |b| put(b, f(18) + 12, k.built.msg(k.all).hasbits));
    refuse(&k, f(1) + 12, |b| put(b, f(1) + 12, 0));
    refuse(&k, f(20) + 12, |b| put(b, f(20) + 12, 0));
    refuse(&k, f(40) + 12, |b| put(b, f(40) + 12, 1));
    // Slots inside the record.
    let size = k.built.msg(k.all).record_size;
    refuse(&k, f(1) + 8, |b| put(b, f(1) + 8, size - 2));
    refuse(&k, f(2) + 8, |b| put(b, f(2) + 8, size - 4));
    refuse(&k, f(20) + 8, |b| put(b, f(20) + 8, u32::MAX));
    // Nothing in a record shares a byte: slots, hasbit words, oneof case words, the unknown slot.
    // (Found by the fuzz target schema_load: a hasbit set inside an unknown-fields slot.) Either
    // entry of an overlapping pair may be named.
    let overlap = |patch: &dyn Fn(&mut Vec<u8>), entries: [usize; 2]| {
        let mut bytes = k.built.bytes.clone();
        patch(&mut bytes);
        let e = refused(&bytes);
        assert_eq!(e.reason, "record regions overlap", "{e}");
        assert!(entries.contains(&e.offset), "{e} names neither of {entries:?}");
    };
    let all = k.built.message_entry_at(k.all);
    let slot_of = |n: u32| k.built.msg(k.all).field(n).slot;
    overlap(&|b| put(b, f(2) + 8, slot_of(1)), [f(1) + 8, f(2) + 8]);
    overlap(&|b| put(b, f(2) + 8, slot_of(1) + 4), [f(1) + 8, f(2) + 8]);
    overlap(&|b| put(b, all + 32, slot_of(2)), [all + 32, f(2) + 8]);
    overlap(&|b| put(b, all + 32, 0), [all + 32, all + 20]);
    overlap(&|b| put(b, all + 36, 0), [all + 36, all + 20]);
    // Names, and string defaults, inside the strings area.
    refuse(&k, f(1) + 20, |b| put(b, f(1) + 24, 1 << 20));
    refuse(&k, f(1) + 28, |b| put(b, f(1) + 28, u32::MAX));
    refuse(&k, f(14) + 40, |b| {
        b[f(14) + 6] |= flag::HAS_DEFAULT;
        b[f(14) + 44..f(14) + 48].copy_from_slice(&(1u32 << 20).to_le_bytes());
    });
}

#[test]
fn inapplicable_flags_are_ignored() {
    let k = kitchen();
    let f = k.built.field_entry_at(k.all, 14);
    let mut bytes = k.built.bytes.clone();
    bytes[f + 6] |= flag::PACKED | flag::CLOSED | flag::HAS_DEFAULT | flag::MAP;
    // A numeric HAS_DEFAULT is any 64-bit value.
    let g = k.built.field_entry_at(k.all, 1);
    bytes[g + 6] |= flag::HAS_DEFAULT | flag::UTF8;
    bytes[g + 40..g + 48].copy_from_slice(&u64::MAX.to_le_bytes());
    let schema = Schema::from_compiled(&bytes).unwrap();
    let mut arena = arena(1024);
    let input = [lf(14, b"s"), lf(14, &[0xFF])].concat();
    assert!(ferrule_engine::proto::decode(&schema, k.all, &input, 0, &mut arena, 10).is_err());
    let mut arena = common::arena(1024);
    assert!(ferrule_engine::proto::decode(&schema, k.all, &lf(14, b"s"), 0, &mut arena, 10).is_ok());
}

#[test]
fn enum_entries() {
    let k = kitchen();
    let e = k.built.enum_entry_at(k.closed_enum);
    let values_at = k.built.enum_entry_at(2);
    let value_count = k.built.enums.iter().map(|e| e.values.len() as u32).sum::<u32>();
    refuse(&k, e, |b| put(b, e, u32::MAX));
    refuse(&k, e + 8, |b| put(b, e + 8, value_count));
    refuse(&k, e + 8, |b| put(b, e + 12, value_count));
    // Values sorted by number: the closed enum's second value made smaller than its first.
    let closed_first = values_at + 16 * k.built.enums[0].values.len();
    refuse(&k, closed_first + 16, |b| put(b, closed_first + 16, (-100i32) as u32));
    // Equal numbers (aliases) are fine.
    let mut bytes = k.built.bytes.clone();
    put(&mut bytes, closed_first + 16, (-3i32) as u32);
    Schema::from_compiled(&bytes).unwrap();
    refuse(&k, closed_first + 4, |b| put(b, closed_first + 8, u32::MAX));
}

#[test]
fn protobuf_error_codes_are_in_the_abi_table() {
    use ErrorCode::*;
    let table = [
        (200, ProtoTruncated, "PROTO_TRUNCATED", "INVALID_ARGUMENT"),
        (201, ProtoMalformedVarint, "PROTO_MALFORMED_VARINT", "INVALID_ARGUMENT"),
        (202, ProtoInvalidTag, "PROTO_INVALID_TAG", "INVALID_ARGUMENT"),
        (203, ProtoInvalidWireType, "PROTO_INVALID_WIRE_TYPE", "INVALID_ARGUMENT"),
        (204, ProtoBadLength, "PROTO_BAD_LENGTH", "INVALID_ARGUMENT"),
        (205, ProtoInvalidUtf8, "PROTO_INVALID_UTF8", "INVALID_ARGUMENT"),
        (206, ProtoDepthExceeded, "PROTO_DEPTH_EXCEEDED", "INVALID_ARGUMENT"),
        (207, ProtoRequiredFieldMissing, "PROTO_REQUIRED_FIELD_MISSING", "INVALID_ARGUMENT"),
        (208, ProtoMessageTooLarge, "PROTO_MESSAGE_TOO_LARGE", "RESOURCE_EXHAUSTED"),
        (209, ArenaExhausted, "ARENA_EXHAUSTED", "RESOURCE_EXHAUSTED"),
        (210, SchemaInvalid, "SCHEMA_INVALID", "INVALID_ARGUMENT"),
        (211, ArenaStale, "ARENA_STALE", "FAILED_PRECONDITION"),
    ];
    for (number, code, name, grpc) in table {
        assert_eq!((code.code(), code.name(), code.grpc_status()), (number, name, grpc));
        assert_eq!(ErrorCode::from_code(number), Some(code));
    }
    use ferrule_engine::abi;
    assert_eq!(
        (abi::SCHEMA_MAGIC, abi::SCHEMA_HEADER_LENGTH, abi::SCHEMA_MESSAGE_LENGTH, abi::SCHEMA_FIELD_LENGTH),
        (u32::from_le_bytes(*b"FST1"), 32, 40, 48)
    );
    assert_eq!((abi::ARENA_HEADER_LENGTH, abi::ARENA_REF_FLAG, abi::NO_INDEX), (16, 1 << 31, u32::MAX));
}
