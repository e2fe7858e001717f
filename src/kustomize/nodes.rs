//! Small read helpers over the core's syntax tree, shared by the kustomize targets.

use crate::tree::{Node, NodeKind};

/// The value of `key` in mapping `node`.
pub(crate) fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => entries.iter().find(|(k, _)| k.scalar() == Some(key)).map(|(_, v)| v),
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
    get(node, key).map(|s| items(s).iter().filter_map(Node::scalar).collect()).unwrap_or_default()
}

/// 1-based line of byte `offset` in `src`.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// 1-based column (in characters) of byte `offset` in `src`.
pub(crate) fn column_of(src: &str, offset: usize) -> usize {
    let offset = offset.min(src.len());
    let start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    src[start..offset].chars().count() + 1
}

/// The dotted path of a node, for messages: `images[2].newTag`.
pub(crate) fn quote_key(key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !key.is_empty() {
        key.to_string()
    } else {
        format!("[\"{}\"]", key.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A selector value in the key-path grammar: quoted when it has anything but name chars.
pub(crate) fn selector_value(v: &str) -> String {
    if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !v.is_empty() {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
