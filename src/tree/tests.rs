//! The builder's spans and refusals, checked on small inputs.

use super::*;

fn spans(src: &str) -> Vec<String> {
    let s = Stream::parse(src).unwrap();
    let mut out = Vec::new();
    fn walk(n: &Node, src: &str, out: &mut Vec<String>) {
        match &n.kind {
            NodeKind::Scalar { .. } | NodeKind::Alias { .. } => {
                out.push(src[n.start..n.end].to_string())
            }
            NodeKind::Mapping { entries, .. } => {
                for (k, v) in entries {
                    walk(k, src, out);
                    walk(v, src, out);
                }
            }
            NodeKind::Sequence { items, .. } => items.iter().for_each(|i| walk(i, src, out)),
        }
    }
    for d in &s.docs {
        if let Some(r) = &d.root {
            walk(r, src, &mut out);
        }
    }
    out
}

#[test]
fn scalar_spans_are_the_tokens() {
    let src = "a: &x plain value  # c\nb: \"dq\"\nc: 'sq'\nd: |\n  l1\n  l2\n\ne: >-\n  f\nf: !!str t\ng: *x\nh:\ni: [q, {k: v}]\n";
    assert_eq!(
        spans(src),
        vec![
            "a",
            "plain value",
            "b",
            "\"dq\"",
            "c",
            "'sq'",
            "d",
            "|\n  l1\n  l2",
            "e",
            ">-\n  f",
            "f",
            "t",
            "g",
            "*x",
            "h",
            "",
            "i",
            "q",
            "k",
            "v"
        ]
    );
}

#[test]
fn properties_go_to_the_right_node() {
    let src = "a:\n- &x !t |\n  v\nb: &m\n  k: 1\nc:\n  &y k2: 2\n";
    let s = Stream::parse(src).unwrap();
    let root = s.docs[0].root.as_ref().unwrap();
    let NodeKind::Mapping { entries, .. } = &root.kind else {
        panic!()
    };
    let (seq, item) = match &entries[0].1.kind {
        NodeKind::Sequence { items, .. } => (&entries[0].1, &items[0]),
        _ => panic!(),
    };
    assert_eq!((seq.anchor.as_deref(), seq.tag.as_deref()), (None, None));
    assert_eq!(
        (item.anchor.as_deref(), item.tag.as_deref()),
        (Some("x"), Some("!t"))
    );
    assert_eq!(&src[seq.start..seq.start + 1], "-");
    assert_eq!(entries[1].1.anchor.as_deref(), Some("m"));
    assert_eq!(entries[2].1.anchor, None);
    let NodeKind::Mapping { entries: inner, .. } = &entries[2].1.kind else {
        panic!()
    };
    assert_eq!(inner[0].0.anchor.as_deref(), Some("y"));
}

#[test]
fn non_ascii_directives_keep_positions() {
    let src = "%FOO \u{e5d7}\n--- |\n  x\n";
    assert_eq!(spans(src), vec!["|\n  x"]);
    let src = "%FOO \u{e9}\n---\na: \u{e9}1\n";
    assert_eq!(spans(src), vec!["a", "\u{e9}1"]);
}

#[test]
fn non_ascii_and_bom() {
    let src = "\u{feff}name: é\nx: ü1\n";
    assert_eq!(spans(src), vec!["name", "é", "x", "ü1"]);
}

#[test]
fn markers_split_like_the_parser() {
    for src in [
        "# head\na: 1\n---\nb: 2\n...\n%YAML 1.2\n---\nc: 3\n",
        "---\na: 1\n---\n# only a comment\n---\nb: |\n  x\n  ---x\n...\n# tail\n",
        "a: 1\n...\nb: 2\n",
        "# just a comment\n",
    ] {
        let full = Stream::parse(src).unwrap();
        let lazy = Stream::parse_where(src, &|_, _| true).unwrap();
        let f: Vec<_> = full.docs.iter().map(|d| d.range.clone()).collect();
        let l: Vec<_> = lazy.docs.iter().map(|d| d.range.clone()).collect();
        assert_eq!(f.len(), l.len(), "{src:?}: {f:?} vs {l:?}");
        for (a, b) in full.docs.iter().zip(&lazy.docs) {
            assert_eq!(
                a.root.as_ref().map(|n| (n.start, n.end)),
                b.root.as_ref().map(|n| (n.start, n.end)),
                "{src:?}"
            );
        }
    }
}

#[test]
fn document_ranges_cover_the_stream() {
    let src = "# head\na: 1\n---\nb: 2\n...\n%YAML 1.2\n---\nc: 3\n";
    let s = Stream::parse(src).unwrap();
    assert_eq!(s.docs.len(), 3);
    assert_eq!(&src[s.docs[0].range.clone()], "# head\na: 1\n");
    assert_eq!(&src[s.docs[1].range.clone()], "---\nb: 2\n...\n");
    assert_eq!(&src[s.docs[2].range.clone()], "%YAML 1.2\n---\nc: 3\n");
}
