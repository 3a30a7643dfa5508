//! Dispatch: routing Ferrule request frames to handlers and writing response frames
//! (`docs/dispatch.md`).
//!
//! A Rust service team implements [`Handler`] (or passes a closure) and registers it in a
//! [`Registry`] under its full method name. Handlers see the request's protobuf encoding as bytes
//! and append the response's encoding, so they work with prost or any other protobuf library:
//!
//! ```
//! use ferrule_engine::dispatch::{CallContext, Registry, Status};
//!
//! let mut registry = Registry::new();
//! registry
//!     .register("demo.v1.Echo/Echo", |_ctx: &CallContext<'_>, request: &[u8], response: &mut Vec<u8>| {
//!         response.extend_from_slice(request);
//!         Ok::<(), Status>(())
//!     })
//!     .unwrap();
//! assert!(registry.find(ferrule_engine::dispatch::method_id("demo.v1.Echo/Echo")).is_some());
//! ```
//!
//! [`first_pass`] is the engine half of one `dispatch` call: it decodes every complete request
//! frame, answers unknown methods, bad requests and Rust-handled methods directly, and describes
//! Java-handled requests (decoded into an arena) for the JVM to run. [`encode_responses`] writes the
//! JVM's responses as frames in one more call.

use core::fmt;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use crate::abi::{self, ErrorCode};
use crate::frame::{FrameDecoder, FrameDescriptor, FrameFormat};
use crate::proto::{Decoder, Encoder, Schema};

mod status;

pub use status::{encode_status, status_len};

#[cfg(test)]
mod tests;

/// The method id of a full method name `pkg.Service/Method`: the CRC-32C of its UTF-8 bytes.
pub fn method_id(method: &str) -> u32 {
    crc32c::crc32c(method.as_bytes())
}

/// The method id of `method` if it is a usable name: one `/` with text on both sides, and an id
/// that is not 0 (reserved: gRPC framing carries no method). Else `DISPATCH_METHOD_INVALID`.
pub fn checked_method_id(method: &str) -> Result<u32, Status> {
    let well_formed = match method.split_once('/') {
        Some((service, name)) => !service.is_empty() && !name.is_empty() && !name.contains('/'),
        None => false,
    };
    if !well_formed {
        return Err(Status::new(
            ErrorCode::DispatchMethodInvalid,
            format!("method name {method:?} is not pkg.Service/Method"),
        ));
    }
    match method_id(method) {
        0 => Err(Status::new(ErrorCode::DispatchMethodInvalid, format!("method {method:?} has the reserved id 0"))),
        id => Ok(id),
    }
}

/// An error a handler answers with: a Ferrule error code (which names the gRPC status) and a
/// message, carried to the client in an error frame (`docs/wire-format.md`, section 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    code: ErrorCode,
    message: String,
}

impl Status {
    /// A status with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Status {
        Status { code, message: message.into() }
    }

    /// `DISPATCH_HANDLER_FAILED` (gRPC UNKNOWN) with this message: the handler could not do its work.
    pub fn failed(message: impl Into<String>) -> Status {
        Status::new(ErrorCode::DispatchHandlerFailed, message)
    }

    /// `INVALID_ARGUMENT` with this message: the request is unacceptable.
    pub fn invalid_argument(message: impl Into<String>) -> Status {
        Status::new(ErrorCode::InvalidArgument, message)
    }

    /// The Ferrule error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code.name(), self.code.code(), self.message)
    }
}

impl std::error::Error for Status {}

impl From<ErrorCode> for Status {
    fn from(code: ErrorCode) -> Status {
        Status::new(code, code.description())
    }
}

/// What a handler knows about the call it serves.
#[derive(Debug, Clone, Copy)]
pub struct CallContext<'a> {
    method: &'a str,
    method_id: u32,
    correlation_id: u64,
}

impl<'a> CallContext<'a> {
    /// A context for one call.
    pub fn new(method: &'a str, method_id: u32, correlation_id: u64) -> CallContext<'a> {
        CallContext { method, method_id, correlation_id }
    }

    /// The full method name, `pkg.Service/Method`.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The method id from the request frame.
    pub fn method_id(&self) -> u32 {
        self.method_id
    }

    /// The request's correlation id, which its response carries.
    pub fn correlation_id(&self) -> u64 {
        self.correlation_id
    }
}

impl fmt::Display for CallContext<'_> {
    /// `pkg.Service/Method#42`, for log lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.method, self.correlation_id)
    }
}

/// A request handler compiled into the native library (an "accelerator").
///
/// Runs inside the native dispatch call, on the thread that called `dispatch`, possibly on many
/// threads at once. A panic answers the request with `DISPATCH_HANDLER_FAILED`; the batch goes on.
pub trait Handler: Send + Sync {
    /// Handles one request. `request` is the request message's protobuf encoding; append the
    /// response message's encoding to `response`, which is empty on entry. An `Err` is sent to the
    /// client as an error frame instead of the response.
    fn handle(&self, ctx: &CallContext<'_>, request: &[u8], response: &mut Vec<u8>) -> Result<(), Status>;
}

impl<F> Handler for F
where
    F: Fn(&CallContext<'_>, &[u8], &mut Vec<u8>) -> Result<(), Status> + Send + Sync,
{
    fn handle(&self, ctx: &CallContext<'_>, request: &[u8], response: &mut Vec<u8>) -> Result<(), Status> {
        self(ctx, request, response)
    }
}

/// Rust handlers by method.
#[derive(Default)]
pub struct Registry {
    methods: Vec<(String, u32, Box<dyn Handler>)>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.methods.iter().map(|(name, id, _)| (name, id))).finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers `handler` for `method` (`pkg.Service/Method`) and returns its method id.
    /// `DISPATCH_METHOD_INVALID` for a malformed name, id 0, or an id already registered.
    pub fn register(&mut self, method: &str, handler: impl Handler + 'static) -> Result<u32, Status> {
        let id = checked_method_id(method)?;
        if let Some((other, _)) = self.find(id) {
            return Err(Status::new(
                ErrorCode::DispatchMethodInvalid,
                format!("method {method:?} has id {id:#010x}, already registered for {other:?}"),
            ));
        }
        self.methods.push((method.to_string(), id, Box::new(handler)));
        Ok(id)
    }

    /// The name and handler registered under `method_id`.
    pub fn find(&self, method_id: u32) -> Option<(&str, &dyn Handler)> {
        self.methods.iter().find(|(_, id, _)| *id == method_id).map(|(name, _, h)| (name.as_str(), h.as_ref()))
    }

    /// The index of the handler registered under `method_id`, for [`Route::Native`].
    pub fn index_of(&self, method_id: u32) -> Option<usize> {
        self.methods.iter().position(|(_, id, _)| *id == method_id)
    }

    /// Registered methods.
    pub fn len(&self) -> usize {
        self.methods.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.methods.is_empty()
    }

    /// Every registered (name, method id).
    pub fn methods(&self) -> impl Iterator<Item = (&str, u32)> {
        self.methods.iter().map(|(name, id, _)| (name.as_str(), *id))
    }
}

/// What the first pass does with requests for one method. Every route carries the JVM's index of
/// the method, so that the JVM can name the method of every request in its observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Run the registry's handler at index `handler` inside the call.
    Native {
        /// Index of the handler in the [`Registry`].
        handler: usize,
        /// The JVM's index of the method.
        java_index: u32,
    },
    /// Decode the request as message `request_type` into the arena and describe it for the JVM.
    Java {
        /// The JVM's index of the method.
        java_index: u32,
        /// The schema message index of the request type.
        request_type: u32,
    },
    /// Answer `DISPATCH_HANDLER_UNAVAILABLE`: native-only, and this library has no handler.
    Unavailable {
        /// The JVM's index of the method.
        java_index: u32,
    },
}

/// Routes by method id; methods not in it are `DISPATCH_UNKNOWN_METHOD`.
pub type Routes = HashMap<u32, Route, BuildHasherDefault<MethodIdHasher>>;

/// Hashes a method id as itself: ids are CRC-32C values, already spread over all 32 bits, and the
/// route lookup runs once per request.
#[derive(Debug, Default, Clone, Copy)]
pub struct MethodIdHasher(u64);

impl Hasher for MethodIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u32(&mut self, id: u32) {
        // Spread into the high bits too: hashbrown takes its control byte from the top 7 bits.
        self.0 = u64::from(id) | (u64::from(id) << 32);
    }
}

/// The `java_index` of a request whose method is not routed.
pub const NO_METHOD: u32 = u32::MAX;

/// One consumed request, as the first pass describes it (a dispatch table entry): either a
/// Java-handled request for the JVM to run, or one answered inside the pass, with its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestEntry {
    /// The request's correlation id.
    pub correlation_id: u64,
    /// The request's method id.
    pub method_id: u32,
    /// The JVM's index of the method, or [`NO_METHOD`].
    pub java_index: u32,
    /// For a Java-handled request, the arena offset of the decoded request's root record.
    pub root: u32,
    /// Absolute index of the payload in the caller's buffer.
    pub payload_offset: u32,
    /// Payload length.
    pub payload_len: u32,
    /// Whether the pass answered the request (else the JVM runs it).
    pub answered: bool,
    /// For an answered request, 0 for a response, else the error frame's code.
    pub error_code: u32,
    /// For a request a Rust handler answered, the nanoseconds it spent in the handler.
    pub handler_nanos: u64,
}

/// What one [`first_pass`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirstPass {
    /// Request frames consumed.
    pub requests: usize,
    /// Java-handled requests among them (entries not `answered`).
    pub java: usize,
    /// Error frames written (or queued in `pending`).
    pub errors: usize,
    /// Input bytes consumed: the next call starts here.
    pub consumed: usize,
    /// Bytes written to `out`.
    pub written: usize,
}

/// The settings and scratch of [`first_pass`].
pub struct FirstPassArgs<'a> {
    /// Routes by method id.
    pub routes: &'a Routes,
    /// Rust handlers, indexed by [`Route::Native`].
    pub registry: &'a Registry,
    /// The schema Java-handled requests are decoded with.
    pub schema: &'a Schema,
    /// Longest payload accepted; longer is a frame error.
    pub max_payload_len: u32,
    /// Nesting limit for decoding.
    pub max_depth: u32,
    /// Whether to measure each Rust handler's time ([`RequestEntry::handler_nanos`]); reading the
    /// clock twice per request costs tens of nanoseconds, so only when someone observes it.
    pub time_handlers: bool,
}

/// Bytes of the error frame the dispatcher writes for `code` with its description as message.
pub fn error_frame_len(code: ErrorCode) -> usize {
    abi::FRAME_HEADER_LENGTH as usize + status_len(code, code.description())
}

/// Writes the header of a response frame (`RESPONSE`, plus `ERROR` if `error`) into `head` for the
/// payload `body`.
fn put_header(head: &mut [u8], method_id: u32, correlation_id: u64, error: bool, body: &[u8]) {
    let flags = (abi::FLAG_RESPONSE | if error { abi::FLAG_ERROR } else { 0 }) as u8;
    head[0] = abi::FRAME_MAGIC_0 as u8;
    head[1] = abi::FRAME_MAGIC_1 as u8;
    head[2] = abi::FRAME_VERSION as u8;
    head[3] = flags;
    head[4..8].copy_from_slice(&method_id.to_le_bytes());
    head[8..16].copy_from_slice(&correlation_id.to_le_bytes());
    // Payloads here are responses of at most MAX_PAYLOAD_LENGTH_LIMIT bytes, checked by callers.
    head[16..20].copy_from_slice(&(body.len() as u32).to_le_bytes());
    head[20..24].copy_from_slice(&crc32c::crc32c(body).to_le_bytes());
}

/// Writes one response frame carrying `payload` at the front of `out`; returns its length.
fn put_frame(out: &mut [u8], method_id: u32, correlation_id: u64, error: bool, payload: &[u8]) -> usize {
    let header = abi::FRAME_HEADER_LENGTH as usize;
    out[header..header + payload.len()].copy_from_slice(payload);
    put_header(&mut out[..header], method_id, correlation_id, error, payload);
    header + payload.len()
}

/// The first pass of one dispatch call (`docs/dispatch.md`, section 2).
///
/// Reads request frames from `input` (whose index 0 is `base_offset` in the caller's buffer) one by
/// one, up to `java.len()` requests, and for each: a frame flagged `RESPONSE`/`ERROR` is answered
/// `DISPATCH_NOT_A_REQUEST`, one flagged `COMPRESSED` `COMPRESSION_UNSUPPORTED`; an unrouted method
/// `DISPATCH_UNKNOWN_METHOD`; [`Route::Unavailable`] `DISPATCH_HANDLER_UNAVAILABLE`; [`Route::Native`]
/// runs the handler and writes its response (or error) frame; [`Route::Java`] decodes the request
/// into `arena` for the JVM, or answers the decode error's code. Every consumed request gets a
/// [`RequestEntry`] in `entries`, in request order.
///
/// It stops at a partial tail, at a bad frame (reported as `Err` only if no request was consumed,
/// with the offset relative to `input`), before a dispatcher error frame that does not fit in `out`,
/// before a Java request that does not fit the arena when requests were already consumed (the first
/// one gets `ARENA_EXHAUSTED`), and after a Rust response that does not fit in `out`: that one (and
/// nothing else) goes to `pending`, which the caller writes out before dispatching again.
#[allow(clippy::too_many_arguments)] // buffers of one call, each with its own role
pub fn first_pass(
    args: &FirstPassArgs<'_>,
    decoder: &mut Decoder,
    input: &[u8],
    base_offset: u64,
    out: &mut [u8],
    pending: &mut Vec<u8>,
    arena: &mut [u8],
    entries: &mut [RequestEntry],
    response: &mut Vec<u8>,
) -> Result<FirstPass, crate::frame::FrameError> {
    let frames = FrameDecoder::new(FrameFormat::Ferrule, args.max_payload_len)
        .map_err(|code| crate::frame::FrameError { code, offset: 0 })?;
    let mut pass = FirstPass::default();
    let mut one = [FrameDescriptor::default(); 1];
    while pass.requests < entries.len() {
        let progress = match frames.decode(&input[pass.consumed..], false, &mut one) {
            Ok(progress) => progress,
            Err(e) if pass.requests == 0 => return Err(e),
            Err(_) => break,
        };
        if progress.frames == 0 {
            break;
        }
        let frame = one[0];
        let payload_at = pass.consumed + frame.payload_offset;
        let payload = &input[payload_at..payload_at + frame.payload_len];
        let mut entry = RequestEntry {
            correlation_id: frame.correlation_id,
            method_id: frame.method_id,
            java_index: NO_METHOD,
            root: 0,
            // The caller's buffer is a Java buffer: indexes fit in 31 bits.
            payload_offset: (base_offset + payload_at as u64) as u32,
            payload_len: frame.payload_len as u32,
            answered: true,
            error_code: 0,
            handler_nanos: 0,
        };
        let refusal = if frame.flags & (abi::FLAG_RESPONSE | abi::FLAG_ERROR) as u8 != 0 {
            Some(ErrorCode::DispatchNotARequest)
        } else if frame.flags & abi::FLAG_COMPRESSED as u8 != 0 {
            Some(ErrorCode::CompressionUnsupported)
        } else {
            match args.routes.get(&frame.method_id) {
                None => Some(ErrorCode::DispatchUnknownMethod),
                Some(Route::Unavailable { java_index }) => {
                    entry.java_index = *java_index;
                    Some(ErrorCode::DispatchHandlerUnavailable)
                }
                Some(Route::Native { handler, java_index }) => {
                    entry.java_index = *java_index;
                    let (name, _, handler) = &args.registry.methods[*handler];
                    let ctx = CallContext::new(name, frame.method_id, frame.correlation_id);
                    response.clear();
                    let started = args.time_handlers.then(Instant::now);
                    let outcome = catch_unwind(AssertUnwindSafe(|| handler.handle(&ctx, payload, response)))
                        .unwrap_or_else(|panic| Err(Status::failed(panic_message(panic.as_ref()))));
                    if let Some(started) = started {
                        entry.handler_nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
                    }
                    let outcome = match outcome {
                        Ok(()) if response.len() > abi::MAX_PAYLOAD_LENGTH_LIMIT as usize => Err(Status::failed(
                            format!("the response of {} bytes is over the frame limit", response.len()),
                        )),
                        other => other,
                    };
                    let (error, body_len) = match &outcome {
                        Ok(()) => (false, response.len()),
                        Err(status) => (true, status_len(status.code(), status.message())),
                    };
                    if let Err(status) = &outcome {
                        response.clear();
                        encode_status(status.code(), status.message(), response);
                        entry.error_code = status.code().code();
                        pass.errors += 1;
                    }
                    debug_assert_eq!(body_len, response.len());
                    entries[pass.requests] = entry;
                    pass.requests += 1;
                    pass.consumed += progress.consumed;
                    let frame_len = abi::FRAME_HEADER_LENGTH as usize + response.len();
                    if frame_len <= out.len() - pass.written {
                        pass.written +=
                            put_frame(&mut out[pass.written..], frame.method_id, frame.correlation_id, error, response);
                        continue;
                    }
                    // The handler has run: keep its answer, and take no further request this call.
                    let at = pending.len();
                    pending.resize(at + frame_len, 0);
                    put_frame(&mut pending[at..], frame.method_id, frame.correlation_id, error, response);
                    break;
                }
                Some(Route::Java { java_index, request_type }) => {
                    entry.java_index = *java_index;
                    let base = base_offset + payload_at as u64;
                    match decoder.decode(args.schema, *request_type, payload, base, arena, args.max_depth) {
                        Ok(root) => {
                            entry.root = root;
                            entry.answered = false;
                            pass.java += 1;
                            None
                        }
                        Err(e) if e.code == ErrorCode::ArenaExhausted && pass.requests > 0 => break,
                        Err(e) => Some(e.code),
                    }
                }
            }
        };
        if let Some(code) = refusal {
            let frame_len = error_frame_len(code);
            if frame_len > out.len() - pass.written {
                break;
            }
            response.clear();
            encode_status(code, code.description(), response);
            pass.written += put_frame(&mut out[pass.written..], frame.method_id, frame.correlation_id, true, response);
            entry.error_code = code.code();
            pass.errors += 1;
        }
        entries[pass.requests] = entry;
        pass.requests += 1;
        pass.consumed += progress.consumed;
    }
    Ok(pass)
}

/// The text of a panic payload, as `panic!` produced it.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("handler panicked: {text}")
}

/// One response the JVM produced: a message record to encode, or an error status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaResponse {
    /// Encode the record at arena offset `root` as schema message `message_type`.
    Message {
        /// Schema message index.
        message_type: u32,
        /// Arena offset of the root record (0: an empty message).
        root: u32,
    },
    /// An error frame whose status payload is `payloads[offset..offset + len]`.
    Error {
        /// Start of the status payload.
        offset: usize,
        /// Its length.
        len: usize,
    },
}

/// What [`encode_responses`] did: the frames and bytes written before it stopped, and, if it stopped
/// at a response that cannot be encoded, that response's index (equal to `frames`) and error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// Frames written, in order, from the first response.
    pub frames: usize,
    /// Bytes written.
    pub written: usize,
    /// The response at index `frames` that cannot be encoded (a corrupt record, a status outside
    /// `payloads`, an encoding over the frame limit), if that is why it stopped.
    pub error: Option<crate::proto::EncodeError>,
}

/// Encodes responses as response frames into `out`, in order, stopping before the first that does
/// not fit or cannot be encoded; frames before it stay written.
#[allow(clippy::too_many_arguments)] // buffers of one call, each with its own role
pub fn encode_responses(
    encoder: &mut Encoder,
    schema: &Schema,
    responses: impl Iterator<Item = (u64, u32, JavaResponse)>,
    arena: &[u8],
    input: &[u8],
    payloads: &[u8],
    out: &mut [u8],
    max_depth: u32,
) -> Encoded {
    let header = abi::FRAME_HEADER_LENGTH as usize;
    let mut done = Encoded { frames: 0, written: 0, error: None };
    let fail = |code: ErrorCode, index: usize| crate::proto::EncodeError {
        code,
        offset: index as u64,
        path: Vec::new(),
        required: 0,
    };
    for (index, (correlation_id, method_id, response)) in responses.enumerate() {
        let room = out.len() - done.written;
        match response {
            JavaResponse::Error { offset, len } => {
                let Some(payload) = payloads.get(offset..offset.saturating_add(len)) else {
                    done.error = Some(fail(ErrorCode::InvalidArgument, index));
                    break;
                };
                if header + len > room {
                    break;
                }
                done.written += put_frame(&mut out[done.written..], method_id, correlation_id, true, payload);
            }
            JavaResponse::Message { message_type, root } => {
                if header > room {
                    break;
                }
                let frame = &mut out[done.written..];
                // One encode both sizes and writes: it refuses a body that does not fit before writing.
                let len = if root == 0 {
                    0
                } else {
                    match encoder.encode(schema, message_type, root, arena, input, &mut frame[header..], max_depth) {
                        Ok(len) => len,
                        Err(e) if e.code == ErrorCode::BufferTooSmall => break,
                        Err(e) => {
                            done.error = Some(e);
                            break;
                        }
                    }
                };
                if len > abi::MAX_PAYLOAD_LENGTH_LIMIT as usize {
                    done.error = Some(fail(ErrorCode::ProtoMessageTooLarge, index));
                    break;
                }
                let (head, body) = frame[..header + len].split_at_mut(header);
                put_header(head, method_id, correlation_id, false, body);
                done.written += header + len;
            }
        }
        done.frames += 1;
    }
    done
}
