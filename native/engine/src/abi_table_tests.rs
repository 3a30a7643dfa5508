//! The build script's `abi.tsv` parser must refuse every malformed row rather than generate
//! constants Java and Rust would disagree on. It is compiled here a second time to be tested.

#[allow(dead_code)]
#[path = "../abi_table.rs"]
mod abi_table;

use abi_table::{camel_case, parse_abi_table};

const ERROR_ROW: &str = "error\t1\tINVALID_ARGUMENT\tINVALID_ARGUMENT\tBad.";

fn parse(rows: &str) -> Result<(), String> {
    parse_abi_table(&format!("# comment\n\n{rows}\n{ERROR_ROW}\n"), "abi.tsv").map(|_| ())
}

#[test]
fn the_real_table_parses() {
    let table = parse_abi_table(include_str!("../abi.tsv"), "abi.tsv").unwrap();
    assert!(table.consts.iter().any(|c| c.name == "ABI_VERSION"));
    assert_eq!(table.errors.len(), crate::ErrorCode::ALL.len());
}

#[test]
fn well_formed_rows_parse() {
    assert_eq!(parse("const\tA_1\t0\tDoc."), Ok(()));
    assert_eq!(parse("const\tB\t4294967295\tDoc.\r"), Ok(()));
    assert_eq!(parse("error\t300\tDISPATCH_X\tNOT_FOUND\tDoc."), Ok(()));
}

#[test]
fn malformed_rows_fail_with_their_line() {
    let bad = [
        ("const\tA\t1", "4 columns"),
        ("const\tA\t1\tDoc.\textra", "4 columns"),
        ("const\tA\t\t1\tDoc.", "empty"),
        ("const  A  1  Doc.", "unknown row kind"),
        ("constant\tA\t1\tDoc.", "unknown row kind"),
        ("const\ta\t1\tDoc.", "UPPER_SNAKE_CASE"),
        ("const\tA__B\t1\tDoc.", "UPPER_SNAKE_CASE"),
        ("const\t_A\t1\tDoc.", "UPPER_SNAKE_CASE"),
        ("const\tA\t0x10\tDoc.", "plain decimal"),
        ("const\tA\t-1\tDoc.", "plain decimal"),
        ("const\tA\t010\tDoc.", "plain decimal"),
        ("const\tA\t4294967296\tDoc.", "not a u32"),
        ("const\tA\t1 \tDoc.", "whitespace"),
        ("const\tA\t1\tDoc.\nconst\tA\t2\tDoc.", "duplicate const"),
        ("error\t0\tX\tINTERNAL\tDoc.", "code 0"),
        ("error\t2147483648\tX\tINTERNAL\tDoc.", "int32_t"),
        ("error\t1\tX\tINTERNAL\tDoc.", "duplicate error code"),
        ("error\t9\tINVALID_ARGUMENT\tINTERNAL\tDoc.", "duplicate error name"),
        ("error\t9\tX\tINTERNAL_ERROR\tDoc.", "canonical gRPC status"),
        ("error\t9\tX\tINTERNAL", "5 columns"),
    ];
    for (rows, expected) in bad {
        let error = parse(rows).expect_err(rows);
        assert!(error.contains(expected), "{rows:?}: {error}");
        assert!(error.starts_with("abi.tsv:3:") || error.starts_with("abi.tsv:4:"), "{rows:?}: {error}");
    }
    let no_errors = parse_abi_table("const\tA\t1\tDoc.\n", "abi.tsv").map(|_| ());
    assert!(no_errors.unwrap_err().contains("no error rows"));
}

#[test]
fn names_become_camel_case() {
    assert_eq!(camel_case("FRAME_BAD_MAGIC"), "FrameBadMagic");
    assert_eq!(camel_case("INTERNAL"), "Internal");
    assert_eq!(camel_case("ABI_V2_X"), "AbiV2X");
}

/// docs/errors.md as generated from the table: every code, its gRPC status (name and number) and
/// when it occurs.
fn errors_markdown() -> String {
    use std::fmt::Write as _;
    let table = parse_abi_table(include_str!("../abi.tsv"), "abi.tsv").unwrap();
    let grpc = |status: &str| {
        let name = format!("GRPC_CODE_{status}");
        table.consts.iter().find(|c| c.name == name).map(|c| c.value).expect("every gRPC status has a GRPC_CODE_ const")
    };
    let mut s = String::from(
        "# Ferrule error codes\n\n\
         <!-- Generated from native/engine/abi.tsv by `FERRULE_BLESS=1 cargo test -p ferrule-engine errors_md`.\n     \
         Do not edit: the test `docs_errors_md_matches_abi_tsv` fails when this file and the table differ. -->\n\n\
         One taxonomy for the whole library: the Rust engine, the C ABI, the Java API (`dev.ferrule.ErrorCode`,\n\
         thrown as `FerruleException`) and dispatch error frames (`docs/wire-format.md` §6) all use these numbers.\n\
         Codes are stable forever and never reused. Each maps to one gRPC status; an error frame carries both\n\
         the gRPC code (field 1) and the Ferrule code (field 1000).\n\n\
         Ranges: 1–99 general, 100–199 frames, 200–299 protobuf, 300–399 dispatch.\n\n\
         | code | name | gRPC status | when |\n|---:|---|---|---|\n",
    );
    for e in &table.errors {
        writeln!(s, "| {} | `{}` | {} ({}) | {} |", e.code, e.name, e.grpc_status, grpc(&e.grpc_status), e.doc)
            .unwrap();
    }
    s
}

#[test]
fn docs_errors_md_matches_abi_tsv() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md");
    let expected = errors_markdown();
    if std::env::var_os("FERRULE_BLESS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/errors.md differs from native/engine/abi.tsv; regenerate it with \
         `FERRULE_BLESS=1 cargo test -p ferrule-engine docs_errors_md`"
    );
}

#[test]
fn every_error_has_its_grpc_code() {
    for code in crate::ErrorCode::ALL {
        let table = parse_abi_table(include_str!("../abi.tsv"), "abi.tsv").unwrap();
        let name = format!("GRPC_CODE_{}", code.grpc_status());
        let value = table.consts.iter().find(|c| c.name == name).unwrap().value;
        assert_eq!(code.grpc_code(), value, "{code}");
    }
    assert_eq!(crate::ErrorCode::DispatchDeadlineExceeded.grpc_code(), 4);
    assert_eq!(crate::ErrorCode::DispatchUnknownMethod.grpc_code(), 12);
}
