//! Helm values as Helm reads them: layers merged by precedence into one view, each leaf
//! remembering the layer (and the key path in that layer's text) that decides it.
//!
//! Merging follows Helm's coalescing of user values over chart defaults: a mapping merges
//! key by key, a scalar or a sequence replaces whatever was there (lists are never merged),
//! and `null` deletes the key.

use std::collections::BTreeMap;

use crate::tree::{Node, NodeKind};

use crate::kustomize::nodes::{child_path, items};

/// What a key holds in the merged view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Map,
    Seq,
    Scalar(String),
}

/// One key of the merged view: its value, the layer that decides it, and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Leaf {
    pub(crate) value: Value,
    pub(crate) layer: usize,
    /// The key path of the node in its layer's text (core key-path grammar).
    pub(crate) path: String,
    /// Byte offset of the node in its layer's text.
    pub(crate) start: usize,
}

/// A key in the merged view: mapping keys, and `[i]` for sequence items.
pub(crate) type Key = Vec<String>;

/// The merged values of several layers, lowest precedence first.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    pub(crate) leaves: BTreeMap<Key, Leaf>,
}

impl Merged {
    /// Merges `entries` (one layer's flattened keys, in document order) over what is there.
    pub(crate) fn merge(&mut self, entries: Vec<(Key, Option<Leaf>)>) {
        for (key, leaf) in entries {
            match leaf {
                Some(l) if l.value == Value::Map => {
                    if self.leaves.get(&key).is_some_and(|o| o.value != Value::Map) {
                        self.remove_under(&key);
                    }
                    self.leaves.insert(key, l);
                }
                Some(l) => {
                    self.remove_under(&key);
                    self.leaves.insert(key, l);
                }
                None => self.remove_under(&key),
            }
        }
    }

    fn remove_under(&mut self, key: &Key) {
        let doomed: Vec<Key> = self
            .leaves
            .range(key.clone()..)
            .take_while(|(k, _)| k.starts_with(key))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.leaves.remove(&k);
        }
    }

    /// The leaf at `key`.
    pub(crate) fn get(&self, key: &[String]) -> Option<&Leaf> {
        self.leaves.get(key)
    }

    /// The scalar at `key`, when it is one.
    pub(crate) fn scalar(&self, key: &[String]) -> Option<&str> {
        match self.get(key).map(|l| &l.value) {
            Some(Value::Scalar(s)) => Some(s),
            _ => None,
        }
    }
}

/// One layer's keys below `root` (itself not included), for [`Merged::merge`]: `None` for a
/// `null` value, which deletes the key.
pub(crate) fn flatten(root: &Node, base: &str, layer: usize) -> Vec<(Key, Option<Leaf>)> {
    let mut out = Vec::new();
    let mut key = Vec::new();
    walk(root, base, layer, &mut key, &mut out, true);
    out
}

fn walk(
    node: &Node,
    path: &str,
    layer: usize,
    key: &mut Key,
    out: &mut Vec<(Key, Option<Leaf>)>,
    root: bool,
) {
    let leaf = |value| {
        Some(Leaf {
            value,
            layer,
            path: path.to_string(),
            start: node.start,
        })
    };
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            if !root {
                out.push((key.clone(), leaf(Value::Map)));
            }
            for (k, v) in entries {
                let Some(name) = k.scalar() else { continue };
                key.push(name.to_string());
                walk(v, &child_path(path, name), layer, key, out, false);
                key.pop();
            }
        }
        NodeKind::Sequence { .. } => {
            if !root {
                out.push((key.clone(), leaf(Value::Seq)));
            }
            for (i, item) in items(node).iter().enumerate() {
                key.push(format!("[{i}]"));
                walk(item, &format!("{path}[{i}]"), layer, key, out, false);
                key.pop();
            }
        }
        _ if root => {}
        _ if node.is_null() => out.push((key.clone(), None)),
        _ => {
            let text = node.scalar().unwrap_or("").to_string();
            out.push((key.clone(), leaf(Value::Scalar(text))));
        }
    }
}

/// Splits a Helm `--set` name (`image.tag`, `a\.b.c`, `list[0].x`) into keys.
pub(crate) fn set_name_keys(name: &str) -> Key {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '.' => out.push(std::mem::take(&mut cur)),
            '[' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                let idx: String = chars.by_ref().take_while(|&c| c != ']').collect();
                out.push(format!("[{idx}]"));
                if chars.peek() == Some(&'.') {
                    chars.next();
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Argo CD `helm.parameters` (`- name: image.tag` / `value: "1.2"`) as one layer: each
/// parameter's value is the scalar at `<base>[i].value`.
pub(crate) fn flatten_parameters(
    params: &Node,
    base: &str,
    layer: usize,
) -> Vec<(Key, Option<Leaf>)> {
    let mut out = Vec::new();
    for (i, p) in items(params).iter().enumerate() {
        let Some(name) = crate::kustomize::nodes::get_str(p, "name") else {
            continue;
        };
        let keys = set_name_keys(name);
        for n in 1..keys.len() {
            out.push((
                keys[..n].to_vec(),
                Some(Leaf {
                    value: if keys[n].starts_with('[') {
                        Value::Seq
                    } else {
                        Value::Map
                    },
                    layer,
                    path: format!("{base}[{i}]"),
                    start: p.start,
                }),
            ));
        }
        let value = crate::kustomize::nodes::get_str(p, "value")
            .unwrap_or("")
            .to_string();
        out.push((
            keys,
            Some(Leaf {
                value: Value::Scalar(value),
                layer,
                path: format!("{base}[{i}].value"),
                start: crate::kustomize::nodes::get(p, "value").map_or(p.start, |v| v.start),
            }),
        ));
    }
    out
}

/// A merged key in the core key-path grammar, below `base`.
pub(crate) fn key_path(base: &str, key: &[String]) -> String {
    let mut path = base.to_string();
    for k in key {
        if k.starts_with('[') {
            path.push_str(k);
        } else {
            path = child_path(&path, k);
        }
    }
    path
}

/// A merged key as Helm's `--set` writes it (`image.tag`, `a\.b`).
pub(crate) fn set_name(key: &[String]) -> String {
    let mut out = String::new();
    for k in key {
        if k.starts_with('[') {
            out.push_str(k);
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&k.replace('.', "\\."));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Stream;

    fn merged(layers: &[&str]) -> Merged {
        let mut m = Merged::default();
        for (i, text) in layers.iter().enumerate() {
            let s = Stream::parse(text).unwrap();
            let root = s.docs[0].root.as_ref().unwrap();
            m.merge(flatten(root, "", i));
        }
        m
    }

    #[test]
    fn later_layers_win_lists_replace_and_null_deletes() {
        let m = merged(&[
            "image:\n  repository: a\n  tag: v1\n  digest: x\nlist: [1, 2]\nside: {image: b:1}\n",
            "image:\n  tag: v2\n  digest: null\nlist: [3]\nside: off\n",
        ]);
        assert_eq!(m.scalar(&["image".into(), "tag".into()]), Some("v2"));
        assert_eq!(m.get(&["image".into(), "tag".into()]).unwrap().layer, 1);
        assert_eq!(m.scalar(&["image".into(), "repository".into()]), Some("a"));
        assert!(m.get(&["image".into(), "digest".into()]).is_none());
        assert!(m.get(&["list".into(), "[1]".into()]).is_none());
        assert_eq!(m.scalar(&["list".into(), "[0]".into()]), Some("3"));
        assert!(m.get(&["side".into(), "image".into()]).is_none());
    }

    #[test]
    fn set_names_split_like_helm() {
        assert_eq!(set_name_keys("image.tag"), ["image", "tag"]);
        assert_eq!(set_name_keys("a\\.b.c"), ["a.b", "c"]);
        assert_eq!(set_name_keys("l[0].image"), ["l", "[0]", "image"]);
        assert_eq!(set_name(&["a.b".into(), "c".into()]), "a\\.b.c");
        assert_eq!(
            key_path("spec.values", &["a.b".into(), "[0]".into()]),
            "spec.values[\"a.b\"][0]"
        );
    }
}
