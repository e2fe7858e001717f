//! What an edit reports: the path asked for, the value as written, and a type that changed.

use gitops_bump::{apply_edits, Change, ChangeKind, Edit, EditOp, ValueType};

fn changes(src: &str, edits: &[Edit]) -> Vec<Change> {
    apply_edits(src, edits).expect("the edit applies").changes
}

#[test]
fn a_replaced_int_keeps_its_type_and_a_string_replacing_it_is_reported() {
    let c = &changes("replicas: 3\n", &[Edit::set("replicas", "5")])[0];
    assert_eq!((c.old_type, c.new_type), (Some("int"), Some("int")));
    assert!(!c.type_changed());
    let c = &changes("replicas: 3\n", &[Edit::set("replicas", "five")])[0];
    assert_eq!((c.old_type, c.new_type), (Some("int"), Some("string")));
    assert!(c.type_changed());
    let c = &changes("tag: 1.9\n", &[Edit::set("tag", "1.10")])[0];
    assert_eq!((c.old_type, c.new_type), (Some("float"), Some("string")));
}

#[test]
fn setting_the_same_int_is_unchanged() {
    let out = apply_edits("replicas: 2\n", &[Edit::set("replicas", "2")]).unwrap();
    assert_eq!(out.text, "replicas: 2\n");
    assert_eq!(out.changes[0].kind, ChangeKind::Unchanged);
}

#[test]
fn a_typed_value_is_reported_as_written() {
    let c = &changes("a: 1\n", &[Edit::set("a", "yes").typed(ValueType::Bool)])[0];
    assert_eq!(c.new.as_deref(), Some("true"));
    assert_eq!((c.old_type, c.new_type), (Some("int"), Some("bool")));
    let out = apply_edits("a: 1\n", &[Edit::set("a", "1e3").typed(ValueType::Float)]).unwrap();
    assert_eq!(out.text, "a: 1.0e+3\n");
    assert_eq!(out.changes[0].new.as_deref(), Some("1.0e+3"));
}

#[test]
fn a_nested_create_reports_the_path_asked_for() {
    let c = &changes("x: 1\n", &[Edit::set("a.b.c", "3").creating()])[0];
    assert_eq!((c.path.as_str(), c.new.as_deref()), ("a.b.c", Some("3")));
    assert_eq!(c.kind, ChangeKind::Insert);
    let src = "images:\n- name: a\n  newTag: \"1\"\n- name: b\n";
    let c = &changes(src, &[Edit::set("images[name=c].newTag", "4").creating()])[0];
    assert_eq!(
        (c.path.as_str(), c.new.as_deref()),
        ("images[2].newTag", Some("4"))
    );
    let c = &changes("x: 1\na:\n", &[Edit::set("a.b", "v").creating()])[0];
    assert_eq!(c.path, "a.b");
    let c = &changes(
        "",
        &[Edit::set("a.b", "2").creating().typed(ValueType::Int)],
    )[0];
    assert_eq!((c.path.as_str(), c.new_type), ("a.b", Some("int")));
}

#[test]
fn remove_all_reports_every_match() {
    let src = "l:\n- name: x\n- name: x\n- name: y\n";
    let edit = Edit {
        path: "l[name=x]".into(),
        op: EditOp::Remove,
        create: false,
        all: true,
        select: None,
    };
    let out = apply_edits(src, &[edit]).unwrap();
    assert_eq!(out.text, "l:\n- name: y\n");
    let paths: Vec<&str> = out.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["l[0]", "l[1]"]);
}
