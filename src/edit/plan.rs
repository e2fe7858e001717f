//! Planning: one edit's matches turned into byte patches, the data changes the self-check
//! expects (repeated wherever an alias shows the same node), and the reported changes.

use serde_yaml::Value;

use super::insert::{append_item, create, create_root};
use super::remove::remove_all;
use super::render::Style;
use super::set::set_node;
use super::{Change, ChangeKind, Edit, EditOp};
use crate::error::{Error, ErrorKind};
use crate::locate::{select_docs, steps_to_path, Match, Partial, Resolver, Step};
use crate::patch::Patch;
use crate::path::Path;
use crate::scalar::{render_scalar, Context, ValueType};
use crate::tree::{Node, NodeKind, Stream};
use crate::verify::Mutation;

pub(super) struct Ctx<'a> {
    pub(super) src: &'a str,
    pub(super) style: Style,
    pub(super) patches: Vec<Patch>,
    pub(super) mutations: Vec<(usize, Mutation)>,
    pub(super) changes: Vec<Change>,
    /// Changes whose value is written by a patch of their own: (change, patch, offset of the
    /// value in the patch's text). Other changes stay at their old place, moved by the patches.
    pub(super) own: Vec<(usize, usize, usize)>,
}

/// Offset in `text` where the value `leaf` written last starts (0 when not found).
pub(super) fn leaf_at(text: &str, leaf: Option<&str>) -> usize {
    leaf.and_then(|l| text.rfind(l)).unwrap_or(0)
}

/// Applies a run of edits against one parse of `src`: either several plain `set`s (they
/// cannot disturb each other's positions) or a single edit of any kind.
impl Ctx<'_> {
    /// Records one edit at match `m`: its bytes, the data change the self-check expects, and
    /// the reported change.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit(
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
        let mut c = change(m, patch.start, old, new, kind);
        self.patches.push(patch);
        c.aliases = self
            .record(m.doc, &m.chain, m.node, mutation)
            .iter()
            .map(|s| steps_to_path(s))
            .collect();
        self.changes.push(c);
    }

    /// Sets each change's offset to where its value is in the patched text: a value written
    /// by its own patch where the patch put it, a removed one where its patch was, any other
    /// moved by the patches before it.
    pub(super) fn relocate(&mut self) {
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
    pub(super) fn typed_last(&mut self, old: Option<&'static str>, new: Option<&'static str>) {
        if let Some(c) = self.changes.last_mut() {
            c.old_type = old;
            c.new_type = new;
        }
    }

    /// Records an insertion of `text` at byte `at` into the collection `m` reached: its bytes,
    /// its data change, and a reported change at `m`'s path plus `step`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn insert_under(
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
        let aliases = self.record(m.doc, &m.chain, m.node, mutation);
        let mut steps = m.steps.clone();
        // the new child is read through the collection's aliases too
        let aliases = aliases
            .into_iter()
            .map(|mut a| {
                a.push(step.clone());
                steps_to_path(&a)
            })
            .collect();
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
            aliases,
        });
    }

    /// Records the data change `mutation` (whose steps lead to `node` through `chain`), and the
    /// same change wherever an alias repeats an anchored node on that way; returns the paths
    /// of those aliases.
    pub(super) fn record(
        &mut self,
        doc: usize,
        chain: &[&Node],
        node: &Node,
        mutation: Mutation,
    ) -> Vec<Vec<Step>> {
        let mut aliases = Vec::new();
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
                aliases.push(s.clone());
                self.mutations.push((doc, mutation.with_steps(s)));
            }
        }
        self.mutations.push((doc, mutation));
        aliases
    }
}

/// Where anchor `name` is defined again after byte `after`, if it is.
pub(super) fn redefinition(n: &Node, name: &str, after: usize) -> Option<usize> {
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
pub(super) fn alias_paths(
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

pub(super) fn plan(cx: &mut Ctx<'_>, stream: &Stream, edit: &Edit) -> Result<(), Error> {
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
        .hint("narrow it with {select=kind=…,metadata.name=…} (or a document index), or {+all}"));
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
                .hint("choose one with {select=kind=…,metadata.name=…} (or a document index)"));
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

pub(super) fn change(
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
        aliases: Vec::new(),
    }
}

/// The reference data a typed value must read back as.
pub(super) fn expected_value(value: &str, ty: ValueType) -> Result<Value, Error> {
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

/// The type name readers resolve data `v` to.
pub(super) fn type_of(v: &Value) -> &'static str {
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
pub(super) fn shown_value(value: &str, ty: ValueType) -> String {
    match ty {
        ValueType::Int | ValueType::Float | ValueType::Bool | ValueType::Null => {
            render_scalar(value, ty, None, Context::default()).unwrap_or_else(|_| value.into())
        }
        _ => value.to_string(),
    }
}

/// The error for node `n` being the wrong kind of node for the edit, pointing at its start.
pub(super) fn wrong_kind(src: &str, n: &Node, message: String) -> Error {
    Error::new(ErrorKind::TypeMismatch, message)
        .at(src, n.start..n.start + 1)
        .found(n.describe())
}

pub(super) fn old_value(src: &str, n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar { value, .. } => value.clone(),
        _ => src[n.start..n.end].to_string(),
    }
}
