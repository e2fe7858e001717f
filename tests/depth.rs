//! One nesting limit for everything the core reads and writes: deep input is refused with a
//! `too-deep` error naming the line and column, before any recursion could overflow a stack.

use gitops_bump::{apply_edits, get_values, Edit, ErrorKind, GetOptions, ValueType, MAX_DEPTH};

fn deep_sequence(levels: usize) -> String {
    format!("{}x\n", "- ".repeat(levels))
}

fn deep_mapping(levels: usize) -> String {
    (0..levels)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect()
}

#[test]
fn ten_thousand_levels_are_a_clean_error() {
    for src in [deep_sequence(10_000), deep_mapping(10_000)] {
        let e = get_values(&src, "a", &GetOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooDeep, "{e}");
        assert!(e.line().is_some() && e.column().is_some(), "{e}");
        let e = apply_edits(&src, &[Edit::set("a", "1")]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooDeep, "{e}");
    }
    let flow = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let e = get_values(&flow, "a", &GetOptions::default()).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::TooDeep | ErrorKind::YamlSyntax),
        "{e}"
    );
}

#[test]
fn the_limit_itself_is_readable() {
    let src = deep_mapping(MAX_DEPTH);
    let path: Vec<String> = (0..MAX_DEPTH).map(|i| format!("k{i}")).collect();
    let out = apply_edits(&src, &[Edit::set(path.join("."), "v")]).unwrap();
    assert!(out.text.ends_with(": v\n"), "{}", out.text);
    let e = get_values(&deep_mapping(MAX_DEPTH + 1), "k0", &GetOptions::default()).unwrap_err();
    assert_eq!(
        (e.kind(), e.line()),
        (ErrorKind::TooDeep, Some(MAX_DEPTH + 1))
    );
}

#[test]
fn a_long_create_path_says_the_real_cause() {
    for n in [200, 3_000] {
        let path = vec!["k"; n].join(".");
        let e = apply_edits("x: 1\n", &[Edit::set(path, "v").creating()]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooDeep, "{e}");
        assert!(!e.to_string().contains("bug"), "{e}");
        assert_eq!(e.column(), Some(2 * MAX_DEPTH + 1), "{e}");
        assert!(e.to_string().lines().all(|l| l.len() < 200), "{e}");
    }
}

#[test]
fn a_create_that_would_nest_too_deep_is_refused() {
    let src = deep_mapping(MAX_DEPTH - 1);
    let mut path: Vec<String> = (0..MAX_DEPTH - 1).map(|i| format!("k{i}")).collect();
    path.push("new".into());
    let e = apply_edits(
        &src,
        &[Edit::set(path.join("."), "[1, [2]]")
            .typed(ValueType::Yaml)
            .creating()],
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooDeep, "{e}");
    assert!(!e.to_string().contains("bug"), "{e}");
}
