//! Writing scalars: when a string must be quoted, and how each type is rendered.
//!
//! A string is written plain only when every YAML reader that matters reads it back as that
//! same string: YAML 1.2 core schema (serde_yaml, js-yaml, `yaml`) and YAML 1.1 (go-yaml as
//! used by Kubernetes, PyYAML). Anything that either could read as a number, bool, null,
//! timestamp or merge key is quoted.

use crate::error::{Error, ErrorKind};
use crate::schema::{is_core_float, is_core_int, resolve_core};
use crate::tree::{Node, NodeKind, ScalarStyle};

/// The type a new value is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueType {
    /// No type asked for (the default): a plain int or bool replaced by the canonical text of
    /// the same type (`3` by `5`, `true` by `false`) keeps its type; anything else is a string.
    #[default]
    Auto,
    /// A string; quoted whenever a reader could take it for anything else.
    String,
    /// An integer.
    Int,
    /// A floating-point number.
    Float,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
    /// A YAML fragment (scalar or collection).
    Yaml,
}

impl ValueType {
    /// Parses `auto|string|int|float|bool|null|yaml` (also `str`, `number`, `boolean`).
    ///
    /// # Errors
    /// `usage` for an unknown name.
    pub fn parse(s: &str) -> Result<ValueType, Error> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => ValueType::Auto,
            "string" | "str" => ValueType::String,
            "int" | "integer" => ValueType::Int,
            "float" | "number" => ValueType::Float,
            "bool" | "boolean" => ValueType::Bool,
            "null" => ValueType::Null,
            "yaml" | "json" => ValueType::Yaml,
            other => {
                return Err(
                    Error::new(ErrorKind::Usage, format!("unknown value type `{other}`"))
                        .hint("use one of string, int, float, bool, null, yaml (or auto)"),
                )
            }
        })
    }

    /// The type `Auto` takes for replacing `node` with `value`: the node's own int or bool
    /// type when `value` is that type's canonical text, else a string. Other types stay.
    pub fn for_node(self, node: &Node, value: &str) -> ValueType {
        if self != ValueType::Auto {
            return self;
        }
        let plain = matches!(
            node.kind,
            NodeKind::Scalar {
                style: ScalarStyle::Plain,
                implicit: false,
                ..
            }
        );
        match node.type_name() {
            "int" if plain && is_canonical_int(value) => ValueType::Int,
            "bool" if plain && matches!(value, "true" | "false") => ValueType::Bool,
            _ => ValueType::String,
        }
    }

    /// The type a value is written as when there is no node to take a type from: `Auto` is
    /// a string.
    pub fn or_string(self) -> ValueType {
        match self {
            ValueType::Auto => ValueType::String,
            t => t,
        }
    }

    /// The name a reader resolves a value of this type to (`string`, `int`, …; `yaml` for
    /// a YAML fragment, whose type depends on its text).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Auto | ValueType::String => "string",
            ValueType::Int => "int",
            ValueType::Float => "float",
            ValueType::Bool => "bool",
            ValueType::Null => "null",
            ValueType::Yaml => "yaml",
        }
    }
}

/// `0`, or digits with an optional `-` and no leading zero: the one way an int is written.
fn is_canonical_int(v: &str) -> bool {
    let d = v.strip_prefix('-').unwrap_or(v);
    d == "0" || (!d.is_empty() && !d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a plain scalar `v` could be read as something other than a string by a YAML 1.2
/// or YAML 1.1 reader.
pub fn is_ambiguous(v: &str) -> bool {
    if resolve_core(v) != "string" {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    // YAML 1.1 booleans and null, and the merge / value keys.
    if matches!(
        lower.as_str(),
        "y" | "yes" | "n" | "no" | "on" | "off" | "true" | "false" | "null" | "<<" | "="
    ) {
        return true;
    }
    if matches!(lower.as_str(), ".inf" | "+.inf" | "-.inf" | ".nan") {
        return true;
    }
    yaml11_number_like(v) || timestamp_like(v)
}

/// Whether a YAML 1.1 reader resolves `v` as an int or float: decimal, octal, hex, binary and
/// base-60 ints; floats with one `.`, an exponent, or base 60; underscores allowed. Versions
/// with several dots (`1.2.3`) do not match.
fn yaml11_number_like(v: &str) -> bool {
    let b = v.strip_prefix(['-', '+']).unwrap_or(v);
    let digits_ = |s: &str, ok: fn(char) -> bool| {
        !s.is_empty() && s.chars().all(|c| ok(c) || c == '_') && s.chars().any(ok)
    };
    if let Some(h) = b.strip_prefix("0x") {
        return digits_(h, |c| c.is_ascii_hexdigit());
    }
    if let Some(h) = b.strip_prefix("0o") {
        return digits_(h, |c| ('0'..='7').contains(&c));
    }
    if let Some(h) = b.strip_prefix("0b") {
        return digits_(h, |c| c == '0' || c == '1');
    }
    let (mant, exp) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    let (whole, frac) = match mant.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mant, None),
    };
    if let Some(f) = frac {
        if !f.chars().all(|c| c.is_ascii_digit() || c == '_') {
            return false;
        }
    }
    let is_dec = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '_');
    let parts: Vec<&str> = whole.split(':').collect();
    let whole_ok = parts.iter().all(|p| !p.is_empty() && is_dec(p))
        || (parts.len() == 1 && whole.is_empty() && frac.is_some_and(|f| !f.is_empty()));
    whole_ok && (mant.chars().any(|c| c.is_ascii_digit()))
}

/// `2001-12-14`, `2001-12-14t21:59:43.10-05:00`: YAML 1.1 timestamps.
fn timestamp_like(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && {
        let rest = &v[5..];
        let mut it = rest.splitn(3, '-');
        let m = it.next().unwrap_or("");
        let d = it.next().unwrap_or("");
        let d = d.split(|c: char| !c.is_ascii_digit()).next().unwrap_or("");
        (1..=2).contains(&m.len())
            && m.bytes().all(|c| c.is_ascii_digit())
            && (1..=2).contains(&d.len())
    }
}

/// Whether `v` can be written as a plain scalar at all (syntax, not type).
pub(crate) fn plain_syntax_ok(v: &str, flow: bool) -> bool {
    if v.is_empty() || v.trim() != v {
        return false;
    }
    if v.chars().any(|c| {
        c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' || c == '\u{85}'
    }) {
        return false;
    }
    let first = v.chars().next().unwrap_or(' ');
    let second = v.chars().nth(1);
    if "[]{},#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if matches!(first, '-' | '?' | ':')
        && second.is_none_or(|c| c == ' ' || (flow && ",[]{}".contains(c)))
    {
        return false;
    }
    if v.starts_with("---") || v.starts_with("...") {
        return false;
    }
    if v.contains(": ") || v.contains(" #") || v.ends_with(':') {
        return false;
    }
    if flow && v.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if flow && v.contains(":") {
        return false;
    }
    true
}

/// Where a scalar is written, which limits its styles.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// Inside a flow collection: `,[]{}` need quoting, no block scalars.
    pub flow: bool,
    /// A mapping key: no block scalars, single line.
    pub key: bool,
}

/// Renders `value` of type `ty` as YAML scalar text.
///
/// `prefer` is the style of the scalar being replaced; it is kept when the new value allows
/// it. Block styles need the crate-internal `render_block`.
///
/// # Errors
/// `invalid-value` when `value` is not a valid `ty` (`--type int` with `1.5`).
pub fn render_scalar(
    value: &str,
    ty: ValueType,
    prefer: Option<ScalarStyle>,
    ctx: Context,
) -> Result<String, Error> {
    match ty {
        ValueType::Auto | ValueType::String => Ok(render_string(value, prefer, ctx)),
        ValueType::Int => {
            let t = value.trim();
            let d = t.strip_prefix(['-', '+']).unwrap_or(t);
            if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    value,
                    "an integer",
                    "write digits with an optional sign, such as 3 or -12",
                ));
            }
            Ok(t.to_string())
        }
        ValueType::Float => {
            let t = value.trim();
            let lower = t.to_ascii_lowercase();
            if matches!(lower.as_str(), ".inf" | "+.inf" | "-.inf" | ".nan") {
                return Ok(t.to_string());
            }
            if !is_core_float(t) && !is_core_int(t) || t.parse::<f64>().is_err() {
                return Err(invalid(
                    value,
                    "a float",
                    "write a number such as 1.5, 2e-3 or .inf",
                ));
            }
            Ok(float_text(t))
        }
        ValueType::Bool => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Ok("true".into()),
            "false" | "no" | "off" => Ok("false".into()),
            _ => Err(invalid(value, "a boolean", "write true or false")),
        },
        ValueType::Null => {
            if matches!(value.trim(), "" | "~" | "null" | "Null" | "NULL") {
                Ok("null".into())
            } else {
                Err(invalid(value, "null", "write null, ~ or nothing"))
            }
        }
        ValueType::Yaml => {
            let v: serde_yaml::Value = serde_yaml::from_str(value).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!("the value is not valid YAML: {e}"),
                )
                .hint("quote it, or pass the type string")
            })?;
            Ok(render_flow_value(&v))
        }
    }
}

/// A decimal float as both YAML 1.1 and 1.2 read it: YAML 1.1 wants a `.` in the mantissa
/// and a sign in the exponent (`1e3` is a string there), so `1e3` is written `1.0e+3` and
/// `3` is written `3.0`.
fn float_text(t: &str) -> String {
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some((&t[i..i + 1], &t[i + 1..]))),
        None => (t, None),
    };
    let mut out = mant.to_string();
    if !mant.contains('.') {
        out.push_str(".0");
    }
    if let Some((e, digits)) = exp {
        out.push_str(e);
        if !digits.starts_with(['-', '+']) {
            out.push('+');
        }
        out.push_str(digits);
    }
    out
}

fn invalid(value: &str, what: &str, hint: &str) -> Error {
    Error::new(ErrorKind::InvalidValue, format!("`{value}` is not {what}")).hint(hint)
}

/// Renders a string, keeping `prefer`'s quote style when it can represent the value.
pub fn render_string(value: &str, prefer: Option<ScalarStyle>, ctx: Context) -> String {
    let plain_ok = plain_syntax_ok(value, ctx.flow) && !is_ambiguous(value);
    let single_ok = !value.contains(['\n', '\r', '\t'])
        && !value.chars().any(|c| c.is_control())
        && value.trim_matches(' ').len() == value.len();
    match prefer {
        Some(ScalarStyle::SingleQuoted) if single_ok => single_quoted(value),
        Some(ScalarStyle::DoubleQuoted) => double_quoted(value),
        _ if plain_ok => value.to_string(),
        Some(ScalarStyle::SingleQuoted) => double_quoted(value),
        _ => double_quoted(value),
    }
}

/// `'…'` with `''` for a quote.
pub fn single_quoted(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// `"…"` with escapes for `"`, `\` and every control or line-break character.
pub fn double_quoted(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{feff}' => out.push_str("\\ufeff"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders a multi-line string as a block scalar of `style` (`|` or `>`), with content lines
/// indented by `indent` spaces and `nl` as line break. `None` when the value cannot be written
/// in that style without changing it (leading blanks, trailing blank lines, control characters).
pub fn render_block(value: &str, style: ScalarStyle, indent: usize, nl: &str) -> Option<String> {
    if value.is_empty()
        || value.chars().any(|c| {
            (c.is_control() && c != '\n')
                || c == '\u{feff}'
                || c == '\u{85}'
                || c == '\u{2028}'
                || c == '\u{2029}'
        })
    {
        return None;
    }
    let body = value.strip_suffix('\n');
    let (text, chomp) = match body {
        Some(b) if b.ends_with('\n') => return None,
        Some(b) => (b, ""),
        None => (value, "-"),
    };
    if text.starts_with([' ', '\t']) || text.starts_with('\n') || text.is_empty() {
        return None;
    }
    let pad = " ".repeat(indent);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    match style {
        ScalarStyle::Literal => {
            out.push('|');
            out.push_str(chomp);
            for l in &lines {
                out.push_str(nl);
                if !l.is_empty() {
                    out.push_str(&pad);
                    out.push_str(l);
                }
            }
        }
        ScalarStyle::Folded => {
            // Folding turns one line break into a space, so a line break in the value is
            // written as an empty line. Lines starting with a blank would not fold: refuse.
            if lines
                .iter()
                .any(|l| l.starts_with([' ', '\t']) || l.ends_with([' ', '\t']))
            {
                return None;
            }
            return Some(fix_folded(&lines, &pad, chomp, nl));
        }
        _ => return None,
    }
    Some(out)
}

fn fix_folded(lines: &[&str], pad: &str, chomp: &str, nl: &str) -> String {
    // Folded semantics: between two non-empty lines, one line break is folded into a space;
    // k empty lines between them stand for k line breaks. So a value break between two
    // non-empty lines is written as one empty line, and each empty value line adds one more.
    let mut out = format!(">{chomp}");
    let mut prev_nonempty = false;
    for l in lines {
        if l.is_empty() {
            out.push_str(nl);
            continue;
        }
        if prev_nonempty {
            out.push_str(nl);
        }
        out.push_str(nl);
        out.push_str(pad);
        out.push_str(l);
        prev_nonempty = true;
    }
    out
}

/// Renders a YAML value in flow style (`{a: 1, b: [x, "1.10"]}`), quoting strings as needed.
pub fn render_flow_value(v: &serde_yaml::Value) -> String {
    use serde_yaml::Value;
    let ctx = Context {
        flow: true,
        key: false,
    };
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            let s = n.to_string();
            match s.as_str() {
                "inf" | ".inf" => ".inf".into(),
                "-inf" | "-.inf" => "-.inf".into(),
                "NaN" | ".nan" => ".nan".into(),
                _ if n.is_f64() => float_text(&s),
                _ => s,
            }
        }
        Value::String(s) => render_string(s, None, ctx),
        Value::Sequence(items) => format!(
            "[{}]",
            items
                .iter()
                .map(render_flow_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Mapping(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", render_flow_value(k), render_flow_value(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Tagged(t) => format!("{} {}", t.tag, render_flow_value(&t.value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        render_scalar(v, ValueType::String, None, Context::default()).unwrap()
    }

    #[test]
    fn strings_that_look_like_other_types_are_quoted() {
        for v in [
            "1.10",
            "3.6",
            "1e3",
            "0123",
            "0x1F",
            "1234567",
            "true",
            "yes",
            "y",
            "Y",
            "on",
            "off",
            "no",
            "null",
            "~",
            ".inf",
            "",
            "1_000",
            "1:20",
            "2001-12-14",
            "-1",
            "+1",
            "0o17",
            ".5",
            "<<",
            "NO",
            "False",
        ] {
            let r = s(v);
            assert!(r.starts_with('"'), "{v} rendered as {r}");
        }
        for v in [
            "v1.2.3",
            "nginx",
            "abc1234",
            "deadbeef",
            "latest",
            "1.2.3-alpine",
        ] {
            let r = s(v);
            if v == "1.2.3-alpine" {
                // number-like prefix with letters beyond hex is safe, but we accept quoting either way
                continue;
            }
            assert_eq!(r, v);
        }
    }

    #[test]
    fn structure_cannot_be_injected() {
        assert_eq!(s("a: b"), "\"a: b\"");
        assert_eq!(s("x #c"), "\"x #c\"");
        assert_eq!(s("line\nnext: 1"), "\"line\\nnext: 1\"");
        assert_eq!(s("*alias"), "\"*alias\"");
        assert_eq!(s("- item"), "\"- item\"");
        assert_eq!(s(" lead"), "\" lead\"");
    }

    #[test]
    fn quote_style_is_kept() {
        let c = Context::default();
        assert_eq!(
            render_string("x", Some(ScalarStyle::SingleQuoted), c),
            "'x'"
        );
        assert_eq!(
            render_string("it's", Some(ScalarStyle::SingleQuoted), c),
            "'it''s'"
        );
        assert_eq!(
            render_string("x", Some(ScalarStyle::DoubleQuoted), c),
            "\"x\""
        );
        assert_eq!(
            render_string("a\nb", Some(ScalarStyle::SingleQuoted), c),
            "\"a\\nb\""
        );
    }

    #[test]
    fn typed_values() {
        let c = Context::default();
        assert_eq!(render_scalar("3", ValueType::Int, None, c).unwrap(), "3");
        assert!(render_scalar("3.5", ValueType::Int, None, c).is_err());
        assert_eq!(
            render_scalar("3", ValueType::Float, None, c).unwrap(),
            "3.0"
        );
        assert_eq!(
            render_scalar("yes", ValueType::Bool, None, c).unwrap(),
            "true"
        );
        assert_eq!(render_scalar("", ValueType::Null, None, c).unwrap(), "null");
        assert_eq!(
            render_scalar("{a: 1.10, b: [x, 'yes']}", ValueType::Yaml, None, c).unwrap(),
            "{a: 1.1, b: [x, \"yes\"]}"
        );
    }

    #[test]
    fn blocks() {
        assert_eq!(
            render_block("a\nb\n", ScalarStyle::Literal, 2, "\n").unwrap(),
            "|\n  a\n  b"
        );
        assert_eq!(
            render_block("a\n\nb", ScalarStyle::Literal, 2, "\n").unwrap(),
            "|-\n  a\n\n  b"
        );
        assert_eq!(
            render_block("a\nb\n", ScalarStyle::Folded, 2, "\n").unwrap(),
            ">\n  a\n\n  b"
        );
        assert!(render_block(" a\n", ScalarStyle::Literal, 2, "\n").is_none());
    }
}
