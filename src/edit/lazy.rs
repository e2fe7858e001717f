//! The lazy strategy for large texts: only the top-level entries (and, below a large entry,
//! only the entries under it) that the paths lead into are parsed, edited and checked.

use super::plan::{plan, Ctx};
use super::render::detect_style;
use super::{Batch, Edit, EditOp};
use crate::locate::{DocFilter, Step};
use crate::patch::{apply_patches, Patch};
use crate::path::{Path, SegmentKind};
use crate::tree::{Document, Node, NodeKind, ScalarStyle, Stream};
use crate::verify::check_piece;

/// Entries at least this large are outlined in turn when every path goes on below them.
pub(super) const DESCEND_FROM_BYTES: usize = 64 * 1024;

/// One large document whose root is a block mapping or sequence at column 0: parse only the
/// entries the paths lead into (see [`crate::outline`]), going down through keys that stand
/// alone on their line while an entry is large, then edit and check each edited entry on its
/// own with both parsers. That check is the whole document's: the bytes outside the edited
/// entries do not change, and such an entry holds whole lines from its column to the next
/// entry, so it reads the same alone as in place. `None` when this does not apply or does not
/// succeed cleanly.
pub(super) fn apply_outlined(src: &str, edits: &[Edit], lazy_from: usize) -> Option<Batch> {
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
pub(super) fn wanted_pieces(
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
pub(super) fn anchored(n: &Node) -> bool {
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
pub(super) fn placeholder(at: usize) -> Node {
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
