//! Fixture folders `tests/kustomize/fixtures/<case>/`: `input.yaml`, `args` (`spec:`, and
//! optional `target:` and `file:` lines), `expected.yaml` (the exact bytes) and
//! `expected.changes` (one line per reported change). One test reads them all and asserts
//! how many it ran, so no fixture goes unread. `UPDATE_FIXTURES=1` writes the expectations.

#[path = "kustomize/common.rs"]
mod common;

use gitops_bump::{set_image, ImageTarget, SetImageOptions};

#[test]
fn every_fixture_gives_its_expected_bytes() {
    let root = common::data("fixtures");
    let update = std::env::var("UPDATE_FIXTURES").is_ok();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let args = std::fs::read_to_string(dir.join("args")).unwrap();
        let mut opts = SetImageOptions::default();
        let mut spec = String::new();
        for line in args.lines() {
            let (k, v) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("{name}/args: `{line}`"));
            match k {
                "spec" => spec = v.to_string(),
                "target" => opts.target = ImageTarget::parse(v).unwrap(),
                "file" => opts.file = Some(v.to_string()),
                _ => panic!("{name}/args: unknown key `{k}`"),
            }
        }
        let input = std::fs::read_to_string(dir.join("input.yaml")).unwrap();
        let out = match set_image(&input, &spec, &opts) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let file = opts.file.clone().unwrap_or_else(|| "input.yaml".into());
        let changes: String = out
            .changes
            .iter()
            .map(|c| common::change_line(c, &file))
            .collect();
        if update {
            std::fs::write(dir.join("expected.yaml"), &out.text).unwrap();
            std::fs::write(dir.join("expected.changes"), &changes).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap_or_default();
        if out.text != expected {
            failures.push(format!(
                "{name}: bytes differ\n--- expected\n{expected}\n--- got\n{}",
                out.text
            ));
        }
        let expected_changes =
            std::fs::read_to_string(dir.join("expected.changes")).unwrap_or_default();
        if changes != expected_changes {
            failures.push(format!(
                "{name}: changes differ\n--- expected\n{expected_changes}--- got\n{changes}"
            ));
        }
    }
    common::say(&format!("kustomize fixtures: {} cases", cases.len()));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(
        cases.len(),
        12,
        "fixture folders (update the count when adding one)"
    );
}
