//! Reading values at a key path.

use crate::error::{Error, ErrorKind};
use crate::locate::{line_col, select_docs, steps_to_path, DocFilter, Resolver, LAZY_FROM_BYTES};
use crate::path::Path;
use crate::scalar::describe_type;
use crate::tree::{NodeKind, Stream};

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
}

/// Every node matched by `path` in `src`.
///
/// # Errors
/// `path-syntax`, `yaml-syntax`, `not-found`, `ambiguous` (several matches without `all`),
/// `alias`.
pub fn get_values(src: &str, path: &str, opts: &GetOptions) -> Result<Vec<Found>, Error> {
    let path = Path::parse(path)?;
    if src.len() >= LAZY_FROM_BYTES {
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
    let r = Resolver { src, path: &path };
    let many = opts.all || path.has_wildcard();
    let mut out = Vec::new();
    let mut best: Option<(usize, Error)> = None;
    for d in &docs {
        match r.resolve(d, many) {
            Ok(ms) => {
                for m in ms {
                    let n = m.node;
                    let (line, column) = line_col(src, n.start);
                    out.push(Found {
                        path: steps_to_path(&m.steps),
                        doc: m.doc,
                        kind: describe_type(n),
                        value: match &n.kind {
                            NodeKind::Scalar { value, .. } => Some(value.clone()),
                            _ => None,
                        },
                        source: src[n.start..n.end].to_string(),
                        line,
                        column,
                        start: n.start,
                        end: n.end,
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
        .hint(
            "narrow it with --select kind=…,metadata.name=… (or a document index), or pass --all",
        ));
    }
    Ok(out)
}
