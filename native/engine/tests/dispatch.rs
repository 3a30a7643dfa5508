//! The first pass and response encoding of dispatch (`docs/dispatch.md`): Rust handlers answer inside
//! the call, panics stay inside, Java-handled requests are decoded into the arena and described, and
//! output space is never overrun nor a response lost.

mod common;

use common::*;
use ferrule_engine::abi;
use ferrule_engine::dispatch::*;
use ferrule_engine::frame::{encode_frame, FrameDecoder, FrameFormat};
use ferrule_engine::proto::{init_arena, Decoder, Encoder, Schema};
use ferrule_engine::ErrorCode;

fn num_schema() -> (Schema, u32) {
    let mut b = SchemaBuilder::new();
    let m = b.message("t.Num");
    b.scalar(m, 1, ty::INT64, card::IMPLICIT);
    let built = b.build();
    (Schema::from_compiled(&built.bytes).unwrap(), m)
}

fn request(method: &str, correlation: u64, payload: &[u8], wire: &mut Vec<u8>) {
    encode_frame(FrameFormat::Ferrule, method_id(method), correlation, 0, payload, wire).unwrap();
}

fn decode_all(out: &[u8]) -> Vec<(u64, u32, u8, Vec<u8>)> {
    FrameDecoder::with_default_max(FrameFormat::Ferrule)
        .frames(out)
        .map(|f| {
            let f = f.unwrap();
            (f.correlation_id, f.method_id, f.flags, f.payload.to_vec())
        })
        .collect()
}

#[test]
fn native_handlers_answer_and_panics_stay_inside() {
    let mut registry = Registry::new();
    registry
        .register("t.S/Echo", |_: &CallContext<'_>, r: &[u8], out: &mut Vec<u8>| {
            out.extend_from_slice(r);
            Ok(())
        })
        .unwrap();
    registry.register("t.S/Panic", |_: &CallContext<'_>, _: &[u8], _: &mut Vec<u8>| panic!("boom")).unwrap();
    registry
        .register("t.S/Fail", |_: &CallContext<'_>, _: &[u8], _: &mut Vec<u8>| Err(Status::invalid_argument("no")))
        .unwrap();
    let mut routes = Routes::default();
    for (name, id) in registry.methods() {
        routes.insert(id, Route::Native { handler: registry.index_of(id).unwrap(), java_index: 0 });
        let _ = name;
    }
    routes.insert(method_id("t.S/Gone"), Route::Unavailable { java_index: 9 });
    let (schema, _) = num_schema();
    let args = FirstPassArgs {
        routes: &routes,
        registry: &registry,
        schema: &schema,
        max_payload_len: 1 << 20,
        max_depth: 100,
        time_handlers: true,
    };

    let mut wire = Vec::new();
    request("t.S/Echo", 1, b"hi", &mut wire);
    request("t.S/Panic", 2, b"", &mut wire);
    request("t.S/Fail", 3, b"", &mut wire);
    request("t.S/Gone", 4, b"", &mut wire);
    request("t.S/Unknown", 5, b"", &mut wire);
    request("t.S/Echo", 6, b"tail", &mut wire);
    let whole = wire.len();
    wire.extend_from_slice(&[b'F', b'R', 1]); // a partial tail

    let mut out = vec![0u8; 4096];
    let mut arena = vec![0u8; 256];
    init_arena(&mut arena);
    let mut java = [RequestEntry::default(); 16];
    let (mut pending, mut scratch) = (Vec::new(), Vec::new());
    let pass =
        first_pass(&args, &mut Decoder::new(), &wire, 0, &mut out, &mut pending, &mut arena, &mut java, &mut scratch)
            .unwrap();
    assert_eq!((pass.requests, pass.java, pass.errors, pass.consumed), (6, 0, 4, whole));
    let outcomes: Vec<_> = java[..6].iter().map(|e| (e.correlation_id, e.answered, e.error_code)).collect();
    assert_eq!(
        outcomes,
        [
            (1, true, 0),
            (2, true, ErrorCode::DispatchHandlerFailed.code()),
            (3, true, ErrorCode::InvalidArgument.code()),
            (4, true, ErrorCode::DispatchHandlerUnavailable.code()),
            (5, true, ErrorCode::DispatchUnknownMethod.code()),
            (6, true, 0),
        ]
    );
    assert_eq!((java[3].java_index, java[4].java_index), (9, NO_METHOD));
    assert!(pending.is_empty());
    let frames = decode_all(&out[..pass.written]);
    let response = (abi::FLAG_RESPONSE) as u8;
    let error = (abi::FLAG_RESPONSE | abi::FLAG_ERROR) as u8;
    assert_eq!(frames[0], (1, method_id("t.S/Echo"), response, b"hi".to_vec()));
    assert_eq!(frames[1].2, error);
    let mut panicked = Vec::new();
    encode_status(ErrorCode::DispatchHandlerFailed, "handler panicked: boom", &mut panicked);
    assert_eq!(frames[1].3, panicked);
    let mut failed = Vec::new();
    encode_status(ErrorCode::InvalidArgument, "no", &mut failed);
    assert_eq!(frames[2].3, failed);
    let mut gone = Vec::new();
    encode_status(
        ErrorCode::DispatchHandlerUnavailable,
        ErrorCode::DispatchHandlerUnavailable.description(),
        &mut gone,
    );
    assert_eq!(frames[3].3, gone);
    assert_eq!(frames[4].0, 5);
    assert_eq!(frames[5], (6, method_id("t.S/Echo"), response, b"tail".to_vec()));

    // Out of room: the first Rust response that does not fit goes to pending, and nothing after
    // it is consumed.
    let mut small = vec![0u8; 24 + 2 + 10];
    let pass =
        first_pass(&args, &mut Decoder::new(), &wire, 0, &mut small, &mut pending, &mut arena, &mut java, &mut scratch)
            .unwrap();
    assert_eq!((pass.requests, pass.written), (2, 26));
    assert_eq!(decode_all(&pending)[0].0, 2);
}

#[test]
fn java_requests_are_decoded_and_described_and_responses_encoded() {
    let (schema, num) = num_schema();
    let registry = Registry::new();
    let mut routes = Routes::default();
    routes.insert(method_id("t.S/Java"), Route::Java { java_index: 7, request_type: num });
    let args = FirstPassArgs {
        routes: &routes,
        registry: &registry,
        schema: &schema,
        max_payload_len: 1 << 20,
        max_depth: 100,
        time_handlers: true,
    };
    let mut wire = vec![0u8; 3]; // the input starts at buffer index 3
    request("t.S/Java", 10, &vf(1, 5), &mut wire);
    request("t.S/Java", 11, &[0x08], &mut wire); // truncated varint: PROTO_TRUNCATED
    request("t.S/Java", 12, &vf(1, 300), &mut wire);
    let mut out = vec![0u8; 1024];
    let mut arena = vec![0u8; 1024];
    init_arena(&mut arena);
    let mut java = [RequestEntry::default(); 8];
    let (mut pending, mut scratch) = (Vec::new(), Vec::new());
    let mut decoder = Decoder::new();
    let pass =
        first_pass(&args, &mut decoder, &wire[3..], 3, &mut out, &mut pending, &mut arena, &mut java, &mut scratch)
            .unwrap();
    assert_eq!((pass.requests, pass.java, pass.errors), (3, 2, 1));
    assert_eq!(
        (java[0].correlation_id, java[0].java_index, java[0].payload_offset, java[0].answered),
        (10, 7, 3 + 24, false)
    );
    assert_eq!(
        (java[1].correlation_id, java[1].answered, java[1].error_code),
        (11, true, ErrorCode::ProtoTruncated.code())
    );
    assert_eq!((java[2].correlation_id, java[2].answered), (12, false));
    let frames = decode_all(&out[..pass.written]);
    assert_eq!(frames.len(), 1);
    let mut truncated = Vec::new();
    encode_status(ErrorCode::ProtoTruncated, ErrorCode::ProtoTruncated.description(), &mut truncated);
    assert_eq!(frames[0], (11, method_id("t.S/Java"), (abi::FLAG_RESPONSE | abi::FLAG_ERROR) as u8, truncated));

    // Echo the two decoded records back as responses, plus an error, in one encode.
    let mut status = Vec::new();
    encode_status(ErrorCode::DispatchHandlerFailed, "bad", &mut status);
    let responses = [
        (10, 1, JavaResponse::Message { message_type: num, root: java[0].root }),
        (99, 2, JavaResponse::Error { offset: 0, len: status.len() }),
        (12, 1, JavaResponse::Message { message_type: num, root: java[2].root }),
        (13, 1, JavaResponse::Message { message_type: num, root: 0 }),
    ];
    let mut out = vec![0u8; 1024];
    let done =
        encode_responses(&mut Encoder::new(), &schema, responses.into_iter(), &arena, &wire, &status, &mut out, 100);
    let (count, written) = (done.frames, done.written);
    assert_eq!((count, done.error), (4, None));
    let frames = decode_all(&out[..written]);
    assert_eq!(frames[0], (10, 1, abi::FLAG_RESPONSE as u8, vf(1, 5)));
    assert_eq!(frames[1], (99, 2, (abi::FLAG_RESPONSE | abi::FLAG_ERROR) as u8, status.clone()));
    assert_eq!(frames[2], (12, 1, abi::FLAG_RESPONSE as u8, vf(1, 300)));
    assert_eq!(frames[3], (13, 1, abi::FLAG_RESPONSE as u8, vec![]));

    // Room for one frame only: stop before the second, nothing torn.
    let mut small = vec![0u8; 24 + 2 + 5];
    let done =
        encode_responses(&mut Encoder::new(), &schema, responses.into_iter(), &arena, &wire, &status, &mut small, 100);
    assert_eq!((done.frames, done.written, done.error), (1, 26, None));

    // A record outside the arena stops the encoding at its index; the frames before it stay written.
    let corrupt = [
        (10, 1, JavaResponse::Message { message_type: num, root: java[0].root }),
        (11, 1, JavaResponse::Message { message_type: num, root: 1 << 20 }),
    ];
    let done =
        encode_responses(&mut Encoder::new(), &schema, corrupt.into_iter(), &arena, &wire, &status, &mut out, 100);
    assert_eq!((done.frames, done.written), (1, 26));
    assert_eq!(done.error.map(|e| e.code), Some(ErrorCode::InvalidArgument));
}

#[test]
fn a_bad_frame_is_reported_only_when_first() {
    let (schema, _) = num_schema();
    let registry = Registry::new();
    let routes = Routes::default();
    let args = FirstPassArgs {
        routes: &routes,
        registry: &registry,
        schema: &schema,
        max_payload_len: 1 << 20,
        max_depth: 100,
        time_handlers: true,
    };
    let mut wire = Vec::new();
    request("t.S/X", 1, b"", &mut wire);
    let first = wire.len();
    wire.extend_from_slice(b"XX-not-a-frame-at-all-xxxxxxx");
    let mut out = vec![0u8; 1024];
    let mut arena = vec![0u8; 256];
    init_arena(&mut arena);
    let mut java = [RequestEntry::default(); 8];
    let (mut pending, mut scratch) = (Vec::new(), Vec::new());
    let pass =
        first_pass(&args, &mut Decoder::new(), &wire, 0, &mut out, &mut pending, &mut arena, &mut java, &mut scratch)
            .unwrap();
    assert_eq!((pass.requests, pass.consumed, pass.errors), (1, first, 1));
    let err = first_pass(
        &args,
        &mut Decoder::new(),
        &wire[first..],
        0,
        &mut out,
        &mut pending,
        &mut arena,
        &mut java,
        &mut scratch,
    )
    .unwrap_err();
    assert_eq!((err.code, err.offset), (ErrorCode::FrameBadMagic, 0));
}
