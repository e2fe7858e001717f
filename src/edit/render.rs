//! New structure rendered in the file's own style: the style sniffed from the file (line
//! breaks, indentation step, sequence offset), line and column helpers, and the `New` tree
//! that `create` and `--type yaml` write.

use serde_yaml::Value;

use crate::error::{Error, ErrorKind};
use crate::path::{Path, SegmentKind};
use crate::scalar::{render_flow_value, render_string, Context};
use crate::tree::{Node, NodeKind, Stream};

/// Style facts of the file that new lines follow.
pub(super) struct Style {
    pub(super) nl: &'static str,
    /// Spaces per nesting level of mappings.
    pub(super) step: usize,
    /// Extra indentation of `- ` under its key (0: `key:\n- a`, step: `key:\n  - a`).
    pub(super) seq_offset: usize,
}

pub(super) fn detect_style(src: &str, stream: &Stream) -> Style {
    let nl = match src.find('\n') {
        Some(i) if i > 0 && src.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    };
    let mut step = None;
    let mut seq_offset = None;
    fn walk(src: &str, n: &Node, step: &mut Option<usize>, seq: &mut Option<usize>) {
        match &n.kind {
            NodeKind::Mapping {
                entries,
                flow: false,
            } => {
                for (k, v) in entries {
                    let kc = column(src, k.props_start);
                    match &v.kind {
                        NodeKind::Mapping { flow: false, .. }
                            if step.is_none()
                                && line_start(src, v.props_start) != line_start(src, k.start) =>
                        {
                            let vc = column(src, v.props_start);
                            if vc > kc {
                                *step = Some(vc - kc);
                            }
                        }
                        NodeKind::Sequence { flow: false, .. } if seq.is_none() => {
                            if let Some(d) = (src.as_bytes().get(v.start) == Some(&b'-'))
                                .then_some(v.start)
                                .or_else(|| dash_before(src, v))
                            {
                                let dc = column(src, d);
                                *seq = Some(dc.saturating_sub(kc));
                            }
                        }
                        _ => {}
                    }
                    walk(src, v, step, seq);
                }
            }
            NodeKind::Sequence { items, .. } => items.iter().for_each(|i| walk(src, i, step, seq)),
            _ => {}
        }
    }
    for d in &stream.docs {
        if let Some(r) = &d.root {
            walk(src, r, &mut step, &mut seq_offset);
        }
        if step.is_some() && seq_offset.is_some() {
            break;
        }
    }
    let step = step.unwrap_or(2);
    Style {
        nl,
        step,
        seq_offset: seq_offset.unwrap_or(step),
    }
}

pub(super) fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Column in bytes from the line start (indentation is ASCII spaces).
pub(super) fn column(src: &str, at: usize) -> usize {
    let ls = line_start(src, at);
    let col = at - ls;
    if ls == 0 && src.starts_with('\u{feff}') {
        col.saturating_sub(3)
    } else {
        col
    }
}

/// Position of the line break ending the line that holds `at` (before a `\r`), or the end.
pub(super) fn eol(src: &str, at: usize) -> usize {
    match src[at..].find('\n') {
        Some(i) => {
            let p = at + i;
            if p > 0 && src.as_bytes()[p - 1] == b'\r' {
                p - 1
            } else {
                p
            }
        }
        None => src.len(),
    }
}

/// Start of the line after the one holding `at` (or the end of the text).
pub(super) fn next_line(src: &str, at: usize) -> usize {
    src[at..].find('\n').map_or(src.len(), |i| at + i + 1)
}

/// Whether only blanks (and a `- ` or BOM) stand before `at` on its line.
pub(super) fn first_on_line(src: &str, at: usize) -> bool {
    src[line_start(src, at)..at]
        .trim_start_matches('\u{feff}')
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
}

/// The `-` indicator of a block sequence item.
pub(super) fn dash_before(src: &str, item: &Node) -> Option<usize> {
    let b = src.as_bytes();
    let mut p = item.props_start;
    while p > 0 {
        p -= 1;
        match b[p] {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'-' => return Some(p),
            _ => return None,
        }
    }
    None
}

pub(super) fn in_flow(chain: &[&Node]) -> bool {
    chain.iter().any(|n| {
        matches!(
            n.kind,
            NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
        )
    })
}

/// A structure still to be written for `create`.
pub(super) enum New {
    Leaf(String, Value),
    Map(Vec<(String, New)>),
    Seq(Vec<New>),
}

impl New {
    /// The text of the leaf written last: the value a `create` or append asked for (what
    /// follows it in the written text is only closing brackets and line breaks).
    pub(super) fn last_leaf(&self) -> Option<&str> {
        match self {
            New::Leaf(text, _) => Some(text),
            New::Map(entries) => entries.last().and_then(|(_, v)| v.last_leaf()),
            New::Seq(items) => items.last().and_then(New::last_leaf),
        }
    }

    pub(super) fn data(&self) -> Value {
        match self {
            New::Leaf(_, v) => v.clone(),
            New::Map(entries) => {
                let mut m = serde_yaml::Mapping::new();
                for (k, v) in entries {
                    m.insert(Value::String(k.clone()), v.data());
                }
                Value::Mapping(m)
            }
            New::Seq(items) => Value::Sequence(items.iter().map(New::data).collect()),
        }
    }

    pub(super) fn flow(&self) -> String {
        let ctx = Context {
            flow: true,
            key: false,
        };
        match self {
            New::Leaf(text, _) => text.clone(),
            New::Map(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", render_string(k, None, ctx), v.flow()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            New::Seq(items) => format!(
                "[{}]",
                items.iter().map(New::flow).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// Block lines for this node as the value of a key at column `col` (or as a `- ` item).
    pub(super) fn block_lines(&self, col: usize, st: &Style, out: &mut Vec<String>) {
        let ctx = Context::default();
        match self {
            New::Leaf(..) => unreachable!("leaves are written inline"),
            New::Map(entries) => {
                for (k, v) in entries {
                    let key = render_string(k, None, ctx);
                    match v {
                        New::Leaf(text, _) => out.push(format!("{}{key}: {text}", " ".repeat(col))),
                        New::Map(_) => {
                            out.push(format!("{}{key}:", " ".repeat(col)));
                            v.block_lines(col + st.step, st, out);
                        }
                        New::Seq(_) => {
                            out.push(format!("{}{key}:", " ".repeat(col)));
                            v.block_lines(col + st.seq_offset, st, out);
                        }
                    }
                }
            }
            New::Seq(items) => {
                for item in items {
                    match item {
                        New::Leaf(text, _) => out.push(format!("{}- {text}", " ".repeat(col))),
                        _ => {
                            let mut inner = Vec::new();
                            item.block_lines(col + 2, st, &mut inner);
                            if let Some(first) = inner.first_mut() {
                                *first = format!("{}- {}", " ".repeat(col), &first[col + 2..]);
                            }
                            out.extend(inner);
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn build_new(path: &Path, from: usize, leaf: New) -> Result<New, Error> {
    let Some(seg) = path.segments.get(from) else {
        return Ok(leaf);
    };
    let rest = build_new(path, from + 1, leaf)?;
    Ok(match &seg.kind {
        SegmentKind::Key(k) | SegmentKind::KeyOrIndex(k) => New::Map(vec![(k.clone(), rest)]),
        SegmentKind::Select { key, value } => {
            let id = New::Leaf(
                render_string(value, None, Context::default()),
                Value::String(value.clone()),
            );
            match rest {
                New::Map(mut entries) if from + 1 < path.segments.len() => {
                    // `[name=x].name` names the selector's own field: write it once.
                    if !entries.iter().any(|(k, _)| k == key) {
                        entries.insert(0, (key.clone(), id));
                    }
                    New::Seq(vec![New::Map(entries)])
                }
                _ if from + 1 == path.segments.len() => {
                    return Err(Error::new(
                        ErrorKind::NotFound,
                        format!("no item matches `{}`", seg.text),
                    )
                    .segment(seg.text.clone(), path.source.clone())
                    .hint("to add an item, name a field inside it, such as `[name=api].image`"))
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::Usage,
                        format!(
                            "cannot create an item for `{}` followed by an index",
                            seg.text
                        ),
                    )
                    .segment(seg.text.clone(), path.source.clone()))
                }
            }
        }
        SegmentKind::End => New::Seq(vec![rest]),
        _ => {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "cannot create `{}`: only keys, `[key=value]` items and `/-` can be created",
                    seg.text
                ),
            )
            .segment(seg.text.clone(), path.source.clone()))
        }
    })
}

pub(super) fn block_for_value(v: &Value, col: usize, st: &Style) -> Vec<String> {
    fn to_new(v: &Value) -> New {
        match v {
            Value::Mapping(m) => New::Map(
                m.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Value::String(s) => s.clone(),
                            other => render_flow_value(other),
                        };
                        (key, to_new(v))
                    })
                    .collect(),
            ),
            Value::Sequence(items) if !items.is_empty() => {
                New::Seq(items.iter().map(to_new).collect())
            }
            other => New::Leaf(render_flow_value(other), other.clone()),
        }
    }
    let mut out = Vec::new();
    match to_new(v) {
        n @ (New::Map(_) | New::Seq(_)) => n.block_lines(col, st, &mut out),
        New::Leaf(t, _) => out.push(format!("{}{t}", " ".repeat(col))),
    }
    out
}
