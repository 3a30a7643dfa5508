//! The stock Ferrule native library: the whole C ABI of `ferrule-ffi`, plus the accelerator hook
//! registering no Rust handler.
//!
//! A library with your own handlers is this crate with another `register` function: see
//! `docs/dispatch.md`, section 5, and `examples/rust-accelerator/`.
#![deny(missing_docs)]

// Links every `#[no_mangle]` entry point of the C ABI into this staticlib.
pub use ferrule_ffi::*;

use ferrule_engine::dispatch::{Registry, Status};

/// The stock library serves no method natively.
fn register(_registry: &mut Registry) -> Result<(), Status> {
    Ok(())
}

ferrule_ffi::accelerators!(register);
