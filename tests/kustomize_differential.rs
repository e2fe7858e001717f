//! The overlay check against kustomize v5.5.0 itself, name by name.
//!
//! Every case under `tests/kustomize/differential/<case>/` is a small repository whose
//! overlay is `overlay/` (or the directory or file named in `<case>/target`). For every image
//! name its files mention (`image:` values, `images:` and `imageTag` names and new names,
//! plus the lines of `<case>/names`), and a typo of each, the check's verdict on
//! `image <overlay> NAME:gbdiff` must equal what real kustomize does with
//! `kustomize edit set image` followed by `kustomize build`:
//!
//! - accepted: the render contains an image tagged `gbdiff` (an accepted edit changes it);
//! - refused (`unknown-image`): the render does not;
//! - unchecked (the edit is made and the parts not followed are reported): allowed only for
//!   the `what` values listed in `<case>/unchecked`, which must then be exactly the reported
//!   set; a case without that file must be decided for every name.
//!
//! A Component target is built through the overlay named in `<case>/build`.
//!
//! An Argo CD target (an Application, or a `.argocd-source-<app>.yaml`) names its source
//! directory in `<case>/argocd`: kustomize is then asked as Argo CD asks it, with
//! `kustomize edit set image` of each of the target's image strings (after our edit) in the
//! source directory, then `kustomize build` of it.
//!
//! Our edit appends a new `images:` entry where kustomize re-sorts the list by name (a
//! deliberate difference, docs/kustomize.md), and the order decides what an entry retags.
//! The names for which that makes kustomize's edit render differently from ours are listed in
//! `<case>/sorted`: for them the verdict must equal the render of our edit, and kustomize's
//! must indeed differ (so the list cannot go stale).
//!
//! Cases whose kustomize build cannot run offline (remote bases, Helm charts) have a file
//! `<case>/offline`: their names are only required to be unchecked or accepted, never refused.

#[path = "kustomize/common.rs"]
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use gitops_bump::{image_edit, parse_image_spec, ErrorKind, ImageEditOptions, ImageRef};
use serde::Deserialize;

const TAG: &str = "gbdiff";

/// What the check said about one name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Accepted,
    Refused,
    Unchecked(BTreeSet<String>),
}

/// Our verdict, and the edited file (relative to the case) with its new text, as the edit
/// would be made (with `force` when the check refuses it).
fn verdict(fs: &common::StdFs, target: &str, spec: &str) -> (Verdict, (String, String)) {
    let forced = image_edit(
        fs,
        target,
        spec,
        &ImageEditOptions {
            force: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{target} {spec}: {e}"));
    let edited = (forced.file, forced.text);
    let v = match image_edit(fs, target, spec, &ImageEditOptions::default()) {
        Ok(out) if out.unchecked.is_empty() => Verdict::Accepted,
        Ok(out) => Verdict::Unchecked(out.unchecked.into_iter().map(|u| u.what).collect()),
        Err(e) if e.kind() == ErrorKind::UnknownImage => Verdict::Refused,
        Err(e) => panic!("{target} {spec}: {e}"),
    };
    (v, edited)
}

/// Whether `kustomize build` renders an image tagged `gbdiff` after our edit.
fn renders_ours(bin: &Path, case: &Path, built: &str, (file, text): &(String, String)) -> bool {
    let tmp = common::TempDir::new("differential-ours");
    common::copy_dir(case, tmp.path());
    std::fs::write(tmp.path().join(file), text).unwrap();
    build_has_tag(bin, case, &tmp.path().join(built))
}

fn build_has_tag(bin: &Path, case: &Path, dir: &Path) -> bool {
    let build = Command::new(bin).arg("build").arg(dir).output().unwrap();
    assert!(
        build.status.success(),
        "{}: kustomize build: {}",
        case.display(),
        String::from_utf8_lossy(&build.stderr)
    );
    // any field of the render, not only containers: custom image fields count too
    String::from_utf8_lossy(&build.stdout).contains(&format!(":{TAG}"))
}

/// Whether kustomize, after `edit set image` of `spec` in `dir`, renders an image tagged
/// `gbdiff`. Runs on a fresh copy of the case.
fn kustomize_renders(bin: &Path, case: &Path, target: &str, built: &str, spec: &str) -> bool {
    let tmp = common::TempDir::new("differential");
    common::copy_dir(case, tmp.path());
    let dir = tmp.path().join(target);
    // Our `name:tag` keeps an existing newName; kustomize's equivalent is `name=*:tag`.
    let kspec = parse_image_spec(spec).unwrap().kustomize_equivalent();
    edit_set_image(bin, case, &dir, &kspec);
    build_has_tag(bin, case, &tmp.path().join(built))
}

/// `kustomize edit set image SPEC` in `dir`.
fn edit_set_image(bin: &Path, case: &Path, dir: &Path, spec: &str) {
    let edit = Command::new(bin)
        .args(["edit", "set", "image", spec])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        edit.status.success(),
        "{}: kustomize edit set image {spec}: {}",
        case.display(),
        String::from_utf8_lossy(&edit.stderr)
    );
}

/// Whether kustomize renders the new tag the way Argo CD builds `source` for our edited
/// target: each of its image strings set with `kustomize edit set image` in the source
/// directory, then `kustomize build`.
fn argocd_renders(bin: &Path, case: &Path, source: &str, (file, text): &(String, String)) -> bool {
    let tmp = common::TempDir::new("differential-argocd");
    common::copy_dir(case, tmp.path());
    std::fs::write(tmp.path().join(file), text).unwrap();
    let mut specs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let v = serde_yaml::Value::deserialize(doc).unwrap();
        let lists = [
            v.get("kustomize").and_then(|k| k.get("images")),
            v.get("spec")
                .and_then(|s| s.get("source"))
                .and_then(|s| s.get("kustomize"))
                .and_then(|k| k.get("images")),
        ];
        for list in lists.into_iter().flatten() {
            specs.extend(
                list.as_sequence()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_str())
                    .map(str::to_string),
            );
        }
    }
    let dir = tmp.path().join(source);
    for s in &specs {
        edit_set_image(bin, case, &dir, s);
    }
    build_has_tag(bin, case, &dir)
}

/// Every image name the case's files mention.
fn names_in(case: &Path) -> BTreeSet<String> {
    fn walk(v: &serde_yaml::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                let entry = m.contains_key("newTag")
                    || m.contains_key("newName")
                    || m.contains_key("digest")
                    || m.contains_key("tagSuffix");
                for (k, v) in m {
                    let key = k.as_str().unwrap_or("");
                    if let Some(s) = v.as_str() {
                        if key == "image" || (entry && matches!(key, "name" | "newName")) {
                            out.insert(ImageRef::split(s).name);
                        }
                    }
                    walk(v, out);
                }
            }
            serde_yaml::Value::Sequence(s) => s.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    let mut stack = vec![case.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                let text = std::fs::read_to_string(&p).unwrap();
                for doc in serde_yaml::Deserializer::from_str(&text) {
                    if let Ok(v) = serde_yaml::Value::deserialize(doc) {
                        walk(&v, &mut out);
                    }
                }
            }
        }
    }
    if let Ok(extra) = std::fs::read_to_string(case.join("names")) {
        out.extend(
            extra
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    out.retain(|n| !n.is_empty() && !n.contains('$') && !n.contains('*'));
    out
}

/// A plausible misspelling: the last character doubled (`api` → `apii`).
fn typo(name: &str) -> String {
    format!("{name}{}", name.chars().last().unwrap())
}

fn lines(path: PathBuf) -> Option<BTreeSet<String>> {
    std::fs::read_to_string(path).ok().map(|t| {
        t.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    })
}

#[test]
fn the_check_agrees_with_kustomize_name_by_name() {
    let Some(bin) = common::kustomize_bin() else {
        return;
    };
    let root = common::data("differential");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut names_run, mut unchecked_run) = (0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let id = case.file_name().unwrap().to_string_lossy().into_owned();
        let target = std::fs::read_to_string(case.join("target"))
            .map_or_else(|_| "overlay".to_string(), |t| t.trim().to_string());
        let allowed = lines(case.join("unchecked")).unwrap_or_default();
        let offline = case.join("offline").exists();
        let sorted = lines(case.join("sorted")).unwrap_or_default();
        // a Component target renders inside the overlay named in `<case>/build`
        let built = std::fs::read_to_string(case.join("build"))
            .map_or_else(|_| target.clone(), |t| t.trim().to_string());
        let argocd = std::fs::read_to_string(case.join("argocd"))
            .ok()
            .map(|s| s.trim().to_string());
        let fs = common::StdFs(case.clone());
        let mut names = names_in(case);
        let typos: BTreeSet<String> = names
            .iter()
            .map(|n| typo(n))
            .filter(|t| !names.contains(t))
            .collect();
        names.extend(typos.iter().cloned());
        assert!(!names.is_empty(), "{id}: no image names");
        for name in &names {
            let spec = format!("{name}:{TAG}");
            let (ours, edited) = verdict(&fs, &target, &spec);
            names_run += 1;
            if let Verdict::Unchecked(what) = &ours {
                unchecked_run += 1;
                if allowed.is_empty() || *what != allowed {
                    failures.push(format!(
                        "{id}: {name}: unchecked {what:?}, the case allows {allowed:?}"
                    ));
                }
                continue;
            }
            if offline {
                // kustomize cannot be asked: a typo must not pass silently, nor a name be refused
                if ours == Verdict::Refused || typos.contains(name) {
                    failures.push(format!(
                        "{id}: {name}: {ours:?}, but only unchecked can be right offline"
                    ));
                }
                continue;
            }
            let (theirs, rendered) = match &argocd {
                Some(source) => {
                    let r = argocd_renders(&bin, case, source, &edited);
                    (r, r)
                }
                None => (
                    kustomize_renders(&bin, case, &target, &built, &spec),
                    renders_ours(&bin, case, &built, &edited),
                ),
            };
            if sorted.contains(name) {
                if theirs == rendered {
                    failures.push(format!("{id}: {name}: listed in `sorted`, but kustomize's edit renders as ours does"));
                }
            } else if (ours == Verdict::Accepted) != theirs {
                failures.push(format!(
                    "{id}: {name}: ours {ours:?}, kustomize edit + build {}",
                    if theirs {
                        "renders the new tag"
                    } else {
                        "does not render it"
                    }
                ));
            }
            if (ours == Verdict::Accepted) != rendered {
                failures.push(format!(
                    "{id}: {name}: ours {ours:?}, kustomize build of our edit {}",
                    if rendered {
                        "renders the new tag"
                    } else {
                        "does not render it"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    common::say(&format!(
        "differential: {} cases, {names_run} names (typos included) agree with `kustomize edit set image` + `kustomize build`; {unchecked_run} reported as unchecked",
        cases.len()
    ));
}
