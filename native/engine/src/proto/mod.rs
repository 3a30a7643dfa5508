//! Protobuf messages: compiled schemas, arena records, and the table-driven codec of
//! `docs/message-layout.md`.
//!
//! The engine never parses `.proto` files or descriptors. The Java schema compiler writes a
//! **compiled schema** (section 1), which [`Schema::from_compiled`] validates once; after that, one
//! decode loop ([`decode`], section 3) and one encode loop ([`encode`], section 4) are driven by its
//! tables, in the manner of upb's mini-tables: there is no code per message type.
//!
//! Decoded messages live in an **arena** (section 2), a caller-owned byte buffer with a 16-byte
//! header, as fixed-layout *records*. Strings, bytes and unknown fields are *views* of the input
//! (absolute offsets into the caller's buffer), so decoding copies no payload bytes.
//!
//! ```
//! # use ferrule_engine::proto::{decode, encode, init_arena, Schema};
//! # fn demo(compiled: &[u8], input: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let schema = Schema::from_compiled(compiled)?;
//! let message = schema.message_index("example.Span").ok_or("no such message")?;
//! let mut arena = vec![0u8; 64 * 1024];
//! init_arena(&mut arena);
//! let record = decode(&schema, message, input, 0, &mut arena, 100)?;
//! let mut out = vec![0u8; input.len()];
//! let written = encode(&schema, message, record, &arena, input, &mut out, 100)?;
//! # let _ = written; Ok(()) }
//! ```
//!
//! [`GrpcBatchDecoder`] decodes many gRPC length-prefixed messages of one type in one call
//! (section 6), composing the frame decoder with [`Decoder::decode`]; [`encode_grpc_batch`]
//! encodes many records of one type as gRPC length-prefixed messages in one call (section 7),
//! composing [`Encoder`] with the prefix.
//!
//! Everything here is safe Rust. A corrupt arena handed to the encoder (records are also written
//! by Java builders) is an error, never an out-of-bounds access; a defect in the engine is at worst
//! a panic on a checked index, which the C ABI turns into `INTERNAL`.

use core::fmt;

use crate::abi::{self, ErrorCode};

mod arena;
mod batch;
mod decode;
mod encode;
mod schema;
mod wire;

pub use arena::{arena_used, init_arena};
pub use batch::{encode_grpc_batch, BatchMessage, BatchProgress, GrpcBatchDecoder};
pub use decode::{decode, DecodeError, Decoder};
pub use encode::{encode, encoded_len, EncodeError, Encoder};
pub use schema::{Cardinality, FieldType, Schema, SchemaError};

/// `NO_INDEX`: the element index of a path entry for a field that is not repeated.
pub const NO_INDEX: u32 = abi::NO_INDEX;

/// One step of an error path: the field being decoded (or encoded) and, for a repeated field, the
/// index of its element (`NO_INDEX` otherwise). A path lists these from the root message down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PathEntry {
    /// The field number.
    pub field_number: u32,
    /// The element index for repeated fields, else [`NO_INDEX`].
    pub index: u32,
}

impl PathEntry {
    /// An entry for a singular field.
    pub const fn singular(field_number: u32) -> PathEntry {
        PathEntry { field_number, index: NO_INDEX }
    }

    /// An entry for element `index` of a repeated field.
    pub const fn element(field_number: u32, index: u32) -> PathEntry {
        PathEntry { field_number, index }
    }
}

impl fmt::Display for PathEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.index == NO_INDEX {
            write!(f, "{}", self.field_number)
        } else {
            write!(f, "{}[{}]", self.field_number, self.index)
        }
    }
}

/// Writes a path as `1.4[2].7`, or `<root>` when it is empty.
pub(crate) fn fmt_path(f: &mut fmt::Formatter<'_>, path: &[PathEntry]) -> fmt::Result {
    if path.is_empty() {
        return f.write_str("<root>");
    }
    for (i, entry) in path.iter().enumerate() {
        if i > 0 {
            f.write_str(".")?;
        }
        write!(f, "{entry}")?;
    }
    Ok(())
}

/// The code every error type of this module maps to.
pub(crate) fn code_name(f: &mut fmt::Formatter<'_>, code: ErrorCode) -> fmt::Result {
    write!(f, "{} ({})", code.name(), code.code())
}
