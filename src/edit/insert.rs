//! Inserting: `append` to a sequence, and `create` of missing keys, items and whole
//! documents, written in the file's own style.

use serde_yaml::Value;

use super::plan::{expected_value, leaf_at, old_value, shown_value, type_of, wrong_kind, Ctx};
use super::render::{build_new, column, dash_before, eol, in_flow, New};
use super::{Change, ChangeKind, Edit, EditOp};
use crate::error::{Error, ErrorKind};
use crate::locate::{steps_to_path, Match, Partial, Step};
use crate::patch::Patch;
use crate::path::{Path, SegmentKind};
use crate::scalar::{render_flow_value, render_scalar, render_string, Context, ValueType};
use crate::tree::{Document, Node, NodeKind};
use crate::verify::Mutation;

pub(super) fn append_item(
    cx: &mut Ctx<'_>,
    m: &Match<'_>,
    value: &str,
    ty: ValueType,
) -> Result<(), Error> {
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
        NodeKind::Sequence { .. } => seq_append_text(cx, n, leaf),
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
            let (path, found) = (steps_to_path(&m.steps), n.describe());
            return Err(wrong_kind(
                src,
                n,
                format!("cannot append to `{path}`: it is {found}"),
            ));
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
pub(super) fn replace_null(
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
pub(super) fn create_root(
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
        aliases: Vec::new(),
    });
    Ok(())
}

/// The concrete steps to the value a `create` writes: `base` (where the path stopped
/// matching) and then one step per remaining segment from `from`; `len` is the length of the
/// sequence an item is added to there. An append names the sequence, not its new item.
pub(super) fn leaf_steps(
    path: &Path,
    from: usize,
    base: &[Step],
    len: usize,
    edit: &Edit,
) -> Vec<Step> {
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

pub(super) fn create(
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
pub(super) fn create_at(
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

pub(super) fn append_leaf(
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

pub(super) fn seq_append_text(cx: &Ctx<'_>, seq: &Node, item: New) -> (usize, String) {
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
