//! The error status payload of an error frame (`docs/wire-format.md`, section 6): readable as
//! `google.rpc.Status` (code = 1, message = 2) with the Ferrule code in field 1000.

use crate::abi::{self, ErrorCode};

/// Bytes of a varint.
fn varint_len(mut value: u64) -> usize {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}

fn put_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

const FERRULE_CODE_TAG: u64 = (abi::STATUS_FERRULE_CODE_FIELD as u64) << 3;

/// Bytes [`encode_status`] appends for `code` and `message`.
pub fn status_len(code: ErrorCode, message: &str) -> usize {
    let mut len = 1 + varint_len(u64::from(code.grpc_code()));
    if !message.is_empty() {
        len += 1 + varint_len(message.len() as u64) + message.len();
    }
    len + varint_len(FERRULE_CODE_TAG) + varint_len(u64::from(code.code()))
}

/// Appends the status payload for `code` with `message`: field 1 the gRPC code, field 2 the message
/// (omitted when empty), field 1000 the Ferrule code, in that order.
pub fn encode_status(code: ErrorCode, message: &str, out: &mut Vec<u8>) {
    out.push(0x08);
    put_varint(u64::from(code.grpc_code()), out);
    if !message.is_empty() {
        out.push(0x12);
        put_varint(message.len() as u64, out);
        out.extend_from_slice(message.as_bytes());
    }
    put_varint(FERRULE_CODE_TAG, out);
    put_varint(u64::from(code.code()), out);
}
