//! Summary statistics of a list of samples, and the protobuf wire code of the two messages in
//! `proto/metrics.proto` (small enough to write by hand; a larger service would use prost).
#![forbid(unsafe_code)]

use ferrule_engine::dispatch::Status;

/// A decoded `MetricsRequest`.
#[derive(Debug, Default, PartialEq)]
pub struct MetricsRequest<'a> {
    /// Field 1, `name`.
    pub name: &'a str,
    /// Field 2, `values`, packed or not, in wire order.
    pub values: Vec<f64>,
}

/// The statistics a `Summary` carries (besides the name).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many values.
    pub count: u64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The arithmetic mean, summed in input order.
    pub mean: f64,
    /// The median.
    pub p50: f64,
    /// The 90th percentile.
    pub p90: f64,
    /// The 99th percentile.
    pub p99: f64,
}

/// Computes the summary, sorting `values` in place. Empty input gives all zeros; a NaN is refused.
pub fn summarize(values: &mut [f64]) -> Result<Summary, Status> {
    if let Some(i) = values.iter().position(|v| v.is_nan()) {
        return Err(Status::invalid_argument(format!("values[{i}] is NaN")));
    }
    if values.is_empty() {
        return Ok(Summary::default());
    }
    // Summed before sorting, in the order the client sent, from +0.0 (`Iterator::sum` starts at
    // -0.0): the Java reference does the same, so both give the same bits.
    let sum = values.iter().fold(0.0, |sum, v| sum + v);
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    Ok(Summary {
        count: n as u64,
        min: values[0],
        max: values[n - 1],
        mean: sum / n as f64,
        p50: quantile(values, 0.50),
        p90: quantile(values, 0.90),
        p99: quantile(values, 0.99),
    })
}

/// Linear interpolation between the closest ranks of sorted, non-empty `sorted` ("type 7").
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

impl<'a> MetricsRequest<'a> {
    /// Decodes by protobuf's rules: fields in any order, the last `name` wins, `values` packed or
    /// one per tag (both may mix), unknown fields skipped.
    pub fn decode(mut input: &'a [u8]) -> Result<MetricsRequest<'a>, Status> {
        let mut request = MetricsRequest::default();
        while !input.is_empty() {
            let tag = read_varint(&mut input)?;
            let (field, wire) = (tag >> 3, (tag & 7) as u8);
            match (field, wire) {
                (0, _) => return Err(Status::invalid_argument("field number 0")),
                (1, 2) => {
                    let bytes = read_len(&mut input)?;
                    request.name = std::str::from_utf8(bytes)
                        .map_err(|_| Status::invalid_argument("name is not valid UTF-8"))?;
                }
                (2, 2) => {
                    let packed = read_len(&mut input)?;
                    if packed.len() % 8 != 0 {
                        return Err(Status::invalid_argument("packed values length is not a multiple of 8"));
                    }
                    request.values.reserve(packed.len() / 8);
                    request.values.extend(packed.chunks_exact(8).map(le_f64));
                }
                (2, 1) => request.values.push(le_f64(take(&mut input, 8)?)),
                (1 | 2, _) => return Err(Status::invalid_argument(format!("field {field} has wire type {wire}"))),
                _ => skip(&mut input, field, wire)?,
            }
        }
        Ok(request)
    }
}

impl Summary {
    /// Appends the `Summary` message as protobuf-java writes it: fields in number order, proto3
    /// defaults (empty name, 0 count, +0.0) left out.
    pub fn encode(&self, name: &str, out: &mut Vec<u8>) {
        if !name.is_empty() {
            out.push(0x0A);
            write_varint(out, name.len() as u64);
            out.extend_from_slice(name.as_bytes());
        }
        if self.count != 0 {
            out.push(0x10);
            write_varint(out, self.count);
        }
        for (field, value) in [(3u8, self.min), (4, self.max), (5, self.mean), (6, self.p50), (7, self.p90), (8, self.p99)] {
            if value.to_bits() != 0 {
                out.push(field << 3 | 1);
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
    }
}

fn le_f64(bytes: &[u8]) -> f64 {
    f64::from_le_bytes(bytes.try_into().expect("8 bytes"))
}

fn truncated() -> Status {
    Status::invalid_argument("the message ends inside a field")
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], Status> {
    if input.len() < n {
        return Err(truncated());
    }
    let (head, tail) = input.split_at(n);
    *input = tail;
    Ok(head)
}

fn read_varint(input: &mut &[u8]) -> Result<u64, Status> {
    let mut value = 0u64;
    for i in 0..10 {
        let (&b, rest) = input.split_first().ok_or_else(truncated)?;
        *input = rest;
        value |= u64::from(b & 0x7F) << (7 * i);
        if b < 0x80 {
            return Ok(value);
        }
    }
    Err(Status::invalid_argument("a varint is longer than 10 bytes"))
}

fn read_len<'a>(input: &mut &'a [u8]) -> Result<&'a [u8], Status> {
    let len = read_varint(input)?;
    let len = usize::try_from(len).ok().filter(|&l| l <= input.len()).ok_or_else(truncated)?;
    take(input, len)
}

/// Skips one unknown field (a group up to its matching end tag).
fn skip(input: &mut &[u8], field: u64, wire: u8) -> Result<(), Status> {
    match wire {
        0 => read_varint(input).map(drop),
        1 => take(input, 8).map(drop),
        2 => read_len(input).map(drop),
        5 => take(input, 4).map(drop),
        3 => loop {
            let tag = read_varint(input)?;
            let (inner, inner_wire) = (tag >> 3, (tag & 7) as u8);
            if inner_wire == 4 {
                return if inner == field { Ok(()) } else { Err(Status::invalid_argument("mismatched group end")) };
            }
            if inner == 0 {
                return Err(Status::invalid_argument("field number 0"));
            }
            skip(input, inner, inner_wire)?;
        },
        _ => Err(Status::invalid_argument(format!("wire type {wire}"))),
    }
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(name: &str, values: &[f64]) -> Vec<u8> {
        let mut out = vec![0x0A, name.len() as u8];
        out.extend_from_slice(name.as_bytes());
        out.push(0x12);
        write_varint(&mut out, values.len() as u64 * 8);
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let mut values: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let s = summarize(&mut values).unwrap();
        assert_eq!((s.count, s.min, s.max, s.mean), (10, 1.0, 10.0, 5.5));
        assert_eq!(s.p50, 5.5);
        assert!((s.p90 - 9.1).abs() < 1e-12);
        assert!((s.p99 - 9.91).abs() < 1e-12);
    }

    #[test]
    fn one_value_and_no_value() {
        assert_eq!(summarize(&mut [4.0]).unwrap().p99, 4.0);
        assert_eq!(summarize(&mut []).unwrap(), Summary::default());
    }

    #[test]
    fn nan_is_refused() {
        let e = summarize(&mut [1.0, f64::NAN]).unwrap_err();
        assert!(e.message().contains("values[1]"), "{e}");
    }

    #[test]
    fn packed_unpacked_and_unknown_fields_decode() {
        let mut bytes = packed("cpu", &[1.5, -2.0]);
        bytes.push(0x11); // field 2, fixed64, unpacked
        bytes.extend_from_slice(&3.25f64.to_le_bytes());
        bytes.extend_from_slice(&[0x18, 0x96, 0x01]); // unknown varint field 3
        bytes.extend_from_slice(&[0x23, 0x08, 0x01, 0x24]); // unknown group 4 holding a varint
        let request = MetricsRequest::decode(&bytes).unwrap();
        assert_eq!(request, MetricsRequest { name: "cpu", values: vec![1.5, -2.0, 3.25] });
    }

    #[test]
    fn damaged_input_is_invalid_argument_not_a_panic() {
        let bytes = packed("cpu", &[1.5, 2.5]);
        for cut in 0..bytes.len() {
            let _ = MetricsRequest::decode(&bytes[..cut]);
        }
        assert!(MetricsRequest::decode(&[0x12, 0x03, 1, 2, 3]).is_err());
        assert!(MetricsRequest::decode(&[0x0A, 0x01, 0xFF]).is_err());
        assert!(MetricsRequest::decode(&[0x10, 0x01]).is_err());
    }

    #[test]
    fn summary_encodes_like_protobuf() {
        let mut out = Vec::new();
        Summary { count: 1, min: 2.0, max: 2.0, mean: 2.0, p50: 2.0, p90: 2.0, p99: 2.0 }.encode("a", &mut out);
        assert_eq!(&out[..5], &[0x0A, 0x01, b'a', 0x10, 0x01]);
        assert_eq!(out[5], 0x19); // field 3, fixed64
        assert_eq!(out.len(), 5 + 6 * 9);
        let mut empty = Vec::new();
        Summary::default().encode("", &mut empty);
        assert!(empty.is_empty());
    }
}
