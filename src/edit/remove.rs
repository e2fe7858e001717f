//! `remove`: entries and items removed with their lines; a collection left empty becomes
//! `{}` or `[]`.

use super::plan::{change, old_value, Ctx};
use super::render::{dash_before, eol, first_on_line, line_start, next_line};
use super::ChangeKind;
use crate::error::{Error, ErrorKind};
use crate::locate::{steps_to_path, Match, Step};
use crate::patch::Patch;
use crate::tree::{Node, NodeKind};
use crate::verify::Mutation;

/// Removes every match, each group of children of one collection together.
pub(super) fn remove_all(cx: &mut Ctx<'_>, matches: &[Match<'_>]) -> Result<(), Error> {
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

/// Removes the entries or items `group` reached, all children of one collection: runs of
/// neighbours go as one range, and when every child goes the collection becomes `{}`/`[]`.
pub(super) fn remove_siblings(cx: &mut Ctx<'_>, group: &[&Match<'_>]) -> Result<(), Error> {
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
    let mut aliases = std::collections::HashMap::new();
    for m in by_index {
        let a = cx.record(m.doc, &m.chain, m.node, Mutation::Remove(m.steps.clone()));
        let a = a.iter().map(|s| steps_to_path(s)).collect::<Vec<_>>();
        aliases.insert(steps_to_path(&m.steps), a);
    }
    for m in group {
        let mut c = change(
            m,
            m.node.start,
            Some(old_value(src, m.node)),
            None,
            ChangeKind::Remove,
        );
        c.aliases = aliases.remove(&c.path).unwrap_or_default();
        cx.changes.push(c);
    }
    Ok(())
}

/// Removal range of elements `i..=j` of a flow collection, with one adjacent comma.
pub(super) fn flow_removal(spans: &[(usize, usize)], i: usize, j: usize) -> (usize, usize, String) {
    if j + 1 < spans.len() {
        (spans[i].0, spans[j + 1].0, String::new())
    } else {
        (spans[i - 1].1, spans[j].1, String::new())
    }
}

/// Removal range of elements `i..=j` of a block collection: their whole lines when the
/// first starts a line.
pub(super) fn block_removal(
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
pub(super) fn empty_collection(
    src: &str,
    coll: &Node,
    m: &Match<'_>,
    empty: &str,
) -> (usize, usize, String) {
    let end = coll.end;
    let outer = m.chain.len().checked_sub(2).map(|i| m.chain[i]);
    if let Some(at) = outer.and_then(|o| indicator_end(src, o, coll)) {
        // Right after the parent's `key:` or `-`; the comments between it and the first
        // child (on the key's line, or on lines of their own) stay where they were.
        let kept = src[at..coll.props_start].trim_end_matches([' ', '\t', '\r', '\n']);
        if !kept.is_empty() && coll.props_start == coll.start {
            return (at, end, format!(" {empty}{kept}"));
        }
    }
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

/// One past the `:` after the key whose value is `coll` in the mapping `outer`, or the `-`
/// of the item `coll` in the sequence `outer`, reading past the comments that may stand
/// between it and `coll`. `None` when the text is not of that simple shape.
fn indicator_end(src: &str, outer: &Node, coll: &Node) -> Option<usize> {
    match &outer.kind {
        NodeKind::Mapping { entries, .. } => {
            let (k, _) = entries.iter().find(|(_, v)| std::ptr::eq(v, coll))?;
            let after = src[k.end..coll.props_start].find(|c: char| c != ' ' && c != '\t')?;
            (src.as_bytes()[k.end + after] == b':').then_some(k.end + after + 1)
        }
        NodeKind::Sequence { .. } => {
            // the `-` is on an earlier line when `coll` starts its own: back over blank and
            // comment-only lines to it
            let mut ls = line_start(src, coll.props_start);
            if first_on_line(src, coll.props_start) {
                loop {
                    let prev = line_start(src, ls.checked_sub(1)?);
                    let line = src[prev..ls].trim_start_matches([' ', '\t']);
                    ls = prev;
                    if !(line.trim_end().is_empty() || line.starts_with('#')) {
                        break;
                    }
                }
            }
            let line = &src[ls..coll.props_start];
            let dash = line.find(|c: char| c != ' ' && c != '\t')?;
            (line.as_bytes()[dash] == b'-').then_some(ls + dash + 1)
        }
        _ => None,
    }
}
