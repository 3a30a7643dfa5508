use super::*;

#[test]
fn method_ids_are_crc32c_of_the_name() {
    // Shared vector: the Java MethodIdTest pins the same values.
    assert_eq!(method_id("123456789"), 0xE306_9283);
    assert_eq!(method_id("ferrule.test.v1.Accelerator/Echo"), 0xE8A5_8B33);
    assert_eq!(method_id("demo.v1.Stats/Quantiles"), 0x5CD2_6E79);
    assert_eq!(method_id("a.B/C"), 0xF66D_761C);
    assert!(checked_method_id("a.B/C").is_ok());
    for bad in ["", "a.B", "/C", "a.B/", "a/B/C"] {
        assert_eq!(checked_method_id(bad).unwrap_err().code(), ErrorCode::DispatchMethodInvalid, "{bad:?}");
    }
}

#[test]
fn status_payload_matches_the_documented_bytes() {
    let mut out = Vec::new();
    encode_status(ErrorCode::DispatchUnknownMethod, "x", &mut out);
    assert_eq!(out, [0x08, 0x0C, 0x12, 0x01, b'x', 0xC0, 0x3E, 0xAC, 0x02]);
    assert_eq!(status_len(ErrorCode::DispatchUnknownMethod, "x"), out.len());
    out.clear();
    encode_status(ErrorCode::Internal, "", &mut out);
    assert_eq!(out, [0x08, 13, 0xC0, 0x3E, 3]);
    assert_eq!(status_len(ErrorCode::Internal, ""), out.len());
}

#[test]
fn registry_refuses_duplicates_and_bad_names() {
    let mut registry = Registry::new();
    let echo = |_: &CallContext<'_>, r: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(r);
        Ok(())
    };
    let id = registry.register("a.B/C", echo).unwrap();
    assert_eq!(id, method_id("a.B/C"));
    assert_eq!(registry.register("a.B/C", echo).unwrap_err().code(), ErrorCode::DispatchMethodInvalid);
    assert_eq!(registry.register("nope", echo).unwrap_err().code(), ErrorCode::DispatchMethodInvalid);
    assert_eq!(registry.len(), 1);
}
