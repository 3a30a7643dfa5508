//! Checks the engine against every golden vector in `tests/vectors/frames/` (shared with the Java
//! backend): decoding as the vector format describes, and re-encoding the frames it lists.
//!
//! `FERRULE_VECTOR_DIR` overrides the directory.

use std::path::{Path, PathBuf};
use std::{env, fs};

use ferrule_engine::abi;
use ferrule_engine::frame::{encode_frames, FrameDecoder, FrameDescriptor, FrameFormat};
use ferrule_engine::ErrorCode;

/// Table capacity of each decode call, fixed by the vector format.
const CAPACITY: usize = 1024;

#[derive(Debug, Default)]
struct Vector {
    name: String,
    format: Option<FrameFormat>,
    max_payload: u32,
    end_of_input: bool,
    input: Vec<u8>,
    frames: Vec<FrameDescriptor>,
    consumed: Option<usize>,
    error: Option<(ErrorCode, usize)>,
}

fn vector_dir() -> PathBuf {
    match env::var_os("FERRULE_VECTOR_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/frames"),
    }
}

fn parse(path: &Path) -> Result<Vector, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut v = Vector { max_payload: abi::DEFAULT_MAX_PAYLOAD_LENGTH, end_of_input: true, ..Vector::default() };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |msg: &str| format!("line {}: {msg}: {line:?}", i + 1);
        let (key, value) = line.split_once(':').ok_or_else(|| fail("no `key:`"))?;
        let value = value.trim();
        match key.trim() {
            "name" => v.name = value.to_string(),
            "format" => {
                v.format = Some(match value {
                    "ferrule" => FrameFormat::Ferrule,
                    "grpc" => FrameFormat::Grpc,
                    _ => return Err(fail("unknown format")),
                })
            }
            "max-payload" => v.max_payload = value.parse().map_err(|_| fail("bad number"))?,
            "end-of-input" => {
                v.end_of_input = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(fail("expected true or false")),
                }
            }
            "input" => {
                let hex: Vec<u8> = value.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                if !hex.len().is_multiple_of(2) {
                    return Err(fail("odd number of hex digits"));
                }
                for pair in hex.chunks(2) {
                    let text = std::str::from_utf8(pair).map_err(|_| fail("not hex"))?;
                    v.input.push(u8::from_str_radix(text, 16).map_err(|_| fail("not hex"))?);
                }
            }
            "frame" => {
                let mut fields = [None::<u64>; 5];
                for token in value.split_whitespace() {
                    let (k, n) = token.split_once('=').ok_or_else(|| fail("expected key=value"))?;
                    let slot = ["method", "correlation", "flags", "offset", "length"]
                        .iter()
                        .position(|name| *name == k)
                        .ok_or_else(|| fail("unknown frame field"))?;
                    if fields[slot].replace(n.parse().map_err(|_| fail("bad number"))?).is_some() {
                        return Err(fail("repeated frame field"));
                    }
                }
                let [Some(method), Some(correlation), Some(flags), Some(offset), Some(length)] = fields else {
                    return Err(fail("a frame needs method, correlation, flags, offset and length"));
                };
                v.frames.push(FrameDescriptor {
                    correlation_id: correlation,
                    method_id: u32::try_from(method).map_err(|_| fail("method over u32"))?,
                    flags: u8::try_from(flags).map_err(|_| fail("flags over u8"))?,
                    payload_offset: offset as usize,
                    payload_len: length as usize,
                });
            }
            "consumed" => v.consumed = Some(value.parse().map_err(|_| fail("bad number"))?),
            "error" => {
                let (name, offset) = value.split_once(' ').ok_or_else(|| fail("expected NAME OFFSET"))?;
                let code = ErrorCode::from_name(name).ok_or_else(|| fail("unknown error name"))?;
                let offset = offset.trim().parse().map_err(|_| fail("bad offset"))?;
                if v.error.replace((code, offset)).is_some() {
                    return Err(fail("more than one error"));
                }
            }
            _ => return Err(fail("unknown key")),
        }
    }
    if v.format.is_none() || v.consumed.is_none() {
        return Err("missing format: or consumed:".to_string());
    }
    Ok(v)
}

/// Returns a description of every way the engine disagrees with the vector.
fn check(v: &Vector) -> Vec<String> {
    let mut problems = Vec::new();
    let format = v.format.unwrap();
    let consumed_expected = v.consumed.unwrap();

    // Decode from the consumed position until a call returns no frame.
    let mut frames = Vec::new();
    let mut consumed = 0;
    let mut error = None;
    match FrameDecoder::new(format, v.max_payload) {
        Err(code) => error = Some((code, 0)),
        Ok(decoder) => {
            let mut out = vec![FrameDescriptor::default(); CAPACITY];
            loop {
                match decoder.decode(&v.input[consumed..], v.end_of_input, &mut out) {
                    Ok(progress) => {
                        frames.extend(
                            out[..progress.frames]
                                .iter()
                                .map(|d| FrameDescriptor { payload_offset: d.payload_offset + consumed, ..*d }),
                        );
                        consumed += progress.consumed;
                        if progress.frames == 0 {
                            break;
                        }
                    }
                    Err(e) => {
                        error = Some((e.code, consumed + e.offset));
                        break;
                    }
                }
            }
        }
    }
    if frames != v.frames {
        let first = frames.iter().zip(&v.frames).position(|(a, b)| a != b);
        problems.push(format!(
            "decoded {} frames, vector has {}; first difference at frame {first:?}: {:?} vs {:?}",
            frames.len(),
            v.frames.len(),
            first.map(|i| frames[i]),
            first.map(|i| v.frames[i]),
        ));
    }
    if consumed != consumed_expected {
        problems.push(format!("consumed {consumed}, vector says {consumed_expected}"));
    }
    if error != v.error {
        problems.push(format!("decode error {error:?}, vector says {:?}", v.error));
    }

    // Re-encoding the listed frames must reproduce the consumed bytes exactly.
    if !v.frames.is_empty() && consumed_expected <= v.input.len() {
        let expected = &v.input[..consumed_expected];
        let mut out = vec![0u8; expected.len()];
        match encode_frames(format, &v.frames, &v.input, &mut out, v.max_payload) {
            Ok(n) if n == expected.len() && out == expected => {}
            Ok(n) => {
                let first = out.iter().zip(expected).position(|(a, b)| a != b);
                problems.push(format!("encoded {n} bytes, differing from input at byte {first:?}"));
            }
            Err(e) => problems.push(format!("encode failed: {e}")),
        }
    }
    problems
}

#[test]
fn golden_vectors() {
    let dir = vector_dir();
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list golden vectors in {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "vector"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no *.vector files in {}", dir.display());

    let mut failures = Vec::new();
    for path in &paths {
        let file = path.file_name().unwrap().to_string_lossy();
        match parse(path) {
            Err(e) => failures.push(format!("{file}: unreadable vector: {e}")),
            Ok(v) => failures.extend(check(&v).into_iter().map(|p| format!("{file} ({}): {p}", v.name))),
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), paths.len(), failures.join("\n"));
    println!("{} golden vectors passed", paths.len());
}
