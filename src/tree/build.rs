//! The event builder: saphyr-parser's events, with character-indexed spans, turned into the
//! node tree with byte spans of the tokens themselves.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Span};

use super::{too_deep, Document, Node, NodeKind, ScalarStyle, Stream, MAX_DEPTH};
use crate::error::{Error, ErrorKind};

/// saphyr-parser counts the characters of a directive line (`%FOO é`) in bytes, which shifts
/// every later position. Directive lines (at the start of the stream or after `...`, up to
/// `---`) get each non-ASCII character replaced by `x`: one character for one, so positions
/// line up, and directive values are never read from the parser.
fn ascii_directives(src: &str) -> Option<String> {
    if src.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(src.len());
    let mut zone = true;
    let mut changed = false;
    for line in src.split_inclusive(['\n', '\r']) {
        let t = line
            .trim_end_matches(['\r', '\n'])
            .trim_start_matches('\u{feff}');
        let marker =
            |m: &str| t.starts_with(m) && matches!(t.as_bytes().get(3), None | Some(b' ' | b'\t'));
        if zone && t.starts_with('%') && !t.is_ascii() {
            out.extend(line.chars().map(|c| if c.is_ascii() { c } else { 'x' }));
            changed = true;
            continue;
        }
        if marker("...") {
            zone = true;
        } else if zone
            && !(t.starts_with('%') || t.trim().is_empty() || t.trim_start().starts_with('#'))
        {
            zone = false;
        }
        out.push_str(line);
    }
    changed.then_some(out)
}

/// Converts saphyr's character indexes to byte offsets with a moving cursor.
struct Conv<'a> {
    src: &'a str,
    ascii: bool,
    ci: usize,
    bi: usize,
}

impl<'a> Conv<'a> {
    fn byte(&mut self, ci: usize) -> usize {
        if self.ascii {
            return ci.min(self.src.len());
        }
        while self.ci < ci {
            match self.src[self.bi..].chars().next() {
                Some(c) => {
                    self.bi += c.len_utf8();
                    self.ci += 1;
                }
                None => return self.bi,
            }
        }
        while self.ci > ci {
            let c = self.src[..self.bi]
                .chars()
                .next_back()
                .expect("cursor past start");
            self.bi -= c.len_utf8();
            self.ci -= 1;
        }
        self.bi
    }
}

enum Frame {
    Map {
        node: Node,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
    Seq {
        node: Node,
        items: Vec<Node>,
    },
}

pub(super) struct Builder<'a> {
    src: &'a str,
    b: &'a [u8],
    conv: Conv<'a>,
    prev_end: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, String>,
    docs: Vec<Document>,
    doc_root: Option<Node>,
    doc_start: usize,
}

fn yaml_error(src: &str, conv: &mut Conv<'_>, info: &str, index: usize) -> Error {
    let at = conv.byte(index);
    Error::new(ErrorKind::YamlSyntax, format!("malformed YAML: {info}")).at(src, at..at + 1)
}

impl<'a> Builder<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Builder {
            src,
            b: src.as_bytes(),
            conv: Conv {
                src,
                ascii: src.is_ascii(),
                ci: 0,
                bi: 0,
            },
            prev_end: 0,
            stack: Vec::new(),
            anchors: HashMap::new(),
            docs: Vec::new(),
            doc_root: None,
            doc_start: 0,
        }
    }

    pub(super) fn run(mut self) -> Result<Stream, Error> {
        let scanned = ascii_directives(self.src);
        let mut parser = Parser::new_from_str(scanned.as_deref().unwrap_or(self.src));
        loop {
            let (ev, span) = match parser.next_event() {
                None => break,
                Some(Ok(x)) => x,
                Some(Err(e)) => {
                    let at = self.conv.byte(e.marker().index());
                    return Err(self.unclosed_flow(at, e.info()).unwrap_or_else(|| {
                        yaml_error(self.src, &mut self.conv, e.info(), e.marker().index())
                    }));
                }
            };
            if matches!(ev, Event::StreamEnd) {
                break;
            }
            self.event(ev, span)?;
        }
        let end = self.src.len();
        if let Some(last) = self.docs.last_mut() {
            last.range.end = end;
        }
        Ok(Stream { docs: self.docs })
    }

    fn event(&mut self, ev: Event<'_>, span: Span) -> Result<(), Error> {
        let s = self.conv.byte(span.start.index());
        let e = self.conv.byte(span.end.index());
        match ev {
            Event::StreamStart | Event::Nothing | Event::StreamEnd => {}
            Event::DocumentStart(explicit) => {
                let begin = if explicit {
                    self.doc_begin(s)
                } else {
                    self.prev_end_or(s)
                };
                if let Some(last) = self.docs.last_mut() {
                    last.range.end = begin;
                }
                let begin = if self.docs.is_empty() { 0 } else { begin };
                self.doc_start = begin;
                self.doc_root = None;
                if explicit {
                    self.prev_end = s + 3;
                }
            }
            Event::DocumentEnd => {
                let index = self.docs.len();
                self.docs.push(Document {
                    index,
                    range: self.doc_start..self.src.len(),
                    root: self.doc_root.take(),
                    parsed: true,
                });
                self.anchors.clear();
                if e > s {
                    self.prev_end = e;
                }
            }
            Event::Alias(id) => {
                let name = self.anchors.get(&id).cloned().unwrap_or_default();
                let node = Node {
                    kind: NodeKind::Alias { name },
                    start: s,
                    end: e,
                    props_start: s,
                    anchor: None,
                    tag: None,
                };
                self.prev_end = e;
                self.push(node);
            }
            Event::Scalar(value, style, anchor_id, _tag) => {
                let node = self.scalar(value.into_owned(), style, anchor_id, s, e);
                self.prev_end = node.end.max(self.prev_end);
                self.push(node);
            }
            Event::MappingStart(anchor_id, _) | Event::SequenceStart(anchor_id, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(too_deep(self.src, s, "the YAML"));
                }
                let is_map = matches!(ev, Event::MappingStart(..));
                let (props_start, start, anchor, tag) = self.collection_props(s, is_map);
                if let (Some(name), true) = (&anchor, anchor_id > 0) {
                    self.anchors.insert(anchor_id, name.clone());
                }
                let flow = self.b.get(start) == Some(&(if is_map { b'{' } else { b'[' }));
                let kind = if is_map {
                    NodeKind::Mapping {
                        entries: Vec::new(),
                        flow,
                    }
                } else {
                    NodeKind::Sequence {
                        items: Vec::new(),
                        flow,
                    }
                };
                let node = Node {
                    kind,
                    start,
                    end: start,
                    props_start,
                    anchor,
                    tag,
                };
                if flow {
                    self.prev_end = start + 1;
                } else if props_start < start {
                    self.prev_end = start;
                }
                self.stack.push(if is_map {
                    Frame::Map {
                        node,
                        entries: Vec::new(),
                        key: None,
                    }
                } else {
                    Frame::Seq {
                        node,
                        items: Vec::new(),
                    }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = self.stack.pop().expect("unbalanced events");
                let mut node = match frame {
                    Frame::Map {
                        mut node, entries, ..
                    } => {
                        if let Some((_, v)) = entries.last() {
                            node.end = v.end;
                        }
                        if let NodeKind::Mapping { entries: slot, .. } = &mut node.kind {
                            *slot = entries;
                        }
                        node
                    }
                    Frame::Seq { mut node, items } => {
                        if let Some(v) = items.last() {
                            node.end = v.end;
                        }
                        if let NodeKind::Sequence { items: slot, .. } = &mut node.kind {
                            *slot = items;
                        }
                        node
                    }
                };
                let flow = matches!(
                    node.kind,
                    NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
                );
                if flow {
                    node.end = e;
                    self.prev_end = e;
                }
                self.push(node);
            }
        }
        Ok(())
    }

    /// A syntax error at byte `at` that sits on a later line than a still open `[` or `{`,
    /// indented no deeper than the line of that bracket, comes from the bracket never being
    /// closed: the error then points at the bracket, and says where the parser stopped.
    fn unclosed_flow(&self, at: usize, info: &str) -> Option<Error> {
        let open = self.stack.iter().find_map(|f| match f {
            Frame::Map { node, .. } | Frame::Seq { node, .. }
                if matches!(self.b.get(node.start), Some(b'[' | b'{')) =>
            {
                Some(node.start)
            }
            _ => None,
        })?;
        let line_start = |p: usize| self.src[..p].rfind('\n').map_or(0, |i| i + 1);
        let indent = |ls: usize| {
            self.src[ls..]
                .bytes()
                .take_while(|&c| c == b' ' || c == b'\t')
                .count()
        };
        let (open_line, err_line) = (line_start(open), line_start(at.min(self.b.len())));
        if err_line <= open_line || indent(err_line) > indent(open_line) {
            return None;
        }
        let bracket = self.b[open] as char;
        let (line, column) = crate::error::line_col(self.src, at);
        Some(
            Error::new(
                ErrorKind::YamlSyntax,
                format!("malformed YAML: this `{bracket}` is never closed"),
            )
            .at(self.src, open..open + 1)
            .found(format!("at line {line}, column {column}: {info}"))
            .hint(format!(
                "close it with `{}`, or quote the value if the `{bracket}` is part of it",
                if bracket == '[' { ']' } else { '}' }
            )),
        )
    }

    fn prev_end_or(&self, s: usize) -> usize {
        if self.docs.is_empty() {
            0
        } else {
            self.prev_end.min(s)
        }
    }

    /// Where a document that starts with `---` at `dash` begins: the start of its directive
    /// lines, else the start of the `---` line.
    fn doc_begin(&self, dash: usize) -> usize {
        let line_start = |p: usize| self.src[..p].rfind('\n').map_or(0, |i| i + 1);
        let mut begin = line_start(dash);
        while begin > 0 {
            let prev = line_start(begin - 1);
            if self.b[prev] == b'%' && prev >= self.prev_end {
                begin = prev;
            } else {
                break;
            }
        }
        begin.max(if self.docs.is_empty() {
            0
        } else {
            self.prev_end.min(begin)
        })
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.doc_root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    /// Where a collection starts, and its own properties. saphyr-parser's span of a block
    /// collection may start at properties that belong to its first key (`&a key: 1`) or item
    /// (`- &a item`); a block mapping's own properties stand on a line of their own, a block
    /// sequence's before its first `-`.
    fn collection_props(
        &mut self,
        s: usize,
        is_map: bool,
    ) -> (usize, usize, Option<String>, Option<String>) {
        let (ps, st, anchor, tag) = self.read_props(s);
        if matches!(self.b.get(st), Some(b'{' | b'[')) {
            return (ps, st, anchor, tag);
        }
        if is_map {
            if (anchor.is_some() || tag.is_some()) && self.src[ps..st].contains('\n') {
                return (ps, st, anchor, tag);
            }
            return (s, s, None, None);
        }
        let blank = |c: Option<&u8>| matches!(c, None | Some(b' ' | b'\t' | b'\r' | b'\n'));
        let dash = if self.b.get(s) == Some(&b'-') && blank(self.b.get(s + 1)) {
            s
        } else {
            let before = self.src[..s].trim_end_matches([' ', '\t', '\r', '\n']);
            if before.ends_with('-') {
                before.len() - 1
            } else {
                s
            }
        };
        let mut from = self.skip_blank(self.prev_end.min(dash));
        if matches!(self.b.get(from), Some(b':' | b'?')) && blank(self.b.get(from + 1)) {
            from += 1;
        }
        let (ps, st, anchor, tag) = self.read_props(from);
        if st == dash && (anchor.is_some() || tag.is_some()) {
            (ps, st, anchor, tag)
        } else {
            (dash, dash, None, None)
        }
    }

    /// Reads `&anchor` and `!tag` properties from `at` without recording them.
    fn read_props(&self, at: usize) -> (usize, usize, Option<String>, Option<String>) {
        let mut p = at;
        let mut anchor = None;
        let mut tag = None;
        let mut first = None;
        loop {
            let q = self.skip_blank(p);
            match self.b.get(q) {
                Some(b'&') if anchor.is_none() => {
                    let end = self.word_end(q + 1);
                    anchor = Some(self.src[q + 1..end].to_string());
                    first.get_or_insert(q);
                    p = end;
                }
                Some(b'!') if tag.is_none() => {
                    let end = if self.b.get(q + 1) == Some(&b'<') {
                        self.src[q..].find('>').map_or(self.b.len(), |i| q + i + 1)
                    } else {
                        self.word_end(q + 1)
                    };
                    tag = Some(self.src[q..end].to_string());
                    first.get_or_insert(q);
                    p = end;
                }
                _ => {
                    return match first {
                        None => (at, at, None, None),
                        Some(f) => (f, q, anchor, tag),
                    };
                }
            }
        }
    }

    /// Reads `&anchor` and `!tag` properties from `at`; returns (props start, token start, anchor, tag).
    fn props(
        &mut self,
        at: usize,
        anchor_id: usize,
    ) -> (usize, usize, Option<String>, Option<String>) {
        let found = self.read_props(at);
        if let (Some(name), true) = (&found.2, anchor_id > 0) {
            self.anchors.insert(anchor_id, name.clone());
        }
        found
    }

    fn skip_blank(&self, mut p: usize) -> usize {
        loop {
            match self.b.get(p) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => p += 1,
                Some(b'#') if p == 0 || matches!(self.b[p - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                    while p < self.b.len() && self.b[p] != b'\n' {
                        p += 1;
                    }
                }
                _ => return p,
            }
        }
    }

    fn word_end(&self, mut p: usize) -> usize {
        let in_flow = self.stack.iter().any(|f| match f {
            Frame::Map { node, .. } | Frame::Seq { node, .. } => matches!(
                node.kind,
                NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
            ),
        });
        while let Some(&c) = self.b.get(p) {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n')
                || (in_flow && matches!(c, b',' | b'[' | b']' | b'{' | b'}'))
            {
                break;
            }
            p += 1;
        }
        p
    }

    fn scalar(
        &mut self,
        value: String,
        style: SaphyrStyle,
        anchor_id: usize,
        s: usize,
        e: usize,
    ) -> Node {
        let style = match style {
            SaphyrStyle::Plain => ScalarStyle::Plain,
            SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            SaphyrStyle::Literal => ScalarStyle::Literal,
            SaphyrStyle::Folded => ScalarStyle::Folded,
        };
        let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
        let mut value = value;
        if block && value.ends_with('\n') && self.blank_last_line_from(e) {
            // saphyr-parser counts a last line of only spaces, with no line break, as one more
            // line break; the spec (and libyaml) do not.
            value.pop();
        }
        if block {
            // The event span starts at the content; the header (and any properties) lie between
            // the previous token and the content.
            let (props_start, mut start, anchor, tag) =
                self.props(self.after_indicators(self.prev_end), anchor_id);
            if !matches!(self.b.get(start), Some(b'|' | b'>')) {
                start = self.src[self.prev_end..s.max(self.prev_end)]
                    .rfind(['|', '>'])
                    .map_or(s, |i| self.prev_end + i);
            }
            let end = self.block_end(start, e);
            return Node {
                kind: NodeKind::Scalar {
                    value,
                    style,
                    implicit: false,
                },
                start,
                end,
                props_start: if anchor.is_some() || tag.is_some() {
                    props_start
                } else {
                    start
                },
                anchor,
                tag,
            };
        }
        let (props_start, start, anchor, tag) = self.props(s, anchor_id);
        let implicit = style == ScalarStyle::Plain && value.is_empty();
        if implicit {
            let at = self.empty_value_position(start);
            return Node {
                kind: NodeKind::Scalar {
                    value,
                    style,
                    implicit,
                },
                start: at,
                end: at,
                props_start: if anchor.is_some() || tag.is_some() {
                    props_start
                } else {
                    at
                },
                anchor,
                tag,
            };
        }
        Node {
            kind: NodeKind::Scalar {
                value,
                style,
                implicit,
            },
            start,
            end: match style {
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                    self.quoted_end(start).unwrap_or(e.max(start))
                }
                _ => e.max(start),
            },
            props_start,
            anchor,
            tag,
        }
    }

    /// Whether only spaces follow byte `e` to the end of the text, and the text's last line
    /// is a non-empty line of spaces without a line break.
    fn blank_last_line_from(&self, e: usize) -> bool {
        let last = self.src.rsplit('\n').next().unwrap_or_default();
        !last.is_empty()
            && last.bytes().all(|c| c == b' ')
            && self.b[e.min(self.b.len())..].iter().all(|&c| c == b' ')
    }

    /// Just past the closing quote of the quoted scalar starting at `start`.
    fn quoted_end(&self, start: usize) -> Option<usize> {
        let q = *self.b.get(start)?;
        let mut p = start + 1;
        while p < self.b.len() {
            match self.b[p] {
                b'\\' if q == b'"' => p += 2,
                b'\'' if q == b'\'' && self.b.get(p + 1) == Some(&b'\'') => p += 2,
                c if c == q => return Some(p + 1),
                _ => p += 1,
            }
        }
        None
    }

    /// Skips blanks, comments and the indicators `:`, `-`, `?` (each followed by a blank).
    fn after_indicators(&self, mut p: usize) -> usize {
        loop {
            p = self.skip_blank(p);
            match self.b.get(p) {
                Some(b':' | b'-' | b'?')
                    if matches!(self.b.get(p + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n')) =>
                {
                    p += 1
                }
                _ => return p,
            }
        }
    }

    /// Where an empty value sits: right after its `:` or `-` indicator; where there is none
    /// (`{a, b: c}`, `? a`), right where the parser put it (after the key).
    fn empty_value_position(&self, p: usize) -> usize {
        let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'}' | b']');
        // A value after its key: `key:` (p is right after the key).
        let mut q = p;
        while matches!(self.b.get(q), Some(b' ' | b'\t')) {
            q += 1;
        }
        if self.b.get(q) == Some(&b':') && self.b.get(q + 1).is_none_or(|&c| blank(c)) {
            return q + 1;
        }
        // An empty item `- # comment`: p is at the end of the line; take the line's last `-`.
        let ls = self.src[..p].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.b[ls..p];
        let mut k = 0;
        let mut last_dash = None;
        while k < line.len() {
            match line[k] {
                b' ' | b'\t' => k += 1,
                b'-' if line.get(k + 1).is_none_or(|&c| c == b' ' || c == b'\t') => {
                    last_dash = Some(k);
                    k += 1;
                }
                b'#' => break,
                _ => return p,
            }
        }
        last_dash.map_or(p, |d| ls + d + 1)
    }

    /// The end of a block scalar's last content line, given the event's end.
    fn block_end(&self, header: usize, e: usize) -> usize {
        let header_line_end = self.src[header..]
            .find('\n')
            .map_or(self.b.len(), |i| header + i);
        let e = e.min(self.b.len()).max(header_line_end);
        let body = if header_line_end < e {
            &self.src[header_line_end + 1..e]
        } else {
            ""
        };
        let spaces = |l: &str| l.len() - l.trim_start_matches(' ').len();
        // Content indentation: an explicit indicator, else the first line with text.
        let header_text = &self.src[header..header_line_end];
        let explicit = header_text
            .get(1..)
            .unwrap_or("")
            .chars()
            .take_while(|c| matches!(c, '+' | '-' | '1'..='9'))
            .find_map(|c| c.to_digit(10));
        let ls = self.src[..header].rfind('\n').map_or(0, |i| i + 1);
        let indent = match explicit {
            Some(d) => Some(spaces(&self.src[ls..header]) + d as usize),
            None => body
                .split('\n')
                .map(|l| l.trim_end_matches('\r'))
                .find(|l| !l.trim_start_matches(' ').is_empty())
                .map(spaces),
        };
        let mut end = None;
        let mut at = header_line_end + 1;
        for line in body.split('\n') {
            let l = line.trim_end_matches('\r');
            let is_content = match indent {
                Some(n) => !l.trim_start_matches(' ').is_empty() || spaces(l) > n,
                None => false,
            };
            if is_content {
                end = Some(at + l.len());
            }
            at += line.len() + 1;
        }
        match end {
            Some(end) => end,
            None => {
                // No content: the scalar is only its header (without a trailing comment).
                let mut h = header + 1;
                while matches!(self.b.get(h), Some(b'+' | b'-' | b'1'..=b'9')) {
                    h += 1;
                }
                h
            }
        }
    }
}
