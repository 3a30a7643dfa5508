//! The Ferrule engine: splits byte streams into frames and writes frames, for the two wire
//! formats of `docs/wire-format.md` — gRPC length-prefixed messages and Ferrule stream frames
//! ([`frame`]) — and decodes and encodes protobuf messages into and out of arena records, driven by
//! compiled schemas (`docs/message-layout.md`, [`proto`]).
//!
//! This crate knows nothing about the JVM or C; `ferrule-ffi` wraps it for them, and any Rust
//! service can use it directly:
//!
//! ```
//! use ferrule_engine::frame::{encode_frame, FrameDecoder, FrameFormat};
//!
//! let mut wire = Vec::new();
//! encode_frame(FrameFormat::Ferrule, 7, 42, 0, b"hello", &mut wire).unwrap();
//! encode_frame(FrameFormat::Ferrule, 7, 43, 0, b"world", &mut wire).unwrap();
//!
//! let decoder = FrameDecoder::with_default_max(FrameFormat::Ferrule);
//! let payloads: Vec<&[u8]> = decoder
//!     .frames(&wire)
//!     .map(|frame| frame.unwrap().payload)
//!     .collect();
//! assert_eq!(payloads, [&b"hello"[..], &b"world"[..]]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

/// Constants and error codes generated from `abi.tsv`, the one table shared with Java and C.
pub mod abi {
    include!(concat!(env!("OUT_DIR"), "/abi.rs"));

    impl core::fmt::Display for ErrorCode {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "{} ({}): {}", self.name(), self.code(), self.description())
        }
    }

    impl std::error::Error for ErrorCode {}

    impl From<ErrorCode> for u32 {
        fn from(code: ErrorCode) -> u32 {
            code.code()
        }
    }
}

pub mod dispatch;
pub mod frame;
pub mod proto;

pub use abi::ErrorCode;

#[cfg(test)]
mod abi_table_tests;
