//! The key-path grammar shared by the CLI, the Action, the orb and the playground.
//!
//! ```text
//! spec.template.spec.containers[name=api].image     dotted keys, a selector
//! .metadata.labels["app.kubernetes.io/name"]        leading dot, quoted key
//! items[0].name  items.0.name  items[-1]            indexes (-1 is the last item)
//! containers[*].image  containers.*.image           every item
//! /spec/containers/0/image                          RFC 6901 JSON Pointer (~0 ~, ~1 /)
//! ```

use crate::error::{Error, ErrorKind};

/// One step of a key path, with where it was written in the path string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// What the step selects.
    pub kind: SegmentKind,
    /// Char offset of the step in the path string.
    pub offset: usize,
    /// The step as written (for messages).
    pub text: String,
}

/// What one path step selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentKind {
    /// A mapping key (`.name`, `["a.b"]`).
    Key(String),
    /// A sequence index (`[0]`, `[-1]`).
    Index(i64),
    /// A bare `.0`: an index in a sequence, a key in a mapping.
    KeyOrIndex(String),
    /// Every item or value (`[*]`, `.*`).
    Wildcard,
    /// The sequence item whose field `key` equals `value` (`[name=api]`).
    Select {
        /// The field compared.
        key: String,
        /// The value it must have.
        value: String,
    },
    /// One past the last item (`/-` in a JSON Pointer): only for appending.
    End,
}

/// A parsed key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The path as the caller wrote it.
    pub source: String,
    /// Its steps, in order.
    pub segments: Vec<Segment>,
}

impl Path {
    /// Parses a key path.
    ///
    /// # Errors
    /// `path-syntax`, pointing at the character of the path where it went wrong.
    pub fn parse(path: &str) -> Result<Path, Error> {
        let segments = if path.starts_with('/') {
            parse_pointer(path)?
        } else {
            Parser::new(path).parse()?
        };
        if let Some(seg) = segments.get(crate::tree::MAX_DEPTH) {
            // Each segment is one level of nesting: a deeper path can match nothing, and
            // creating it would write more levels than the file may hold.
            return Err(Error::new(
                ErrorKind::TooDeep,
                format!(
                    "the path has {} segments; at most {} levels of nesting are read and written",
                    segments.len(),
                    crate::tree::MAX_DEPTH
                ),
            )
            .at_path(path, seg.offset, seg.text.chars().count())
            .hint("shorten the path"));
        }
        Ok(Path {
            source: path.to_string(),
            segments,
        })
    }

    /// Whether any step can match more than one node.
    pub fn has_wildcard(&self) -> bool {
        self.segments
            .iter()
            .any(|s| s.kind == SegmentKind::Wildcard)
    }
}

fn syntax(path: &str, offset: usize, width: usize, msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::PathSyntax, msg).at_path(path, offset, width)
}

fn parse_pointer(path: &str) -> Result<Vec<Segment>, Error> {
    let mut out = Vec::new();
    let mut offset = 1;
    for raw in path[1..].split('/') {
        let mut tok = String::new();
        let mut chars = raw.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '~' {
                match chars.next() {
                    Some((_, '0')) => tok.push('~'),
                    Some((_, '1')) => tok.push('/'),
                    _ => {
                        return Err(syntax(
                            path,
                            offset + i,
                            2,
                            "`~` in a JSON Pointer must be followed by 0 or 1",
                        )
                        .hint("write `~0` for `~` and `~1` for `/`"))
                    }
                }
            } else {
                tok.push(c);
            }
        }
        let kind = if tok == "-" {
            SegmentKind::End
        } else if is_index(&tok) {
            SegmentKind::KeyOrIndex(tok)
        } else {
            SegmentKind::Key(tok)
        };
        out.push(Segment {
            kind,
            offset,
            text: raw.to_string(),
        });
        offset += raw.chars().count() + 1;
    }
    Ok(out)
}

fn is_index(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

struct Parser<'a> {
    src: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser {
            src,
            chars: src.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn err(&self, at: usize, width: usize, msg: impl Into<String>) -> Error {
        syntax(self.src, at, width, msg)
    }

    fn text(&self, from: usize) -> String {
        self.chars[from..self.pos].iter().collect()
    }

    fn parse(mut self) -> Result<Vec<Segment>, Error> {
        let mut out = Vec::new();
        if self.chars.is_empty() {
            return Err(self
                .err(0, 1, "the key path is empty")
                .hint("write a path such as `image.tag`"));
        }
        if self.peek() == Some('.') {
            self.pos += 1;
            if self.peek().is_none() {
                return Ok(out);
            }
        }
        let mut need_key = self.peek() != Some('[');
        loop {
            if need_key {
                out.push(self.bare_key()?);
            }
            match self.peek() {
                None => return Ok(out),
                Some('.') => {
                    self.pos += 1;
                    need_key = true;
                    if self.peek() == Some('[') {
                        need_key = false;
                    }
                }
                Some('[') => {
                    out.push(self.bracket()?);
                    need_key = false;
                }
                Some(c) => {
                    return Err(self
                        .err(
                            self.pos,
                            1,
                            format!("unexpected `{c}` after a path segment"),
                        )
                        .hint("separate segments with `.`"))
                }
            }
        }
    }

    fn bare_key(&mut self) -> Result<Segment, Error> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '.' || c == '[' {
                break;
            }
            if c == ']' {
                return Err(self.err(self.pos, 1, "unmatched `]`"));
            }
            self.pos += 1;
        }
        let text = self.text(start);
        if text.is_empty() {
            let msg = if self.peek().is_none() {
                "the key path ends with `.`: a key is missing"
            } else {
                "empty key between two `.`"
            };
            return Err(self
                .err(start, 1, msg)
                .hint("quote keys that contain dots: [\"app.kubernetes.io/name\"]"));
        }
        let kind = if text == "*" {
            SegmentKind::Wildcard
        } else if is_index(&text) {
            SegmentKind::KeyOrIndex(text.clone())
        } else {
            SegmentKind::Key(text.clone())
        };
        Ok(Segment {
            kind,
            offset: start,
            text,
        })
    }

    fn quoted(&mut self) -> Result<String, Error> {
        let open = self.pos;
        let q = self.chars[open];
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(self.err(
                        open,
                        self.pos - open,
                        format!("unterminated {q}quoted{q} string in the key path"),
                    ))
                }
                Some('\\') if q == '"' => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ ('"' | '\\')) => out.push(c),
                        _ => {
                            return Err(self.err(
                                self.pos - 1,
                                2,
                                "only \\\" and \\\\ escapes are allowed in a quoted key",
                            ))
                        }
                    }
                    self.pos += 1;
                }
                Some('\'') if q == '\'' && self.chars.get(self.pos + 1) == Some(&'\'') => {
                    out.push('\'');
                    self.pos += 2;
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn bracket(&mut self) -> Result<Segment, Error> {
        let open = self.pos;
        self.pos += 1;
        let kind = match self.peek() {
            None => return Err(self.err(open, 1, "unterminated `[`")),
            Some(']') => return Err(self.err(open, 2, "empty `[]`").hint(
                "write an index `[0]`, a selector `[name=api]`, a quoted key `[\"a.b\"]` or `[*]`",
            )),
            Some('"' | '\'') => {
                let key = self.quoted()?;
                if self.peek() == Some('=') {
                    self.pos += 1;
                    let value = self.selector_value()?;
                    SegmentKind::Select { key, value }
                } else {
                    SegmentKind::Key(key)
                }
            }
            Some(_) => {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if c == ']' || c == '=' || c == '[' {
                        break;
                    }
                    self.pos += 1;
                }
                let word = self.text(start);
                match self.peek() {
                    Some('=') => {
                        if word.trim().is_empty() {
                            return Err(self
                                .err(start, 1, "a selector needs a field name before `=`")
                                .hint("write `[name=api]`"));
                        }
                        self.pos += 1;
                        let value = self.selector_value()?;
                        SegmentKind::Select {
                            key: word.trim().to_string(),
                            value,
                        }
                    }
                    Some(']') => {
                        let w = word.trim();
                        if w == "*" {
                            SegmentKind::Wildcard
                        } else if let Some(n) = parse_int(w) {
                            SegmentKind::Index(n)
                        } else {
                            return Err(self
                                .err(start, word.chars().count(), format!("`[{word}]` is not an index, a selector or a quoted key"))
                                .hint(format!("write `.{w}` or `[\"{w}\"]` for a key, `[name={w}]` to select an item")));
                        }
                    }
                    _ => return Err(self.err(open, self.pos - open, "unterminated `[`")),
                }
            }
        };
        if self.peek() != Some(']') {
            return Err(self.err(self.pos.min(self.chars.len()), 1, "expected `]`"));
        }
        self.pos += 1;
        Ok(Segment {
            kind,
            offset: open,
            text: self.text(open),
        })
    }

    fn selector_value(&mut self) -> Result<String, Error> {
        if matches!(self.peek(), Some('"' | '\'')) {
            return self.quoted();
        }
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == ']' {
                break;
            }
            self.pos += 1;
        }
        Ok(self.text(start).trim().to_string())
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Narrows a multi-document file to the documents an edit applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocSelector {
    /// The document at this 0-based index.
    Index(usize),
    /// Documents where every `path=value` condition holds (`kind=Deployment,metadata.name=api`).
    Fields(Vec<(Path, String)>),
}

impl DocSelector {
    /// Parses `kind=Deployment,metadata.name=api` or a document index such as `2`.
    ///
    /// # Errors
    /// `path-syntax` pointing at the offending character.
    pub fn parse(sel: &str) -> Result<DocSelector, Error> {
        let t = sel.trim();
        if let Ok(n) = t.parse::<usize>() {
            return Ok(DocSelector::Index(n));
        }
        let mut conds = Vec::new();
        let chars: Vec<char> = sel.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let start = i;
            let mut quote: Option<char> = None;
            while i < chars.len() {
                let c = chars[i];
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None if c == '"' || c == '\'' => quote = Some(c),
                    None if c == ',' => break,
                    None => {}
                }
                i += 1;
            }
            let part: String = chars[start..i].iter().collect();
            let Some(eq) = find_unquoted_eq(&part) else {
                return Err(syntax(
                    sel,
                    start,
                    part.chars().count(),
                    format!("document selector `{part}` has no `=`"),
                )
                .hint("write `kind=Deployment,metadata.name=api` or a document index"));
            };
            let (lhs, rhs) = (part[..eq].trim(), part[eq + 1..].trim());
            let path = Path::parse(lhs).map_err(|_| {
                syntax(
                    sel,
                    start,
                    eq.max(1),
                    format!("`{lhs}` is not a valid key path"),
                )
            })?;
            let value = unquote(rhs);
            conds.push((path, value));
            i += 1;
        }
        if conds.is_empty() {
            return Err(syntax(sel, 0, 1, "the document selector is empty"));
        }
        Ok(DocSelector::Fields(conds))
    }
}

fn find_unquoted_eq(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '=' => return Some(i),
            None => {}
        }
    }
    None
}

fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(p: &str) -> Vec<SegmentKind> {
        Path::parse(p)
            .unwrap()
            .segments
            .into_iter()
            .map(|s| s.kind)
            .collect()
    }

    #[test]
    fn dotted_and_selectors() {
        use SegmentKind::*;
        assert_eq!(
            kinds("spec.containers[name=api].image"),
            vec![
                Key("spec".into()),
                Key("containers".into()),
                Select {
                    key: "name".into(),
                    value: "api".into()
                },
                Key("image".into())
            ]
        );
        assert_eq!(
            kinds(".a[0].b.1[-1]"),
            vec![
                Key("a".into()),
                Index(0),
                Key("b".into()),
                KeyOrIndex("1".into()),
                Index(-1)
            ]
        );
        assert_eq!(
            kinds("x[\"app.kubernetes.io/name\"]"),
            vec![Key("x".into()), Key("app.kubernetes.io/name".into())]
        );
        assert_eq!(
            kinds("x['it''s']"),
            vec![Key("x".into()), Key("it's".into())]
        );
        assert_eq!(
            kinds("c[name=\"my api\"]"),
            vec![
                Key("c".into()),
                Select {
                    key: "name".into(),
                    value: "my api".into()
                }
            ]
        );
        assert_eq!(
            kinds("a[*].b.*"),
            vec![Key("a".into()), Wildcard, Key("b".into()), Wildcard]
        );
        assert_eq!(kinds("[0]"), vec![Index(0)]);
    }

    #[test]
    fn json_pointer() {
        use SegmentKind::*;
        assert_eq!(
            kinds("/a~1b/0/c~0d/-"),
            vec![
                Key("a/b".into()),
                KeyOrIndex("0".into()),
                Key("c~d".into()),
                End
            ]
        );
    }

    #[test]
    fn errors_point_at_the_character() {
        let e = Path::parse("a..b").unwrap_err();
        assert_eq!(e.column(), Some(3));
        let e = Path::parse("a[name=x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PathSyntax);
        let e = Path::parse("a[foo]").unwrap_err();
        assert_eq!(e.column(), Some(3));
        assert!(Path::parse("a.").is_err());
        assert!(Path::parse("/a~2").is_err());
    }

    #[test]
    fn doc_selectors() {
        assert_eq!(DocSelector::parse("2").unwrap(), DocSelector::Index(2));
        match DocSelector::parse("kind=Deployment,metadata.name=\"a,b\"").unwrap() {
            DocSelector::Fields(f) => {
                assert_eq!(f.len(), 2);
                assert_eq!(f[1].1, "a,b");
            }
            other => panic!("{other:?}"),
        }
        assert!(DocSelector::parse("kind").is_err());
    }
}
