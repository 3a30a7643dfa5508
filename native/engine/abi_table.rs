// Parser for `abi.tsv`, shared by `engine/build.rs` and `ffi/build.rs` through `#[path]`, so the
// Rust constants and the C header constants come from one reading of the one table. It runs inside
// build scripts, hence std only and errors as plain strings that the build script panics with.

/// One `const` row.
pub struct AbiConst {
    pub name: String,
    pub value: u32,
    pub doc: String,
}

/// One `error` row.
pub struct AbiError {
    pub code: u32,
    pub name: String,
    pub grpc_status: String,
    pub doc: String,
}

/// Every row of the table, in file order.
pub struct AbiTable {
    pub consts: Vec<AbiConst>,
    pub errors: Vec<AbiError>,
}

/// The canonical gRPC status names: a typo here would reach Java and every gRPC peer.
const GRPC_STATUSES: &[&str] = &[
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// Parses the whole table; `origin` names the file in error messages.
pub fn parse_abi_table(text: &str, origin: &str) -> Result<AbiTable, String> {
    let mut table = AbiTable { consts: Vec::new(), errors: Vec::new() };
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let fail = |msg: String| format!("{origin}:{line_no}: {msg}: {raw:?}");
        // A file saved with CRLF endings is still the same table.
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        for (i, field) in fields.iter().enumerate() {
            if field.is_empty() {
                return Err(fail(format!("column {} is empty (columns are separated by exactly one TAB)", i + 1)));
            }
            if field.trim() != *field {
                return Err(fail(format!("column {} has leading or trailing whitespace", i + 1)));
            }
        }
        match fields[0] {
            "const" => {
                if fields.len() != 4 {
                    return Err(fail(format!(
                        "a const row has 4 columns (const NAME VALUE doc), found {}",
                        fields.len()
                    )));
                }
                let name = check_name(fields[1]).map_err(&fail)?;
                let value = parse_u32(fields[2]).map_err(&fail)?;
                if table.consts.iter().any(|c| c.name == name) {
                    return Err(fail(format!("duplicate const {name}")));
                }
                table.consts.push(AbiConst { name, value, doc: fields[3].to_string() });
            }
            "error" => {
                if fields.len() != 5 {
                    return Err(fail(format!(
                        "an error row has 5 columns (error CODE NAME GRPC_STATUS doc), found {}",
                        fields.len()
                    )));
                }
                let code = parse_u32(fields[1]).map_err(&fail)?;
                if code == 0 {
                    return Err(fail("error code 0 means success and cannot be an error".to_string()));
                }
                if i32::try_from(code).is_err() {
                    return Err(fail(format!("error code {code} does not fit the int32_t status of the C ABI")));
                }
                let name = check_name(fields[2]).map_err(&fail)?;
                let grpc_status = fields[3];
                if !GRPC_STATUSES.contains(&grpc_status) {
                    return Err(fail(format!("{grpc_status} is not a canonical gRPC status name")));
                }
                if table.errors.iter().any(|e| e.code == code) {
                    return Err(fail(format!("duplicate error code {code}")));
                }
                if table.errors.iter().any(|e| e.name == name) {
                    return Err(fail(format!("duplicate error name {name}")));
                }
                table.errors.push(AbiError {
                    code,
                    name,
                    grpc_status: grpc_status.to_string(),
                    doc: fields[4].to_string(),
                });
            }
            other => return Err(fail(format!("unknown row kind {other:?} (expected const or error)"))),
        }
    }
    if table.errors.is_empty() {
        return Err(format!("{origin}: no error rows"));
    }
    Ok(table)
}

/// UPPER_SNAKE_CASE, so the CamelCase and Java names derived from it are unambiguous.
fn check_name(name: &str) -> Result<String, String> {
    let well_formed = name.starts_with(|c: char| c.is_ascii_uppercase())
        && !name.ends_with('_')
        && !name.contains("__")
        && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if well_formed {
        Ok(name.to_string())
    } else {
        Err(format!("{name:?} is not an UPPER_SNAKE_CASE name"))
    }
}

/// Plain decimal only: no sign, no hex, no underscores, so Java and Rust read the same number.
fn parse_u32(text: &str) -> Result<u32, String> {
    if !text.chars().all(|c| c.is_ascii_digit()) || (text.len() > 1 && text.starts_with('0')) {
        return Err(format!("{text:?} is not a plain decimal number"));
    }
    text.parse::<u32>().map_err(|e| format!("{text:?} is not a u32: {e}"))
}

/// `FRAME_BAD_MAGIC` -> `FrameBadMagic`.
pub fn camel_case(upper_snake: &str) -> String {
    upper_snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_string() + &chars.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}
