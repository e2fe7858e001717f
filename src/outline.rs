//! The outline of one large document: where each top-level entry of its root block mapping
//! (or item of its root block sequence) starts, found by one conservative pass over the lines
//! instead of a parse.
//!
//! In a root block collection every entry starts on a line at column 0, and nothing else
//! starts there except comments, `- ` items of a key's sequence and the continuation of a
//! multi-line quoted scalar or flow collection. The pass gives up (returns `None`) on anything
//! it cannot classify for certain: a quote or bracket left open at the end of a line, tabs in
//! indentation, directives, document markers after the content, a byte order mark, complex
//! keys, quoted keys at column 0, any anchor, tag or alias, the same key twice at the top. Block
//! scalar content is skipped by indentation. A caller parses only the pieces it needs, each on
//! its own: a piece starts at column 0 and holds whole lines, so it is a document of one entry.

use std::ops::Range;

/// What the root of the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RootKind {
    /// A block mapping whose keys start at column 0.
    Mapping,
    /// A block sequence whose `- ` start at column 0.
    Sequence,
}

/// The top-level pieces of a document.
#[derive(Debug)]
pub(crate) struct Outline<'a> {
    /// The root's kind.
    pub kind: RootKind,
    /// Byte range of each top-level entry or item: from the start of its first line to the
    /// start of the next one's (the last runs to the end of the text).
    pub pieces: Vec<Range<usize>>,
    /// For a mapping, each piece's key as written (plain); empty for a sequence.
    pub keys: Vec<&'a str>,
}

/// Outlines `src`, a whole single-document text; `None` when the pass cannot be sure.
pub(crate) fn outline(src: &str) -> Option<Outline<'_>> {
    if src.starts_with('\u{feff}') {
        return None;
    }
    outline_region(src, 0..src.len(), 0)
}

/// Outlines the block collection whose entries start at column `col` on the lines of
/// `region` (whole lines of `src`): the whole document at column 0, or the value of a key
/// written on a line of its own above it. Lines indented less than `col` may only be blank
/// or comments. Below column 0 the region must lie in one already outlined: that pass read
/// every line for what it opens and closes, so this one only looks at lines at `col`.
pub(crate) fn outline_region(src: &str, region: Range<usize>, col: usize) -> Option<Outline<'_>> {
    let b = &src.as_bytes()[..region.end];
    let mut kind: Option<RootKind> = None;
    let mut pieces: Vec<Range<usize>> = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    let mut block_owner: Option<usize> = None;
    let mut start_marker_allowed = col == 0;
    let mut ls = region.start;
    while ls < b.len() {
        let le = line_end(b, ls)?;
        let next = match b.get(le) {
            Some(b'\r') => le + 2,
            _ => (le + 1).min(b.len()),
        };
        let line = &b[ls..le];
        let indent = line.iter().take_while(|&&c| c == b' ').count();
        let rest = &line[indent..];
        if rest.iter().all(|&c| c == b' ' || c == b'\t') {
            ls = next;
            continue;
        }
        if let Some(owner) = block_owner {
            if indent > owner {
                ls = next;
                continue;
            }
            block_owner = None;
        }
        if rest[0] == b'\t' || rest[0] == b'%' {
            return None;
        }
        if indent <= col && rest[0] == b'#' {
            ls = next;
            continue;
        }
        if indent < col {
            return None;
        }
        // Inside an entry, the pass over the enclosing region has read every line already.
        if col > 0 && indent > col {
            ls = next;
            continue;
        }
        if indent == col && (rest.starts_with(b"---") || rest.starts_with(b"...")) {
            // Only one `---` before any content, with nothing after it.
            let after = &rest[3..];
            let bare = after.iter().all(|&c| c == b' ') || after.starts_with(b" #");
            if !(start_marker_allowed && rest.starts_with(b"---") && bare) {
                return None;
            }
            start_marker_allowed = false;
            ls = next;
            continue;
        }
        let content_from = if indent == col {
            start_marker_allowed = false;
            let dash = rest[0] == b'-' && matches!(rest.get(1), None | Some(b' '));
            let root = *kind.get_or_insert(if dash {
                RootKind::Sequence
            } else {
                RootKind::Mapping
            });
            match (root, dash) {
                (RootKind::Sequence, true) => {
                    pieces.push(ls..ls);
                    col
                }
                // The sequence value of the key above, written without indentation.
                (RootKind::Mapping, true) => {
                    if pieces.is_empty() {
                        return None;
                    }
                    col
                }
                (RootKind::Sequence, false) => return None,
                (RootKind::Mapping, false) => {
                    if !plain_start(rest[0]) {
                        return None;
                    }
                    let colon = key_end(rest)?;
                    let key = std::str::from_utf8(&rest[..colon])
                        .ok()?
                        .trim_end_matches(' ');
                    pieces.push(ls..ls);
                    keys.push(key);
                    col + colon + 1
                }
            }
        } else {
            // Content indented deeper than the entries, before the first entry: not ours.
            kind?;
            indent
        };
        if col == 0 {
            block_owner = scan_content(line, content_from, indent)?;
        }
        ls = next;
    }
    let kind = kind?;
    let n = pieces.len();
    for i in 0..n {
        pieces[i].end = if i + 1 < n {
            pieces[i + 1].start
        } else {
            region.end
        };
    }
    if kind == RootKind::Mapping {
        // Sorting, not hashing: no input can make this slower than n log n.
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
    }
    Some(Outline { kind, pieces, keys })
}

/// The region holding the value of the mapping entry `piece` when the key stands alone on
/// its first line (`key:` and perhaps a comment), with the column its entries start at.
pub(crate) fn value_region(
    src: &str,
    piece: Range<usize>,
    key_col: usize,
) -> Option<(Range<usize>, usize)> {
    let b = &src.as_bytes()[..piece.end];
    let le = line_end(b, piece.start)?;
    let header = &b[piece.start + key_col..le];
    let colon = key_end(header)?;
    let after = &header[colon + 1..];
    let trimmed = after
        .iter()
        .position(|&c| c != b' ')
        .map_or(&after[after.len()..], |i| &after[i..]);
    if !(trimmed.is_empty() || (trimmed[0] == b'#' && after[0] == b' ')) {
        return None;
    }
    let from = match b.get(le) {
        Some(b'\r') => le + 2,
        _ => (le + 1).min(b.len()),
    };
    // The column of the first line that is neither blank nor a comment.
    let mut ls = from;
    while ls < b.len() {
        let le = line_end(b, ls)?;
        let line = &b[ls..le];
        let indent = line.iter().take_while(|&&c| c == b' ').count();
        match line.get(indent) {
            None | Some(b'#') | Some(b'\r') => {}
            Some(&c) => {
                let dash = c == b'-' && matches!(line.get(indent + 1), None | Some(b' '));
                return (indent > key_col || (indent == key_col && dash))
                    .then_some((from..piece.end, indent));
            }
        }
        ls = if b.get(le) == Some(&b'\r') {
            le + 2
        } else {
            le + 1
        };
    }
    None
}

/// Where the line starting at `ls` ends (its `\n`, or the `\r` of its `\r\n`). `None` at any
/// other line break: a carriage return alone, or NEL, LS or PS, which YAML 1.1 readers
/// (libyaml, the self-check's parser) also take for line breaks and YAML 1.2 readers do not;
/// and at a byte order mark, which readers may skip like a blank.
fn line_end(b: &[u8], ls: usize) -> Option<usize> {
    let mut at = ls;
    loop {
        let Some(i) = find_any(&b[at..], [b'\n', b'\r', 0xc2, 0xe2, 0xef]) else {
            return Some(b.len());
        };
        at += i;
        match (b[at], b.get(at + 1), b.get(at + 2)) {
            (b'\n', ..) | (b'\r', Some(b'\n'), _) => return Some(at),
            // A byte order mark after the start: parsers skip it as a separator.
            (b'\r', ..)
            | (0xc2, Some(0x85), _)
            | (0xe2, Some(0x80), Some(0xa8 | 0xa9))
            | (0xef, Some(0xbb), Some(0xbf)) => return None,
            _ => at += 1,
        }
    }
}

/// Whether every line break of `src` is `\n` or `\r\n`, the only ones the line passes over
/// documents and entries know.
pub(crate) fn plain_line_breaks(src: &str) -> bool {
    let b = src.as_bytes();
    let mut ls = 0;
    while ls < b.len() {
        match line_end(b, ls) {
            Some(le) => ls = le + if b.get(le) == Some(&b'\r') { 2 } else { 1 },
            None => return false,
        }
    }
    true
}

/// Whether `c` may start a plain scalar used as a key at column 0 (indicators may not; `-`
/// was handled before).
fn plain_start(c: u8) -> bool {
    !matches!(
        c,
        b'?' | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b'-'
    )
}

/// Where the plain key starting `line` ends: the first `:` followed by a space or the end of
/// the line; `None` for a line without one (or with a comment before it).
fn key_end(line: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b':' if matches!(line.get(i + 1), None | Some(b' ')) => return Some(i),
            b'#' if i > 0 && line[i - 1] == b' ' => return None,
            b'\t' => return None,
            _ => i += 1,
        }
    }
    None
}

fn is_blank_or_end(line: &[u8], i: usize) -> bool {
    matches!(line.get(i), None | Some(b' '))
}

/// Reads the rest of a line from `i` (the line's own indentation is `indent`): node
/// properties, `- ` indicators, keys, one-line quoted scalars and flow collections, plain
/// scalars, comments. Returns the column that a block scalar started here belongs to (its
/// content is every following line indented deeper), `Some(None)` when the line closes
/// everything it opens, and `None` when it leaves something open or cannot be read for sure.
fn scan_content(line: &[u8], mut i: usize, indent: usize) -> Option<Option<usize>> {
    let mut owner = indent;
    loop {
        while i < line.len() && line[i] == b' ' {
            i += 1;
        }
        let Some(&c) = line.get(i) else {
            return Some(None);
        };
        match c {
            b'#' => return Some(None),
            b'\t' => return None,
            b'-' if is_blank_or_end(line, i + 1) => {
                owner = i;
                i += 1;
            }
            b':' if is_blank_or_end(line, i + 1) => i += 1,
            b'?' if is_blank_or_end(line, i + 1) => return None,
            // Anchors, tags and aliases: where the parser puts them decides which node an
            // edit reaches; leave such documents to it.
            b'&' | b'!' | b'*' => return None,
            b'|' | b'>' => {
                i += 1;
                while i < line.len() && matches!(line[i], b'0'..=b'9' | b'+' | b'-') {
                    i += 1;
                }
                while i < line.len() && line[i] == b' ' {
                    i += 1;
                }
                return (i == line.len() || line[i] == b'#').then_some(Some(owner));
            }
            b'"' | b'\'' | b'[' | b'{' => {
                let start = i;
                i = if c == b'"' || c == b'\'' {
                    quoted_end(line, i)?
                } else {
                    flow_end(line, i)?
                };
                while i < line.len() && line[i] == b' ' {
                    i += 1;
                }
                match line.get(i) {
                    None | Some(b'#') => return Some(None),
                    Some(b':') if is_blank_or_end(line, i + 1) && c != b'[' && c != b'{' => {
                        owner = start;
                        i += 1;
                    }
                    _ => return None,
                }
            }
            b',' | b']' | b'}' | b'%' | b'@' | b'`' => return None,
            _ => {
                // A plain scalar: up to `: ` (then it was a key) or ` #` or the end.
                let start = i;
                loop {
                    i += find_any(&line[i..], [b':', b'#', b'\t']).unwrap_or(line.len() - i);
                    match line.get(i) {
                        None => return Some(None),
                        Some(b':') if is_blank_or_end(line, i + 1) => {
                            owner = start;
                            i += 1;
                            break;
                        }
                        Some(b'#') if line[i - 1] == b' ' => return Some(None),
                        Some(b'\t') => return None,
                        _ => i += 1,
                    }
                }
            }
        }
    }
}

/// The first position in `hay` holding one of `needles`, eight bytes at a time.
fn find_any<const N: usize>(hay: &[u8], needles: [u8; N]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let masks = needles.map(|n| LO * u64::from(n));
    let mut at = 0;
    while at + 8 <= hay.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&hay[at..at + 8]);
        let x = u64::from_le_bytes(word);
        // A byte of `x ^ m` is zero where `x` holds that needle.
        let hit = masks
            .iter()
            .map(|m| (x ^ m).wrapping_sub(LO) & !(x ^ m) & HI)
            .fold(0, |a, h| a | h);
        if hit != 0 {
            return Some(at + hit.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    hay[at..]
        .iter()
        .position(|c| needles.contains(c))
        .map(|i| at + i)
}

/// Just past the quoted scalar opening at `i`, if it closes on this line.
fn quoted_end(line: &[u8], i: usize) -> Option<usize> {
    let q = line[i];
    let mut j = i + 1;
    while j < line.len() {
        match line[j] {
            b'\\' if q == b'"' => j += 2,
            c if c == q => {
                if q == b'\'' && line.get(j + 1) == Some(&b'\'') {
                    j += 2;
                } else {
                    return Some(j + 1);
                }
            }
            _ => j += 1,
        }
    }
    None
}

/// Just past the flow collection opening at `i`, if it closes on this line.
fn flow_end(line: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    // The last byte that was not a space: quotes start a scalar only after one of `[{,:`.
    let mut prev = b'[';
    while j < line.len() {
        let c = line[j];
        match c {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            b'"' | b'\'' if matches!(prev, b'[' | b'{' | b',' | b':') => {
                j = quoted_end(line, j)?;
                prev = c;
                continue;
            }
            b'#' if line[j - 1] == b' ' => return None,
            b'\t' => return None,
            _ => {}
        }
        if c != b' ' {
            prev = c;
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(src: &str) -> Option<Vec<String>> {
        outline(src).map(|o| {
            o.pieces
                .iter()
                .map(|r| src[r.clone()].lines().next().unwrap_or("").to_string())
                .collect()
        })
    }

    #[test]
    fn mapping_pieces_start_at_keys() {
        let src = "# head\r\na: 1\n# between\nb:\n- x\n- y\nc: |\n  text\n\n  more\nd: {x: 1}\n";
        let o = outline(src).expect("outline");
        assert_eq!(o.kind, RootKind::Mapping);
        assert_eq!(o.keys, ["a", "b", "c", "d"]);
        assert_eq!(&src[o.pieces[1].clone()], "b:\n- x\n- y\n");
        assert_eq!(&src[o.pieces[3].clone()], "d: {x: 1}\n");
        assert_eq!(o.pieces[0].start, 8);
    }

    #[test]
    fn sequence_pieces_start_at_dashes() {
        let src = "---\n- name: a\n  image: x\n-\n  name: b\n- c\n";
        let o = outline(src).expect("outline");
        assert_eq!(o.kind, RootKind::Sequence);
        assert_eq!(o.pieces.len(), 3);
        assert_eq!(&src[o.pieces[1].clone()], "-\n  name: b\n");
    }

    #[test]
    fn block_scalar_content_is_opaque() {
        let src = "a:\n  s: |\n    \"open [ { '\n    - x\n  t: 1\nb: 2\n";
        assert_eq!(keys(src).expect("outline"), ["a:", "b: 2"]);
    }

    #[test]
    fn gives_up_when_unsure() {
        for src in [
            "a: \"open\nb: x\"\n",
            "a: 'open\nb: x'\n",
            "a: [1,\nb: 2]\n",
            "a: {x: 1,\n b: 2}\n",
            "\"a\": 1\n",
            "&x a: 1\n",
            "? a\n: 1\n",
            "a: 1\na: 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "\u{feff}a: 1\n",
            "a:\n\tb: 1\n",
            "  a: 1\nb: 2\n",
            "- a\nb: 1\n",
            "a: 1\nb\n",
            "a: \"x\" y\n",
            "a: |\n \rb: 1\n",
            "a: |\n x\u{85}b: 1\n",
            "a: |\n x\u{2028}b: 1\n",
            "\n\u{feff}# c:\n",
            "a: \u{feff}\"x\n",
            "- &x\n  - a\n- b\n",
            "a: !!str 1\n",
            "a: 1\nb: *x\n",
        ] {
            assert!(outline(src).is_none(), "{src:?}");
        }
    }

    #[test]
    fn quotes_inside_plain_scalars_are_text() {
        let src = "a: don't \"stop\n  it's\nc: [x, y'z]\nd: 'it''s' # c\n";
        assert_eq!(keys(src).expect("outline").len(), 3);
    }
}
