//! The syntax layer: a YAML stream as documents of nodes, each with its exact byte span.
//!
//! This file is the node model; `build.rs` is the event builder. Events come from
//! `saphyr-parser` (see `docs/decisions/0001-yaml-syntax-layer.md`); the builder turns their
//! character-indexed spans into byte spans of the tokens themselves: properties (`&anchor`,
//! `!tag`) are split off, block scalars get their `|`/`>` header and lose their trailing
//! blank lines, and empty values are placed right after their indicator.

use std::collections::HashMap;

use crate::error::{Error, ErrorKind};

mod build;
#[cfg(test)]
mod tests;

use build::Builder;

/// How deeply collections may nest: in a parsed text, in a key path, and in what an edit
/// writes. The reference parser of the self-check stops at 128 levels, and every walk over a
/// tree recurses once per level, so the limit is checked before any of them runs.
pub const MAX_DEPTH: usize = 100;

/// The error for nesting deeper than [`MAX_DEPTH`], pointing at byte `at` of `src`.
pub(crate) fn too_deep(src: &str, at: usize, what: &str) -> Error {
    Error::new(
        ErrorKind::TooDeep,
        format!("{what} nests deeper than {MAX_DEPTH} levels"),
    )
    .at(src, at..at + 1)
    .hint(format!(
        "gitops-bump reads and writes at most {MAX_DEPTH} nested mappings and sequences"
    ))
}

/// How a scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

/// A node of the YAML tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Byte offset of the node's own token (after any anchor or tag).
    pub start: usize,
    /// Byte offset just past the node's last byte (for block scalars: their last content line,
    /// without its line break).
    pub end: usize,
    /// Byte offset of the node's first property (`&a`, `!t`), or `start` when it has none.
    pub props_start: usize,
    /// The anchor name, without `&`.
    pub anchor: Option<String>,
    /// The tag as written (`!!str`, `!custom`).
    pub tag: Option<String>,
}

/// The four kinds of node.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A scalar: its value and how it is written.
    Scalar {
        /// The decoded value.
        value: String,
        /// Quoting or block style.
        style: ScalarStyle,
        /// An empty value that has no token at all (`key:` with nothing after it).
        implicit: bool,
    },
    /// A mapping.
    Mapping {
        /// Key/value pairs in source order.
        entries: Vec<(Node, Node)>,
        /// `{...}` rather than block style.
        flow: bool,
    },
    /// A sequence.
    Sequence {
        /// Items in source order.
        items: Vec<Node>,
        /// `[...]` rather than block style.
        flow: bool,
    },
    /// `*name`.
    Alias {
        /// The anchor referred to.
        name: String,
    },
}

impl Node {
    /// The scalar value, if this is a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The type name a reader resolves this node to: `string`, `int`, `float`, `bool` or
    /// `null` for a scalar (by its tag, else by the core schema when it is plain), `map`,
    /// `seq` or `alias` otherwise.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { value, style, .. } => {
                if let Some(tag) = &self.tag {
                    return match tag.as_str() {
                        "!!str" => "string",
                        "!!int" => "int",
                        "!!float" => "float",
                        "!!bool" => "bool",
                        "!!null" => "null",
                        _ => "string",
                    };
                }
                if *style != ScalarStyle::Plain {
                    return "string";
                }
                crate::schema::resolve_core(value)
            }
            NodeKind::Mapping { .. } => "map",
            NodeKind::Sequence { .. } => "seq",
            NodeKind::Alias { .. } => "alias",
        }
    }

    /// A short description for messages: "mapping with keys a, b", "string `x`".
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Scalar { value, .. } => {
                let shown: String = value.chars().take(40).collect();
                format!("{} `{}`", self.type_name(), shown.replace('\n', "\\n"))
            }
            NodeKind::Mapping { entries, .. } => {
                if entries.is_empty() {
                    "an empty mapping".into()
                } else {
                    let keys: Vec<&str> = entries
                        .iter()
                        .take(8)
                        .map(|(k, _)| k.scalar().unwrap_or("?"))
                        .collect();
                    let more = if entries.len() > 8 { ", …" } else { "" };
                    format!("a mapping with keys {}{more}", keys.join(", "))
                }
            }
            NodeKind::Sequence { items, .. } => format!(
                "a sequence of {} item{}",
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            ),
            NodeKind::Alias { name } => format!("an alias `*{name}`"),
        }
    }

    /// Whether this is a collection written in block style.
    pub fn is_block_collection(&self) -> bool {
        matches!(
            &self.kind,
            NodeKind::Mapping { flow: false, .. } | NodeKind::Sequence { flow: false, .. }
        )
    }

    /// Whether this is a null scalar (`~`, `null`, or nothing).
    pub fn is_null(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
                ..
            } => {
                self.tag.is_none() && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }
}

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// 0-based index in the stream.
    pub index: usize,
    /// Byte range of this document's slice of the stream: it starts where the previous one
    /// ended and holds its directives, `---`, content, comments and `...`.
    pub range: std::ops::Range<usize>,
    /// The root node; `None` for an empty document, or one that was not parsed.
    pub root: Option<Node>,
    /// Whether the document was parsed (see [`Stream::parse_where`]).
    pub parsed: bool,
}

/// A parsed YAML stream.
#[derive(Debug, Clone)]
pub struct Stream {
    /// The documents, in order.
    pub docs: Vec<Document>,
}

impl Stream {
    /// Parses a YAML stream.
    ///
    /// # Errors
    /// `yaml-syntax` with the line and column of the problem.
    pub fn parse(src: &str) -> Result<Stream, Error> {
        Builder::new(src).run()
    }

    /// Parses only the documents for which `want(index, text)` holds; the others are kept with
    /// their index and range, `root: None` and `parsed: false`. Documents are found by their
    /// `---` and `...` marker lines, which YAML allows nowhere else at the start of a line.
    ///
    /// # Errors
    /// `yaml-syntax` in a parsed document (its position relative to that document), or when
    /// a piece between markers does not hold exactly one document: callers then parse the
    /// whole stream with [`Stream::parse`] for a precise message.
    pub fn parse_where(src: &str, want: &dyn Fn(usize, &str) -> bool) -> Result<Stream, Error> {
        let mut docs = Vec::new();
        for (index, range) in split_documents(src).into_iter().enumerate() {
            let text = &src[range.clone()];
            if !want(index, text) {
                docs.push(Document {
                    index,
                    range,
                    root: None,
                    parsed: false,
                });
                continue;
            }
            let sub = Builder::new(text).run()?;
            let [doc] = <[Document; 1]>::try_from(sub.docs).map_err(|_| {
                Error::new(
                    ErrorKind::YamlSyntax,
                    "document markers are not where the parser found documents",
                )
            })?;
            let mut root = doc.root;
            if let Some(n) = &mut root {
                offset_node(n, range.start);
            }
            docs.push(Document {
                index,
                range,
                root,
                parsed: true,
            });
        }
        Ok(Stream { docs })
    }
}

/// Refuses a mapping anywhere under `root` that has the same key twice: readers disagree
/// about which value wins (libyaml refuses it too).
///
/// # Errors
/// `yaml-syntax` at the second key, naming the line of the first.
pub(crate) fn duplicate_keys(src: &str, root: &Node) -> Result<(), Error> {
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        match &n.kind {
            NodeKind::Mapping { entries, .. } => {
                let mut seen: HashMap<(&str, &str), &Node> = HashMap::new();
                for (k, v) in entries {
                    if let Some(text) = k.scalar() {
                        let key = (k.type_name(), text);
                        if let Some(first) = seen.insert(key, k) {
                            let line = crate::error::line_number(src, first.start);
                            return Err(Error::new(
                                ErrorKind::YamlSyntax,
                                format!("duplicate key `{text}`: it is also at line {line}"),
                            )
                            .at(src, k.start..k.end.max(k.start + 1))
                            .hint("remove one of them; readers disagree on which value counts"));
                        }
                    }
                    todo.push(v);
                }
            }
            NodeKind::Sequence { items, .. } => todo.extend(items),
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn offset_node(n: &mut Node, by: usize) {
    n.start += by;
    n.end += by;
    n.props_start += by;
    match &mut n.kind {
        NodeKind::Mapping { entries, .. } => entries.iter_mut().for_each(|(k, v)| {
            offset_node(k, by);
            offset_node(v, by);
        }),
        NodeKind::Sequence { items, .. } => items.iter_mut().for_each(|i| offset_node(i, by)),
        _ => {}
    }
}

/// The byte ranges of a stream's documents, found by their marker lines: a document starts at
/// a `---` line (or the directives before it) and ends after a `...` line. A piece holding only
/// comments, blank lines and directives joins the next document (the last one joins the previous).
pub(crate) fn split_documents(src: &str) -> Vec<std::ops::Range<usize>> {
    let b = src.as_bytes();
    let marker = |at: usize, m: &[u8]| {
        b[at..].starts_with(m) && matches!(b.get(at + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
    };
    let mut cuts = vec![0];
    let mut line = 0;
    let mut directives_from: Option<usize> = None;
    while line < b.len() {
        let next = src[line..].find('\n').map_or(b.len(), |i| line + i + 1);
        if marker(line, b"---") {
            let at = directives_from.unwrap_or(line);
            if at > 0 {
                cuts.push(at);
            }
            directives_from = None;
        } else if marker(line, b"...") {
            cuts.push(next);
            directives_from = None;
        } else if b[line] == b'%' {
            directives_from.get_or_insert(line);
        } else if directives_from.is_some()
            && !src[line..next].trim().is_empty()
            && !src[line..next].trim_start().starts_with('#')
        {
            directives_from = None;
        }
        line = next;
    }
    cuts.push(b.len());
    cuts.dedup();
    let has_content = |r: &std::ops::Range<usize>| {
        src[r.clone()].lines().any(|l| {
            let t = l.trim_start_matches('\u{feff}').trim();
            let end_marker =
                t.starts_with("...") && matches!(t.as_bytes().get(3), None | Some(b' ' | b'\t'));
            !(t.is_empty() || t.starts_with('#') || t.starts_with('%') || end_marker)
        })
    };
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut pending_start: Option<usize> = None;
    for w in cuts.windows(2) {
        let r = pending_start.take().unwrap_or(w[0])..w[1];
        if has_content(&r) {
            out.push(r);
        } else {
            pending_start = Some(r.start);
        }
    }
    // Trailing comments join the last document; a stream of only comments has no document.
    if let (Some(_), Some(last)) = (pending_start, out.last_mut()) {
        last.end = src.len();
    }
    out
}
