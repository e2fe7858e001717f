//! The one error type of the crate, with a code frame.

use std::fmt;
use std::ops::Range;

/// What went wrong, as a stable machine-readable kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The key path (or document selector) is not valid syntax.
    PathSyntax,
    /// A path segment matched nothing.
    NotFound,
    /// A selector matched more than one node and "all" was not asked for.
    Ambiguous,
    /// The YAML text itself is malformed.
    YamlSyntax,
    /// The path expects a mapping/sequence/scalar and found something else.
    TypeMismatch,
    /// The path reaches an alias or goes through a merge key.
    Alias,
    /// The new value is not valid for the requested type.
    InvalidValue,
    /// The edited text failed the independent re-parse check.
    SelfCheck,
    /// An image spec is not valid kustomize grammar.
    ImageSpec,
    /// An image name matches no container in the overlay.
    UnknownImage,
    /// The target file is not a kustomization.
    NotKustomization,
    /// The request itself is malformed (conflicting edits, bad options).
    Usage,
    /// The input nests deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) levels.
    TooDeep,
}

impl ErrorKind {
    /// The kebab-case name used in messages and across the wasm boundary.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::PathSyntax => "path-syntax",
            ErrorKind::NotFound => "not-found",
            ErrorKind::Ambiguous => "ambiguous",
            ErrorKind::YamlSyntax => "yaml-syntax",
            ErrorKind::TypeMismatch => "type-mismatch",
            ErrorKind::Alias => "alias",
            ErrorKind::InvalidValue => "invalid-value",
            ErrorKind::SelfCheck => "self-check",
            ErrorKind::ImageSpec => "image-spec",
            ErrorKind::UnknownImage => "unknown-image",
            ErrorKind::NotKustomization => "not-kustomization",
            ErrorKind::Usage => "usage",
            ErrorKind::TooDeep => "too-deep",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in which text an error points: either the YAML source or the key path string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Frame {
    /// A span of the YAML text: line text, 1-based line and column, caret width.
    Source {
        line: usize,
        column: usize,
        text: String,
        width: usize,
    },
    /// A span of the key path string (0-based char offset and width).
    PathString {
        path: String,
        offset: usize,
        width: usize,
    },
}

/// The error of every operation: a kind, a message, and where it happened.
///
/// `Display` renders the message with a code frame:
///
/// ```text
/// error[not-found]: no key `imagee` in mapping
///   --> values.yaml:3:1
///    |
///  3 | image:
///    | ^^^^^
///    = path segment: `imagee` (in `imagee.tag`)
///    = found: mapping with keys image, replicaCount
///    = help: did you mean `image`?
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    file: Option<String>,
    frame: Option<Frame>,
    segment: Option<String>,
    path: Option<String>,
    found: Option<String>,
    hint: Option<String>,
    /// The hint as written, with its option placeholders (see [`crate::render_hint`]).
    hint_template: Option<String>,
}

impl Error {
    /// A new error of `kind` with `message` and no location.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                file: None,
                frame: None,
                segment: None,
                path: None,
                found: None,
                hint: None,
                hint_template: None,
            }),
        }
    }

    /// Points the error at byte range `span` of YAML text `src`.
    pub fn at(mut self, src: &str, span: Range<usize>) -> Self {
        let start = floor_char_boundary(src, span.start.min(src.len()));
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let mut text = &src[line_start..line_end];
        if let Some(t) = text.strip_suffix('\r') {
            text = t;
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line = line_number(src, start);
        let before = &src[line_start..start];
        let column = before.trim_start_matches('\u{feff}').chars().count() + 1;
        let end = floor_char_boundary(
            src,
            span.end
                .clamp(start, line_start + text.len().max(before.len())),
        );
        let width = src[start..end.max(start)].chars().count().max(1);
        self.inner.frame = Some(Frame::Source {
            line,
            column,
            text: text.to_string(),
            width,
        });
        self
    }

    /// Points the error at `width` characters from char `offset` of the key path `path`.
    pub fn at_path(mut self, path: &str, offset: usize, width: usize) -> Self {
        self.inner.frame = Some(Frame::PathString {
            path: path.to_string(),
            offset,
            width: width.max(1),
        });
        self
    }

    /// Names the path segment that failed, and the whole path it belongs to.
    pub fn segment(mut self, segment: impl Into<String>, path: impl Into<String>) -> Self {
        self.inner.segment = Some(segment.into());
        self.inner.path = Some(path.into());
        self
    }

    /// Says what was found instead of what the path expected.
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.inner.found = Some(found.into());
        self
    }

    /// Adds a hint such as "did you mean `image`?". An option it names is written as a
    /// placeholder (`{+all}`, `{select=kind=…}`; see [`crate::render_hint`]), so that each front
    /// end can word it; [`Error::help`] has the command line's words.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        let template = hint.into();
        self.inner.hint = Some(crate::hint::render_hint(&template, crate::hint::cli_words));
        self.inner.hint_template = Some(template);
        self
    }

    /// Names the file the YAML text came from.
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.inner.file = Some(file.into());
        self
    }

    /// Whether the error already points somewhere.
    pub fn has_location(&self) -> bool {
        self.inner.frame.is_some()
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The one-line message, without location or frame.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The file name, when the caller gave one.
    pub fn file(&self) -> Option<&str> {
        self.inner.file.as_deref()
    }

    /// 1-based line in the YAML text, when the error points into it.
    pub fn line(&self) -> Option<usize> {
        match &self.inner.frame {
            Some(Frame::Source { line, .. }) => Some(*line),
            _ => None,
        }
    }

    /// 1-based column (in characters): of the YAML text, or of the key path for path errors.
    pub fn column(&self) -> Option<usize> {
        match &self.inner.frame {
            Some(Frame::Source { column, .. }) => Some(*column),
            Some(Frame::PathString { offset, .. }) => Some(offset + 1),
            None => None,
        }
    }

    /// The path segment that failed, as written in the key path.
    pub fn path_segment(&self) -> Option<&str> {
        self.inner.segment.as_deref()
    }

    /// What was found where the path expected something else.
    pub fn found_instead(&self) -> Option<&str> {
        self.inner.found.as_deref()
    }

    /// A hint such as "did you mean `image`?", in the command line's words.
    pub fn help(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// The hint as written, with a placeholder for each option it names (see
    /// [`crate::render_hint`]), for a front end to word in its own vocabulary.
    pub fn hint_template(&self) -> Option<&str> {
        self.inner.hint_template.as_deref()
    }

    /// The ids of the options the hint names (see [`crate::HINT_OPTIONS`]).
    pub fn hint_options(&self) -> Vec<&'static str> {
        self.inner
            .hint_template
            .as_deref()
            .map_or_else(Vec::new, crate::hint::hint_options)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error[{}]: {}", self.inner.kind, self.inner.message)?;
        match &self.inner.frame {
            Some(Frame::Source {
                line,
                column,
                text,
                width,
            }) => {
                let num = line.to_string();
                let pad = " ".repeat(num.len());
                let file = self.inner.file.as_deref().unwrap_or("<input>");
                writeln!(f, "{pad}--> {file}:{line}:{column}")?;
                writeln!(f, "{pad} |")?;
                let (shown, col, width) = window(&text.replace('\t', " "), column - 1, *width);
                writeln!(f, "{num} | {shown}")?;
                writeln!(f, "{pad} | {}{}", " ".repeat(col), "^".repeat(width))?;
                self.write_notes(f, &pad)
            }
            Some(Frame::PathString {
                path,
                offset,
                width,
            }) => {
                if let Some(file) = &self.inner.file {
                    writeln!(f, "  --> {file}")?;
                }
                writeln!(f, "   |")?;
                let (shown, col, width) = window(path, *offset, *width);
                writeln!(f, "   | {shown}")?;
                writeln!(f, "   | {}{}", " ".repeat(col), "^".repeat(width))?;
                self.write_notes(f, "  ")
            }
            None => {
                if let Some(file) = &self.inner.file {
                    writeln!(f, "  --> {file}")?;
                }
                self.write_notes(f, "  ")
            }
        }
    }
}

impl Error {
    fn write_notes(&self, f: &mut fmt::Formatter<'_>, pad: &str) -> fmt::Result {
        if let Some(seg) = &self.inner.segment {
            match &self.inner.path {
                Some(p) if p != seg => writeln!(f, "{pad} = path segment: `{seg}` (in `{p}`)")?,
                _ => writeln!(f, "{pad} = path segment: `{seg}`")?,
            }
        }
        if let Some(found) = &self.inner.found {
            writeln!(f, "{pad} = found: {found}")?;
        }
        if let Some(hint) = &self.inner.hint {
            writeln!(f, "{pad} = help: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Characters of a frame line shown around the caret; a longer line is cut with `…`.
const FRAME_WIDTH: usize = 100;

/// The part of `line` a frame shows, and where the caret (`col`, `width` chars) falls in it.
fn window(line: &str, col: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= FRAME_WIDTH {
        return (line.to_string(), col, width);
    }
    let from = col.saturating_sub(FRAME_WIDTH / 2).min(chars.len());
    let to = (from + FRAME_WIDTH).min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(&chars[from..to]);
    if to < chars.len() {
        out.push('…');
    }
    let width = width.min(to.saturating_sub(col).max(1));
    (out, col - from + usize::from(from > 0), width)
}

thread_local! {
    /// Line starts of the text last asked about: errors and changes for many places of one
    /// text then cost a binary search each, not a count from the start of the text.
    static LINES: std::cell::RefCell<(usize, usize, Vec<usize>)> = const { std::cell::RefCell::new((0, 0, Vec::new())) };
}

/// 1-based line number of byte offset `at` in `src`.
pub(crate) fn line_number(src: &str, at: usize) -> usize {
    let at = at.min(src.len());
    if at < 4096 {
        return src.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    }
    let b = src.as_bytes();
    LINES.with(|cell| {
        let mut cache = cell.borrow_mut();
        let lookup = |starts: &[usize]| {
            let i = starts.partition_point(|&ls| ls <= at) - 1;
            let ls = starts[i];
            // The cache is keyed by address and length; check it really is this text's.
            let ok = (ls == 0 || b.get(ls - 1) == Some(&b'\n')) && !b[ls..at].contains(&b'\n');
            ok.then_some(i + 1)
        };
        let same = cache.0 == src.as_ptr() as usize && cache.1 == src.len();
        if same && !cache.2.is_empty() {
            if let Some(n) = lookup(&cache.2) {
                return n;
            }
        }
        if !same {
            // A first question about a text: counting is cheaper than an index.
            *cache = (src.as_ptr() as usize, src.len(), Vec::new());
            return b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
        }
        let mut starts = vec![0];
        starts.extend(
            b.iter()
                .enumerate()
                .filter(|(_, &c)| c == b'\n')
                .map(|(i, _)| i + 1),
        );
        let n = lookup(&starts).unwrap_or(1);
        *cache = (src.as_ptr() as usize, src.len(), starts);
        n
    })
}

/// 1-based (line, column in characters) of byte offset `at`.
pub(crate) fn line_col(src: &str, at: usize) -> (usize, usize) {
    let at = at.min(src.len());
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let col = src[line_start..at]
        .trim_start_matches('\u{feff}')
        .chars()
        .count()
        + 1;
    (line_number(src, at), col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// "did you mean `candidate`?" for the closest candidate to `word`, when it is close enough to suggest.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The closest candidate to `word` by edit distance, when it is close enough to suggest.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // ASCII case only: key names are ASCII, and Unicode case tables cost the wasm ~4 KB
        let d = edit_distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase());
        let limit = (word.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_points_at_the_column() {
        let src = "a: 1\nimage:\n  tag: x\n";
        let e = Error::new(ErrorKind::NotFound, "no key `imagee` in mapping")
            .at(src, 5..10)
            .segment("imagee", "imagee.tag")
            .hint("did you mean `image`?")
            .with_file("values.yaml");
        let shown = e.to_string();
        assert!(shown.contains("--> values.yaml:2:1"), "{shown}");
        assert!(shown.contains("2 | image:\n  | ^^^^^"), "{shown}");
        assert_eq!(e.line(), Some(2));
        assert_eq!(e.column(), Some(1));
    }

    #[test]
    fn suggestion_needs_closeness() {
        assert_eq!(
            did_you_mean("imagee", ["image", "replicas"]).as_deref(),
            Some("did you mean `image`?")
        );
        assert_eq!(did_you_mean("zzz", ["image", "replicas"]), None);
    }
}
