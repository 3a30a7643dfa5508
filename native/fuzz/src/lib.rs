//! Support for the engine's fuzz targets, written from `docs/wire-format.md` and
//! `docs/message-layout.md` alone: the compiled schemas the targets decode against, a reader that
//! turns an arena record into a plain value tree (so two decodes can be compared field by field),
//! and a simple reference frame decoder with a bitwise CRC-32C to check the engine's against.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use ferrule_engine::abi;
use ferrule_engine::proto::Schema;

pub mod frames;
pub mod seeds;
pub mod tree;

/// One compiled schema of `native/fuzz/schemas`, validated, with its table layout for [`tree`].
pub struct FuzzSchema {
    /// File stem, e.g. `otlp`.
    pub name: &'static str,
    /// The validated schema the engine runs on.
    pub schema: Schema,
    /// The same bytes, read by this crate's own record reader.
    pub layout: tree::Layout,
    /// The message index of the sample's root type.
    pub root: u32,
}

/// Compiled schemas written by the Java schema compiler (`FuzzSchemasTest` keeps them current).
const SCHEMAS: [(&str, &[u8], &str); 3] = [
    ("descriptor", include_bytes!("../schemas/descriptor.fsc"), "google.protobuf.FileDescriptorSet"),
    (
        "otlp",
        include_bytes!("../schemas/otlp.fsc"),
        "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
    ),
    ("recursive", include_bytes!("../schemas/recursive.fsc"), "fuzz.p2.Node"),
];

/// The compiled seed schemas, each a valid compiler output, parsed once per process.
pub fn schemas() -> &'static [FuzzSchema] {
    static PARSED: OnceLock<Vec<FuzzSchema>> = OnceLock::new();
    PARSED.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|&(name, bytes, root)| {
                let schema = Schema::from_compiled(bytes).unwrap_or_else(|e| panic!("{name}.fsc: {e}"));
                let root = schema.message_index(root).unwrap_or_else(|| panic!("{name}.fsc has no {root}"));
                FuzzSchema { name, layout: tree::Layout::parse(bytes), schema, root }
            })
            .collect()
    })
}

/// Splits a proto target's input into its choice of schema and message, and the message bytes.
///
/// Byte 0: `% 3` picks the schema; `/ 3`, if not 0, picks message `(b / 3 - 1) % message count`
/// instead of the schema's root type, so every message type of every schema gets decoded.
pub fn pick(data: &[u8]) -> Option<(&'static FuzzSchema, u32, &[u8])> {
    let (&selector, input) = data.split_first()?;
    let schemas = schemas();
    let chosen = &schemas[usize::from(selector) % schemas.len()];
    let pick = u32::from(selector) / schemas.len() as u32;
    let message = if pick == 0 { chosen.root } else { (pick - 1) % chosen.schema.message_count() as u32 };
    Some((chosen, message, input))
}

/// A fresh arena of `capacity` bytes (at least the header).
pub fn new_arena(capacity: usize) -> Vec<u8> {
    let mut arena = vec![0; capacity.max(abi::ARENA_HEADER_LENGTH as usize)];
    assert!(ferrule_engine::proto::init_arena(&mut arena));
    arena
}
