//! The regular expressions of kustomize's patch target selectors (`name`, `kind`,
//! `namespace`), anchored at both ends as kustomize anchors them: literals, `.`, `[...]`
//! classes, `\d \w \s` and escaped characters, groups with `|`, and `* + ?`. Anything else
//! (counted repetition, look-around, flags) is refused, and the caller reports the patch as
//! not followed rather than guess.

/// A compiled selector pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern(Alt);

type Alt = Vec<Seq>;
type Seq = Vec<(Atom, Rep)>;

#[derive(Debug, Clone)]
enum Atom {
    Char(char),
    Any,
    Class(bool, Vec<(char, char)>),
    Group(Alt),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rep {
    One,
    Star,
    Plus,
    Opt,
}

impl Pattern {
    /// Compiles `p`; `None` when it uses syntax this matcher does not have.
    pub fn new(p: &str) -> Option<Pattern> {
        let chars: Vec<char> = p.chars().collect();
        let mut pos = 0;
        // kustomize anchors the pattern itself; explicit anchors at the ends are the same
        let mut end = chars.len();
        if chars.first() == Some(&'^') {
            pos = 1;
        }
        if end > pos && chars[end - 1] == '$' && (end < 2 || chars[end - 2] != '\\') {
            end -= 1;
        }
        let alt = parse_alt(&chars[..end], &mut pos)?;
        (pos == end).then_some(Pattern(alt))
    }

    /// Whether the whole of `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        let input: Vec<char> = s.chars().collect();
        match_alt(&self.0, &input, 0, &mut |p| p == input.len())
    }
}

fn parse_alt(c: &[char], pos: &mut usize) -> Option<Alt> {
    let mut alt = vec![parse_seq(c, pos)?];
    while c.get(*pos) == Some(&'|') {
        *pos += 1;
        alt.push(parse_seq(c, pos)?);
    }
    Some(alt)
}

fn parse_seq(c: &[char], pos: &mut usize) -> Option<Seq> {
    let mut seq = Vec::new();
    while let Some(&ch) = c.get(*pos) {
        let atom = match ch {
            '|' | ')' => break,
            '(' => {
                *pos += 1;
                if c.get(*pos) == Some(&'?') {
                    // `(?:...)` only; other group flags are not for us
                    if c.get(*pos + 1) != Some(&':') {
                        return None;
                    }
                    *pos += 2;
                }
                let inner = parse_alt(c, pos)?;
                if c.get(*pos) != Some(&')') {
                    return None;
                }
                Atom::Group(inner)
            }
            '.' => Atom::Any,
            '[' => parse_class(c, pos)?,
            '\\' => {
                *pos += 1;
                escape(*c.get(*pos)?)?
            }
            '*' | '+' | '?' | '{' | '}' | '^' | '$' => return None,
            _ => Atom::Char(ch),
        };
        *pos += 1;
        let rep = match c.get(*pos) {
            Some('*') => Rep::Star,
            Some('+') => Rep::Plus,
            Some('?') => Rep::Opt,
            Some('{') => return None,
            _ => Rep::One,
        };
        if rep != Rep::One {
            *pos += 1;
            if matches!(c.get(*pos), Some('?' | '+' | '*')) {
                return None; // lazy or possessive forms
            }
        }
        seq.push((atom, rep));
    }
    Some(seq)
}

fn escape(ch: char) -> Option<Atom> {
    let class = |ranges: &[(char, char)]| Atom::Class(false, ranges.to_vec());
    Some(match ch {
        'd' => class(&[('0', '9')]),
        'w' => class(&[('0', '9'), ('a', 'z'), ('A', 'Z'), ('_', '_')]),
        's' => class(&[(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')]),
        c if c.is_ascii_alphanumeric() => return None,
        c => Atom::Char(c),
    })
}

/// `[...]` at `pos` (left on its `]`).
fn parse_class(c: &[char], pos: &mut usize) -> Option<Atom> {
    *pos += 1;
    let neg = c.get(*pos) == Some(&'^');
    if neg {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let ch = *c.get(*pos)?;
        if ch == ']' && !first {
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            *pos += 1;
            match escape(*c.get(*pos)?)? {
                Atom::Char(x) => x,
                Atom::Class(_, r) => {
                    ranges.extend(r);
                    *pos += 1;
                    continue;
                }
                _ => return None,
            }
        } else {
            ch
        };
        if c.get(*pos + 1) == Some(&'-') && c.get(*pos + 2).is_some_and(|x| *x != ']') {
            ranges.push((lo, c[*pos + 2]));
            *pos += 3;
        } else {
            ranges.push((lo, lo));
            *pos += 1;
        }
    }
    Some(Atom::Class(neg, ranges))
}

fn match_alt(alt: &Alt, s: &[char], p: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    alt.iter().any(|seq| match_seq(seq, s, p, k))
}

fn match_seq(seq: &[(Atom, Rep)], s: &[char], p: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some(((atom, rep), rest)) = seq.split_first() else {
        return k(p);
    };
    match rep {
        Rep::One => match_atom(atom, s, p, &mut |q| match_seq(rest, s, q, k)),
        Rep::Opt => {
            match_atom(atom, s, p, &mut |q| match_seq(rest, s, q, k)) || match_seq(rest, s, p, k)
        }
        Rep::Star => star(atom, rest, s, p, k),
        Rep::Plus => match_atom(atom, s, p, &mut |q| q > p && star(atom, rest, s, q, k)),
    }
}

/// Greedy `atom*` then `rest`; every repetition must consume input.
fn star(
    atom: &Atom,
    rest: &[(Atom, Rep)],
    s: &[char],
    p: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    match_atom(atom, s, p, &mut |q| q > p && star(atom, rest, s, q, k)) || match_seq(rest, s, p, k)
}

fn match_atom(atom: &Atom, s: &[char], p: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match atom {
        Atom::Group(alt) => match_alt(alt, s, p, k),
        _ => {
            let Some(&ch) = s.get(p) else { return false };
            let ok = match atom {
                Atom::Char(c) => *c == ch,
                Atom::Any => ch != '\n',
                Atom::Class(neg, ranges) => {
                    ranges.iter().any(|(a, b)| (*a..=*b).contains(&ch)) != *neg
                }
                Atom::Group(_) => unreachable!("handled above"),
            };
            ok && k(p + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn matches_like_an_anchored_go_regexp() {
        let m = |p: &str, s: &str| Pattern::new(p).unwrap().matches(s);
        assert!(m(
            "(kustomize-controller|helm-controller)",
            "helm-controller"
        ));
        assert!(!m(
            "(kustomize-controller|helm-controller)",
            "helm-controller-x"
        ));
        assert!(m("api-.*", "api-v2") && !m("api-.*", "xapi-v2"));
        assert!(m("Deployment|StatefulSet", "StatefulSet"));
        assert!(m("^web[0-9]+$", "web12") && !m("web[0-9]+", "web"));
        assert!(m("a.c", "abc") && m("a\\.c", "a.c") && !m("a\\.c", "abc"));
        assert!(m("(?:a|b)?c", "c") && m("[^x]y", "zy") && !m("[^x]y", "xy"));
        assert!(m("\\d\\w*", "1a_") && !m("\\d", "a"));
        for unsupported in ["a{2}", "(?i)a", "a*?", "\\bx", "(a"] {
            assert!(Pattern::new(unsupported).is_none(), "{unsupported}");
        }
    }
}
