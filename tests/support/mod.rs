//! Shared by the corpus and yaml-test-suite tests: edit every scalar of a text and check that
//! only its bytes changed, the self-check passed, and `get` reads the new value back.

#![allow(dead_code)]

use gitops_bump::{
    apply_edits, get_values, ChangeKind, Edit, GetOptions, Node, NodeKind, ScalarStyle, Stream,
    ValueType,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What a sweep did.
#[derive(Default, Debug, Clone, Copy)]
pub struct Stats {
    pub scalars: usize,
    pub edits: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.scalars += o.scalars;
        self.edits += o.edits;
    }
}

pub fn corpus_dir() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for c in [here.join("../shared/corpus"), here.join("shared/corpus")] {
        if c.is_dir() {
            return c;
        }
    }
    panic!("../shared/corpus not found beside the repository");
}

fn pointer_token(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

struct Target {
    pointer: String,
    start: usize,
    end: usize,
    ty: &'static str,
    value: String,
    aliased: bool,
    tagged: bool,
    shape_ok: bool,
}

/// Checks, independently of the engine's own span logic, that `src[n.start..n.end]` is the
/// scalar's token and nothing more: quotes at both ends of a quoted scalar, no trailing blank
/// or comment after a plain one, a `|`/`>` header first in a block scalar.
pub fn token_shape_ok(src: &str, n: &Node) -> bool {
    let t = &src[n.start..n.end];
    match &n.kind {
        NodeKind::Scalar {
            style, implicit, ..
        } => match style {
            _ if *implicit => t.is_empty(),
            ScalarStyle::DoubleQuoted => {
                t.len() >= 2 && t.starts_with('"') && t.ends_with('"') && !t.ends_with("\\\"")
                    || t.ends_with("\\\\\"")
            }
            ScalarStyle::SingleQuoted => t.len() >= 2 && t.starts_with('\'') && t.ends_with('\''),
            ScalarStyle::Plain => {
                !t.is_empty()
                    && !t.ends_with([' ', '\t', '\n', '\r'])
                    && !t.contains(" #")
                    && !t.contains("\t#")
            }
            ScalarStyle::Literal => t.starts_with('|') && !t.ends_with(['\n', '\r']),
            ScalarStyle::Folded => t.starts_with('>') && !t.ends_with(['\n', '\r']),
        },
        _ => true,
    }
}

fn collect(
    src: &str,
    n: &Node,
    ptr: &str,
    aliased_names: &HashSet<String>,
    under_alias: bool,
    out: &mut Vec<Target>,
) {
    let aliased = under_alias || n.anchor.as_ref().is_some_and(|a| aliased_names.contains(a));
    match &n.kind {
        NodeKind::Scalar { value, .. } => out.push(Target {
            pointer: if ptr.is_empty() {
                "/".into()
            } else {
                ptr.to_string()
            },
            start: n.start,
            end: n.end,
            ty: type_of(n),
            value: value.clone(),
            aliased,
            tagged: n.tag.is_some(),
            shape_ok: token_shape_ok(src, n),
        }),
        NodeKind::Mapping { entries, .. } => {
            let mut seen = HashSet::new();
            for (k, v) in entries {
                let Some(key) = k.scalar() else { continue };
                if !seen.insert(key.to_string())
                    || key == "<<"
                    || matches!(v.kind, NodeKind::Alias { .. })
                {
                    continue;
                }
                // Keys that are not plain strings in the reference parser (numbers, bools, null)
                // cannot be addressed by their text: skip them.
                if !key_is_string(k) {
                    continue;
                }
                collect(
                    src,
                    v,
                    &format!("{ptr}/{}", pointer_token(key)),
                    aliased_names,
                    aliased,
                    out,
                );
            }
        }
        NodeKind::Sequence { items, .. } => {
            for (i, v) in items.iter().enumerate() {
                collect(src, v, &format!("{ptr}/{i}"), aliased_names, aliased, out);
            }
        }
        NodeKind::Alias { .. } => {}
    }
}

fn key_is_string(k: &Node) -> bool {
    matches!(type_of(k), "string")
}

fn type_of(n: &Node) -> &'static str {
    match &n.kind {
        NodeKind::Scalar { value, style, .. } => {
            if let Some(t) = &n.tag {
                return match t.as_str() {
                    "!!str" => "string",
                    "!!int" => "int",
                    "!!float" => "float",
                    "!!bool" => "bool",
                    "!!null" => "null",
                    _ => "custom",
                };
            }
            if *style != ScalarStyle::Plain {
                return "string";
            }
            match value.as_str() {
                "" | "~" | "null" | "Null" | "NULL" => "null",
                "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => "bool",
                v if v.parse::<i64>().is_ok() && !v.starts_with('+') => "int",
                v if is_float(v) => "float",
                // Hex, octal, base 60, YAML 1.1 booleans…: not a plain string for every reader.
                v if gitops_bump::is_ambiguous(v) => "ambiguous",
                _ => "string",
            }
        }
        _ => "collection",
    }
}

fn is_float(v: &str) -> bool {
    gitops_bump::is_ambiguous(v)
        && v.parse::<f64>().is_ok()
        && v.contains(['.', 'e', 'E'])
        && !v.contains('_')
}

fn alias_names(n: &Node, out: &mut HashSet<String>) {
    match &n.kind {
        NodeKind::Alias { name } => {
            out.insert(name.clone());
        }
        NodeKind::Mapping { entries, .. } => entries.iter().for_each(|(k, v)| {
            alias_names(k, out);
            alias_names(v, out);
        }),
        NodeKind::Sequence { items, .. } => items.iter().for_each(|i| alias_names(i, out)),
        _ => {}
    }
}

fn check_one(
    src: &str,
    t: &Target,
    edit: Edit,
    want_value: &str,
    want_ty: &str,
    stats: &mut Stats,
) -> Result<(), String> {
    stats.edits += 1;
    let out = match apply_edits(src, std::slice::from_ref(&edit)) {
        Ok(o) => o,
        Err(e) => return Err(format!("{} = {:?}: {e}", t.pointer, edit.op)),
    };
    let new = &out.text;
    if !new.starts_with(&src[..t.start])
        || !new.ends_with(&src[t.end..])
        || new.len() < t.start + (src.len() - t.end)
    {
        return Err(format!("{}: bytes outside the scalar changed", t.pointer));
    }
    let got = get_values(new, &t.pointer, &GetOptions::default())
        .map_err(|e| format!("{}: get after edit: {e}", t.pointer))?;
    if got.len() != 1 || got[0].value.as_deref() != Some(want_value) || got[0].kind != want_ty {
        return Err(format!(
            "{}: read back {:?} ({}), wanted {want_value:?} ({want_ty})",
            t.pointer,
            got.first().and_then(|g| g.value.clone()),
            got.first().map_or("-", |g| g.kind)
        ));
    }
    Ok(())
}

/// Documents at least this large are swept in batches (see [`sweep`]).
pub const BATCH_FROM_BYTES: usize = 64 * 1024;
const BATCH: usize = 256;

/// The new values a sweep gives a target: a new string, and a new value of its own type.
fn new_values(i: usize, t: &Target) -> Vec<(String, ValueType, &'static str)> {
    // A core tag (`!!int 3`) fixes the type: only a value of that type can go there.
    let mut out = if t.tagged && t.ty != "string" {
        vec![]
    } else {
        vec![(format!("gb{i}x"), ValueType::String, "string")]
    };
    match t.ty {
        "int" => {
            if let Ok(n) = t.value.parse::<i64>() {
                out.push((n.wrapping_add(1).to_string(), ValueType::Int, "int"));
            }
        }
        "float" => out.push(("2.5".to_string(), ValueType::Float, "float")),
        "bool" => out.push((
            if t.value.eq_ignore_ascii_case("true") {
                "false"
            } else {
                "true"
            }
            .to_string(),
            ValueType::Bool,
            "bool",
        )),
        "string" => out.push(("1.10".to_string(), ValueType::String, "string")),
        _ => {}
    }
    out
}

fn scalars_in_order(src: &str) -> Option<Vec<Target>> {
    let stream = Stream::parse(src).ok()?;
    let root = stream.docs.first()?.root.as_ref()?;
    let mut names = HashSet::new();
    alias_names(root, &mut names);
    let mut out = Vec::new();
    collect(src, root, "", &names, false, &mut out);
    Some(out)
}

/// Sets many scalars of one document in one request; checks that the bytes between them are
/// unchanged and that the core reads every new value back with its type.
fn check_batch(
    src: &str,
    targets: &[(usize, &Target)],
    pass: usize,
    stats: &mut Stats,
) -> Result<(), String> {
    let mut edits = Vec::new();
    let mut wanted = Vec::new();
    for (i, t) in targets {
        let vals = new_values(*i, t);
        let Some((v, ty, name)) = vals.get(pass).cloned() else {
            continue;
        };
        edits.push(Edit::set(t.pointer.clone(), v.clone()).typed(ty));
        wanted.push((*i, v, name));
    }
    if edits.is_empty() {
        return Ok(());
    }
    stats.edits += edits.len();
    let out =
        apply_edits(src, &edits).map_err(|e| format!("batch of {} edits: {e}", edits.len()))?;
    let before = scalars_in_order(src).ok_or("re-parse of the input failed")?;
    let after = scalars_in_order(&out.text).ok_or("the edited text does not parse")?;
    if before.len() != after.len() {
        return Err("the edited document has a different number of scalars".into());
    }
    let changed: HashSet<usize> = wanted.iter().map(|w| w.0).collect();
    let (mut a, mut b) = (0usize, 0usize);
    for (k, (old, new)) in before.iter().zip(&after).enumerate() {
        if !changed.contains(&k) {
            continue;
        }
        if src[a..old.start] != out.text[b..new.start] {
            return Err(format!("{}: bytes before the scalar changed", old.pointer));
        }
        a = old.end;
        b = new.end;
    }
    if src[a..] != out.text[b..] {
        return Err("bytes after the last edited scalar changed".into());
    }
    for (k, v, ty) in &wanted {
        let n = &after[*k];
        if &n.value != v || n.ty != *ty {
            return Err(format!(
                "{}: read back {:?} ({}), wanted {v:?} ({ty})",
                n.pointer, n.value, n.ty
            ));
        }
    }
    Ok(())
}

/// Edits every scalar of every document of `src`. Documents under [`BATCH_FROM_BYTES`] get one
/// request per scalar and value, checked with `get`; larger ones (argo-cd's CRDs) get batches
/// of up to 256 scalars a request, each scalar's bytes and value checked as above.
pub fn sweep(src: &str) -> Result<Stats, Vec<String>> {
    let stream = Stream::parse(src).map_err(|e| vec![format!("parse: {e}")])?;
    let mut stats = Stats::default();
    let mut errors = Vec::new();
    for d in &stream.docs {
        let doc_src = &src[d.range.clone()];
        let Ok(doc_stream) = Stream::parse(doc_src) else {
            errors.push(format!("document {} does not parse on its own", d.index));
            continue;
        };
        let Some(root) = doc_stream.docs.first().and_then(|d| d.root.as_ref()) else {
            continue;
        };
        let mut names = HashSet::new();
        alias_names(root, &mut names);
        let mut targets = Vec::new();
        collect(doc_src, root, "", &names, false, &mut targets);
        for t in targets.iter().filter(|t| !t.shape_ok) {
            errors.push(format!(
                "doc {}: {}: the span {:?} is not exactly the scalar's token",
                d.index,
                t.pointer,
                &doc_src[t.start..t.end]
            ));
        }
        let editable: Vec<(usize, &Target)> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.pointer != "/" && t.ty != "custom")
            .collect();
        stats.scalars += editable.len();
        if doc_src.len() >= BATCH_FROM_BYTES {
            let (plain, aliased): (Vec<_>, Vec<_>) = editable.iter().partition(|(_, t)| !t.aliased);
            for chunk in plain.chunks(BATCH) {
                for pass in 0..2 {
                    if let Err(e) = check_batch(doc_src, chunk, pass, &mut stats) {
                        errors.push(format!("doc {}: {e}", d.index));
                    }
                }
            }
            for (i, t) in aliased {
                individual(doc_src, d.index, i, t, &mut stats, &mut errors);
            }
            continue;
        }
        for (i, t) in editable {
            individual(doc_src, d.index, i, t, &mut stats, &mut errors);
        }
    }
    if errors.is_empty() {
        Ok(stats)
    } else {
        Err(errors)
    }
}

fn individual(
    doc_src: &str,
    doc: usize,
    i: usize,
    t: &Target,
    stats: &mut Stats,
    errors: &mut Vec<String>,
) {
    for (v, ty, name) in new_values(i, t) {
        if let Err(e) = check_one(
            doc_src,
            t,
            Edit::set(t.pointer.clone(), v.clone()).typed(ty),
            &v,
            name,
            stats,
        ) {
            errors.push(format!("doc {doc}: {e}"));
            return;
        }
    }
    if t.ty == "string" && !t.aliased {
        stats.edits += 1;
        match apply_edits(doc_src, &[Edit::set(t.pointer.clone(), t.value.clone())]) {
            Ok(o)
                if o.text == doc_src
                    && o.changes.iter().all(|c| c.kind == ChangeKind::Unchanged) => {}
            Ok(_) => errors.push(format!(
                "doc {doc}: {}: setting the current value changed the text",
                t.pointer
            )),
            Err(e) => errors.push(format!("doc {doc}: {}: no-op set failed: {e}", t.pointer)),
        }
    }
}

/// Every file below `dir` (sorted), recursively.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The JSON Pointer of every scalar of a one-document text that an edit may set.
pub fn scalar_pointers(src: &str) -> Vec<String> {
    scalars_in_order(src)
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.pointer != "/" && t.ty != "custom")
        .map(|t| t.pointer)
        .collect()
}

/// The real-world corpus's YAML files (sorted), `Kustomization` files included.
pub fn real_yaml_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(&corpus_dir().join("real"), &mut files);
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        name.ends_with(".yaml") || name.ends_with(".yml") || name == "Kustomization"
    });
    files
}

/// A corpus file's text and its path relative to the corpus (for messages).
pub fn read_corpus_file(path: &Path) -> (String, String) {
    let src = std::fs::read_to_string(path).unwrap();
    let rel = path
        .strip_prefix(corpus_dir())
        .unwrap()
        .display()
        .to_string();
    (src, rel)
}

/// Fails the test with every failure listed, one block each, when there is any.
pub fn assert_none_failed(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
