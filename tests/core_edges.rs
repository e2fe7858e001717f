//! Edges of the core found by rerunning the hostile suite and real-world shapes: removing the
//! last child of a collection whose key carries a comment, `get` of an alias bomb.

use gitops_bump::{apply_edits, get_values, Edit, ErrorKind, GetOptions};

fn removed(src: &str, path: &str, all: bool) -> String {
    let mut e = Edit::remove(path);
    if all {
        e = e.all();
    }
    apply_edits(src, &[e])
        .unwrap_or_else(|e| panic!("remove {path}:\n{e}"))
        .text
}

#[test]
fn removing_the_last_child_keeps_the_comment_after_its_key() {
    // a values file's shape: a list switched off with a comment on its key
    assert_eq!(
        removed(
            "tolerations: # none by default\n  - key: a\nother: 1\n",
            "tolerations[0]",
            false
        ),
        "tolerations: [] # none by default\nother: 1\n"
    );
    assert_eq!(
        removed(
            "podLabels: # extra labels\n  team: web\nother: 1\n",
            "podLabels.team",
            false
        ),
        "podLabels: {} # extra labels\nother: 1\n"
    );
    assert_eq!(
        removed(
            "spec:\n  args: # flags\n    - --a\n    - --b\n  x: 1\n",
            "spec.args[*]",
            true
        ),
        "spec:\n  args: [] # flags\n  x: 1\n"
    );
}

#[test]
fn removing_the_last_child_keeps_a_comment_on_its_own_line() {
    assert_eq!(
        removed(
            "extraEnv:\n  # set by CI\n  - name: A\n    value: b\nother: 1\n",
            "extraEnv[0]",
            false
        ),
        "extraEnv: []\n  # set by CI\nother: 1\n"
    );
    // an item of a sequence whose own `-` carries the comment
    assert_eq!(
        removed(
            "matrix:\n  - # first group\n    - a\n  - [b]\n",
            "matrix[0][0]",
            false
        ),
        "matrix:\n  - [] # first group\n  - [b]\n"
    );
}

/// Five levels of nine aliases each, the shape of the "billion laughs" attack.
fn bomb() -> String {
    let mut s = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for i in 1..=5u8 {
        let (name, prev) = ((b'a' + i) as char, (b'a' + i - 1) as char);
        s.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    s.push_str("z: 1\n");
    s
}

#[test]
fn get_of_an_alias_bomb_is_refused_naming_the_limit() {
    let src = bomb();
    let e = get_values(&src, "e", &GetOptions::default()).expect_err("an alias bomb is refused");
    assert_eq!(e.kind(), ErrorKind::Alias);
    assert!(e.message().contains("at most 100 times per event"), "{e}");
    assert_eq!(e.line(), Some(5));
    // a plain value beside it still reads, and so does a small alias
    assert_eq!(
        get_values(&src, "z", &GetOptions::default()).unwrap()[0].yaml,
        "1\n"
    );
    let small = "a: &a [1, 2]\nb: *a\n";
    assert_eq!(
        get_values(small, "b", &GetOptions::default()).unwrap()[0].yaml,
        "[1, 2]\n"
    );
}

#[test]
fn setting_an_anchored_scalar_names_every_alias_that_changes_with_it() {
    // a values file sharing one tag between two images with an anchor
    let src = "api:\n  tag: &tag 1.9.2\nworker:\n  tag: *tag\nmigrations:\n  tag: *tag\n";
    let out = apply_edits(src, &[Edit::set("api.tag", "1.10.0")]).unwrap();
    assert_eq!(
        out.text,
        "api:\n  tag: &tag 1.10.0\nworker:\n  tag: *tag\nmigrations:\n  tag: *tag\n"
    );
    assert_eq!(out.changes[0].aliases, ["worker.tag", "migrations.tag"]);
    // without an anchor there is nothing to name
    let plain = apply_edits("a: 1\n", &[Edit::set("a", "2")]).unwrap();
    assert!(plain.changes[0].aliases.is_empty());
}
