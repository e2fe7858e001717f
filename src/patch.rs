//! An edit is a byte range plus replacement text; patches are applied from the end backwards.

use crate::error::{Error, ErrorKind};

/// Replace bytes `start..end` of the source with `text` (an insertion when `start == end`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The new bytes.
    pub text: String,
}

/// Applies non-overlapping patches to `src`.
///
/// # Errors
/// `usage` when two patches overlap (two edits of the same node in one request).
pub fn apply_patches(src: &str, patches: &[Patch]) -> Result<String, Error> {
    let mut sorted: Vec<&Patch> = patches.iter().collect();
    sorted.sort_by_key(|p| (p.start, p.end));
    for w in sorted.windows(2) {
        if w[1].start < w[0].end
            || (w[1].start == w[0].start && w[0].start == w[0].end && w[1].start == w[1].end)
        {
            return Err(
                Error::new(ErrorKind::Usage, "two edits touch the same bytes")
                    .hint("give each value one edit"),
            );
        }
    }
    let delta: isize = sorted
        .iter()
        .map(|p| p.text.len() as isize - (p.end - p.start) as isize)
        .sum();
    let mut out = String::with_capacity((src.len() as isize + delta).max(0) as usize);
    let mut at = 0;
    for p in sorted {
        out.push_str(&src[at..p.start]);
        out.push_str(&p.text);
        at = p.end;
    }
    out.push_str(&src[at..]);
    Ok(out)
}

/// Where byte `pos` of the source lands after `patches`: patches ending at or before it,
/// insertions at `pos` included, shift it.
pub(crate) fn shift(pos: usize, patches: &[Patch]) -> usize {
    let d: isize = patches
        .iter()
        .filter(|p| p.end <= pos)
        .map(|p| p.text.len() as isize - (p.end - p.start) as isize)
        .sum();
    (pos as isize + d) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_back_to_front_and_rejects_overlap() {
        let p = vec![
            Patch {
                start: 4,
                end: 5,
                text: "XY".into(),
            },
            Patch {
                start: 0,
                end: 1,
                text: "".into(),
            },
        ];
        assert_eq!(apply_patches("abcdefg", &p).unwrap(), "bcdXYfg");
        let q = vec![
            Patch {
                start: 0,
                end: 3,
                text: "".into(),
            },
            Patch {
                start: 2,
                end: 4,
                text: "".into(),
            },
        ];
        assert!(apply_patches("abcdefg", &q).is_err());
        assert_eq!(shift(6, &p), 6);
    }
}
