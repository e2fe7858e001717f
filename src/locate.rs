//! Resolving a key path to nodes: `locate(path) -> spans`, with precise errors on a miss.

pub(crate) use crate::error::line_col;
use crate::error::{closest, did_you_mean, Error, ErrorKind};
use crate::path::{DocSelector, Path, Segment, SegmentKind};
use crate::tree::{Document, Node, NodeKind, Stream};

/// One concrete step from a node to its child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The value of entry `index` of a mapping, whose key reads `key`.
    Entry(usize, String),
    /// Item `index` of a sequence.
    Item(usize),
}

/// A node the path reached, with how it got there.
#[derive(Debug, Clone)]
pub(crate) struct Match<'t> {
    pub node: &'t Node,
    pub steps: Vec<Step>,
    /// The nodes from the root down to the match's parent.
    pub chain: Vec<&'t Node>,
    pub doc: usize,
    /// The last alias or merge key the path went through (only when following them):
    /// the anchor's name and the 1-based line where it is defined.
    pub via: Option<(String, usize)>,
}

/// How far a path got before it stopped matching: for `create`, and for error messages.
#[derive(Debug, Clone)]
pub(crate) struct Partial<'t> {
    /// The last node reached; `None` when the document is empty.
    pub node: Option<&'t Node>,
    pub steps: Vec<Step>,
    pub chain: Vec<&'t Node>,
    /// How many segments matched.
    pub depth: usize,
    /// 0-based document index.
    pub doc: usize,
    pub error: Error,
}

/// Renders concrete steps as a key path: `spec.containers[0].image`.
pub(crate) fn steps_to_path(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Item(i) => out.push_str(&format!("[{i}]")),
            Step::Entry(_, k) => {
                let plain = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | '$' | '@'))
                    && !k.chars().all(|c| c.is_ascii_digit());
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    out.push_str(&format!(
                        "[\"{}\"]",
                        k.replace('\\', "\\\\").replace('"', "\\\"")
                    ));
                }
            }
        }
    }
    out
}

fn key_text(k: &Node) -> String {
    match &k.kind {
        NodeKind::Scalar { value, .. } => value.clone(),
        NodeKind::Alias { name } => format!("*{name}"),
        _ => "<complex key>".into(),
    }
}

/// The line (1-based) where anchor `name` is defined before `before` in `root`.
fn anchor_line(src: &str, root: &Node, name: &str, before: usize) -> Option<usize> {
    anchored(root, name, before).map(|n| line_of(src, n.props_start))
}

/// The node anchor `name` names at byte `before`: its last definition before that.
fn anchored<'a>(root: &'a Node, name: &str, before: usize) -> Option<&'a Node> {
    fn walk<'a>(n: &'a Node, name: &str, before: usize, best: &mut Option<&'a Node>) {
        if n.anchor.as_deref() == Some(name) && n.props_start < before {
            *best = Some(n);
        }
        match &n.kind {
            NodeKind::Mapping { entries, .. } => entries.iter().for_each(|(k, v)| {
                walk(k, name, before, best);
                walk(v, name, before, best);
            }),
            NodeKind::Sequence { items, .. } => {
                items.iter().for_each(|i| walk(i, name, before, best))
            }
            _ => {}
        }
    }
    let mut best = None;
    walk(root, name, before, &mut best);
    best
}

pub(crate) struct Resolver<'a> {
    pub src: &'a str,
    pub path: &'a Path,
    /// Read through aliases and merge keys (for `get`); edits refuse them.
    pub follow: bool,
}

impl<'a> Resolver<'a> {
    fn seg_err(&self, kind: ErrorKind, seg: &Segment, msg: impl Into<String>) -> Error {
        Error::new(kind, msg).segment(seg.text.clone(), self.path.source.clone())
    }

    /// A wildcard met an empty collection (`what`: "items: the sequence" or "keys: the mapping").
    fn empty_err(
        &self,
        seg: &Segment,
        m: &Match<'_>,
        what: &str,
        here: std::ops::Range<usize>,
        node: &Node,
    ) -> Error {
        self.seg_err(
            ErrorKind::NotFound,
            seg,
            format!("`{}` has no {what} is empty", steps_to_path(&m.steps)),
        )
        .at(self.src, here)
        .found(node.describe())
    }

    fn alias_err(&self, seg: Option<&Segment>, root: &Node, node: &Node, name: &str) -> Error {
        let line = anchor_line(self.src, root, name, node.start);
        let mut e = Error::new(
            ErrorKind::Alias,
            match line {
                Some(l) => format!("the path reaches the alias `*{name}`; its anchor `&{name}` is defined at line {l}"),
                None => format!("the path reaches the alias `*{name}`"),
            },
        )
        .at(self.src, node.start..node.end)
        .hint(format!("edit the anchored value `&{name}` instead (every alias follows it)"));
        if let Some(seg) = seg {
            e = e.segment(seg.text.clone(), self.path.source.clone());
        }
        e
    }

    /// All nodes in `doc` matched by the path. `Err` holds the deepest partial match.
    pub fn resolve<'t>(&self, doc: &'t Document, all: bool) -> Result<Vec<Match<'t>>, Partial<'t>>
    where
        'a: 't,
    {
        let Some(root) = doc.root.as_ref() else {
            return Err(Partial {
                node: None,
                steps: vec![],
                chain: vec![],
                depth: 0,
                doc: doc.index,
                error: Error::new(ErrorKind::NotFound, "the document is empty").segment(
                    self.path
                        .segments
                        .first()
                        .map(|s| s.text.clone())
                        .unwrap_or_default(),
                    self.path.source.clone(),
                ),
            });
        };
        let mut frontier: Vec<Match<'t>> = vec![Match {
            node: root,
            steps: vec![],
            chain: vec![],
            doc: doc.index,
            via: None,
        }];
        let mut deepest: Option<Partial<'t>> = None;
        for (depth, seg) in self.path.segments.iter().enumerate() {
            let mut next = Vec::new();
            for m in &frontier {
                match self.step(root, m, seg, all) {
                    Ok(children) => next.extend(children),
                    Err(error) => {
                        let fatal = error.kind() == ErrorKind::Ambiguous
                            || error.kind() == ErrorKind::Alias;
                        if fatal || deepest.as_ref().is_none_or(|d| d.depth < depth) {
                            let partial = Partial {
                                node: Some(m.node),
                                steps: m.steps.clone(),
                                chain: m.chain.clone(),
                                depth,
                                doc: doc.index,
                                error,
                            };
                            if fatal {
                                return Err(partial);
                            }
                            deepest = Some(partial);
                        }
                    }
                }
            }
            if next.is_empty() {
                return Err(deepest.expect("a miss was recorded"));
            }
            frontier = next;
        }
        if self.follow {
            for m in &mut frontier {
                self.dealias(root, m);
            }
        }
        for m in &frontier {
            if let NodeKind::Alias { name } = &m.node.kind {
                return Err(Partial {
                    node: Some(m.node),
                    steps: m.steps.clone(),
                    chain: m.chain.clone(),
                    depth: self.path.segments.len(),
                    doc: doc.index,
                    error: self.alias_err(self.path.segments.last(), root, m.node, name),
                });
            }
        }
        Ok(frontier)
    }

    fn child<'t>(m: &Match<'t>, node: &'t Node, step: Step) -> Match<'t> {
        let mut steps = m.steps.clone();
        steps.push(step);
        let mut chain = m.chain.clone();
        chain.push(m.node);
        Match {
            node,
            steps,
            chain,
            doc: m.doc,
            via: m.via.clone(),
        }
    }

    /// Replaces an alias that `m` reached by the node its anchor names (when following).
    fn dealias<'t>(&self, root: &'t Node, m: &mut Match<'t>) {
        if let NodeKind::Alias { name } = &m.node.kind {
            if let Some(target) = anchored(root, name, m.node.start) {
                m.via = Some((name.clone(), line_of(self.src, target.props_start)));
                m.node = target;
            }
        }
    }

    /// The value of key `k` that mapping `entries` takes from its merge key `<<` (an alias
    /// of a mapping, a mapping, or a sequence of them; the first that has `k` wins).
    fn merged<'t>(
        &self,
        root: &'t Node,
        m: &Match<'t>,
        entries: &'t [(Node, Node)],
        k: &str,
    ) -> Option<Match<'t>> {
        let (_, merge) = entries.iter().find(|(key, _)| key.scalar() == Some("<<"))?;
        let sources: Vec<&'t Node> = match &merge.kind {
            NodeKind::Sequence { items, .. } => items.iter().collect(),
            _ => vec![merge],
        };
        for source in sources {
            let mut at = Self::child(m, source, Step::Entry(0, "<<".into()));
            self.dealias(root, &mut at);
            if let NodeKind::Mapping { entries, .. } = &at.node.kind {
                if let Some(i) = entries.iter().position(|(key, _)| key.scalar() == Some(k)) {
                    let mut found = Self::child(m, &entries[i].1, Step::Entry(i, k.to_string()));
                    found.via = at.via.clone();
                    return Some(found);
                }
            }
        }
        None
    }

    fn step<'t>(
        &self,
        root: &'t Node,
        m: &Match<'t>,
        seg: &Segment,
        all: bool,
    ) -> Result<Vec<Match<'t>>, Error> {
        let mut m = m.clone();
        if self.follow {
            self.dealias(root, &mut m);
        }
        let m = &m;
        let node = m.node;
        if let NodeKind::Alias { name } = &node.kind {
            return Err(self.alias_err(Some(seg), root, node, name));
        }
        let here = where_(m);
        match (&seg.kind, &node.kind) {
            (SegmentKind::Key(k), NodeKind::Mapping { entries, .. }) => {
                self.key(root, m, seg, k, entries)
            }
            (SegmentKind::KeyOrIndex(k), NodeKind::Mapping { entries, .. }) => {
                self.key(root, m, seg, k, entries)
            }
            (
                SegmentKind::Index(_) | SegmentKind::KeyOrIndex(_),
                NodeKind::Sequence { items, .. },
            ) => {
                let i = match &seg.kind {
                    SegmentKind::Index(i) => *i,
                    SegmentKind::KeyOrIndex(s) => s.parse::<i64>().unwrap_or(i64::MAX),
                    _ => unreachable!(),
                };
                let len = items.len() as i64;
                let idx = if i < 0 { len + i } else { i };
                if idx < 0 || idx >= len {
                    return Err(self
                        .seg_err(
                            ErrorKind::NotFound,
                            seg,
                            format!(
                                "index {i} is out of range: the sequence has {len} item{}",
                                if len == 1 { "" } else { "s" }
                            ),
                        )
                        .at(self.src, here)
                        .found(node.describe()));
                }
                let idx = idx as usize;
                Ok(vec![Self::child(m, &items[idx], Step::Item(idx))])
            }
            // A wildcard over an empty collection matches nothing: say so, where it is.
            (SegmentKind::Wildcard, NodeKind::Sequence { items, .. }) if items.is_empty() => {
                Err(self.empty_err(seg, m, "items: the sequence", here.clone(), node))
            }
            (SegmentKind::Wildcard, NodeKind::Mapping { entries, .. }) if entries.is_empty() => {
                Err(self.empty_err(seg, m, "keys: the mapping", here.clone(), node))
            }
            (SegmentKind::Wildcard, NodeKind::Sequence { items, .. }) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, n)| Self::child(m, n, Step::Item(i)))
                .collect()),
            (SegmentKind::Wildcard, NodeKind::Mapping { entries, .. }) => Ok(entries
                .iter()
                .enumerate()
                .map(|(i, (k, v))| Self::child(m, v, Step::Entry(i, key_text(k))))
                .collect()),
            (SegmentKind::Select { key, value }, NodeKind::Sequence { items, .. }) => {
                let mut hits = Vec::new();
                let mut seen = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if let NodeKind::Mapping { entries, .. } = &item.kind {
                        for (k, v) in entries {
                            if k.scalar() == Some(key.as_str()) {
                                if let Some(val) = v.scalar() {
                                    if val == value {
                                        hits.push(Self::child(m, item, Step::Item(i)));
                                    } else {
                                        seen.push(val.to_string());
                                    }
                                }
                            }
                        }
                    }
                }
                if hits.len() > 1 && !all {
                    let lines: Vec<String> = hits
                        .iter()
                        .map(|h| line_of(self.src, h.node.start).to_string())
                        .collect();
                    return Err(self
                        .seg_err(
                            ErrorKind::Ambiguous,
                            seg,
                            format!(
                                "`{}` matches {} items (lines {})",
                                seg.text,
                                hits.len(),
                                lines.join(", ")
                            ),
                        )
                        .at(self.src, hits[1].node.start..hits[1].node.start + 1)
                        .hint("{+all} to change every match, or use an index such as [0]"));
                }
                if hits.is_empty() {
                    let mut e = self
                        .seg_err(
                            ErrorKind::NotFound,
                            seg,
                            format!("no item has `{key}` equal to `{value}`"),
                        )
                        .at(self.src, here)
                        .found(if seen.is_empty() {
                            format!("{} with no `{key}` field", node.describe())
                        } else {
                            format!("`{key}` values {}", seen.join(", "))
                        });
                    if let Some(h) = did_you_mean(value, seen.iter().map(String::as_str)) {
                        e = e.hint(
                            h.replace("did you mean `", &format!("did you mean `[{key}="))
                                .replace("`?", "]`?"),
                        );
                    }
                    return Err(e);
                }
                Ok(hits)
            }
            (SegmentKind::End, _) => Err(self
                .seg_err(
                    ErrorKind::NotFound,
                    seg,
                    "`-` (past the last item) only names a place to append",
                )
                .at(self.src, here)),
            (_, NodeKind::Scalar { .. }) if node.is_null() => Err(self
                .seg_err(
                    ErrorKind::NotFound,
                    seg,
                    format!("`{}` is under a null value", seg.text),
                )
                .at(self.src, here)
                .found("null")
                .hint("{+create} to build the missing structure")),
            (SegmentKind::Index(_) | SegmentKind::Select { .. }, _) => Err(self
                .seg_err(
                    ErrorKind::TypeMismatch,
                    seg,
                    format!("`{}` needs a sequence", seg.text),
                )
                .at(self.src, here)
                .found(node.describe())),
            (_, _) => Err(self
                .seg_err(
                    ErrorKind::TypeMismatch,
                    seg,
                    format!("`{}` needs a mapping", seg.text),
                )
                .at(self.src, here)
                .found(node.describe())),
        }
    }

    fn key<'t>(
        &self,
        root: &'t Node,
        m: &Match<'t>,
        seg: &Segment,
        k: &str,
        entries: &'t [(Node, Node)],
    ) -> Result<Vec<Match<'t>>, Error> {
        let node = m.node;
        for (i, (key, value)) in entries.iter().enumerate() {
            if key.scalar() == Some(k) {
                return Ok(vec![Self::child(m, value, Step::Entry(i, k.to_string()))]);
            }
        }
        if self.follow {
            if let Some(found) = self.merged(root, m, entries, k) {
                return Ok(vec![found]);
            }
        }
        if let Some((mk, mv)) = entries
            .iter()
            .find(|(key, _)| key.scalar() == Some("<<"))
            .filter(|_| !self.follow)
        {
            let name = match &mv.kind {
                NodeKind::Alias { name } => name.clone(),
                _ => String::new(),
            };
            let line = anchor_line(self.src, root, &name, mv.start);
            return Err(self
                .seg_err(
                    ErrorKind::Alias,
                    seg,
                    match line {
                        Some(l) => format!("no key `{k}` here, and the mapping merges `*{name}` (anchor at line {l}): the path would go through a merge key"),
                        None => format!("no key `{k}` here, and the mapping has a merge key `<<`"),
                    },
                )
                .at(self.src, mk.start..mk.end)
                .hint("edit the anchored mapping, or add the key here explicitly"));
        }
        let keys: Vec<String> = entries.iter().map(|(k, _)| key_text(k)).collect();
        let hint = did_you_mean(k, keys.iter().map(String::as_str));
        let at = match &hint {
            Some(_) => {
                let best = entries.iter().find(|(key, _)| {
                    hint.as_deref() == Some(&format!("did you mean `{}`?", key_text(key)))
                });
                best.map_or(node.start..node.start + 1, |(key, _)| key.start..key.end)
            }
            None => where_(m),
        };
        let mut e = self
            .seg_err(
                ErrorKind::NotFound,
                seg,
                format!("no key `{k}` in the mapping"),
            )
            .at(self.src, at)
            .found(node.describe());
        if let Some(h) = hint {
            e = e.hint(h);
        } else if !m.steps.is_empty() || entries.is_empty() {
            e = e.hint("{+create} to add the key");
        }
        Err(e)
    }
}

/// The span an error about match `m` points at: the key that names it, else the node itself.
fn where_(m: &Match<'_>) -> std::ops::Range<usize> {
    if let (Some(Step::Entry(i, _)), Some(parent)) = (m.steps.last(), m.chain.last()) {
        if let NodeKind::Mapping { entries, .. } = &parent.kind {
            let k = &entries[*i].0;
            return k.start..k.end.max(k.start + 1);
        }
    }
    let n = m.node;
    match &n.kind {
        NodeKind::Scalar { .. } | NodeKind::Alias { .. } => n.start..n.end.max(n.start + 1),
        _ => n.start..n.start + 1,
    }
}

/// 1-based line of byte offset `at`.
pub(crate) fn line_of(src: &str, at: usize) -> usize {
    crate::error::line_number(src, at)
}

/// The documents a selector picks (all of them without one).
pub(crate) fn select_docs<'t>(
    src: &str,
    stream: &'t Stream,
    select: Option<&str>,
) -> Result<Vec<&'t Document>, Error> {
    let Some(sel) = select.filter(|s| !s.trim().is_empty()) else {
        return Ok(stream.docs.iter().filter(|d| d.parsed).collect());
    };
    match DocSelector::parse(sel)? {
        DocSelector::Index(i) => match stream.docs.get(i) {
            Some(d) => Ok(vec![d]),
            None => Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "there is no document {i}: the file has {} (counted from 0)",
                    stream.docs.len()
                ),
            )
            .segment(sel, sel)),
        },
        DocSelector::Fields(conds) => {
            let picked: Vec<&Document> = stream
                .docs
                .iter()
                .filter(|d| d.parsed)
                .filter(|d| {
                    conds.iter().all(|(p, want)| {
                        let r = Resolver { src, path: p, follow: false };
                        matches!(r.resolve(d, false), Ok(ms) if ms.len() == 1 && ms[0].node.scalar() == Some(want.as_str()))
                    })
                })
                .collect();
            if picked.is_empty() {
                let names: Vec<String> = stream
                    .docs
                    .iter()
                    .filter_map(|d| doc_label(src, d))
                    .collect();
                let mut e = Error::new(
                    ErrorKind::NotFound,
                    format!("no document matches the selector `{sel}`"),
                )
                .segment(sel, sel);
                if !names.is_empty() {
                    e = e.found(format!("documents {}", names.join(", ")));
                }
                if let Some(hint) = selector_hint(src, stream, &conds) {
                    e = e.hint(hint);
                }
                return Err(e);
            }
            Ok(picked)
        }
    }
}

/// A "did you mean" for the first condition of a document selector that no document
/// meets: the closest value the documents have at that field (`kind=Deploymnt`), or the
/// closest key when no document has the field (`metadata.nme=api`).
fn selector_hint(src: &str, stream: &Stream, conds: &[(Path, String)]) -> Option<String> {
    for (p, want) in conds {
        let mut values = Vec::new();
        let mut key_hint = None;
        for d in stream.docs.iter().filter(|d| d.parsed) {
            let r = Resolver {
                src,
                path: p,
                follow: false,
            };
            match r.resolve(d, false) {
                Ok(ms) => values.extend(
                    ms.iter()
                        .filter_map(|m| m.node.scalar().map(str::to_string)),
                ),
                Err(e) => {
                    key_hint = key_hint.or_else(|| {
                        e.error
                            .help()
                            .filter(|h| h.starts_with("did you mean"))
                            .map(str::to_string)
                    })
                }
            }
        }
        if values.iter().any(|v| v == want) {
            continue;
        }
        if values.is_empty() {
            return key_hint.map(|h| format!("no document has `{}`: {h}", p.source));
        }
        return closest(want, values.iter().map(String::as_str))
            .map(|v| format!("did you mean `{}={v}`?", p.source));
    }
    None
}

/// `Kind/name` of a Kubernetes document, for messages.
pub(crate) fn doc_label(src: &str, d: &Document) -> Option<String> {
    let get = |p: &str| {
        let path = Path::parse(p).ok()?;
        let r = Resolver {
            src,
            path: &path,
            follow: false,
        };
        r.resolve(d, false)
            .ok()
            .and_then(|m| m.first().and_then(|m| m.node.scalar().map(str::to_string)))
    };
    let kind = get("kind")?;
    Some(match get("metadata.name") {
        Some(n) => format!("{kind}/{n}"),
        None => kind,
    })
}

/// Streams at least this large parse only the documents a [`DocFilter`] accepts.
pub(crate) const LAZY_FROM_BYTES: usize = 512 * 1024;

/// A cheap test of whether a document's text can hold a path: every key and selector value
/// the path (and the document selector) names must occur in it literally. A key written with
/// escapes, `''` or folded over lines would be missed; a miss only costs a full parse, since
/// callers fall back to it on any error.
pub(crate) struct DocFilter {
    needles: Vec<String>,
    index: Option<usize>,
}

impl DocFilter {
    pub(crate) fn new(path: &str, select: Option<&str>) -> Result<DocFilter, Error> {
        let mut needles = Vec::new();
        let mut index = None;
        needles.extend(Self::for_segments(&Path::parse(path)?.segments).needles);
        match select
            .filter(|s| !s.trim().is_empty())
            .map(DocSelector::parse)
            .transpose()?
        {
            Some(DocSelector::Index(i)) => index = Some(i),
            Some(DocSelector::Fields(conds)) => {
                for (p, v) in &conds {
                    needles.extend(Self::for_segments(&p.segments).needles);
                    needles.push(v.clone());
                }
            }
            None => {}
        }
        needles.retain(|n| !n.is_empty());
        Ok(DocFilter { needles, index })
    }

    /// A filter by the keys and selector values of `segments` alone.
    pub(crate) fn for_segments(segments: &[Segment]) -> DocFilter {
        let mut needles = Vec::new();
        for s in segments {
            match &s.kind {
                SegmentKind::Key(k) => needles.push(k.clone()),
                SegmentKind::KeyOrIndex(k) if !k.bytes().all(|b| b.is_ascii_digit()) => {
                    needles.push(k.clone())
                }
                SegmentKind::Select { key, value } => {
                    needles.push(key.clone());
                    needles.push(value.clone());
                }
                _ => {}
            }
        }
        needles.retain(|n| !n.is_empty());
        DocFilter {
            needles,
            index: None,
        }
    }

    pub(crate) fn accepts(&self, index: usize, text: &str) -> bool {
        self.index.is_none_or(|i| i == index)
            && self.needles.iter().all(|n| text.contains(n.as_str()))
    }
}
