//! Small read helpers over the core's syntax tree, shared by the kustomize targets.

use crate::tree::{Node, NodeKind, ScalarStyle};

/// The value of `key` in mapping `node`.
pub(crate) fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => entries
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The node at dotted `path` (keys only) below `node`.
pub(crate) fn get_path<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, k| get(n, k))
}

/// The scalar value of `key` in mapping `node`.
pub(crate) fn get_str<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    get(node, key).and_then(Node::scalar)
}

/// The items of a sequence node (empty for anything else).
pub(crate) fn items(node: &Node) -> &[Node] {
    match &node.kind {
        NodeKind::Sequence { items, .. } => items,
        _ => &[],
    }
}

/// The scalar items of the sequence at `key` in mapping `node`.
pub(crate) fn str_list<'a>(node: &'a Node, key: &str) -> Vec<&'a str> {
    get(node, key)
        .map(|s| items(s).iter().filter_map(Node::scalar).collect())
        .unwrap_or_default()
}

/// 1-based line of byte `offset` in `src`.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A mapping key in the key-path grammar: quoted when it has anything but name chars.
pub(crate) fn quote_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.is_empty()
    {
        key.to_string()
    } else {
        format!("[\"{}\"]", key.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A selector value in the key-path grammar: quoted when it has anything but name chars.
pub(crate) fn selector_value(v: &str) -> String {
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !v.is_empty()
    {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// `path` extended by mapping key `key`, in the key-path grammar.
pub(crate) fn child_path(path: &str, key: &str) -> String {
    let key = quote_key(key);
    match (path.is_empty(), key.starts_with('[')) {
        (true, _) => key,
        (false, true) => format!("{path}{key}"),
        (false, false) => format!("{path}.{key}"),
    }
}

/// Calls `f(node, path, parent_key)` on every mapping and sequence node below `node`
/// (itself included), where `parent_key` is the key of the nearest enclosing mapping entry.
pub(crate) fn visit<'a>(
    node: &'a Node,
    path: &str,
    parent_key: Option<&str>,
    f: &mut dyn FnMut(&'a Node, &str, Option<&str>),
) {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            f(node, path, parent_key);
            for (k, v) in entries {
                let key = k.scalar().unwrap_or("");
                visit(v, &child_path(path, key), Some(key), f);
            }
        }
        NodeKind::Sequence { items, .. } => {
            f(node, path, parent_key);
            for (i, item) in items.iter().enumerate() {
                visit(item, &format!("{path}[{i}]"), parent_key, f);
            }
        }
        _ => {}
    }
}

/// The byte just past scalar `node`'s own token. For a quoted scalar this is the closing
/// quote, found by scanning, so that a trailing comment is never taken for part of it.
pub(crate) fn scalar_end(src: &str, node: &Node) -> usize {
    let b = src.as_bytes();
    let quote = match &node.kind {
        NodeKind::Scalar {
            style: ScalarStyle::SingleQuoted,
            ..
        } => b'\'',
        NodeKind::Scalar {
            style: ScalarStyle::DoubleQuoted,
            ..
        } => b'"',
        _ => return node.end,
    };
    if b.get(node.start) != Some(&quote) {
        return node.end;
    }
    let mut i = node.start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            c if c == quote && quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    node.end
}

/// Names for a message: "`a`, `b`, `c`" (at most 12, then "…").
pub(crate) fn backticked<S: AsRef<str>>(names: &[S]) -> String {
    let mut out: Vec<String> = names
        .iter()
        .take(12)
        .map(|n| format!("`{}`", n.as_ref()))
        .collect();
    if names.len() > 12 {
        out.push("…".into());
    }
    out.join(", ")
}
