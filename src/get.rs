//! Reading values at a key path.

use crate::error::{Error, ErrorKind};
use crate::locate::Match;
use crate::locate::{line_col, select_docs, steps_to_path, DocFilter, Resolver, LAZY_FROM_BYTES};
use crate::path::Path;
use crate::tree::{duplicate_keys, Document, NodeKind, Stream};
use crate::verify::{parse_doc, same};

/// A YAML document holding node `m.node`'s data: its source lines with the text before it
/// on its first line blanked, shifted left as far as every line allows (comment lines may
/// sit further left). When that shifted text does not read back as the blanked one (or
/// neither reads, as with an alias of an anchor outside the node), the data of the whole
/// document at the node's steps is written out instead, in flow style.
///
/// # Errors
/// `alias` when the data can only be read by expanding aliases beyond the reference
/// parser's limit (an alias bomb): printing the source instead would hand on text no YAML
/// reader accepts.
fn node_yaml(src: &str, d: &Document, m: &Match<'_>) -> Result<String, Error> {
    let n = m.node;
    let ls = src[..n.start].rfind('\n').map_or(0, |i| i + 1);
    let lead: String = src[ls..n.start]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let blanked = format!("{lead}{}", &src[n.start..n.end]);
    let is_comment = |l: &str| l.trim_start().starts_with('#');
    let shift = blanked
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_comment(l))
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut shifted = String::new();
    for l in blanked.split_inclusive('\n') {
        let spaces = l.len() - l.trim_start_matches(' ').len();
        shifted.push_str(&l[spaces.min(shift)..]);
    }
    let shifted = shifted.trim_end_matches(['\n', '\r']).to_string() + "\n";
    match (parse_doc(&blanked), parse_doc(&shifted)) {
        (Ok(a), Ok(b)) if same(&a, &b) => return Ok(shifted),
        (Ok(_), _) => return Ok(blanked.trim_end_matches(['\n', '\r']).to_string() + "\n"),
        _ => {}
    }
    let whole = parse_doc(&src[d.range.clone()]);
    if let Err(e) = &whole {
        if e.contains("repetition limit exceeded") {
            return Err(Error::new(
                ErrorKind::Alias,
                format!(
                    "`{}` expands through aliases beyond the limit: a document may repeat anchored nodes at most 100 times per event it holds (an alias bomb)",
                    steps_to_path(&m.steps)
                ),
            )
            .at(src, n.start..n.end.max(n.start + 1))
            .hint("no YAML reader expands this in bounded time; write the value out without aliases"));
        }
    }
    let data = whole
        .ok()
        .and_then(|mut v| crate::verify::navigate(&mut v, &m.steps).map(|v| v.clone()));
    Ok(match data {
        // Through an alias or merge key the steps no longer lead there from the root.
        Some(v) if m.via.is_none() => crate::scalar::render_flow_value(&v) + "\n",
        _ => shifted,
    })
}

/// Options of [`get_values`].
#[derive(Debug, Clone, Default)]
pub struct GetOptions {
    /// Allow several matches (selectors matching several items, several documents).
    pub all: bool,
    /// Document selector (`kind=Deployment,metadata.name=api` or an index).
    pub select: Option<String>,
}

/// One node a path matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The concrete path, such as `spec.containers[0].image`.
    pub path: String,
    /// 0-based document index.
    pub doc: usize,
    /// `string`, `int`, `float`, `bool`, `null`, `map` or `seq`.
    pub kind: &'static str,
    /// The scalar value (decoded), `None` for collections.
    pub value: Option<String>,
    /// The node's source text (a scalar with its quotes, a collection as written).
    pub source: String,
    /// 1-based line of the node.
    pub line: usize,
    /// 1-based column (characters) of the node.
    pub column: usize,
    /// UTF-8 byte offset where the node's text starts.
    pub start: usize,
    /// UTF-8 byte offset just past the node's text.
    pub end: usize,
    /// The node's data as a YAML document of its own: for a collection, its source
    /// re-indented to start at column 0 (comments kept) when that reads back as the same
    /// data, else the data written out.
    pub yaml: String,
    /// When the path went through an alias or a merge key: the anchor's name and the
    /// 1-based line where the anchor is defined.
    pub anchor: Option<(String, usize)>,
}

/// Every node matched by `path` in `src`. Aliases and merge keys are read through: the
/// value is the anchored one, and [`Found::anchor`] says where the anchor is.
///
/// # Errors
/// `path-syntax`, `yaml-syntax` (also for a duplicate key in a document read), `not-found`,
/// `ambiguous` (several matches without `all`), `too-deep`.
pub fn get_values(src: &str, path: &str, opts: &GetOptions) -> Result<Vec<Found>, Error> {
    let path = Path::parse(path)?;
    if src.len() >= LAZY_FROM_BYTES && crate::outline::plain_line_breaks(src) {
        if let Ok(filter) = DocFilter::new(&path.source, opts.select.as_deref()) {
            if let Ok(stream) = Stream::parse_where(src, &|i, t| filter.accepts(i, t)) {
                if let Ok(found) = get_parsed(src, &path, &stream, opts) {
                    return Ok(found);
                }
            }
        }
    }
    let stream = Stream::parse(src)?;
    get_parsed(src, &path, &stream, opts)
}

fn get_parsed(
    src: &str,
    path: &Path,
    stream: &Stream,
    opts: &GetOptions,
) -> Result<Vec<Found>, Error> {
    let path = path.clone();
    let docs = select_docs(src, stream, opts.select.as_deref())?;
    let r = Resolver {
        src,
        path: &path,
        follow: true,
    };
    let many = opts.all || path.has_wildcard();
    let mut out = Vec::new();
    let mut best: Option<(usize, Error)> = None;
    for d in &docs {
        match r.resolve(d, many) {
            Ok(ms) => {
                if let Some(root) = &d.root {
                    duplicate_keys(src, root)?;
                }
                for m in ms {
                    let n = m.node;
                    let (line, column) = line_col(src, n.start);
                    out.push(Found {
                        path: steps_to_path(&m.steps),
                        doc: m.doc,
                        kind: n.type_name(),
                        value: match &n.kind {
                            NodeKind::Scalar { value, .. } => Some(value.clone()),
                            _ => None,
                        },
                        source: src[n.start..n.end].to_string(),
                        line,
                        column,
                        start: n.start,
                        end: n.end,
                        yaml: node_yaml(src, d, &m)?,
                        anchor: m.via.clone(),
                    });
                }
            }
            Err(p) if matches!(p.error.kind(), ErrorKind::Ambiguous | ErrorKind::Alias) => {
                return Err(p.error)
            }
            Err(p) => {
                if best.as_ref().is_none_or(|(d, _)| p.depth > *d) {
                    best = Some((p.depth, p.error));
                }
            }
        }
    }
    if out.is_empty() {
        return Err(best
            .map(|(_, e)| e)
            .unwrap_or_else(|| Error::new(ErrorKind::NotFound, "the file has no documents")));
    }
    let docs_hit = out
        .iter()
        .map(|f| f.doc)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if docs_hit > 1 && !opts.all {
        return Err(Error::new(
            ErrorKind::Ambiguous,
            format!("the path matches in {docs_hit} documents"),
        )
        .at(src, out[1].start..out[1].end)
        .segment(path.source.clone(), path.source.clone())
        .hint("narrow it with {select=kind=…,metadata.name=…} (or a document index), or {+all}"));
    }
    Ok(out)
}
