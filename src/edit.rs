//! Applying edits: set, create, remove and append, each as byte patches, then the self-check.

use serde_yaml::Value;

use crate::error::{Error, ErrorKind};
use crate::locate::{
    line_col, select_docs, steps_to_path, DocFilter, Match, Partial, Resolver, Step,
    LAZY_FROM_BYTES,
};
use crate::patch::{apply_patches, shift, Patch};
use crate::path::{Path, SegmentKind};
use crate::scalar::{
    render_block, render_flow_value, render_scalar, render_string, Context, ValueType,
};
use crate::tree::{Document, Node, NodeKind, ScalarStyle, Stream};
use crate::verify::{self_check, Mutation};

/// What an edit does at its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// Set the value (a scalar, or with [`ValueType::Yaml`] any YAML).
    Set {
        /// The new value, as text.
        value: String,
        /// How the value is typed.
        ty: ValueType,
    },
    /// Remove the key (or sequence item) and its lines.
    Remove,
    /// Append an item to the sequence at the path.
    Append {
        /// The new item, as text.
        value: String,
        /// How the item is typed.
        ty: ValueType,
    },
}

/// One requested change to a YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The key path (see the crate docs for the grammar).
    pub path: String,
    /// What to do there.
    pub op: EditOp,
    /// Create missing keys (and `[key=value]` items) on the way.
    pub create: bool,
    /// Allow the path to match several nodes and change them all.
    pub all: bool,
    /// Document selector for multi-document files (`kind=Deployment,metadata.name=api` or an index).
    pub select: Option<String>,
}

impl Edit {
    /// An edit that sets `path` to `value`: a string, unless it replaces a plain int or bool
    /// with the canonical text of the same type (see [`ValueType::Auto`]).
    pub fn set(path: impl Into<String>, value: impl Into<String>) -> Self {
        Edit {
            path: path.into(),
            op: EditOp::Set {
                value: value.into(),
                ty: ValueType::Auto,
            },
            create: false,
            all: false,
            select: None,
        }
    }

    /// An edit that removes `path`.
    pub fn remove(path: impl Into<String>) -> Self {
        Edit {
            path: path.into(),
            op: EditOp::Remove,
            create: false,
            all: false,
            select: None,
        }
    }

    /// The same edit with value type `ty`.
    pub fn typed(mut self, t: ValueType) -> Self {
        if let EditOp::Set { ty, .. } | EditOp::Append { ty, .. } = &mut self.op {
            *ty = t;
        }
        self
    }

    /// The same edit, creating what is missing.
    pub fn creating(mut self) -> Self {
        self.create = true;
        self
    }

    /// The same edit, allowing several matches.
    pub fn all(mut self) -> Self {
        self.all = true;
        self
    }

    /// The same edit, narrowed to documents matching `selector`.
    pub fn select(mut self, selector: impl Into<String>) -> Self {
        self.select = Some(selector.into());
        self
    }
}

/// What happened at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// An existing value was replaced.
    Set,
    /// The value already was the requested one; nothing was written.
    Unchanged,
    /// A key or item was added.
    Insert,
    /// A key or item was removed.
    Remove,
}

impl ChangeKind {
    /// `set`, `unchanged`, `insert` or `remove`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Set => "set",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Insert => "insert",
            ChangeKind::Remove => "remove",
        }
    }
}

/// One change an edit made (or found already made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The concrete path changed, such as `spec.containers[0].image`.
    pub path: String,
    /// 0-based document index.
    pub doc: usize,
    /// 1-based line of the new value in the new text (for a removal, of the place it was).
    pub line: usize,
    /// 1-based column (characters) of the new value in the new text.
    pub column: usize,
    /// UTF-8 byte offset of `line`:`column` in the new text.
    pub offset: usize,
    /// The previous value (plain scalar value, or YAML source of a collection).
    pub old: Option<String>,
    /// The new value as written: a typed value in its canonical form (`true` for `yes`).
    pub new: Option<String>,
    /// What happened.
    pub kind: ChangeKind,
    /// The type the old value had (`string`, `int`, `float`, `bool`, `null`, `map`, `seq`).
    pub old_type: Option<&'static str>,
    /// The type the new value has, as readers resolve it.
    pub new_type: Option<&'static str>,
}

impl Change {
    /// Whether the value's type changed, such as `int` to `string`.
    pub fn type_changed(&self) -> bool {
        matches!((self.old_type, self.new_type), (Some(a), Some(b)) if a != b)
    }
}

/// The result of applying edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The new text (equal to the input when nothing changed).
    pub text: String,
    /// Every change, in edit order.
    pub changes: Vec<Change>,
}

impl Outcome {
    /// Whether any byte changed.
    pub fn changed(&self) -> bool {
        self.changes.iter().any(|c| c.kind != ChangeKind::Unchanged)
    }
}

/// Applies `edits` in order; all of them or none.
///
/// # Errors
/// The first edit's error (`not-found`, `ambiguous`, `path-syntax`, `yaml-syntax`,
/// `type-mismatch`, `alias`, `invalid-value`, `self-check`); the input is then unchanged.
pub fn apply_edits(src: &str, edits: &[Edit]) -> Result<Outcome, Error> {
    apply_edits_lazy_from(src, edits, LAZY_FROM_BYTES)
}

/// [`apply_edits`], parsing lazily from `lazy_from` bytes of input on (normally 512 KiB): only
/// the documents, or the top-level entries of one document, that can hold a path. With
/// `usize::MAX` nothing is lazy and every self-check reads whole documents (smaller inputs
/// are otherwise checked entry by entry). Tests and fuzzing compare both ways; the result
/// must not depend on it.
#[doc(hidden)]
pub fn apply_edits_lazy_from(
    src: &str,
    edits: &[Edit],
    lazy_from: usize,
) -> Result<Outcome, Error> {
    // Borrowed until an edit changes something: a large text is copied once, not twice.
    let mut text = std::borrow::Cow::Borrowed(src);
    let mut changes: Vec<Change> = Vec::new();
    let batchable = |e: &Edit| matches!(e.op, EditOp::Set { .. }) && !e.create;
    let mut i = 0;
    while i < edits.len() {
        let mut j = i + 1;
        if batchable(&edits[i]) {
            while j < edits.len() && batchable(&edits[j]) {
                j += 1;
            }
        }
        let b = apply_batch_from(&text, &edits[i..j], lazy_from)?;
        // What earlier runs reported moves with what this run inserted or removed before it.
        for c in &mut changes {
            c.offset = shift(c.offset, &b.patches);
        }
        if let Some(t) = b.text {
            text = std::borrow::Cow::Owned(t);
        }
        changes.extend(b.changes);
        i = j;
    }
    // Every location is that of the new value in the new text.
    for c in &mut changes {
        (c.line, c.column) = line_col(&text, c.offset);
    }
    Ok(Outcome {
        text: text.into_owned(),
        changes,
    })
}

/// What one run of edits made: the new text (`None` when nothing changed), its changes with
/// their offsets in that text, and the patches that made it.
struct Batch {
    text: Option<String>,
    changes: Vec<Change>,
    patches: Vec<Patch>,
}

/// Style facts of the file that new lines follow.
struct Style {
    nl: &'static str,
    /// Spaces per nesting level of mappings.
    step: usize,
    /// Extra indentation of `- ` under its key (0: `key:\n- a`, step: `key:\n  - a`).
    seq_offset: usize,
}

fn detect_style(src: &str, stream: &Stream) -> Style {
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

fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Column in bytes from the line start (indentation is ASCII spaces).
fn column(src: &str, at: usize) -> usize {
    let ls = line_start(src, at);
    let col = at - ls;
    if ls == 0 && src.starts_with('\u{feff}') {
        col.saturating_sub(3)
    } else {
        col
    }
}

/// Position of the line break ending the line that holds `at` (before a `\r`), or the end.
fn eol(src: &str, at: usize) -> usize {
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
fn next_line(src: &str, at: usize) -> usize {
    src[at..].find('\n').map_or(src.len(), |i| at + i + 1)
}

/// Whether only blanks (and a `- ` or BOM) stand before `at` on its line.
fn first_on_line(src: &str, at: usize) -> bool {
    src[line_start(src, at)..at]
        .trim_start_matches('\u{feff}')
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
}

/// The `-` indicator of a block sequence item.
fn dash_before(src: &str, item: &Node) -> Option<usize> {
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

fn in_flow(chain: &[&Node]) -> bool {
    chain.iter().any(|n| {
        matches!(
            n.kind,
            NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
        )
    })
}

/// The reference data a typed value must read back as.
fn expected_value(value: &str, ty: ValueType) -> Result<Value, Error> {
    Ok(match ty {
        ValueType::Auto | ValueType::String => Value::String(value.to_string()),
        ValueType::Yaml => serde_yaml::from_str(value).map_err(|e| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("the value is not valid YAML: {e}"),
            )
        })?,
        _ => {
            let text = render_scalar(value, ty, None, Context::default())?;
            serde_yaml::from_str(&text).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!("`{value}` does not read back: {e}"),
                )
            })?
        }
    })
}

/// A structure still to be written for `create`.
enum New {
    Leaf(String, Value),
    Map(Vec<(String, New)>),
    Seq(Vec<New>),
}

impl New {
    /// The text of the leaf written last: the value a `create` or append asked for (what
    /// follows it in the written text is only closing brackets and line breaks).
    fn last_leaf(&self) -> Option<&str> {
        match self {
            New::Leaf(text, _) => Some(text),
            New::Map(entries) => entries.last().and_then(|(_, v)| v.last_leaf()),
            New::Seq(items) => items.last().and_then(New::last_leaf),
        }
    }

    fn data(&self) -> Value {
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

    fn flow(&self) -> String {
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
    fn block_lines(&self, col: usize, st: &Style, out: &mut Vec<String>) {
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

fn build_new(path: &Path, from: usize, leaf: New) -> Result<New, Error> {
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

struct Ctx<'a> {
    src: &'a str,
    style: Style,
    patches: Vec<Patch>,
    mutations: Vec<(usize, Mutation)>,
    changes: Vec<Change>,
    /// Changes whose value is written by a patch of their own: (change, patch, offset of the
    /// value in the patch's text). Other changes stay at their old place, moved by the patches.
    own: Vec<(usize, usize, usize)>,
}

/// Offset in `text` where the value `leaf` written last starts (0 when not found).
fn leaf_at(text: &str, leaf: Option<&str>) -> usize {
    leaf.and_then(|l| text.rfind(l)).unwrap_or(0)
}

/// Applies a run of edits against one parse of `src`: either several plain `set`s (they
/// cannot disturb each other's positions) or a single edit of any kind.
impl Ctx<'_> {
    /// Records one edit at match `m`: its bytes, the data change the self-check expects, and
    /// the reported change.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        m: &Match<'_>,
        patch: Patch,
        mutation: Mutation,
        inner: usize,
        old: Option<String>,
        new: Option<String>,
        kind: ChangeKind,
    ) {
        self.own
            .push((self.changes.len(), self.patches.len(), inner));
        let c = change(m, patch.start, old, new, kind);
        self.patches.push(patch);
        self.record(m.doc, &m.chain, m.node, mutation);
        self.changes.push(c);
    }

    /// Sets each change's offset to where its value is in the patched text: a value written
    /// by its own patch where the patch put it, a removed one where its patch was, any other
    /// moved by the patches before it.
    fn relocate(&mut self) {
        let delta = |p: &Patch| p.text.len() as isize - (p.end - p.start) as isize;
        let mut sorted: Vec<&Patch> = self.patches.iter().collect();
        sorted.sort_by_key(|p| (p.start, p.end));
        let mut before = vec![0isize];
        for p in &sorted {
            before.push(before[before.len() - 1] + delta(p));
        }
        // Where byte `pos` moves, counting every patch that ends at or before it.
        let moved = |pos: usize| {
            let k = sorted.partition_point(|p| p.end <= pos);
            (pos as isize + before[k]) as usize
        };
        for (i, c) in self.changes.iter_mut().enumerate() {
            let own = self
                .own
                .iter()
                .find(|o| o.0 == i)
                .map(|o| (&self.patches[o.1], o.2))
                .or_else(|| {
                    let k = sorted.partition_point(|p| p.end <= c.offset);
                    sorted.get(k).filter(|p| p.start <= c.offset).map(|p| {
                        let lead = p.text.len() - p.text.trim_start().len();
                        (*p, lead)
                    })
                });
            c.offset = match own {
                // An insertion at its own start would count itself.
                Some((p, inner)) => {
                    let itself = if p.start == p.end { delta(p) } else { 0 };
                    (moved(p.start) as isize - itself) as usize + inner
                }
                None => moved(c.offset),
            };
        }
    }

    /// Gives the change recorded last its old and new types.
    fn typed_last(&mut self, old: Option<&'static str>, new: Option<&'static str>) {
        if let Some(c) = self.changes.last_mut() {
            c.old_type = old;
            c.new_type = new;
        }
    }

    /// Records an insertion of `text` at byte `at` into the collection `m` reached: its bytes,
    /// its data change, and a reported change at `m`'s path plus `step`.
    #[allow(clippy::too_many_arguments)]
    fn insert_under(
        &mut self,
        m: &Match<'_>,
        at: usize,
        text: String,
        mutation: Mutation,
        step: Step,
        shown: String,
        leaf: Option<&str>,
    ) {
        self.own
            .push((self.changes.len(), self.patches.len(), leaf_at(&text, leaf)));
        self.patches.push(Patch {
            start: at,
            end: at,
            text,
        });
        self.record(m.doc, &m.chain, m.node, mutation);
        let mut steps = m.steps.clone();
        steps.push(step);
        self.changes.push(Change {
            path: steps_to_path(&steps),
            doc: m.doc,
            line: 0,
            column: 0,
            offset: at,
            old: None,
            new: Some(shown),
            kind: ChangeKind::Insert,
            old_type: None,
            new_type: None,
        });
    }

    /// Records the data change `mutation` (whose steps lead to `node` through `chain`), and the
    /// same change wherever an alias repeats an anchored node on that way.
    fn record(&mut self, doc: usize, chain: &[&Node], node: &Node, mutation: Mutation) {
        let steps = mutation.steps().to_vec();
        let root = chain.first().copied().unwrap_or(node);
        let on_way: Vec<&Node> = chain.iter().copied().chain(std::iter::once(node)).collect();
        for (depth, n) in on_way.iter().enumerate() {
            let Some(name) = &n.anchor else { continue };
            let mut paths = Vec::new();
            let until = redefinition(root, name, n.props_start).unwrap_or(usize::MAX);
            alias_paths(
                root,
                name,
                n.props_start,
                until,
                &mut Vec::new(),
                &mut paths,
            );
            for p in paths {
                let mut s = p;
                s.extend_from_slice(&steps[depth.min(steps.len())..]);
                self.mutations.push((doc, mutation.with_steps(s)));
            }
        }
        self.mutations.push((doc, mutation));
    }
}

/// Where anchor `name` is defined again after byte `after`, if it is.
fn redefinition(n: &Node, name: &str, after: usize) -> Option<usize> {
    let here =
        (n.anchor.as_deref() == Some(name) && n.props_start > after).then_some(n.props_start);
    let below = match &n.kind {
        NodeKind::Mapping { entries, .. } => entries
            .iter()
            .filter_map(|(k, v)| {
                redefinition(k, name, after)
                    .into_iter()
                    .chain(redefinition(v, name, after))
                    .min()
            })
            .min(),
        NodeKind::Sequence { items, .. } => items
            .iter()
            .filter_map(|i| redefinition(i, name, after))
            .min(),
        _ => None,
    };
    here.into_iter().chain(below).min()
}

/// Steps to every alias `*name` between bytes `after` and `until`.
fn alias_paths(
    n: &Node,
    name: &str,
    after: usize,
    until: usize,
    at: &mut Vec<Step>,
    out: &mut Vec<Vec<Step>>,
) {
    match &n.kind {
        NodeKind::Alias { name: a } if a == name && n.start > after && n.start < until => {
            out.push(at.clone())
        }
        NodeKind::Mapping { entries, .. } => {
            for (i, (k, v)) in entries.iter().enumerate() {
                at.push(Step::Entry(i, k.scalar().unwrap_or_default().to_string()));
                alias_paths(v, name, after, until, at, out);
                at.pop();
            }
        }
        NodeKind::Sequence { items, .. } => {
            for (i, v) in items.iter().enumerate() {
                at.push(Step::Item(i));
                alias_paths(v, name, after, until, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Applies a run of edits that one parse can serve, parsing lazily from `lazy_from` bytes on.
fn apply_batch_from(src: &str, edits: &[Edit], lazy_from: usize) -> Result<Batch, Error> {
    // Large inputs: parse only the documents, or the top-level entries of one document, that
    // can hold a path. Anything but a clean success falls back to parsing everything, so
    // results and messages do not depend on it.
    if src.len() >= lazy_from {
        if let Some(done) = apply_outlined(src, edits, lazy_from) {
            return Ok(done);
        }
    }
    if src.len() >= lazy_from
        && crate::outline::plain_line_breaks(src)
        && edits
            .iter()
            .all(|e| !e.create && !matches!(e.op, EditOp::Append { .. }))
    {
        if let Ok(filters) = edits
            .iter()
            .map(|e| DocFilter::new(&e.path, e.select.as_deref()))
            .collect::<Result<Vec<_>, _>>()
        {
            let want = |i: usize, text: &str| filters.iter().any(|f| f.accepts(i, text));
            if let Ok(stream) = Stream::parse_where(src, &want) {
                if let Ok(done) = apply_parsed(src, &stream, edits, true) {
                    return Ok(done);
                }
            }
        }
    }
    let stream = Stream::parse(src)?;
    apply_parsed(src, &stream, edits, lazy_from != usize::MAX)
}

/// Entries at least this large are outlined in turn when every path goes on below them.
const DESCEND_FROM_BYTES: usize = 64 * 1024;

/// One large document whose root is a block mapping or sequence at column 0: parse only the
/// entries the paths lead into (see [`crate::outline`]), going down through keys that stand
/// alone on their line while an entry is large, then edit and check each edited entry on its
/// own with both parsers. That check is the whole document's: the bytes outside the edited
/// entries do not change, and such an entry holds whole lines from its column to the next
/// entry, so it reads the same alone as in place. `None` when this does not apply or does not
/// succeed cleanly.
fn apply_outlined(src: &str, edits: &[Edit], lazy_from: usize) -> Option<Batch> {
    use crate::outline::{outline, outline_region, value_region, RootKind};
    if edits
        .iter()
        .any(|e| e.select.is_some() || e.create || !matches!(e.op, EditOp::Set { .. }))
    {
        return None;
    }
    let paths: Vec<Path> = edits
        .iter()
        .map(|e| Path::parse(&e.path).ok())
        .collect::<Option<_>>()?;
    // Keys passed on the way down: their text and where each starts.
    let mut ancestors: Vec<(&str, usize)> = Vec::new();
    let mut outlined = outline(src)?;
    let mut col = 0;
    let wanted = loop {
        let depth = ancestors.len();
        let wanted = wanted_pieces(src, &outlined, &paths, depth)?;
        let piece = outlined.pieces[wanted[0]].clone();
        let deeper = outlined.kind == RootKind::Mapping
            && wanted.len() == 1
            && piece.len() >= lazy_from.min(DESCEND_FROM_BYTES)
            && paths.iter().all(|p| p.segments.len() > depth + 1);
        if let Some((region, c)) = deeper
            .then(|| value_region(src, piece.clone(), col))
            .flatten()
        {
            if let Some(o) = outline_region(src, region, c) {
                ancestors.push((outlined.keys[wanted[0]], piece.start + col));
                outlined = o;
                col = c;
                continue;
            }
        }
        break wanted;
    };
    let depth = ancestors.len();
    let pieces = &outlined.pieces;
    let n = pieces.len();
    // Each wanted piece alone: one document whose root holds exactly that entry or item.
    let mut roots: Vec<Node> = Vec::with_capacity(wanted.len());
    for &i in &wanted {
        let range = pieces[i].clone();
        let sub = Stream::parse(&src[range.clone()]).ok()?;
        let [doc] = <[Document; 1]>::try_from(sub.docs).ok()?;
        let mut root = doc.root?;
        if anchored(&root) {
            return None;
        }
        let fits = match (&outlined.kind, &root.kind) {
            (
                RootKind::Mapping,
                NodeKind::Mapping {
                    entries,
                    flow: false,
                },
            ) => {
                matches!(entries.as_slice(), [(k, _)] if k.tag.is_none()
                    && matches!(&k.kind, NodeKind::Scalar { value, style: ScalarStyle::Plain, .. }
                        if value == outlined.keys[i]))
            }
            (RootKind::Sequence, NodeKind::Sequence { items, flow: false }) => items.len() == 1,
            _ => false,
        };
        if !fits {
            return None;
        }
        crate::tree::offset_node(&mut root, range.start);
        roots.push(root);
    }
    // The document as the edits see it: on the way down, one entry per level; at the bottom
    // the wanted entries, or every item with a null in place of those not parsed (so indexes
    // stay those of the document).
    let node = |kind, start: usize, end: usize| Node {
        kind,
        start,
        end,
        props_start: start,
        anchor: None,
        tag: None,
    };
    let end = pieces[n - 1].end;
    let mut tree = match outlined.kind {
        RootKind::Mapping => node(
            NodeKind::Mapping {
                entries: roots
                    .iter()
                    .flat_map(|r| match &r.kind {
                        NodeKind::Mapping { entries, .. } => entries.clone(),
                        _ => Vec::new(),
                    })
                    .collect(),
                flow: false,
            },
            pieces[0].start + col,
            end,
        ),
        RootKind::Sequence => {
            let mut parsed = wanted.iter().zip(&roots).peekable();
            let items = (0..n)
                .map(|i| match parsed.next_if(|(w, _)| **w == i) {
                    Some((
                        _,
                        Node {
                            kind: NodeKind::Sequence { items, .. },
                            ..
                        },
                    )) => items[0].clone(),
                    _ => placeholder(pieces[i].start),
                })
                .collect();
            node(
                NodeKind::Sequence { items, flow: false },
                pieces[0].start + col,
                end,
            )
        }
    };
    for &(key, at) in ancestors.iter().rev() {
        let k = node(
            NodeKind::Scalar {
                value: key.to_string(),
                style: ScalarStyle::Plain,
                implicit: false,
            },
            at,
            at + key.len(),
        );
        tree = node(
            NodeKind::Mapping {
                entries: vec![(k, tree)],
                flow: false,
            },
            at,
            end,
        );
    }
    let stream = Stream {
        docs: vec![Document {
            index: 0,
            range: 0..src.len(),
            root: Some(tree),
            parsed: true,
        }],
    };
    let mut cx = Ctx {
        src,
        style: detect_style(src, &stream),
        patches: Vec::new(),
        mutations: Vec::new(),
        changes: Vec::new(),
        own: Vec::new(),
    };
    for edit in edits {
        plan(&mut cx, &stream, edit).ok()?;
    }
    if roots
        .iter()
        .any(|r| crate::tree::duplicate_keys(src, r).is_err())
    {
        return None;
    }
    if cx.patches.is_empty() {
        cx.relocate();
        return Some(Batch {
            text: None,
            changes: cx.changes,
            patches: cx.patches,
        });
    }
    let inside = |p: &Patch| {
        wanted.iter().any(|&i| {
            let r = &pieces[i];
            r.start < p.start && p.end <= r.end
        })
    };
    if !cx.patches.iter().all(inside) {
        return None;
    }
    let text = apply_patches(src, &cx.patches).ok()?;
    for &i in &wanted {
        let mut muts = Vec::new();
        for (_, m) in &cx.mutations {
            let (first, rest) = m.steps().get(depth..)?.split_first()?;
            // Mapping entries are numbered among the wanted ones, items as in the document.
            let (piece, local) = match first {
                Step::Entry(j, key) => (*wanted.get(*j)?, Step::Entry(0, key.clone())),
                Step::Item(j) => (*j, Step::Item(0)),
            };
            if piece == i {
                muts.push(
                    m.with_steps(std::iter::once(local).chain(rest.iter().cloned()).collect()),
                );
            }
        }
        if !muts.is_empty() {
            check_piece(src, &text, &cx.patches, pieces[i].clone(), &muts).ok()?;
        }
    }
    cx.relocate();
    Some(Batch {
        text: Some(text),
        changes: cx.changes,
        patches: cx.patches,
    })
}

/// The pieces of `outlined` that segment `depth` of some path can lead into (sorted, none
/// twice); `None` when a path cannot be followed this way or leads nowhere.
fn wanted_pieces(
    src: &str,
    outlined: &crate::outline::Outline<'_>,
    paths: &[Path],
    depth: usize,
) -> Option<Vec<usize>> {
    use crate::outline::RootKind;
    let n = outlined.pieces.len();
    let index = |i: i64| {
        let j = if i < 0 { n as i64 + i } else { i };
        usize::try_from(j).ok().filter(|&j| j < n)
    };
    let mut wanted: Vec<usize> = Vec::new();
    for path in paths {
        let segments = path.segments.get(depth..)?;
        match (outlined.kind, &segments.first()?.kind) {
            (RootKind::Mapping, SegmentKind::Key(k) | SegmentKind::KeyOrIndex(k)) => {
                wanted.push(outlined.keys.iter().position(|x| x == k)?)
            }
            (RootKind::Sequence, SegmentKind::Index(i)) => wanted.push(index(*i)?),
            (RootKind::Sequence, SegmentKind::KeyOrIndex(k)) => {
                wanted.push(index(k.parse().ok()?)?)
            }
            (RootKind::Sequence, SegmentKind::Select { .. }) => {
                let filter = DocFilter::for_segments(segments);
                let before = wanted.len();
                wanted.extend(
                    (0..n).filter(|&i| filter.accepts(0, &src[outlined.pieces[i].clone()])),
                );
                if wanted.len() == before {
                    return None;
                }
            }
            _ => return None,
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    (!wanted.is_empty()).then_some(wanted)
}

/// Whether a node under `n` has an anchor or is an alias: an edit there can reach, or be
/// reached from, other entries.
fn anchored(n: &Node) -> bool {
    n.anchor.is_some()
        || match &n.kind {
            NodeKind::Mapping { entries, .. } => {
                entries.iter().any(|(k, v)| anchored(k) || anchored(v))
            }
            NodeKind::Sequence { items, .. } => items.iter().any(anchored),
            NodeKind::Alias { .. } => true,
            NodeKind::Scalar { .. } => false,
        }
}

/// A null standing for an item that was not parsed.
fn placeholder(at: usize) -> Node {
    Node {
        kind: NodeKind::Scalar {
            value: String::new(),
            style: ScalarStyle::Plain,
            implicit: true,
        },
        start: at,
        end: at,
        props_start: at,
        anchor: None,
        tag: None,
    }
}

/// Plans `edits` on a parse of `src`, patches and checks them: the whole edited document,
/// or only its edited top-level entries when `by_entry` and the line pass allows it.
fn apply_parsed(
    src: &str,
    stream: &Stream,
    edits: &[Edit],
    by_entry: bool,
) -> Result<Batch, Error> {
    let mut cx = Ctx {
        src,
        style: detect_style(src, stream),
        patches: Vec::new(),
        mutations: Vec::new(),
        changes: Vec::new(),
        own: Vec::new(),
    };
    for edit in edits {
        plan(&mut cx, stream, edit)?;
    }
    if cx.patches.is_empty() {
        // Nothing to write, but a document that repeats a key is refused all the same, as
        // `get` refuses it.
        for d in &stream.docs {
            if let Some(root) = d
                .root
                .as_ref()
                .filter(|_| cx.changes.iter().any(|c| c.doc == d.index))
            {
                crate::tree::duplicate_keys(src, root)?;
            }
        }
        cx.relocate();
        return Ok(Batch {
            text: None,
            changes: cx.changes,
            patches: cx.patches,
        });
    }
    let text = apply_patches(src, &cx.patches)?;
    // A file without documents (empty, or only comments) counts as one empty document.
    let ranges: Vec<(usize, std::ops::Range<usize>)> = if stream.docs.is_empty() {
        vec![(0, 0..src.len())]
    } else {
        stream
            .docs
            .iter()
            .map(|d| (d.index, d.range.clone()))
            .collect()
    };
    for (index, range) in ranges {
        let muts: Vec<Mutation> = cx
            .mutations
            .iter()
            .filter(|(i, _)| *i == index)
            .map(|(_, m)| m.clone())
            .collect();
        if muts.is_empty() {
            continue;
        }
        let root = stream.docs.get(index).and_then(|d| d.root.as_ref());
        let whole_text = by_entry && stream.docs.len() == 1 && range == (0..src.len());
        let units = root
            .filter(|_| whole_text)
            .and_then(|r| entry_units(src, r, &muts, &cx.patches));
        if let Some(root) = root {
            crate::tree::duplicate_keys(src, root)?;
        }
        let checked = match units {
            Some(units) => units.iter().try_for_each(|(piece, muts)| {
                check_piece(src, &text, &cx.patches, piece.clone(), muts)
            }),
            None => check_piece(src, &text, &cx.patches, range, &muts),
        };
        checked.map_err(|e| match edits {
            [one] => e.segment(one.path.clone(), one.path.clone()),
            _ => e,
        })?;
    }
    cx.relocate();
    Ok(Batch {
        text: Some(text),
        changes: cx.changes,
        patches: cx.patches,
    })
}

/// The self-check of a whole one-document text, cut into its edited top-level entries (see
/// [`crate::outline`]): each entry's range with the changes in it, their steps starting at
/// that entry. `None` (check the whole document) when the line pass declines, its entries are
/// not the parsed ones, an anchor or alias could carry a change across entries, or a patch
/// is not inside one entry.
fn entry_units(
    src: &str,
    root: &Node,
    muts: &[Mutation],
    patches: &[Patch],
) -> Option<Vec<(std::ops::Range<usize>, Vec<Mutation>)>> {
    let outlined = crate::outline::outline(src)?;
    let pieces = &outlined.pieces;
    let starts: Vec<usize> = match &root.kind {
        NodeKind::Mapping {
            entries,
            flow: false,
        } => entries.iter().map(|(k, _)| k.props_start).collect(),
        NodeKind::Sequence { items, flow: false } => items.iter().map(|i| i.props_start).collect(),
        _ => return None,
    };
    let same = starts.len() == pieces.len()
        && starts
            .iter()
            .zip(pieces)
            .all(|(s, p)| p.start <= *s && *s <= p.end);
    if !same || anchored(root) {
        return None;
    }
    let mut units: Vec<(std::ops::Range<usize>, Vec<Mutation>)> = Vec::new();
    for m in muts {
        let (first, rest) = m.steps().split_first()?;
        let (i, local) = match first {
            Step::Entry(i, key) => (*i, Step::Entry(0, key.clone())),
            Step::Item(i) => (*i, Step::Item(0)),
        };
        let piece = pieces.get(i)?.clone();
        let m = m.with_steps(std::iter::once(local).chain(rest.iter().cloned()).collect());
        match units.iter_mut().find(|(r, _)| *r == piece) {
            Some((_, list)) => list.push(m),
            None => units.push((piece, vec![m])),
        }
    }
    let inside = |p: &Patch| {
        units
            .iter()
            .any(|(r, _)| r.start < p.start && p.end <= r.end)
    };
    patches.iter().all(inside).then_some(units)
}

/// Checks one edited piece of the text (a document, or one entry): the new piece parses again
/// with our parser, and the independent parser reads it as the old piece's data with exactly
/// `muts` applied.
fn check_piece(
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

fn plan(cx: &mut Ctx<'_>, stream: &Stream, edit: &Edit) -> Result<(), Error> {
    let src = cx.src;
    let path = Path::parse(&edit.path)?;
    let docs = select_docs(src, stream, edit.select.as_deref())?;
    let resolver = Resolver {
        src,
        path: &path,
        follow: false,
    };
    let mut matches: Vec<Match<'_>> = Vec::new();
    let mut partials: Vec<Partial<'_>> = Vec::new();
    let many = edit.all || path.has_wildcard();
    for d in &docs {
        match resolver.resolve(d, many) {
            Ok(ms) => matches.extend(ms),
            Err(p)
                if matches!(
                    p.error.kind(),
                    ErrorKind::Ambiguous | ErrorKind::Alias | ErrorKind::TypeMismatch
                ) && docs.len() == 1 =>
            {
                return Err(p.error)
            }
            Err(p) if matches!(p.error.kind(), ErrorKind::Ambiguous | ErrorKind::Alias) => {
                return Err(p.error)
            }
            Err(p) => partials.push(p),
        }
    }
    let doc_count = matches
        .iter()
        .map(|m| m.doc)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if doc_count > 1 && !edit.all {
        let labels: Vec<String> = docs
            .iter()
            .filter(|d| matches.iter().any(|m| m.doc == d.index))
            .map(|d| {
                crate::locate::doc_label(src, d).unwrap_or_else(|| format!("document {}", d.index))
            })
            .collect();
        let first = &matches[1];
        return Err(Error::new(
            ErrorKind::Ambiguous,
            format!(
                "the path matches in {doc_count} documents ({})",
                labels.join(", ")
            ),
        )
        .at(src, first.node.start..first.node.end)
        .segment(path.source.clone(), path.source.clone())
        .hint(
            "narrow it with --select kind=…,metadata.name=… (or a document index), or pass --all",
        ));
    }
    if matches.is_empty() {
        let wants_create = edit.create && !matches!(edit.op, EditOp::Remove);
        partials.sort_by_key(|p| std::cmp::Reverse(p.depth));
        let mut rest = partials.into_iter();
        let Some(best) = rest.next() else {
            if wants_create && stream.docs.is_empty() {
                return create_root(cx, &path, edit, 0, src.len());
            }
            return Err(Error::new(ErrorKind::NotFound, "the file has no documents")
                .segment(path.source.clone(), path.source.clone()));
        };
        if !wants_create {
            return Err(best.error);
        }
        if best
            .node
            .is_none_or(|n| best.steps.is_empty() && n.is_null())
        {
            if let Some(d) = docs.iter().find(|d| d.index == best.doc) {
                return create_root(cx, &path, edit, d.index, d.range.end);
            }
        }
        if let Some(second) = rest.next() {
            if second.depth == best.depth && best.node.is_some() && second.node.is_some() {
                return Err(Error::new(
                    ErrorKind::Ambiguous,
                    format!(
                        "the missing path could be created in documents {} and {}",
                        best.doc, second.doc
                    ),
                )
                .segment(path.source.clone(), path.source.clone())
                .hint("choose one with --select kind=…,metadata.name=… (or a document index)"));
            }
        }
        let doc = docs.iter().find(|d| d.index == best.doc).copied();
        create(cx, &path, edit, &best, doc)?;
    } else {
        if matches!(edit.op, EditOp::Remove) {
            return remove_all(cx, &matches).map_err(|e| {
                let m = &matches[0];
                e.at(src, m.node.start..m.node.end.max(m.node.start + 1))
                    .segment(path.source.clone(), path.source.clone())
            });
        }
        for m in &matches {
            let r = match &edit.op {
                EditOp::Set { value, ty } => set_node(cx, m, value, *ty),
                EditOp::Append { value, ty } => append_item(cx, m, value, *ty),
                EditOp::Remove => unreachable!("removed above"),
            };
            r.map_err(|e| {
                if e.has_location() {
                    e
                } else {
                    e.at(src, m.node.start..m.node.end.max(m.node.start + 1))
                        .segment(path.source.clone(), path.source.clone())
                }
            })?;
        }
    }
    Ok(())
}

/// Removes every match, each group of children of one collection together.
fn remove_all(cx: &mut Ctx<'_>, matches: &[Match<'_>]) -> Result<(), Error> {
    let mut groups: Vec<Vec<&Match<'_>>> = Vec::new();
    for m in matches {
        let parent = m.steps.len().checked_sub(1).map(|n| &m.steps[..n]);
        let same = |g: &Vec<&Match<'_>>| {
            g[0].doc == m.doc && g[0].steps.len().checked_sub(1).map(|n| &g[0].steps[..n]) == parent
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.push(m),
            None => groups.push(vec![m]),
        }
    }
    groups.iter().try_for_each(|g| remove_siblings(cx, g))
}

fn change(
    m: &Match<'_>,
    at: usize,
    old: Option<String>,
    new: Option<String>,
    kind: ChangeKind,
) -> Change {
    Change {
        path: steps_to_path(&m.steps),
        doc: m.doc,
        line: 0,
        column: 0,
        offset: at,
        old,
        new,
        kind,
        old_type: None,
        new_type: None,
    }
}

/// The type name readers resolve data `v` to.
fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Sequence(_) => "seq",
        Value::Mapping(_) => "map",
        Value::Tagged(t) => type_of(&t.value),
    }
}

/// The new value as a change reports it: what was written for a typed scalar (`true` for
/// `--type bool yes`, `1.0e+3` for `--type float 1e3`), else the value as given.
fn shown_value(value: &str, ty: ValueType) -> String {
    match ty {
        ValueType::Int | ValueType::Float | ValueType::Bool | ValueType::Null => {
            render_scalar(value, ty, None, Context::default()).unwrap_or_else(|_| value.into())
        }
        _ => value.to_string(),
    }
}

fn old_value(src: &str, n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar { value, .. } => value.clone(),
        _ => src[n.start..n.end].to_string(),
    }
}

/// Whether node `n` already holds `value` of type `ty`.
fn holds(n: &Node, value: &str, ty: ValueType) -> bool {
    let Some(cur) = n.scalar() else { return false };
    let t = n.type_name();
    match ty {
        ValueType::Auto | ValueType::String => t == "string" && cur == value,
        ValueType::Int => t == "int" && cur == value.trim(),
        ValueType::Float => {
            t == "float"
                && render_scalar(value, ty, None, Context::default()).is_ok_and(|r| r == cur)
        }
        ValueType::Bool => {
            t == "bool"
                && render_scalar(value, ty, None, Context::default())
                    .is_ok_and(|r| r == cur.to_ascii_lowercase())
        }
        ValueType::Null => t == "null",
        ValueType::Yaml => false,
    }
}

fn set_node(cx: &mut Ctx<'_>, m: &Match<'_>, value: &str, ty: ValueType) -> Result<(), Error> {
    let n = m.node;
    let src = cx.src;
    let ty = ty.for_node(n, value);
    let old = Some(old_value(src, n));
    if holds(n, value, ty) || (ty == ValueType::Yaml && yaml_equal(src, n, value)) {
        let mut c = change(
            m,
            n.start,
            old,
            Some(shown_value(value, ty)),
            ChangeKind::Unchanged,
        );
        c.old_type = Some(n.type_name());
        c.new_type = c.old_type;
        cx.changes.push(c);
        return Ok(());
    }
    let flow = in_flow(&m.chain);
    if let Some(tag) = n.tag.as_deref() {
        let tagged = match tag {
            "!!str" => Some(ValueType::String),
            "!!int" => Some(ValueType::Int),
            "!!float" => Some(ValueType::Float),
            "!!bool" => Some(ValueType::Bool),
            "!!null" => Some(ValueType::Null),
            _ => None,
        };
        if tagged.is_some_and(|t| t != ty) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("the value is tagged `{tag}`, which does not fit the requested type"),
            )
            .at(src, n.props_start..n.start.max(n.props_start + 1))
            .found(n.describe())
            .hint(format!(
                "pass the --type that matches `{tag}`, or remove the tag first"
            )));
        }
    }
    let expected = expected_value(value, ty)?;
    // Bytes before the value in the patch's text (` ` or `: ` after a key with no value).
    let mut lead = 0;
    let text = match &n.kind {
        NodeKind::Scalar {
            style, implicit, ..
        } => {
            let rendered = if ty == ValueType::String
                && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
            {
                let indent = block_indent(src, n, m, &cx.style);
                let nl = cx.style.nl;
                render_block(value, *style, indent, nl).unwrap_or_else(|| {
                    render_string(
                        value,
                        Some(ScalarStyle::DoubleQuoted),
                        Context { flow, key: false },
                    )
                })
            } else if ty == ValueType::String
                && n.tag.as_deref() == Some("!!str")
                && *style == ScalarStyle::Plain
                && crate::scalar::plain_syntax_ok(value, flow)
            {
                // `!!str` already makes the value a string: no quotes needed for its type.
                value.to_string()
            } else if ty == ValueType::String {
                render_string(value, Some(*style), Context { flow, key: false })
            } else {
                render_scalar(value, ty, None, Context { flow, key: false })?
            };
            if *implicit {
                match src[..n.start].bytes().next_back() {
                    Some(b':' | b'-') => {
                        lead = 1;
                        format!(" {rendered}")
                    }
                    _ if flow => {
                        lead = 2;
                        format!(": {rendered}")
                    }
                    _ => {
                        return Err(Error::new(
                            ErrorKind::TypeMismatch,
                            "this key has no `:` and no value (an explicit `? key`)",
                        )
                        .at(src, n.start.saturating_sub(1)..n.start)
                        .hint("add `: value` to the file by hand first"))
                    }
                }
            } else {
                rendered
            }
        }
        NodeKind::Mapping { .. } | NodeKind::Sequence { .. } if ty == ValueType::Yaml => {
            if n.is_block_collection() && matches!(expected, Value::Mapping(_) | Value::Sequence(_))
            {
                let col = column(src, n.start);
                let block = block_for_value(&expected, col, &cx.style);
                block.join(cx.style.nl)[col..].to_string()
            } else {
                render_flow_value(&expected)
            }
        }
        NodeKind::Mapping { .. } | NodeKind::Sequence { .. } => {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "`{}` is {}, not a scalar",
                    steps_to_path(&m.steps),
                    n.describe()
                ),
            )
            .at(src, n.start..n.start + 1)
            .found(n.describe())
            .hint("pass --type yaml to replace the whole collection"))
        }
        NodeKind::Alias { .. } => unreachable!("aliases are refused while resolving"),
    };
    let (start, end) = if n.is_block_collection()
        && !matches!(expected, Value::Mapping(_) | Value::Sequence(_))
        && !m.chain.is_empty()
    {
        // A scalar or flow value replacing a block collection goes after its key.
        let s = line_start(src, n.props_start);
        let key_end = src[..s].trim_end_matches(['\n', '\r', ' ', '\t']).len();
        (key_end, n.end)
    } else {
        (n.start, n.end)
    };
    let text = if start != n.start {
        lead += 1;
        format!(" {text}")
    } else {
        text
    };
    let new_type = type_of(&expected);
    cx.emit(
        m,
        Patch { start, end, text },
        Mutation::Set(m.steps.clone(), expected),
        lead,
        old,
        Some(shown_value(value, ty)),
        ChangeKind::Set,
    );
    cx.typed_last(Some(n.type_name()), Some(new_type));
    Ok(())
}

fn yaml_equal(src: &str, n: &Node, value: &str) -> bool {
    match (
        crate::verify::parse_doc(&src[n.props_start..n.end]),
        serde_yaml::from_str::<Value>(value),
    ) {
        (Ok(a), Ok(b)) => n.anchor.is_none() && crate::verify::same(&a, &b),
        _ => false,
    }
}

/// Content indentation for a block scalar that replaces `n`.
fn block_indent(src: &str, n: &Node, m: &Match<'_>, st: &Style) -> usize {
    let header_end = next_line(src, n.start);
    if header_end < n.end {
        let line = &src[header_end..n.end];
        for l in line.split('\n') {
            let t = l.trim_start_matches(' ');
            if !t.trim().is_empty() {
                return l.len() - t.len();
            }
        }
    }
    let parent_col = m.chain.last().map_or(0, |p| column(src, p.start));
    parent_col + st.step
}

fn block_for_value(v: &Value, col: usize, st: &Style) -> Vec<String> {
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

/// Removes the entries or items `group` reached, all children of one collection: runs of
/// neighbours go as one range, and when every child goes the collection becomes `{}`/`[]`.
fn remove_siblings(cx: &mut Ctx<'_>, group: &[&Match<'_>]) -> Result<(), Error> {
    let src = cx.src;
    let first = group[0];
    if first.steps.is_empty() {
        return Err(
            Error::new(ErrorKind::Usage, "cannot remove the whole document")
                .hint("name a key inside it"),
        );
    }
    let parent = *first.chain.last().expect("a step has a parent");
    let index = |m: &Match<'_>| match m.steps.last() {
        Some(Step::Entry(i, _) | Step::Item(i)) => *i,
        None => unreachable!("checked above"),
    };
    let mut gone: Vec<usize> = group.iter().map(|m| index(m)).collect();
    gone.sort_unstable();
    gone.dedup();
    let (spans, flow, empty) = match &parent.kind {
        NodeKind::Mapping { entries, flow } => (
            entries
                .iter()
                .map(|(k, v)| (k.props_start, v.end.max(k.end)))
                .collect::<Vec<_>>(),
            *flow,
            "{}",
        ),
        NodeKind::Sequence { items, flow } => (
            items
                .iter()
                .map(|v| {
                    let dash = if *flow { None } else { dash_before(src, v) };
                    (dash.unwrap_or(v.props_start), v.end)
                })
                .collect(),
            *flow,
            "[]",
        ),
        _ => unreachable!("steps follow the tree"),
    };
    if gone.len() == spans.len() {
        let (start, end, text) = if flow {
            (spans[0].0, spans[spans.len() - 1].1, String::new())
        } else {
            empty_collection(src, parent, first, empty)
        };
        cx.patches.push(Patch { start, end, text });
    } else {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for &i in &gone {
            match runs.last_mut() {
                Some(run) if run.1 + 1 == i => run.1 = i,
                _ => runs.push((i, i)),
            }
        }
        for (i, j) in runs {
            let (start, end, text) = if flow {
                flow_removal(&spans, i, j)
            } else {
                block_removal(src, &spans, i, j, first_on_line(src, spans[i].0))
            };
            cx.patches.push(Patch { start, end, text });
        }
    }
    // Later indexes first, so that each removal's steps still name the same child.
    let mut by_index: Vec<&Match<'_>> = group.to_vec();
    by_index.sort_by_key(|m| std::cmp::Reverse(index(m)));
    for m in by_index {
        cx.record(m.doc, &m.chain, m.node, Mutation::Remove(m.steps.clone()));
    }
    for m in group {
        let c = change(
            m,
            m.node.start,
            Some(old_value(src, m.node)),
            None,
            ChangeKind::Remove,
        );
        cx.changes.push(c);
    }
    Ok(())
}

/// Removal range of elements `i..=j` of a flow collection, with one adjacent comma.
fn flow_removal(spans: &[(usize, usize)], i: usize, j: usize) -> (usize, usize, String) {
    if j + 1 < spans.len() {
        (spans[i].0, spans[j + 1].0, String::new())
    } else {
        (spans[i - 1].1, spans[j].1, String::new())
    }
}

/// Removal range of elements `i..=j` of a block collection: their whole lines when the
/// first starts a line.
fn block_removal(
    src: &str,
    spans: &[(usize, usize)],
    i: usize,
    j: usize,
    whole_lines: bool,
) -> (usize, usize, String) {
    let (s, e) = (spans[i].0, spans[j].1);
    // From the end of the element before (a file's last line has no line break of its own).
    let after_previous = || {
        i.checked_sub(1)
            .map_or(line_start(src, s), |p| eol(src, spans[p].1).min(s))
    };
    if !whole_lines {
        // `- first: 1\n  second: 2`: the next element moves up to this one's place.
        if j + 1 < spans.len() {
            return (s, spans[j + 1].0, String::new());
        }
        return (after_previous(), eol(src, e), String::new());
    }
    let end_eol = eol(src, e);
    if end_eol < src.len() {
        (line_start(src, s), next_line(src, e), String::new())
    } else {
        (after_previous(), end_eol, String::new())
    }
}

/// Replaces the only element's collection with an empty flow collection.
fn empty_collection(src: &str, coll: &Node, m: &Match<'_>, empty: &str) -> (usize, usize, String) {
    let end = coll.end;
    let outer = m.chain.len().checked_sub(2).map(|i| m.chain[i]);
    match outer.map(|o| &o.kind) {
        Some(NodeKind::Mapping { .. }) | Some(NodeKind::Sequence { .. }) => {
            // After the parent's `key:` or `-`.
            let ls = line_start(src, coll.props_start);
            let before = &src[..if first_on_line(src, coll.props_start) {
                ls
            } else {
                coll.props_start
            }];
            let at = before.trim_end_matches(['\n', '\r', ' ', '\t']).len();
            (at, end, format!(" {empty}"))
        }
        _ => (coll.props_start, end, empty.to_string()),
    }
}

fn append_item(cx: &mut Ctx<'_>, m: &Match<'_>, value: &str, ty: ValueType) -> Result<(), Error> {
    let n = m.node;
    let src = cx.src;
    let ty = ty.or_string();
    let expected = expected_value(value, ty)?;
    let new_type = type_of(&expected);
    let flow = in_flow(&m.chain) || matches!(n.kind, NodeKind::Sequence { flow: true, .. });
    let leaf_text = if ty == ValueType::String {
        render_string(value, None, Context { flow, key: false })
    } else {
        render_scalar(value, ty, None, Context { flow, key: false })?
    };
    let leaf = New::Leaf(leaf_text.clone(), expected.clone());
    let (at, text) = match &n.kind {
        NodeKind::Sequence { items, flow: true } => match items.last() {
            Some(l) => (l.end, format!(", {}", leaf.flow())),
            None => (n.start + 1, leaf.flow()),
        },
        NodeKind::Sequence { items, flow: false } => {
            let last = items.last().expect("block sequences have items");
            let dash = dash_before(src, &items[0]).unwrap_or(items[0].props_start);
            let col = column(src, dash);
            let mut lines = Vec::new();
            New::Seq(vec![leaf]).block_lines(col, &cx.style, &mut lines);
            let at = eol(src, last.end);
            (at, format!("{}{}", cx.style.nl, lines.join(cx.style.nl)))
        }
        _ if n.is_null() => {
            let new = New::Seq(vec![leaf]);
            replace_null(
                cx,
                m,
                new,
                Mutation::Append(m.steps.clone(), expected),
                &shown_value(value, ty),
            )?;
            cx.typed_last(None, Some(new_type));
            return Ok(());
        }
        _ => {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "cannot append to `{}`: it is {}",
                    steps_to_path(&m.steps),
                    n.describe()
                ),
            )
            .at(src, n.start..n.start + 1)
            .found(n.describe()))
        }
    };
    let inner = text.len() - leaf_text.len();
    cx.emit(
        m,
        Patch {
            start: at,
            end: at,
            text,
        },
        Mutation::Append(m.steps.clone(), expected),
        inner,
        None,
        Some(shown_value(value, ty)),
        ChangeKind::Insert,
    );
    cx.typed_last(None, Some(new_type));
    Ok(())
}

/// Replaces a null value by new structure `new` (a mapping or a sequence).
fn replace_null(
    cx: &mut Ctx<'_>,
    m: &Match<'_>,
    new: New,
    mutation: Mutation,
    shown: &str,
) -> Result<(), Error> {
    let src = cx.src;
    let n = m.node;
    let parent = m.chain.last().copied();
    let leaf = new.last_leaf().map(str::to_string);
    let (start, end) = if matches!(&n.kind, NodeKind::Scalar { implicit: true, .. }) {
        (n.start, n.end)
    } else {
        (
            src[..n.props_start].trim_end_matches([' ', '\t']).len(),
            n.end,
        )
    };
    let text = if in_flow(&m.chain) || parent.is_none() && start == 0 {
        if start == 0 {
            let mut lines = Vec::new();
            new.block_lines(0, &cx.style, &mut lines);
            lines.join(cx.style.nl)
        } else {
            format!(" {}", new.flow())
        }
    } else {
        match parent.map(|p| &p.kind) {
            Some(NodeKind::Sequence { .. }) => {
                let dash = dash_before(src, n).map_or(column(src, n.start), |d| column(src, d));
                let mut lines = Vec::new();
                match &new {
                    New::Map(_) => new.block_lines(dash + 2, &cx.style, &mut lines),
                    _ => New::Seq(vec![new]).block_lines(dash + 2, &cx.style, &mut lines),
                }
                let first = lines.remove(0);
                let mut t = format!(" {}", first.trim_start());
                for l in lines {
                    t.push_str(cx.style.nl);
                    t.push_str(&l);
                }
                t
            }
            _ => {
                let key_col = m.chain.last().and_then(|p| match &p.kind {
                    NodeKind::Mapping { entries, .. } => match m.steps.last() {
                        Some(Step::Entry(i, _)) => Some(column(src, entries[*i].0.props_start)),
                        _ => None,
                    },
                    _ => None,
                });
                let kc = key_col.unwrap_or(0);
                let col = match &new {
                    New::Seq(_) => kc + cx.style.seq_offset,
                    _ => kc + cx.style.step,
                };
                let mut lines = Vec::new();
                new.block_lines(col, &cx.style, &mut lines);
                format!("{}{}", cx.style.nl, lines.join(cx.style.nl))
            }
        }
    };
    let inner = leaf_at(&text, leaf.as_deref());
    cx.emit(
        m,
        Patch { start, end, text },
        mutation,
        inner,
        Some(old_value(src, n)),
        Some(shown.to_string()),
        ChangeKind::Insert,
    );
    Ok(())
}

/// Writes the whole path as a new root mapping at byte `at` (the end of an empty document).
fn create_root(
    cx: &mut Ctx<'_>,
    path: &Path,
    edit: &Edit,
    doc: usize,
    at: usize,
) -> Result<(), Error> {
    let src = cx.src;
    let (value, ty) = match &edit.op {
        EditOp::Set { value, ty } | EditOp::Append { value, ty } => {
            (value.as_str(), ty.or_string())
        }
        EditOp::Remove => unreachable!("remove never creates"),
    };
    let expected = expected_value(value, ty)?;
    let new_type = type_of(&expected);
    let leaf_text = match ty {
        ValueType::Yaml => render_flow_value(&expected),
        ValueType::String => render_string(value, None, Context::default()),
        _ => render_scalar(value, ty, None, Context::default())?,
    };
    let leaf = if matches!(edit.op, EditOp::Append { .. }) {
        New::Seq(vec![New::Leaf(leaf_text.clone(), expected)])
    } else {
        New::Leaf(leaf_text.clone(), expected)
    };
    let New::Map(mut entries) = build_new(path, 0, leaf)? else {
        return Err(Error::new(
            ErrorKind::NotFound,
            "the document is empty: only a path starting with a key can be created in it",
        )
        .segment(path.source.clone(), path.source.clone()));
    };
    let (key, sub) = entries.remove(0);
    let data = sub.data();
    let mut lines = Vec::new();
    New::Map(vec![(key.clone(), sub)]).block_lines(0, &cx.style, &mut lines);
    let nl = cx.style.nl;
    let before = &src[..at];
    let mut text = String::new();
    if !before.is_empty() && !before.ends_with('\n') {
        text.push_str(nl);
    }
    text.push_str(&lines.join(nl));
    if before.is_empty() || before.ends_with('\n') {
        text.push_str(nl);
    }
    cx.own.push((
        cx.changes.len(),
        cx.patches.len(),
        leaf_at(&text, Some(&leaf_text)),
    ));
    cx.patches.push(Patch {
        start: at,
        end: at,
        text,
    });
    cx.mutations.push((
        doc,
        Mutation::Insert(Vec::new(), Value::String(key.clone()), data),
    ));
    cx.changes.push(Change {
        path: steps_to_path(&leaf_steps(path, 0, &[], 0, edit)),
        doc,
        line: 0,
        column: 0,
        offset: at,
        old: None,
        new: Some(shown_value(value, ty)),
        kind: ChangeKind::Insert,
        old_type: None,
        new_type: Some(new_type),
    });
    Ok(())
}

/// The concrete steps to the value a `create` writes: `base` (where the path stopped
/// matching) and then one step per remaining segment from `from`; `len` is the length of the
/// sequence an item is added to there. An append names the sequence, not its new item.
fn leaf_steps(path: &Path, from: usize, base: &[Step], len: usize, edit: &Edit) -> Vec<Step> {
    let mut steps = base.to_vec();
    for (i, seg) in path.segments.iter().enumerate().skip(from) {
        let item = if i == from { len } else { 0 };
        match &seg.kind {
            SegmentKind::Key(k) | SegmentKind::KeyOrIndex(k) => {
                steps.push(Step::Entry(0, k.clone()))
            }
            SegmentKind::Select { .. } | SegmentKind::End => steps.push(Step::Item(item)),
            _ => {}
        }
    }
    if !matches!(edit.op, EditOp::Append { .. }) {
        return steps;
    }
    if path
        .segments
        .last()
        .is_some_and(|s| s.kind == SegmentKind::End)
    {
        steps.pop();
    }
    steps
}

fn create(
    cx: &mut Ctx<'_>,
    path: &Path,
    edit: &Edit,
    best: &Partial<'_>,
    doc: Option<&Document>,
) -> Result<(), Error> {
    let Some(node) = best.node else {
        return Err(best.error.clone());
    };
    let Some(doc) = doc else {
        return Err(best.error.clone());
    };
    let (value, ty, append) = match &edit.op {
        EditOp::Set { value, ty } => (value.as_str(), ty.or_string(), false),
        EditOp::Append { value, ty } => (value.as_str(), ty.or_string(), true),
        EditOp::Remove => return Err(best.error.clone()),
    };
    let expected = expected_value(value, ty)?;
    let len = match &node.kind {
        NodeKind::Sequence { items, .. } => items.len(),
        _ => 0,
    };
    let reported = leaf_steps(path, best.depth, &best.steps, len, edit);
    let new_type = type_of(&expected);
    create_at(cx, path, best, doc, node, value, ty, append, expected)?;
    if let Some(c) = cx.changes.last_mut() {
        c.path = steps_to_path(&reported);
        c.new = Some(shown_value(value, ty));
        c.old_type = None;
        c.new_type = Some(new_type);
    }
    Ok(())
}

/// Writes what [`create`] builds under `node`, the deepest node the path reached.
#[allow(clippy::too_many_arguments)]
fn create_at(
    cx: &mut Ctx<'_>,
    path: &Path,
    best: &Partial<'_>,
    doc: &Document,
    node: &Node,
    value: &str,
    ty: ValueType,
    append: bool,
    expected: Value,
) -> Result<(), Error> {
    let src = cx.src;
    let flow_here = in_flow(&best.chain)
        || matches!(
            node.kind,
            NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
        );
    let leaf_text = if ty == ValueType::Yaml {
        render_flow_value(&expected)
    } else if ty == ValueType::String {
        render_string(
            value,
            None,
            Context {
                flow: flow_here,
                key: false,
            },
        )
    } else {
        render_scalar(
            value,
            ty,
            None,
            Context {
                flow: flow_here,
                key: false,
            },
        )?
    };
    let leaf = if append {
        New::Seq(vec![New::Leaf(leaf_text.clone(), expected.clone())])
    } else {
        New::Leaf(leaf_text.clone(), expected.clone())
    };
    let new = build_new(path, best.depth, leaf)?;
    let m = Match {
        node,
        steps: best.steps.clone(),
        chain: best.chain.clone(),
        doc: doc.index,
        via: None,
    };
    let shown = value.to_string();
    match (&node.kind, new) {
        (NodeKind::Mapping { entries, flow }, New::Map(mut adds)) => {
            let (key, sub) = adds.remove(0);
            let data = sub.data();
            let at;
            let text;
            if *flow {
                let entry = format!(
                    "{}: {}",
                    render_string(
                        &key,
                        None,
                        Context {
                            flow: true,
                            key: true
                        }
                    ),
                    sub.flow()
                );
                match entries.last() {
                    Some((k, v)) => {
                        at = v.end.max(k.end);
                        text = format!(", {entry}");
                    }
                    None => {
                        at = node.start + 1;
                        text = entry;
                    }
                }
            } else {
                let (k0, _) = &entries[0];
                let col = column(src, k0.props_start);
                let (lk, lv) = entries.last().expect("block mappings have entries");
                at = eol(src, lv.end.max(lk.end));
                let mut lines = Vec::new();
                New::Map(vec![(key.clone(), sub)]).block_lines(col, &cx.style, &mut lines);
                text = format!("{}{}", cx.style.nl, lines.join(cx.style.nl));
            }
            let mutation = Mutation::Insert(best.steps.clone(), Value::String(key.clone()), data);
            cx.insert_under(
                &m,
                at,
                text,
                mutation,
                Step::Entry(entries.len(), key),
                shown,
                Some(&leaf_text),
            );
            Ok(())
        }
        (NodeKind::Sequence { .. }, New::Seq(mut items)) => {
            let item = items.remove(0);
            let data = item.data();
            match item {
                New::Leaf(t, v) => append_leaf(cx, &m, t, v, &shown),
                other => {
                    let (at, text) = seq_append_text(cx, node, other);
                    let len = match &node.kind {
                        NodeKind::Sequence { items, .. } => items.len(),
                        _ => 0,
                    };
                    let mutation = Mutation::Append(best.steps.clone(), data);
                    let step = Step::Item(len);
                    cx.insert_under(&m, at, text, mutation, step, shown, Some(&leaf_text));
                    Ok(())
                }
            }
        }
        (NodeKind::Scalar { .. }, new @ (New::Map(_) | New::Seq(_))) if node.is_null() => {
            let mutation = match &new {
                New::Map(entries) => Mutation::Insert(
                    best.steps.clone(),
                    Value::String(entries[0].0.clone()),
                    entries[0].1.data(),
                ),
                New::Seq(items) => Mutation::Append(best.steps.clone(), items[0].data()),
                New::Leaf(..) => unreachable!(),
            };
            replace_null(cx, &m, new, mutation, &shown)
        }
        _ => Err(best.error.clone()),
    }
}

fn append_leaf(
    cx: &mut Ctx<'_>,
    m: &Match<'_>,
    _text: String,
    v: Value,
    shown: &str,
) -> Result<(), Error> {
    let (value, ty) = match &v {
        Value::String(s) => (s.clone(), ValueType::String),
        other => (render_flow_value(other), ValueType::Yaml),
    };
    let _ = shown;
    append_item(cx, m, &value, ty)
}

fn seq_append_text(cx: &Ctx<'_>, seq: &Node, item: New) -> (usize, String) {
    let src = cx.src;
    match &seq.kind {
        NodeKind::Sequence { items, flow: true } => match items.last() {
            Some(l) => (l.end, format!(", {}", item.flow())),
            None => (seq.start + 1, item.flow()),
        },
        NodeKind::Sequence { items, .. } => {
            let dash = dash_before(src, &items[0]).unwrap_or(items[0].props_start);
            let col = column(src, dash);
            let mut lines = Vec::new();
            New::Seq(vec![item]).block_lines(col, &cx.style, &mut lines);
            let last = items.last().expect("block sequences have items");
            (
                eol(src, last.end),
                format!("{}{}", cx.style.nl, lines.join(cx.style.nl)),
            )
        }
        _ => unreachable!(),
    }
}
