//! Where a change is reported: the new value in the new text, for every kind of edit, also
//! when other edits of the same request insert or remove lines before it.

use gitops_bump::{apply_edits, set_image, Change, Edit, EditOp, Outcome, SetImageOptions};

/// 1-based line and column (characters) of byte `at`, counted here without the core.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Asserts that each change points at `shown[i]` as written in the new text.
fn points_at(out: &Outcome, shown: &[&str]) {
    assert_eq!(out.changes.len(), shown.len(), "{:#?}", out.changes);
    for (c, want) in out.changes.iter().zip(shown) {
        let Change {
            line,
            column,
            offset,
            ..
        } = c;
        assert!(
            out.text[*offset..].starts_with(want),
            "{} reported at {line}:{column} (byte {offset}), where the new text has {:?}, not {want:?}\n{}",
            c.path,
            &out.text[*offset..(*offset + 12).min(out.text.len())],
            out.text
        );
        assert_eq!((*line, *column), line_col(&out.text, *offset), "{}", c.path);
    }
}

// The shape of an overlay that names its images but has never pinned a tag (podinfo's
// `deploy/overlays/*` and flux2-kustomize-helm-example's apps): the new `newTag` goes on a
// line of its own below the entry.
const OVERLAY: &str = "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: podinfo
resources:
  - ../../base
images:
  - name: ghcr.io/stefanprodan/podinfo
    newName: ghcr.io/stefanprodan/podinfo
  - name: redis
    newTag: 7.0.7
";

#[test]
fn an_inserted_new_tag_is_reported_on_its_own_new_line() {
    let opts = SetImageOptions {
        file: Some("kustomization.yaml".into()),
        ..Default::default()
    };
    let out = set_image(OVERLAY, "ghcr.io/stefanprodan/podinfo:6.5.4", &opts).unwrap();
    assert!(out.text.contains("    newTag: 6.5.4\n"), "{}", out.text);
    points_at(&out, &["6.5.4"]);
    assert_eq!((out.changes[0].line, out.changes[0].column), (9, 13));
}

#[test]
fn an_appended_item_is_reported_where_it_is_not_at_the_previous_entry() {
    let src = "resources:\n  - ../../base\n  - hpa.yaml\n";
    let edit = Edit {
        path: "resources".into(),
        op: EditOp::Append {
            value: "pdb.yaml".into(),
            ty: Default::default(),
        },
        create: false,
        all: false,
        select: None,
    };
    let out = apply_edits(src, &[edit]).unwrap();
    points_at(&out, &["pdb.yaml"]);
    assert_eq!((out.changes[0].line, out.changes[0].column), (4, 5));
    // A flow list, and a new image entry at the end of `images:`.
    let out = apply_edits("args: [--a, --b]\n", &[append("args", "--c")]).unwrap();
    points_at(&out, &["--c"]);
    let out = set_image(OVERLAY, "nginx:1.27", &SetImageOptions::default()).unwrap();
    points_at(&out, &["\"1.27\""]);
}

fn append(path: &str, value: &str) -> Edit {
    Edit {
        path: path.into(),
        op: EditOp::Append {
            value: value.into(),
            ty: Default::default(),
        },
        create: false,
        all: false,
        select: None,
    }
}

#[test]
fn created_keys_items_and_documents_are_reported_at_their_value() {
    // A Helm values file's shape (bitnami charts): nested maps, a key with no value.
    let values = "\
## @param image.registry
image:
  registry: docker.io
  repository: bitnami/redis
  pullPolicy: IfNotPresent
podAnnotations:
resources: {}
";
    let out = apply_edits(values, &[Edit::set("image.tag", "7.2.4").creating()]).unwrap();
    points_at(&out, &["7.2.4"]);
    let out = apply_edits(
        values,
        &[Edit::set("podAnnotations[\"prometheus.io/scrape\"]", "true").creating()],
    )
    .unwrap();
    points_at(&out, &["\"true\""]);
    let out = apply_edits(
        values,
        &[Edit::set("podAnnotations.team", "web").creating()],
    )
    .unwrap();
    points_at(&out, &["web"]);
    let out = apply_edits(values, &[Edit::set("resources.limits.cpu", "1").creating()]).unwrap();
    points_at(&out, &["\"1\""]);
    let out = apply_edits("", &[Edit::set("image.tag", "1.10").creating()]).unwrap();
    points_at(&out, &["\"1.10\""]);
    let out = apply_edits(
        "containers:\n- name: web\n  image: a:1\n",
        &[Edit::set("containers[name=sidecar].image", "b:2").creating()],
    )
    .unwrap();
    points_at(&out, &["b:2"]);
}

#[test]
fn a_set_after_an_insertion_earlier_in_the_file_moves_with_it() {
    // Two edits of one request in two runs: the insertion comes after the set in the request
    // but before it in the file, so the set's value moves down a line.
    let src = "image:\n  repository: redis\nreplicaCount: 1\n";
    let out = apply_edits(
        src,
        &[
            Edit::set("replicaCount", "3"),
            Edit::set("image.tag", "7.2.4").creating(),
        ],
    )
    .unwrap();
    assert_eq!(
        out.text,
        "image:\n  repository: redis\n  tag: 7.2.4\nreplicaCount: 3\n"
    );
    points_at(&out, &["3", "7.2.4"]);
    // And a key with no value set, which gains a space before its value.
    let out = apply_edits("a:\nb: 1\n", &[Edit::set("a", "x"), Edit::set("b", "2")]).unwrap();
    points_at(&out, &["x", "2"]);
}

#[test]
fn a_removal_is_reported_where_it_was_in_the_new_text() {
    let src = "a: 1\nb: 2\nc: 3\n";
    let out = apply_edits(src, &[Edit::remove("b")]).unwrap();
    points_at(&out, &["c: 3"]);
}
