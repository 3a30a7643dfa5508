//! An example Ferrule accelerator: `ferrule.example.metrics.v1.Stats/Summarize` computes summary
//! statistics and quantiles of a metrics request in Rust, inside the native dispatch call, so a Java
//! service offloads the sorting and arithmetic without a JNI crossing per request.
//!
//! The library this crate builds is a complete Ferrule native library (it re-exports the whole C ABI
//! of `ferrule-ffi`) whose accelerator hook registers [`register`]'s handlers.
#![deny(missing_docs)]

// The handler code is safe Rust; the only unsafe code is the hook `accelerators!` expands to.
pub mod summary;

use ferrule_engine::dispatch::{CallContext, Registry, Status};

// Links every entry point of the C ABI into this staticlib, as the stock library does.
pub use ferrule_ffi::*;

/// The method this library serves.
pub const SUMMARIZE: &str = "ferrule.example.metrics.v1.Stats/Summarize";

/// Registers this library's handlers; called once per dispatcher by the accelerator hook.
pub fn register(registry: &mut Registry) -> Result<(), Status> {
    registry.register(SUMMARIZE, summarize)?;
    Ok(())
}

/// The handler: decode `MetricsRequest`, compute, encode `Summary`.
fn summarize(_ctx: &CallContext<'_>, request: &[u8], response: &mut Vec<u8>) -> Result<(), Status> {
    let mut metrics = summary::MetricsRequest::decode(request)?;
    let stats = summary::summarize(&mut metrics.values)?;
    stats.encode(metrics.name, response);
    Ok(())
}

ferrule_ffi::accelerators!(register);
