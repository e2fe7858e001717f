//! The self-check: re-parse the edited document with an independent parser (serde_yaml, over
//! libyaml) and compare its data with the original data plus exactly the requested changes;
//! and re-parse it with this crate's own parser, which must read back every string set (or
//! the next edit of the file would fail, or `get` would report another value).

use serde::Deserialize;
use serde_yaml::Value;

use crate::error::{Error, ErrorKind};
use crate::locate::{steps_to_path, Step};
use crate::patch::{shift, Patch};
use crate::tree::{Node, NodeKind, Stream};

/// One change the data must show, by concrete steps from the document root.
#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    /// The node at `steps` becomes `value`.
    Set(Vec<Step>, Value),
    /// The mapping at `steps` gains `key: value` (or the null at `steps` becomes that mapping).
    Insert(Vec<Step>, Value, Value),
    /// The sequence at `steps` gains `value` at the end (or the null becomes `[value]`).
    Append(Vec<Step>, Value),
    /// The entry or item named by the last step is gone.
    Remove(Vec<Step>),
}

impl Mutation {
    /// The steps from the document root this change applies at.
    pub(crate) fn steps(&self) -> &[Step] {
        match self {
            Mutation::Set(s, _)
            | Mutation::Insert(s, _, _)
            | Mutation::Append(s, _)
            | Mutation::Remove(s) => s,
        }
    }

    /// The same change at other steps (where an alias repeats the node).
    pub(crate) fn with_steps(&self, steps: Vec<Step>) -> Mutation {
        match self {
            Mutation::Set(_, v) => Mutation::Set(steps, v.clone()),
            Mutation::Insert(_, k, v) => Mutation::Insert(steps, k.clone(), v.clone()),
            Mutation::Append(_, v) => Mutation::Append(steps, v.clone()),
            Mutation::Remove(_) => Mutation::Remove(steps),
        }
    }
}

/// Parses one document's text with serde_yaml (`Null` for a document with no content).
pub(crate) fn parse_doc(text: &str) -> Result<Value, String> {
    // libyaml, handed a `&str`, takes a byte order mark for content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut docs = Vec::new();
    for d in serde_yaml::Deserializer::from_str(text) {
        docs.push(Value::deserialize(d).map_err(|e| e.to_string())?);
    }
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.pop().unwrap_or(Value::Null)),
        n => Err(format!("expected one document, found {n}")),
    }
}

fn untag(v: &mut Value) -> &mut Value {
    match v {
        Value::Tagged(t) => untag(&mut t.value),
        v => v,
    }
}

/// The value at `steps` from `v`, through tags.
pub(crate) fn navigate<'v>(mut v: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    for s in steps {
        v = untag(v);
        v = match (s, v) {
            (Step::Entry(i, _), Value::Mapping(m)) => m.iter_mut().nth(*i).map(|(_, v)| v)?,
            (Step::Item(i), Value::Sequence(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Applies `m` to `data`, the reference parser's view of the original document.
pub(crate) fn mutate(data: &mut Value, m: &Mutation) -> bool {
    match m {
        Mutation::Set(steps, value) => match navigate(data, steps) {
            Some(slot) => {
                match slot {
                    Value::Tagged(t) if !matches!(value, Value::Tagged(_)) => {
                        t.value = value.clone()
                    }
                    _ => *slot = value.clone(),
                }
                true
            }
            None => false,
        },
        Mutation::Insert(steps, key, value) => match navigate(data, steps).map(untag) {
            Some(Value::Mapping(map)) => {
                map.insert(key.clone(), value.clone());
                true
            }
            Some(slot @ Value::Null) => {
                let mut map = serde_yaml::Mapping::new();
                map.insert(key.clone(), value.clone());
                *slot = Value::Mapping(map);
                true
            }
            _ => false,
        },
        Mutation::Append(steps, value) => match navigate(data, steps).map(untag) {
            Some(Value::Sequence(items)) => {
                items.push(value.clone());
                true
            }
            Some(slot @ Value::Null) => {
                *slot = Value::Sequence(vec![value.clone()]);
                true
            }
            _ => false,
        },
        Mutation::Remove(steps) => {
            let Some((last, parent)) = steps.split_last() else {
                return false;
            };
            match (last, navigate(data, parent).map(untag)) {
                (Step::Entry(i, _), Some(Value::Mapping(map))) => {
                    let Some(key) = map.iter().nth(*i).map(|(k, _)| k.clone()) else {
                        return false;
                    };
                    map.remove(&key);
                    true
                }
                (Step::Item(i), Some(Value::Sequence(items))) if *i < items.len() => {
                    items.remove(*i);
                    true
                }
                _ => false,
            }
        }
    }
}

/// Checks that `new_text` parses and equals `old_text`'s data with `mutations` applied.
///
/// # Errors
/// `self-check`, naming the first path where the data differs.
pub fn self_check(old_text: &str, new_text: &str, mutations: &[Mutation]) -> Result<(), Error> {
    let mut expected = parse_doc(old_text).map_err(|e| {
        Error::new(
            ErrorKind::SelfCheck,
            format!("the reference YAML parser cannot read the original document: {e}"),
        )
        .hint("nothing was written; the file may use YAML the reference parser does not support")
    })?;
    for m in mutations {
        if !mutate(&mut expected, m) {
            return Err(Error::new(ErrorKind::SelfCheck, "the reference parser sees a different structure than the editor (aliases or merge keys?)").hint("nothing was written"));
        }
    }
    let actual = parse_doc(new_text).map_err(|e| {
        Error::new(
            ErrorKind::SelfCheck,
            format!("the edited document does not parse: {e}"),
        )
        .hint("nothing was written; this is a bug, please report it with the input")
    })?;
    if !same(&expected, &actual) {
        let at = first_difference(&expected, &actual, &mut Vec::new())
            .map(|s| steps_to_path(&s))
            .unwrap_or_default();
        return Err(Error::new(
            ErrorKind::SelfCheck,
            format!(
                "the edited document reads back differently at `{}`",
                if at.is_empty() { "." } else { &at }
            ),
        )
        .hint("nothing was written; this is a bug, please report it with the input"));
    }
    Ok(())
}

/// Data equality where NaN equals NaN.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) if p.is_nan() && q.is_nan() => true,
            _ => x == y,
        },
        (Value::Sequence(x), Value::Sequence(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Mapping(x), Value::Mapping(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Tagged(x), Value::Tagged(y)) => x.tag == y.tag && same(&x.value, &y.value),
        _ => a == b,
    }
}

fn first_difference(a: &Value, b: &Value, at: &mut Vec<Step>) -> Option<Vec<Step>> {
    match (a, b) {
        (Value::Mapping(x), Value::Mapping(y)) if x.len() == y.len() => {
            for (i, (k, v)) in x.iter().enumerate() {
                let key = k.as_str().map_or_else(|| format!("{k:?}"), str::to_string);
                match y.get(k) {
                    Some(w) => {
                        at.push(Step::Entry(i, key));
                        if let Some(d) = first_difference(v, w, at) {
                            return Some(d);
                        }
                        at.pop();
                    }
                    None => {
                        at.push(Step::Entry(i, key));
                        return Some(at.clone());
                    }
                }
            }
            None
        }
        (Value::Sequence(x), Value::Sequence(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                at.push(Step::Item(i));
                if let Some(d) = first_difference(v, w, at) {
                    return Some(d);
                }
                at.pop();
            }
            None
        }
        _ if same(a, b) => None,
        _ => Some(at.clone()),
    }
}

/// Checks one edited piece of the text (a document, or one entry): the new piece parses again
/// with our parser, and the independent parser reads it as the old piece's data with exactly
/// `muts` applied.
pub(crate) fn check_piece(
    src: &str,
    text: &str,
    patches: &[Patch],
    range: std::ops::Range<usize>,
    muts: &[Mutation],
) -> Result<(), Error> {
    // Text inserted at the start of a piece belongs to the piece that ends there.
    let new_start = if range.start == 0 {
        0
    } else {
        shift(range.start, patches)
    };
    // A patch that straddles the piece's edge (possible only where the parser's document
    // boundaries disagree with the marker lines) leaves no piece to check: refuse it.
    let Some(new_piece) = text.get(new_start..shift(range.end, patches)) else {
        return Err(Error::new(
            ErrorKind::SelfCheck,
            "the edit crosses the boundary of the document it was made in",
        )
        .hint("nothing was written; this is a bug, please report it with the input"));
    };
    // The edited piece must also stay readable by our own parser, or the next edit of the
    // file would fail; and it must read the strings set as the reference parser does.
    let own = Stream::parse(new_piece);
    if let Ok(stream) = &own {
        own_reads_back(stream, muts)?;
    }
    if let Err(e) = own {
        if e.kind() == ErrorKind::TooDeep {
            return Err(Error::new(
                ErrorKind::TooDeep,
                format!(
                    "the edited document would nest deeper than {} levels",
                    crate::tree::MAX_DEPTH
                ),
            )
            .hint("nothing was written; write a shallower value or path"));
        }
        return Err(Error::new(
            ErrorKind::SelfCheck,
            format!("the edited document would not parse again: {}", e.message()),
        )
        .hint("nothing was written; this is a bug, please report it with the input"));
    }
    self_check(&src[range], new_piece, muts)
}

/// Whether our parser reads each string an edit set (as the reference parser must, in the
/// self-check) in the edited text: where the two parsers disagree about a value, `get` would
/// report another value than the data holds. Only for edits that set values (indexes then
/// stay where they were); a path through an alias is left to the self-check.
fn own_reads_back(stream: &Stream, muts: &[Mutation]) -> Result<(), Error> {
    if !muts.iter().all(|m| matches!(m, Mutation::Set(..))) {
        return Ok(());
    }
    let root = stream.docs.first().and_then(|d| d.root.as_ref());
    for m in muts {
        let Mutation::Set(steps, Value::String(want)) = m else {
            continue;
        };
        let mut node = root;
        for step in steps {
            node = match (step, node.map(|n| &n.kind)) {
                (Step::Entry(i, _), Some(NodeKind::Mapping { entries, .. })) => {
                    entries.get(*i).map(|(_, v)| v)
                }
                (Step::Item(i), Some(NodeKind::Sequence { items, .. })) => items.get(*i),
                _ => None,
            };
        }
        if let Some(
            n @ Node {
                kind: NodeKind::Scalar { value, .. },
                ..
            },
        ) = node
        {
            if value != want || n.type_name() != "string" {
                return Err(Error::new(
                    ErrorKind::SelfCheck,
                    format!(
                        "the edited text reads back as {} for this tool's parser but as the string {want:?} for the reference parser, at `{}`",
                        n.describe(),
                        crate::locate::steps_to_path(steps)
                    ),
                )
                .hint("nothing was written; this is a bug, please report it with the input"));
            }
        }
    }
    Ok(())
}
