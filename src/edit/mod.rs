//! Applying edits: set, create, remove and append, each as byte patches, then the self-check.
//!
//! The rooms: `model` (what an edit and a change are), `plan` (an edit's matches turned into
//! patches, data changes and reported changes), `set`, `remove` and `insert` (one operation
//! each), `render` (new structure written in the file's own style) and `lazy` (large texts,
//! parsed only where the paths lead). This file drives them: it batches edits, applies the
//! patches and hands each edited piece to the self-check in [`crate::verify`].

mod insert;
mod lazy;
mod model;
mod plan;
mod remove;
mod render;
mod set;

pub use model::{Change, ChangeKind, Edit, EditOp, Outcome};

use crate::error::Error;
use crate::locate::{line_col, DocFilter, Step, LAZY_FROM_BYTES};
use crate::patch::{apply_patches, shift, Patch};
use crate::tree::{Node, NodeKind, Stream};
use crate::verify::{check_piece, Mutation};
use lazy::{anchored, apply_outlined};
use plan::{plan, Ctx};
use render::detect_style;

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
/// [`crate::WHOLE_DOCUMENTS`] nothing is lazy and every self-check reads whole documents
/// (smaller inputs are otherwise checked entry by entry). Tests and fuzzing compare both ways; the result
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
pub(super) struct Batch {
    pub(super) text: Option<String>,
    pub(super) changes: Vec<Change>,
    pub(super) patches: Vec<Patch>,
}

/// Applies a run of edits that one parse can serve, parsing lazily from `lazy_from` bytes on.
pub(super) fn apply_batch_from(
    src: &str,
    edits: &[Edit],
    lazy_from: usize,
) -> Result<Batch, Error> {
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
    apply_parsed(src, &stream, edits, lazy_from != crate::WHOLE_DOCUMENTS)
}

/// Plans `edits` on a parse of `src`, patches and checks them: the whole edited document,
/// or only its edited top-level entries when `by_entry` and the line pass allows it.
pub(super) fn apply_parsed(
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
pub(super) fn entry_units(
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
