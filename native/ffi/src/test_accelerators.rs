//! The stock library's test accelerators, registered only through the test hook
//! `ferrule_dispatcher_add_test_handlers`, so mixed batches can be tested on the stock build.
//!
//! Request and response types (schema `ferrule.test.v1`): `Values { repeated double values = 1; }`
//! and `Total { double sum = 1; int64 count = 2; }`.

use ferrule_engine::dispatch::{CallContext, Registry, Status};

/// Reads a varint at `*at`.
fn varint(bytes: &[u8], at: &mut usize) -> Result<u64, Status> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or_else(|| Status::invalid_argument("truncated varint"))?;
        *at += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err(Status::invalid_argument("varint longer than 10 bytes"))
}

fn take<'a>(bytes: &'a [u8], at: &mut usize, len: usize) -> Result<&'a [u8], Status> {
    let end = at
        .checked_add(len)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| Status::invalid_argument("truncated field"))?;
    let slice = &bytes[*at..end];
    *at = end;
    Ok(slice)
}

/// Sums field 1 (repeated double, packed or not) of a `Values`; other fields are skipped.
fn sum(_: &CallContext<'_>, request: &[u8], response: &mut Vec<u8>) -> Result<(), Status> {
    let (mut total, mut count) = (0f64, 0i64);
    let mut at = 0;
    while at < request.len() {
        let tag = varint(request, &mut at)?;
        match (tag >> 3, tag & 7) {
            (1, 1) => {
                total += f64::from_le_bytes(take(request, &mut at, 8)?.try_into().expect("8 bytes"));
                count += 1;
            }
            (1, 2) => {
                let len = varint(request, &mut at)? as usize;
                let packed = take(request, &mut at, len)?;
                if packed.len() % 8 != 0 {
                    return Err(Status::invalid_argument("packed doubles not a multiple of 8 bytes"));
                }
                for chunk in packed.chunks_exact(8) {
                    total += f64::from_le_bytes(chunk.try_into().expect("8 bytes"));
                    count += 1;
                }
            }
            (_, 0) => {
                varint(request, &mut at)?;
            }
            (_, 1) => {
                take(request, &mut at, 8)?;
            }
            (_, 2) => {
                let len = varint(request, &mut at)? as usize;
                take(request, &mut at, len)?;
            }
            (_, 5) => {
                take(request, &mut at, 4)?;
            }
            _ => return Err(Status::invalid_argument("unsupported wire type")),
        }
    }
    if total != 0.0 || total.is_sign_negative() || total.is_nan() {
        response.push(0x09);
        response.extend_from_slice(&total.to_le_bytes());
    }
    if count != 0 {
        response.push(0x10);
        let mut v = count as u64;
        while v >= 0x80 {
            response.push((v as u8) | 0x80);
            v >>= 7;
        }
        response.push(v as u8);
    }
    Ok(())
}

/// Registers Echo, Sum, Panic and Fail under `ferrule.test.v1.Accelerator/`.
pub(crate) fn register(registry: &mut Registry) -> Result<(), Status> {
    registry.register(
        "ferrule.test.v1.Accelerator/Echo",
        |_: &CallContext<'_>, request: &[u8], response: &mut Vec<u8>| {
            response.extend_from_slice(request);
            Ok(())
        },
    )?;
    registry.register("ferrule.test.v1.Accelerator/Sum", sum)?;
    registry.register("ferrule.test.v1.Accelerator/Panic", |ctx: &CallContext<'_>, _: &[u8], _: &mut Vec<u8>| {
        panic!("test accelerator panicked on purpose for {}", crate::dispatch::describe(ctx))
    })?;
    registry.register("ferrule.test.v1.Accelerator/Fail", |_: &CallContext<'_>, _: &[u8], _: &mut Vec<u8>| {
        Err(Status::invalid_argument("failed on purpose"))
    })?;
    Ok(())
}
