//! The YAML 1.2 core schema: the type a plain scalar resolves to.

/// YAML 1.2 core-schema resolution of a plain scalar.
pub(crate) fn resolve_core(v: &str) -> &'static str {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => "null",
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => "bool",
        _ if is_core_int(v) => "int",
        _ if is_core_float(v) => "float",
        _ => "string",
    }
}

/// Whether `v` is a core-schema int: decimal with a sign, `0x` hex or `0o` octal.
pub(crate) fn is_core_int(v: &str) -> bool {
    let d = v.strip_prefix(['-', '+']).unwrap_or(v);
    if let Some(h) = v.strip_prefix("0x") {
        return !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(o) = v.strip_prefix("0o") {
        return !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `v` is a core-schema float: a decimal with `.` or an exponent, `.inf`, `.nan`.
pub(crate) fn is_core_float(v: &str) -> bool {
    let d = v.strip_prefix(['-', '+']).unwrap_or(v);
    if matches!(d, ".inf" | ".Inf" | ".INF") || matches!(v, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mant, exp) = match d.find(['e', 'E']) {
        Some(i) => (&d[..i], Some(&d[i + 1..])),
        None => (d, None),
    };
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let mut parts = mant.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match frac {
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && digits(int) && exp.is_some(),
    }
}
