//! Lazy parsing of large inputs gives the same results as parsing everything: every scalar of
//! every one-document corpus file, set with lazy parsing forced on (threshold 0) and off, and
//! the line pass that finds top-level entries checked against the parse.

mod support;

use gitops_bump::{apply_edits_lazy_from, outline_starts, parsed_starts, Edit, WHOLE_DOCUMENTS};
use support::{assert_none_failed, read_corpus_file, real_yaml_files, scalar_pointers};

fn both(src: &str, edits: &[Edit]) -> (String, String) {
    let show = |r: Result<gitops_bump::Outcome, gitops_bump::Error>| match r {
        Ok(o) => format!("{:?}\n{}", o.changes, o.text),
        Err(e) => format!("error {e}"),
    };
    (
        show(apply_edits_lazy_from(src, edits, 0)),
        show(apply_edits_lazy_from(src, edits, WHOLE_DOCUMENTS)),
    )
}

#[test]
fn lazy_edits_equal_eager_edits_on_the_corpus() {
    let files = real_yaml_files();
    let (mut outlined, mut edits, mut failures) = (0, 0, Vec::new());
    for path in &files {
        let (src, rel) = read_corpus_file(path);
        let Some(starts) = outline_starts(&src) else {
            continue;
        };
        outlined += 1;
        match parsed_starts(&src) {
            Some(p) if p == starts => {}
            p => {
                failures.push(format!("{rel}: outline {starts:?}, parse {p:?}"));
                continue;
            }
        }
        let pointers = scalar_pointers(&src);
        for (i, p) in pointers.iter().enumerate() {
            let v = ["1.10", "x: y"][i % 2];
            edits += 1;
            let (lazy, eager) = both(&src, &[Edit::set(p.clone(), v)]);
            if lazy != eager {
                failures.push(format!("{rel}: {p} = {v}:\nlazy:  {lazy}\neager: {eager}"));
            }
        }
        // Several sets in one request, in entries far apart.
        let batch: Vec<Edit> = pointers
            .iter()
            .step_by(7)
            .map(|p| Edit::set(p.clone(), "2"))
            .collect();
        edits += 1;
        let (lazy, eager) = both(&src, &batch);
        if lazy != eager {
            failures.push(format!(
                "{rel}: batch of {}:\nlazy:  {lazy}\neager: {eager}",
                batch.len()
            ));
        }
    }
    println!(
        "lazy: {outlined} of {} files outlined, {edits} edits compared",
        files.len()
    );
    assert_none_failed(&failures);
    assert!(outlined >= 40, "only {outlined} corpus files were outlined");
    assert!(edits >= 2_500, "only {edits} edits compared");
}

#[test]
fn lazy_sequence_paths_equal_eager() {
    let mut src = String::from("# apps\n");
    for i in 0..50 {
        src.push_str(&format!(
            "- name: app-{i}\n  image: ghcr.io/acme/app:{i}\n  ports: [80, 443]\n"
        ));
    }
    src.push_str("- name: app-7\n  image: twin\n- name: 'app-q'\n  image: \"quoted: yes\"\n-\n  name: last\n");
    assert!(outline_starts(&src).is_some());
    for path in [
        "[name=app-3].image",
        "[name=app-7].image",
        "[name=app-49].image",
        "[name=app-q].image",
        "[name=missing].image",
        "[name=last].image",
        "[0].image",
        "[-1].name",
        "[-1]",
        "[60].image",
        "3.image",
        "[*].image",
        "[name=app-1].ports[1]",
        "[name=app-1].nope",
    ] {
        let (lazy, eager) = both(&src, &[Edit::set(path, "1.10")]);
        assert_eq!(lazy, eager, "{path}");
    }
    let all = Edit::set("[name=app-7].image", "v2").all();
    let (lazy, eager) = both(&src, &[all]);
    assert_eq!(lazy, eager);
}

#[test]
fn lazy_mapping_paths_equal_eager() {
    let mut src = String::from("---\n");
    for i in 0..50 {
        src.push_str(&format!(
            "key{i}:\n  image: r/app:{i} # pinned\n  tags:\n  - a\n  - b\n"
        ));
    }
    src.push_str("block: |\n  key3:\n    image: fake\nlast: 1");
    assert!(outline_starts(&src).is_some());
    // An anchor anywhere leaves the document to the parser.
    let anchored = format!("{src}\nanchored: &a\n  image: x\nuser: *a\n");
    assert!(outline_starts(&anchored).is_none());
    let (lazy, eager) = both(&anchored, &[Edit::set("anchored.image", "y")]);
    assert_eq!(lazy, eager);
    for path in [
        "key3.image",
        "key49.tags[1]",
        "key3.missing",
        "nokey.image",
        "block",
        "last",
        "key3",
        "*",
    ] {
        let (lazy, eager) = both(&src, &[Edit::set(path, "1.10")]);
        assert_eq!(lazy, eager, "{path}");
    }
}

#[test]
fn lazy_nested_paths_equal_eager() {
    let mut src = String::from("apiVersion: v1\nspec:\n  # the apps\n  apps:\n");
    for i in 0..40 {
        src.push_str(&format!("    app{i}:\n      image: r/app:{i}\n      env:\n      - name: A\n        value: '1'\n"));
    }
    src.push_str("  list:\n  - name: one\n    image: x\n  - name: two\n    image: y\n  tail: |\n    app3:\n      image: fake\nafter: 1\n");
    for path in [
        "spec.apps.app3.image",
        "spec.apps.app39.env[name=A].value",
        "spec.apps.app3.missing",
        "spec.apps.nope.image",
        "spec.list[name=two].image",
        "spec.list[1].image",
        "spec.list[-1]",
        "spec.tail",
        "spec.apps.app7",
        "after",
    ] {
        let (lazy, eager) = both(&src, &[Edit::set(path, "1.10")]);
        assert_eq!(lazy, eager, "{path}");
    }
    let batch = [
        Edit::set("spec.apps.app1.image", "a"),
        Edit::set("spec.apps.app30.image", "b"),
    ];
    let (lazy, eager) = both(&src, &batch);
    assert_eq!(lazy, eager);
}

#[test]
fn text_that_looks_like_an_entry_inside_a_string_is_not_one() {
    // A multi-line quoted scalar whose continuation lines look like top-level keys: the line
    // pass must decline, and the edit go to the real key.
    let src = "a: \"first\n key: fake\n end\"\nkey: real\n";
    assert_eq!(outline_starts(src), None);
    let (lazy, eager) = both(src, &[Edit::set("key", "new")]);
    assert_eq!(lazy, eager);
    assert!(lazy.ends_with("key: new\n"), "{lazy}");
}
