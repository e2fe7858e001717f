//! The bodies of the fuzz targets, as plain functions so that a reproducer can also be
//! replayed without libFuzzer (`cargo fuzz run <target> <file>` does it with it).
//!
//! An input is YAML text, optionally followed by a NUL byte and control bytes: the seeds are
//! plain YAML files (`fuzz/seeds/`), and the fuzzer learns to append the controls. Without
//! them, the choices come from a hash of the text.

use gitops_bump::{
    apply_edits, apply_edits_lazy_from, get_values, is_ambiguous, outline_starts, parsed_starts,
    render_scalar, Context, DocSelector, Edit, EditOp, ErrorKind, GetOptions, Node, NodeKind, Path,
    ScalarStyle, SetImageOptions, Stream, ValueType, WHOLE_DOCUMENTS,
};
use serde::Deserialize;

/// Splits an input into its text (lossy UTF-8, as a file read by a caller would be rejected
/// otherwise) and its control parts: the pieces after the first NUL, separated by NULs.
pub fn split(data: &[u8]) -> (String, Vec<&[u8]>) {
    let mut parts = data.split(|b| *b == 0);
    let text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    (text, parts.collect())
}

/// A small deterministic hash, for choices when the input carries no controls.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Reads a number from the control part `i` (or the hash of the text when it is missing).
fn choice(parts: &[&[u8]], i: usize, text: &str) -> usize {
    match parts.get(i) {
        Some(p) if !p.is_empty() => p
            .iter()
            .fold(0usize, |n, b| n.wrapping_mul(256) + *b as usize),
        _ => (hash(text.as_bytes()) >> (8 * i)) as usize,
    }
}

/// New values that exercise quoting: type look-alikes, indicators, line breaks, Unicode.
const STRINGS: &[&str] = &[
    "1.10",
    "",
    "true",
    "yes",
    "null",
    "~",
    "0x1F",
    "0123",
    "1e3",
    ".inf",
    "a: b",
    "x #y",
    "- item",
    "#comment",
    "*alias",
    "&anchor",
    "!tag",
    "|",
    ">-",
    "%",
    "@",
    "`",
    "'single'",
    "\"double\"",
    "two\nlines",
    "trailing\n",
    "\n",
    "key: value\nother: 1",
    "tab\there",
    "  leading",
    "trailing ",
    "日本語",
    "\u{feff}bom",
    "\u{85}nel",
    "\u{2028}ls",
    "back\\slash",
    "{a: 1}",
    "[x, y]",
    "---",
    "...",
    "ghcr.io/acme/api:1.2.3@sha256:0123456789abcdef",
    "<<",
    "=",
    "? q",
    "x -",
    "a]",
    "b}",
    "c,",
];

/// A value and type to set: from the list, typed, or the fuzzer's own bytes.
pub fn new_value(parts: &[&[u8]], text: &str) -> (String, ValueType) {
    let n = choice(parts, 1, text);
    match n % 8 {
        0 => match parts.get(2) {
            Some(p) => (String::from_utf8_lossy(p).into_owned(), ValueType::String),
            None => ("fuzzed".into(), ValueType::String),
        },
        1 => (
            ["0", "42", "-7", "1234567"][n / 8 % 4].into(),
            ValueType::Int,
        ),
        2 => (["2.5", "-0.5", "1e3"][n / 8 % 3].into(), ValueType::Float),
        3 => (["true", "false"][n / 8 % 2].into(), ValueType::Bool),
        _ => (STRINGS[n / 8 % STRINGS.len()].into(), ValueType::String),
    }
}

/// A scalar the edit can address, found by walking [`Stream`]'s tree.
#[derive(Debug)]
pub struct Target {
    /// Its document.
    pub doc: usize,
    /// Its RFC 6901 JSON Pointer from the document root.
    pub pointer: String,
    /// Its span.
    pub start: usize,
    /// End of its span.
    pub end: usize,
    /// Whether it has an application tag (`!custom`): its type is then not the core's to say.
    pub custom_tag: bool,
}

fn pointer_token(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// Whether every reader takes this key for the string it is written as (a JSON Pointer
/// names keys by their text, so `1`, `true` or `null` keys are not addressable by it).
fn key_is_string(k: &Node) -> bool {
    let NodeKind::Scalar { value, style, .. } = &k.kind else {
        return false;
    };
    match k.tag.as_deref() {
        Some("!!str") => true,
        Some(_) => false,
        None => {
            *style != ScalarStyle::Plain
                || !(k.is_null()
                    || is_ambiguous(value)
                    || value.parse::<f64>().is_ok()
                    || value.eq_ignore_ascii_case("true")
                    || value.eq_ignore_ascii_case("false"))
        }
    }
}

fn collect(doc: usize, n: &Node, ptr: &str, out: &mut Vec<Target>) {
    match &n.kind {
        NodeKind::Scalar { .. } if !ptr.is_empty() => out.push(Target {
            doc,
            pointer: ptr.to_string(),
            start: n.start,
            end: n.end,
            custom_tag: n.tag.as_deref().is_some_and(|t| !t.starts_with("!!")),
        }),
        NodeKind::Mapping { entries, .. } => {
            let keys: Vec<Option<&str>> = entries.iter().map(|(k, _)| k.scalar()).collect();
            for (i, (k, v)) in entries.iter().enumerate() {
                let Some(key) = keys[i] else { continue };
                // A repeated key, a merge key or an alias value cannot be addressed alone.
                if keys.iter().filter(|o| **o == Some(key)).count() > 1
                    || key == "<<"
                    || !key_is_string(k)
                    || matches!(v.kind, NodeKind::Alias { .. })
                {
                    continue;
                }
                collect(doc, v, &format!("{ptr}/{}", pointer_token(key)), out);
            }
        }
        NodeKind::Sequence { items, .. } => {
            for (i, v) in items.iter().enumerate() {
                collect(doc, v, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every addressable scalar below a document root, in source order.
pub fn targets(stream: &Stream) -> Vec<Target> {
    let mut out = Vec::new();
    for d in &stream.docs {
        if let Some(root) = &d.root {
            collect(d.index, root, "", &mut out);
        }
    }
    out
}

/// Every document of `text` through serde_yaml.
pub fn serde_parses(text: &str) -> Result<(), String> {
    // libyaml, handed a `&str`, takes a byte order mark for content (the core strips it too).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for d in serde_yaml::Deserializer::from_str(text) {
        serde_yaml::Value::deserialize(d).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The type `get` must report for a value set with `ty`.
fn kind_of(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Int => "int",
        ValueType::Float => "float",
        ValueType::Bool => "bool",
        ValueType::Null => "null",
        _ => "string",
    }
}

/// Whether `FUZZ_STRICT` is unset: open issues (below) are then skipped, so that a run finds
/// new problems rather than these. Each has a reproducer in `fuzz/regressions/`.
fn tolerant() -> bool {
    std::env::var_os("FUZZ_STRICT").is_none()
}

/// Open issue: an edit accepted although `Stream::parse` rejects its output (the core now
/// re-parses with its own parser too, so only this shape is left), by saphyr's message.
const REJECTED_OUTPUTS: &[&str] = &[];

/// Whether `message` (of `Stream::parse` on an accepted output) is an open issue.
pub fn known_rejected_output(message: &str) -> bool {
    tolerant() && REJECTED_OUTPUTS.iter().any(|m| message.contains(m))
}

/// Open issue that panics: `\u{feff}%\u{fffd}\u{fffd}\n---\n>` (a BOM, then a directive with
/// two multi-byte characters, then a block scalar) slices out of bounds in `Stream::parse`.
/// Such inputs are skipped unless `FUZZ_STRICT=1`.
pub fn known_panic(text: &str) -> bool {
    tolerant()
        && text.starts_with('\u{feff}')
        && text
            .split(['\n', '\r'])
            .any(|l| l.trim_start_matches('\u{feff}').starts_with('%') && !l.is_ascii())
}

/// `edit_span`: set one scalar; when the core accepts, only that scalar's bytes changed, the
/// output re-parses with both parsers, and `get` reads the new value back.
pub fn edit_span(data: &[u8]) {
    let (text, parts) = split(data);
    if known_panic(&text) {
        return;
    }
    let Ok(stream) = Stream::parse(&text) else {
        return;
    };
    let all = targets(&stream);
    if all.is_empty() {
        return;
    }
    let t = &all[choice(&parts, 0, &text) % all.len()];
    let (value, ty) = new_value(&parts, &text);
    let edit = Edit::set(t.pointer.clone(), value.clone())
        .typed(ty)
        .select(t.doc.to_string());
    let Ok(out) = apply_edits(&text, std::slice::from_ref(&edit)) else {
        return;
    };
    let new = &out.text;
    assert!(
        new.len() >= t.start + (text.len() - t.end)
            && new.as_bytes().starts_with(&text.as_bytes()[..t.start])
            && new.as_bytes().ends_with(&text.as_bytes()[t.end..]),
        "bytes outside {}..{} changed setting {} (doc {}) to {value:?} ({ty:?})\ninput:\n{text}\noutput:\n{new}",
        t.start,
        t.end,
        t.pointer,
        t.doc
    );
    if let Err(e) = Stream::parse(new) {
        if known_rejected_output(e.message()) {
            return;
        }
        panic!("the output does not re-parse: {e}\noutput:\n{new}");
    }
    if let Err(e) = serde_parses(new) {
        // The core checks only the touched document: the others may have been unreadable
        // for serde_yaml before the edit too.
        if serde_parses(&text).is_ok() {
            panic!("serde_yaml cannot read the output: {e}\noutput:\n{new}");
        }
    }
    let opts = GetOptions {
        all: false,
        select: Some(t.doc.to_string()),
    };
    let got = match get_values(new, &t.pointer, &opts) {
        Ok(got) => got,
        Err(e) => panic!("get {} after the edit: {e}\noutput:\n{new}", t.pointer),
    };
    let want_value = match ty {
        ValueType::Int | ValueType::Float | ValueType::Bool => value.trim(),
        _ => value.as_str(),
    };
    // A float is written in a form both YAML 1.1 and 1.2 read as a float (`1e3` becomes
    // `1.0e+3`): compare the number, not the text.
    let same_value = |read: Option<&str>| match (ty, read) {
        (ValueType::Float, Some(r)) => r == want_value || same_float(r, want_value),
        (_, r) => r == Some(want_value),
    };
    assert!(
        got.len() == 1
            && same_value(got[0].value.as_deref())
            && (t.custom_tag || got[0].kind == kind_of(ty)),
        "{} reads back {:?} ({}), wanted {want_value:?} ({})\noutput:\n{new}",
        t.pointer,
        got.first().and_then(|g| g.value.clone()),
        got.first().map_or("-", |g| g.kind),
        kind_of(ty)
    );
}

/// Whether two YAML float texts (`1e3`, `1.0e+3`, `.inf`, `-.Inf`, `.nan`) are the same number.
fn same_float(a: &str, b: &str) -> bool {
    let parse = |s: &str| -> Option<f64> {
        let t = s.trim();
        match t.to_ascii_lowercase().trim_start_matches(['+', '-']) {
            ".inf" => Some(if t.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }),
            ".nan" => Some(f64::NAN),
            _ => t.parse::<f64>().ok(),
        }
    };
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => false,
    }
}

/// Paths tried when the input brings none.
const PATHS: &[&str] = &[
    "a",
    "a.b",
    ".a.b[0]",
    "a[-1]",
    "a[*].b",
    "a.*",
    "a[name=x].image",
    "a[name=\"x y\"]",
    "[\"a.b\"]",
    "['a.b'].c",
    "/a/b/0",
    "/a~1b/~0",
    "/a/-",
    "spec.template.spec.containers[name=api].image",
    "image.tag",
    "0",
    "[0][1]",
];

/// `no_panic`: arbitrary text, paths, values and selectors through the public functions.
/// Errors are fine; panics are not, and neither is an accepted edit whose output no longer
/// parses where the input did.
pub fn no_panic(data: &[u8]) {
    let (text, parts) = split(data);
    if known_panic(&text) {
        return;
    }
    let lossy = |i: usize| {
        parts
            .get(i)
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    let path = lossy(0).unwrap_or_else(|| PATHS[choice(&parts, 0, &text) % PATHS.len()].into());
    let value = lossy(1).unwrap_or_else(|| "v".into());
    let select = lossy(2).filter(|s| !s.is_empty());
    let flags = choice(&parts, 3, &text);

    let parsed = Stream::parse(&text);
    let _ = Path::parse(&path);
    if let Some(s) = &select {
        let _ = DocSelector::parse(s);
    }
    let types = [
        ValueType::String,
        ValueType::Int,
        ValueType::Float,
        ValueType::Bool,
        ValueType::Null,
        ValueType::Yaml,
    ];
    let ty = types[flags % types.len()];
    let _ = render_scalar(&value, ty, None, Context::default());
    let _ = get_values(
        &text,
        &path,
        &GetOptions {
            all: flags & 8 != 0,
            select: select.clone(),
        },
    );
    let op = match flags / 16 % 3 {
        0 => EditOp::Set {
            value: value.clone(),
            ty,
        },
        1 => EditOp::Remove,
        _ => EditOp::Append {
            value: value.clone(),
            ty,
        },
    };
    let edit = Edit {
        path: path.clone(),
        op,
        create: flags & 64 != 0,
        all: flags & 128 != 0,
        select,
    };
    // Open issue (panics): removing several entries when the text has no final line break
    // (`c: &x\n: >`, remove `*`): fuzz/regressions/no_panic/remove-last-entry-*.
    let remove_many = edit.op == EditOp::Remove && (edit.all || path.contains('*'));
    if tolerant() && remove_many && !text.ends_with('\n') {
        return;
    }
    if let Ok(out) = apply_edits(&text, std::slice::from_ref(&edit)) {
        if parsed.is_ok() {
            if let Err(e) = Stream::parse(&out.text) {
                if !known_rejected_output(e.message()) {
                    panic!("{edit:?} was accepted but its output does not parse: {e}\ninput:\n{text}\noutput:\n{}", out.text);
                }
            }
        }
        if serde_parses(&text).is_ok() {
            if let Err(e) = serde_parses(&out.text) {
                panic!("{edit:?} was accepted but serde_yaml cannot read its output: {e}\ninput:\n{text}\noutput:\n{}", out.text);
            }
        }
    }
    if flags & 256 != 0 {
        let _ = gitops_bump::parse_image_spec(&value);
        let _ = gitops_bump::set_image(&text, &value, &SetImageOptions::default());
    }
}

/// `lazy_outline`: when the line pass outlines a text that parses, the text is one document
/// whose root is a block collection and the pass found exactly its top-level entries; and
/// setting one scalar gives the same result (text, changes or error) lazily as eagerly.
pub fn lazy_outline(data: &[u8]) {
    let (text, parts) = split(data);
    if known_panic(&text) {
        return;
    }
    let Ok(stream) = Stream::parse(&text) else {
        return;
    };
    if let Some(starts) = outline_starts(&text) {
        let parsed = parsed_starts(&text);
        assert_eq!(
            Some(&starts),
            parsed.as_ref(),
            "the line pass outlined what the parse reads otherwise\ninput:\n{text}"
        );
    }
    let all = targets(&stream);
    if all.is_empty() {
        return;
    }
    let t = &all[choice(&parts, 0, &text) % all.len()];
    let (value, ty) = new_value(&parts, &text);
    let edit = [Edit::set(t.pointer.clone(), value).typed(ty)];
    let show = |r: Result<gitops_bump::Outcome, gitops_bump::Error>| match r {
        Ok(o) => format!("{:?}\n{}", o.changes, o.text),
        Err(e) => format!("error {e}"),
    };
    let lazy = apply_edits_lazy_from(&text, &edit, 0);
    let eager = apply_edits_lazy_from(&text, &edit, WHOLE_DOCUMENTS);
    let refused = |r: &Result<gitops_bump::Outcome, gitops_bump::Error>| {
        r.as_ref().is_err_and(|e| e.kind() == ErrorKind::SelfCheck)
    };
    // Both refused by the self-check: the entry alone and the whole document can fail it at
    // different places (libyaml stops at the first character it cannot read).
    if refused(&lazy) && refused(&eager) {
        return;
    }
    if let (Ok(_), Err(e)) = (&lazy, &eager) {
        // Lazily, only the entries on the path are read: a problem elsewhere in the document
        // is not reported (documented). One on the edited line itself must be. (Which entry
        // the lazy edit went down to is the core's business; its own parse of that entry
        // would fail on a syntax error there.)
        let line_of = |at: usize| text[..at].matches('\n').count() + 1;
        let elsewhere = match e.kind() {
            // A document or entry the lazy edit did not parse: its syntax, a repeated key, or
            // an alias or merge key the path would reach in it.
            ErrorKind::YamlSyntax | ErrorKind::Alias => {
                e.line().is_some_and(|l| l != line_of(t.start))
            }
            // The lazy edit had the reference parser read the entry it changed.
            ErrorKind::SelfCheck => e.message().contains("cannot read the original document"),
            _ => false,
        };
        if elsewhere {
            return;
        }
    }
    assert_eq!(
        show(lazy),
        show(eager),
        "lazy and eager edits differ\ninput:\n{text}"
    );
}
