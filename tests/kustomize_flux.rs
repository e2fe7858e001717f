//! Flux image setter markers: upstream's `setters/original` becomes `setters/expected`,
//! byte for byte.

#[path = "kustomize/common.rs"]
mod common;

use gitops_bump::{find_markers, set_image, ImageTarget, SetImageOptions};

const SETTERS: &str = "real/fluxcd__image-automation-controller/internal/update/testdata/setters";
const POLICIES: [&str; 2] = [
    "automation-ns:policy=index.repo.fake/updated:v1.0.1",
    "automation-ns:policy-with-digest=image:v1.0.0@sha256:6745aaad46d795c9836632e1fb62f24b7e7f4c843144da8e47a5465c411a14be",
];

fn update(file: &str, text: &str) -> String {
    let mut text = text.to_string();
    for spec in POLICIES {
        let opts = SetImageOptions {
            target: ImageTarget::Flux,
            file: Some(file.into()),
        };
        match set_image(&text, spec, &opts) {
            Ok(o) => text = o.text,
            Err(e) if e.kind() == gitops_bump::ErrorKind::NotFound => {}
            Err(e) => panic!("{file}: {e}"),
        }
    }
    text
}

#[test]
fn setters_original_becomes_expected_byte_for_byte() {
    let dir = common::corpus().join(SETTERS);
    let mut compared = 0;
    let mut names: Vec<_> = std::fs::read_dir(dir.join("original"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    for name in names {
        let name = name.to_string_lossy().into_owned();
        let original = std::fs::read_to_string(dir.join("original").join(&name)).unwrap();
        let got = update(&name, &original);
        match std::fs::read_to_string(dir.join("expected").join(&name)) {
            Ok(expected) => {
                assert_eq!(
                    got, expected,
                    "{name}: result differs from upstream's expected file"
                );
                compared += 1;
            }
            // Upstream keeps no expected copy of files the update leaves alone.
            Err(_) => assert_eq!(
                got, original,
                "{name} has no expected copy, so it must not change"
            ),
        }
    }
    common::say(&format!(
        "flux setters: {compared} files equal upstream's expected bytes"
    ));
    assert_eq!(compared, 3);
}

#[test]
fn automatic_target_picks_flux_for_a_policy_spec() {
    let dir = common::corpus().join(SETTERS);
    let text = std::fs::read_to_string(dir.join("original/marked.yaml")).unwrap();
    let out = set_image(&text, POLICIES[0], &SetImageOptions::default()).unwrap();
    assert_eq!(
        out.text,
        std::fs::read_to_string(dir.join("expected/marked.yaml")).unwrap()
    );
    assert_eq!(out.changes.len(), 1);
    assert_eq!(
        out.changes[0].path,
        "spec.jobTemplate.spec.template.spec.containers[0].image"
    );
}

#[test]
fn markers_inside_block_scalars_are_text() {
    let text = std::fs::read_to_string(
        common::corpus()
            .join(SETTERS)
            .join("original/kustomization.yml"),
    )
    .unwrap();
    let paths: Vec<String> = find_markers(&text)
        .unwrap()
        .into_iter()
        .map(|m| m.path)
        .collect();
    assert_eq!(
        paths,
        [
            "images[0].newName",
            "images[0].newTag",
            "images[0].newDigest",
            "patches[0].target.image"
        ]
    );
}
