//! Calls the exported C functions from Rust with real buffers, as the JNI glue does.

use std::ffi::CStr;
use std::ptr;

use ferrule_engine::abi;
use ferrule_engine::frame::{encode_frame, FrameDecoder, FrameDescriptor, FrameFormat};
use ferrule_ffi::{
    ferrule_abi_version, ferrule_debug_panic, ferrule_engine_version, ferrule_frames_decode, ferrule_frames_encode,
};

const FERRULE: u32 = abi::FORMAT_FERRULE;
const GRPC: u32 = abi::FORMAT_GRPC;
const MAX: u32 = abi::DEFAULT_MAX_PAYLOAD_LENGTH;
const INVALID_ARGUMENT: i32 = 1;
const BUFFER_TOO_SMALL: i32 = 2;
const INTERNAL: i32 = 3;

/// A frame table in test memory, pre-filled with junk so every field the call must write shows.
struct Table(Vec<u8>);

#[derive(Debug, PartialEq, Eq)]
struct Header {
    count: u32,
    bytes: u64,
    error_code: u32,
    error_offset: u64,
}

#[derive(Debug, PartialEq, Eq)]
struct Entry {
    correlation_id: u64,
    method_id: u32,
    payload_offset: u32,
    payload_len: u32,
    flags: u8,
}

impl Table {
    fn new(capacity: usize) -> Table {
        Table(vec![0xEE; 32 + 24 * capacity])
    }

    fn capacity(&self) -> u32 {
        ((self.0.len() - 32) / 24) as u32
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.0[at..at + 4].try_into().unwrap())
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.0[at..at + 8].try_into().unwrap())
    }

    fn header(&self) -> Header {
        assert_eq!((self.u32_at(4), self.u32_at(20)), (0, 0), "reserved header fields are cleared");
        Header {
            count: self.u32_at(0),
            bytes: self.u64_at(8),
            error_code: self.u32_at(16),
            error_offset: self.u64_at(24),
        }
    }

    fn entry(&self, i: usize) -> Entry {
        let at = 32 + 24 * i;
        assert_eq!(self.0[at + 21..at + 24], [0, 0, 0], "reserved entry bytes are cleared");
        Entry {
            correlation_id: self.u64_at(at),
            method_id: self.u32_at(at + 8),
            payload_offset: self.u32_at(at + 12),
            payload_len: self.u32_at(at + 16),
            flags: self.0[at + 20],
        }
    }

    fn set_entry(&mut self, i: usize, correlation_id: u64, method_id: u32, flags: u8, offset: u32, len: u32) {
        let at = 32 + 24 * i;
        self.0[at..at + 8].copy_from_slice(&correlation_id.to_le_bytes());
        self.0[at + 8..at + 12].copy_from_slice(&method_id.to_le_bytes());
        self.0[at + 12..at + 16].copy_from_slice(&offset.to_le_bytes());
        self.0[at + 16..at + 20].copy_from_slice(&len.to_le_bytes());
        self.0[at + 20] = flags;
    }
}

fn decode(format: u32, input: &[u8], base: u64, max: u32, eoi: bool, table: &mut Table) -> i32 {
    let capacity = table.capacity();
    // SAFETY: both pointers come from live slices of the lengths passed.
    unsafe {
        ferrule_frames_decode(
            format,
            input.as_ptr(),
            input.len() as u64,
            base,
            max,
            eoi,
            table.0.as_mut_ptr(),
            capacity,
        )
    }
}

fn encode(format: u32, payloads: &[u8], table: &mut Table, count: u32, output: &mut [u8], max: u32) -> i32 {
    assert!(count <= table.capacity());
    // SAFETY: all pointers come from live slices of the lengths passed.
    unsafe {
        ferrule_frames_encode(
            format,
            payloads.as_ptr(),
            payloads.len() as u64,
            table.0.as_mut_ptr(),
            count,
            output.as_mut_ptr(),
            output.len() as u64,
            max,
        )
    }
}

fn ferrule_frame(method: u32, correlation: u64, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(FrameFormat::Ferrule, method, correlation, flags, payload, &mut out).unwrap();
    out
}

fn grpc_frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(FrameFormat::Grpc, 0, 0, flags, payload, &mut out).unwrap();
    out
}

fn error(code: u32, offset: u64) -> Header {
    Header { count: 0, bytes: 0, error_code: code, error_offset: offset }
}

#[test]
fn versions() {
    assert_eq!(ferrule_abi_version(), abi::ABI_VERSION);
    // SAFETY: the function returns a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(ferrule_engine_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn debug_panic_is_caught() {
    assert_eq!(ferrule_debug_panic(), INTERNAL);
    assert_eq!(ferrule_debug_panic(), INTERNAL, "and again: nothing was left poisoned");
}

#[test]
fn decode_writes_absolute_offsets() {
    let input = [ferrule_frame(7, u64::MAX, 0x0A, b"hello"), ferrule_frame(8, 9, 0, b"")].concat();
    let mut table = Table::new(4);
    assert_eq!(decode(FERRULE, &input, 1000, MAX, true, &mut table), 0);
    assert_eq!(table.header(), Header { count: 2, bytes: 53, error_code: 0, error_offset: 0 });
    assert_eq!(
        table.entry(0),
        Entry { correlation_id: u64::MAX, method_id: 7, payload_offset: 1024, payload_len: 5, flags: 0x0A }
    );
    assert_eq!(
        table.entry(1),
        Entry { correlation_id: 9, method_id: 8, payload_offset: 1053, payload_len: 0, flags: 0 }
    );

    let input = [grpc_frame(1, b"abc"), grpc_frame(0, b"de")].concat();
    assert_eq!(decode(GRPC, &input, 0, MAX, true, &mut table), 0);
    assert_eq!(table.header(), Header { count: 2, bytes: 15, error_code: 0, error_offset: 0 });
    assert_eq!(table.entry(0), Entry { correlation_id: 0, method_id: 0, payload_offset: 5, payload_len: 3, flags: 1 });
    assert_eq!(table.entry(1), Entry { correlation_id: 0, method_id: 0, payload_offset: 13, payload_len: 2, flags: 0 });
}

#[test]
fn decode_partial_tail_and_full_table() {
    let frame = ferrule_frame(1, 1, 0, b"abc");
    let mut table = Table::new(1);
    assert_eq!(decode(FERRULE, &frame[..10], 5, MAX, false, &mut table), 0);
    assert_eq!(table.header(), Header { count: 0, bytes: 0, error_code: 0, error_offset: 0 });
    let two = [frame.clone(), frame.clone()].concat();
    assert_eq!(decode(FERRULE, &two, 0, MAX, true, &mut table), 0);
    assert_eq!(table.header().count, 1);
    assert_eq!(table.header().bytes, 27);
    let mut empty = Table::new(0);
    assert_eq!(decode(FERRULE, &two, 0, MAX, true, &mut empty), 0);
    assert_eq!(empty.header(), Header { count: 0, bytes: 0, error_code: 0, error_offset: 0 });
}

#[test]
fn decode_errors_carry_absolute_offsets() {
    let good = ferrule_frame(1, 2, 0, b"payload");
    let with = |at: usize, value: u8| {
        let mut frame = good.clone();
        frame[at] = value;
        frame
    };
    let cases = [
        (FERRULE, with(0, b'X'), MAX, 100, 0),
        (FERRULE, with(1, b'X'), MAX, 100, 0),
        (FERRULE, with(2, 2), MAX, 101, 2),
        (FERRULE, with(3, 0x40), MAX, 102, 3),
        (FERRULE, good.clone(), 6, 103, 16),
        (FERRULE, with(24, b'P'), MAX, 104, 20),
        (FERRULE, good[..30].to_vec(), MAX, 105, 0),
        (FERRULE, good[..3].to_vec(), MAX, 105, 0),
        (GRPC, vec![2, 0, 0, 0, 0], MAX, 102, 0),
        (GRPC, vec![0, 0, 0, 0, 7], 6, 103, 1),
        (GRPC, vec![0, 0, 0, 0, 7, 1], MAX, 105, 0),
    ];
    for (format, bad, max, code, offset) in cases {
        let mut table = Table::new(8);
        assert_eq!(decode(format, &bad, 500, max, true, &mut table), code as i32, "{bad:?}");
        assert_eq!(table.header(), error(code, 500 + offset));

        // After a valid frame: the frame is returned and the error waits for the next call.
        let first = if format == FERRULE { ferrule_frame(3, 3, 0, b"ok") } else { grpc_frame(0, b"ok") };
        let stream = [first.clone(), bad.clone()].concat();
        assert_eq!(decode(format, &stream, 500, max, true, &mut table), 0);
        assert_eq!(table.header().count, 1);
        assert_eq!(table.header().bytes, first.len() as u64);
        let next = first.len();
        assert_eq!(decode(format, &stream[next..], 500 + next as u64, max, true, &mut table), code as i32);
        assert_eq!(table.header(), error(code, 500 + next as u64 + offset));
    }
}

#[test]
fn decode_in_batches_matches_one_engine_call() {
    // More frames than one internal batch, with an invalid frame after them.
    let mut input = Vec::new();
    for i in 0..700u32 {
        input.extend(ferrule_frame(i, u64::from(i), (i % 16) as u8, &i.to_le_bytes()[..(i % 5) as usize]));
    }
    input.extend(b"XR\x01\x00 and then some junk past a whole header");
    let decoder = FrameDecoder::with_default_max(FrameFormat::Ferrule);
    for capacity in [1usize, 255, 256, 257, 512, 699, 700, 701, 2000] {
        let mut expected = vec![FrameDescriptor::default(); capacity];
        let progress = decoder.decode(&input, true, &mut expected).unwrap();
        let mut table = Table::new(capacity);
        assert_eq!(decode(FERRULE, &input, 3, MAX, true, &mut table), 0, "capacity {capacity}");
        assert_eq!(table.header().count as usize, progress.frames);
        assert_eq!(table.header().bytes as usize, progress.consumed);
        for (i, d) in expected[..progress.frames].iter().enumerate() {
            let entry = table.entry(i);
            assert_eq!(entry.payload_offset as usize, d.payload_offset + 3);
            assert_eq!((entry.method_id, entry.correlation_id, entry.flags), (d.method_id, d.correlation_id, d.flags));
        }
    }
    let mut table = Table::new(1);
    let consumed = 700 * 24 + (0..700).map(|i| i % 5).sum::<usize>();
    assert_eq!(decode(FERRULE, &input[consumed..], 0, MAX, true, &mut table), 100);
    assert_eq!(table.header(), error(100, 0));
}

#[test]
fn decode_payload_offsets_must_fit_u32() {
    let input = [grpc_frame(0, b"abc"), grpc_frame(0, b"de")].concat();
    let base = u64::from(u32::MAX) - 10;
    let mut table = Table::new(4);
    // The first payload starts at u32::MAX - 5; the second would start past u32::MAX.
    assert_eq!(decode(GRPC, &input, base, MAX, true, &mut table), 0);
    assert_eq!(table.header(), Header { count: 1, bytes: 8, error_code: 0, error_offset: 0 });
    assert_eq!(table.entry(0).payload_offset, u32::MAX - 5);
    assert_eq!(decode(GRPC, &input[8..], base + 8, MAX, true, &mut table), INVALID_ARGUMENT);
    assert_eq!(table.header(), error(1, base + 8));
    // A payload ending exactly at the u32 boundary still fits.
    assert_eq!(decode(GRPC, &input[8..], u64::from(u32::MAX) - 5, MAX, true, &mut table), 0);
    assert_eq!(table.entry(0).payload_offset, u32::MAX);
}

#[test]
fn decode_invalid_arguments() {
    let input = grpc_frame(0, b"x");
    let mut table = Table::new(2);
    let cases: [(u32, u64, u32); 4] = [
        (2, 0, MAX),                                  // unknown format
        (GRPC, 0, abi::MAX_PAYLOAD_LENGTH_LIMIT + 1), // maximum over the limit
        (GRPC, u64::MAX, MAX),                        // base_offset + input_len overflows
        (GRPC, u64::MAX - input.len() as u64 + 1, MAX),
    ];
    for (format, base, max) in cases {
        table.0.fill(0xEE);
        assert_eq!(decode(format, &input, base, max, true, &mut table), INVALID_ARGUMENT);
        assert_eq!(table.header(), error(1, 0));
    }
    assert_eq!(decode(GRPC, &input, u64::MAX - input.len() as u64, MAX, true, &mut table), INVALID_ARGUMENT);
    assert_eq!(table.header(), error(1, u64::MAX - input.len() as u64), "payload offset does not fit u32");

    // SAFETY (all calls below): the non-null pointers come from live slices of the lengths
    // passed; null pointers and bad lengths must be refused before any access.
    unsafe {
        table.0.fill(0xEE);
        assert_eq!(
            ferrule_frames_decode(GRPC, ptr::null(), 0, 0, MAX, true, table.0.as_mut_ptr(), 2),
            INVALID_ARGUMENT
        );
        assert_eq!(table.header(), error(1, 0));
        table.0.fill(0xEE);
        assert_eq!(
            ferrule_frames_decode(GRPC, ptr::null(), 5, 0, MAX, true, table.0.as_mut_ptr(), 2),
            INVALID_ARGUMENT
        );
        assert_eq!(table.header(), error(1, 0));
        table.0.fill(0xEE);
        let too_long = isize::MAX as u64 + 1;
        assert_eq!(
            ferrule_frames_decode(GRPC, input.as_ptr(), too_long, 0, MAX, true, table.0.as_mut_ptr(), 2),
            INVALID_ARGUMENT
        );
        assert_eq!(table.header(), error(1, 0));
        assert_eq!(ferrule_frames_decode(GRPC, input.as_ptr(), 6, 0, MAX, true, ptr::null_mut(), 2), INVALID_ARGUMENT);
        // Input overlapping the table would alias the table's mutable slice.
        table.0.fill(0xEE);
        let table_ptr = table.0.as_mut_ptr();
        assert_eq!(ferrule_frames_decode(GRPC, table_ptr.add(40), 6, 0, MAX, true, table_ptr, 2), INVALID_ARGUMENT);
        assert_eq!(table.header(), error(1, 0));
        // Adjacent is not overlapping.
        let mut memory = vec![0u8; 32 + 24 + 6];
        memory[56..].copy_from_slice(&input);
        let base = memory.as_mut_ptr();
        assert_eq!(ferrule_frames_decode(GRPC, base.add(56), 6, 0, MAX, true, base, 1), 0);
        assert_eq!(u32::from_le_bytes(memory[0..4].try_into().unwrap()), 1);
    }
}

#[test]
fn encode_writes_table_order() {
    let payloads = b"..hello..world".to_vec();
    let mut table = Table::new(3);
    table.set_entry(0, 42, 7, 0x0A, 2, 5);
    table.set_entry(1, 43, 8, 0, 0, 0);
    table.set_entry(2, 44, 9, 1, 9, 5);
    let expected =
        [ferrule_frame(7, 42, 0x0A, b"hello"), ferrule_frame(8, 43, 0, b""), ferrule_frame(9, 44, 1, b"world")]
            .concat();
    let mut output = vec![0xAA; expected.len() + 4];
    assert_eq!(encode(FERRULE, &payloads, &mut table, 3, &mut output, MAX), 0);
    assert_eq!(&output[..expected.len()], &expected[..]);
    assert_eq!(output[expected.len()..], [0xAA; 4]);
    assert_eq!(table.header(), Header { count: 3, bytes: expected.len() as u64, error_code: 0, error_offset: 0 });

    let expected = [grpc_frame(0, b"hello"), grpc_frame(0, b""), grpc_frame(1, b"world")].concat();
    table.set_entry(0, 42, 7, 0, 2, 5); // gRPC flags must be 0 or 1; ids are ignored
    assert_eq!(encode(GRPC, &payloads, &mut table, 3, &mut output, MAX), 0);
    assert_eq!(&output[..expected.len()], &expected[..]);
    assert_eq!(table.header().bytes, expected.len() as u64);

    // Zero entries encode to nothing.
    assert_eq!(encode(GRPC, &payloads, &mut table, 0, &mut output, MAX), 0);
    assert_eq!(table.header(), Header { count: 0, bytes: 0, error_code: 0, error_offset: 0 });
}

#[test]
fn encode_entry_errors_name_the_entry() {
    let payloads = [1u8; 16];
    // (format, entries as (flags, payload offset, payload length), error code, error offset)
    type Case = (u32, [(u8, u32, u32); 3], u32, u64);
    let cases: [Case; 5] = [
        (FERRULE, [(0, 0, 4), (0, 12, 5), (0, 0, 1)], 1, 1), // payload past the end
        (FERRULE, [(0, 0, 4), (0, u32::MAX, 2), (0, 0, 1)], 1, 1),
        (FERRULE, [(0, 0, 4), (0, 0, 4), (0x10, 0, 1)], 102, 2),
        (GRPC, [(2, 0, 4), (0, 0, 4), (0, 0, 1)], 102, 0),
        (GRPC, [(0, 0, 4), (0, 0, 4), (1, 0, 9)], 103, 2), // over the maximum of 8
    ];
    for (format, entries, code, index) in cases {
        let mut table = Table::new(3);
        for (i, (flags, offset, len)) in entries.into_iter().enumerate() {
            table.set_entry(i, 1, 2, flags, offset, len);
        }
        let mut output = [0xAA; 200];
        assert_eq!(encode(format, &payloads, &mut table, 3, &mut output, 8), code as i32);
        // Encode never changes `count`: the caller's entries survive the failure.
        assert_eq!(table.header(), Header { count: 3, ..error(code, index) });
        assert!(output.iter().all(|&b| b == 0xAA), "nothing written");
    }
}

#[test]
fn encode_buffer_too_small_reports_the_size() {
    let payloads = [1u8; 16];
    let mut table = Table::new(2);
    table.set_entry(0, 1, 2, 0, 0, 10);
    table.set_entry(1, 1, 2, 0, 10, 6);
    let mut output = [0xAA; 63];
    assert_eq!(encode(FERRULE, &payloads, &mut table, 2, &mut output, MAX), BUFFER_TOO_SMALL);
    assert_eq!(table.header(), Header { count: 2, bytes: 64, error_code: 2, error_offset: 0 });
    assert!(output.iter().all(|&b| b == 0xAA), "nothing written");
    let mut output = [0xAA; 64];
    assert_eq!(encode(FERRULE, &payloads, &mut table, 2, &mut output, MAX), 0);
    assert_eq!(table.header().bytes, 64);
}

#[test]
fn encode_invalid_arguments() {
    let payloads = [1u8; 8];
    let mut table = Table::new(1);
    table.set_entry(0, 1, 2, 0, 0, 8);
    let mut output = [0u8; 64];
    assert_eq!(encode(7, &payloads, &mut table, 1, &mut output, MAX), INVALID_ARGUMENT);
    assert_eq!(table.header(), Header { count: 1, ..error(1, 0) });
    assert_eq!(
        encode(GRPC, &payloads, &mut table, 1, &mut output, abi::MAX_PAYLOAD_LENGTH_LIMIT + 1),
        INVALID_ARGUMENT
    );
    assert_eq!(table.header(), Header { count: 1, ..error(1, 0) });

    let t = table.0.as_mut_ptr();
    let (p, o) = (payloads.as_ptr(), output.as_mut_ptr());
    // SAFETY (all calls below): the non-null pointers come from live buffers of the lengths
    // passed; null pointers, bad lengths and overlaps must be refused before any access.
    unsafe {
        assert_eq!(ferrule_frames_encode(GRPC, ptr::null(), 8, t, 1, o, 64, MAX), INVALID_ARGUMENT);
        assert_eq!(ferrule_frames_encode(GRPC, p, 8, t, 1, ptr::null_mut(), 64, MAX), INVALID_ARGUMENT);
        assert_eq!(ferrule_frames_encode(GRPC, p, 8, ptr::null_mut(), 1, o, 64, MAX), INVALID_ARGUMENT);
        assert_eq!(ferrule_frames_encode(GRPC, p, isize::MAX as u64 + 1, t, 1, o, 64, MAX), INVALID_ARGUMENT);
        assert_eq!(ferrule_frames_encode(GRPC, p, 8, t, 1, o, u64::MAX, MAX), INVALID_ARGUMENT);
        // Output overlapping the payloads or the table.
        let mut memory = [0u8; 100];
        let m = memory.as_mut_ptr();
        assert_eq!(ferrule_frames_encode(GRPC, m, 8, t, 1, m.add(4), 20, MAX), INVALID_ARGUMENT);
        assert_eq!(ferrule_frames_encode(GRPC, p, 8, t, 1, t.add(50), 20, MAX), INVALID_ARGUMENT);
        assert_eq!(ferrule_frames_encode(GRPC, t.add(40), 8, t, 1, o, 64, MAX), INVALID_ARGUMENT);
    }
    assert_eq!(table.header(), Header { count: 1, ..error(1, 0) });
    assert!(output.iter().all(|&b| b == 0), "nothing written");
}
