//! Every kustomize error, as the user sees it, snapshot-tested in
//! `tests/kustomize/snapshots/<case>.stderr` (`UPDATE_SNAPSHOTS=1` writes them), so that a
//! worse message is a failing test. Each case also checks that nothing was produced.

#[path = "kustomize/common.rs"]
mod common;

use gitops_bump::{
    check_image, image_edit, kustomization_file, parse_image_spec, scan_image, set_image, Error,
    ErrorKind, FileSource, ImageEditOptions, ImageTarget, SetImageOptions,
};

/// Files in memory: `(path, text)`; directories are the paths' prefixes.
struct MemFs(Vec<(&'static str, String)>);

impl FileSource for MemFs {
    fn read(&self, path: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, t)| t.clone())
    }

    fn list(&self, dir: &str) -> Option<Vec<String>> {
        let prefix = format!("{dir}/");
        let names: Vec<String> = self
            .0
            .iter()
            .filter_map(|(p, _)| p.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or_default().to_string())
            .collect();
        (!names.is_empty()).then_some(names)
    }
}

/// An overlay whose kustomization has `images:` entries `entries` over a base that uses
/// `api` and `worker`.
fn overlay_with(entries: &str) -> MemFs {
    let deploy = |name: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n      - name: {name}\n        image: ghcr.io/acme/{name}:1.0\n---\n")
    };
    MemFs(vec![
        (
            "base/kustomization.yaml",
            "resources:\n- deploy.yaml\n".into(),
        ),
        ("base/deploy.yaml", deploy("api") + &deploy("worker")),
        (
            "overlays/dev/kustomization.yaml",
            format!("resources:\n- ../../base\nimages:\n{entries}"),
        ),
    ])
}

fn edit_overlay(fs: &MemFs, spec: &str, force: bool) -> Result<String, Error> {
    let opts = ImageEditOptions {
        force,
        ..Default::default()
    };
    image_edit(fs, "overlays/dev", spec, &opts).map(|f| f.text)
}

const NUMERIC_WORKER: &str =
    "- name: ghcr.io/acme/api\n  newTag: \"1.0\"\n- name: ghcr.io/acme/worker\n  newTag: 1.10\n";

#[test]
fn an_unquoted_number_on_another_entry_fails_the_overlay_check_unless_forced() {
    let fs = overlay_with(NUMERIC_WORKER);
    let e = edit_overlay(&fs, "ghcr.io/acme/api:v2", false).unwrap_err();
    assert_eq!(
        (e.kind(), e.line()),
        (ErrorKind::InvalidValue, Some(7)),
        "{e}"
    );
    let text = edit_overlay(&fs, "ghcr.io/acme/api:v2", true).unwrap();
    assert!(text.contains("newTag: \"v2\"\n"), "{text}");
    // The entry being edited gets a quoted tag: nothing is left for kustomize to refuse.
    let text = edit_overlay(&fs, "ghcr.io/acme/worker:1.11", false).unwrap();
    assert!(text.contains("newTag: \"1.11\"\n"), "{text}");
}

const KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\nimages:\n- name: api\n  newTag: \"1.0\"\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0\n";

fn set(text: &str, spec: &str, target: ImageTarget, file: &str) -> Error {
    let opts = SetImageOptions {
        target,
        file: Some(file.into()),
    };
    match set_image(text, spec, &opts) {
        Ok(o) => panic!("`{spec}` on {file} should fail, gave:\n{}", o.text),
        Err(e) => e,
    }
}

fn kustomization(spec: &str) -> Error {
    set(
        KUSTOMIZATION,
        spec,
        ImageTarget::Auto,
        "overlays/prod/kustomization.yaml",
    )
}

fn cases() -> Vec<(&'static str, ErrorKind, Error)> {
    let repo = common::StdFs(common::data("scan-repo"));
    let setters = common::StdFs(
        common::corpus()
            .join("real/fluxcd__image-automation-controller/internal/update/testdata/setters"),
    );
    let spec = |s: &str| parse_image_spec(s).unwrap();
    vec![
        ("unknown-image-did-you-mean", ErrorKind::UnknownImage, check_image(&repo, "overlays/staging", &spec("ghcr.io/acme/apii:2")).unwrap_err()),
        ("unknown-image-list", ErrorKind::UnknownImage, check_image(&repo, "overlays/prod", &spec("redis:7.2")).unwrap_err()),
        ("unknown-image-scan", ErrorKind::UnknownImage, scan_image(&repo, "overlays", &spec("nginx:1.27")).unwrap_err()),
        ("spec-name-only", ErrorKind::ImageSpec, kustomization("api")),
        ("spec-two-equals", ErrorKind::ImageSpec, kustomization("api=reg/api=x:1")),
        ("spec-empty-new-name", ErrorKind::ImageSpec, kustomization("api=")),
        ("spec-empty-name", ErrorKind::ImageSpec, kustomization("=reg/api:1")),
        ("spec-name-with-tag", ErrorKind::ImageSpec, kustomization("api:1=reg/api:2")),
        ("spec-empty", ErrorKind::ImageSpec, kustomization("")),
        ("tag-empty", ErrorKind::ImageSpec, kustomization("api:")),
        ("tag-leading-dash", ErrorKind::ImageSpec, kustomization("api:-rc1")),
        ("tag-with-slash", ErrorKind::ImageSpec, kustomization("api:feature/x")),
        ("tag-too-long", ErrorKind::ImageSpec, kustomization(&format!("api:{}", "a".repeat(129)))),
        ("tag-yaml-injection-newline", ErrorKind::ImageSpec, kustomization("api:1.0\n  digest: evil")),
        ("tag-yaml-injection-quote", ErrorKind::ImageSpec, kustomization("api:\"1.0\"")),
        ("tag-yaml-injection-flow", ErrorKind::ImageSpec, kustomization("api:{a:b}")),
        ("digest-short", ErrorKind::ImageSpec, kustomization("api@sha256:abc123")),
        ("digest-uppercase", ErrorKind::ImageSpec, kustomization(&format!("api@sha256:{}", "A".repeat(64)))),
        ("digest-no-algorithm", ErrorKind::ImageSpec, kustomization(&format!("api@{}", "a".repeat(64)))),
        ("not-kustomization-deployment", ErrorKind::NotKustomization, set(DEPLOYMENT, "api:2", ImageTarget::Kustomization, "deploy.yaml")),
        ("values-file-without-the-image", ErrorKind::UnknownImage, set("replicaCount: 2\nimage:\n  tag: \"1.0\"\n", "api:2", ImageTarget::Auto, "values.yaml")),
        ("not-kustomization-flux-kustomization", ErrorKind::NotKustomization, set("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  path: ./apps\n", "api:2", ImageTarget::Kustomization, "clusters/prod/apps.yaml")),
        ("not-kustomization-no-file-in-dir", ErrorKind::NotKustomization, kustomization_file(&repo, "charts/api").unwrap_err()),
        ("not-kustomization-two-files-in-dir", ErrorKind::NotKustomization, kustomization_file(&setters, "original").unwrap_err()),
        ("not-an-argocd-application", ErrorKind::NotKustomization, set(KUSTOMIZATION, "api:2", ImageTarget::ArgoCd, "kustomization.yaml")),
        ("ambiguous-duplicate-entries", ErrorKind::Ambiguous, kustomization_dup()),
        ("spec-keeps-fields-of-a-missing-entry", ErrorKind::ImageSpec, kustomization("web=*:*")),
        ("flux-no-marker-for-policy", ErrorKind::NotFound, set("image: ghcr.io/acme/api:1 # {\"$imagepolicy\": \"flux-system:api\"}\n", "flux-system:apii=ghcr.io/acme/api:2", ImageTarget::Flux, "deploy.yaml")),
        ("flux-spec-without-policy", ErrorKind::ImageSpec, set("image: x\n", "ghcr.io/acme/api:2", ImageTarget::Flux, "deploy.yaml")),
        ("overlay-unquoted-number-in-another-entry", ErrorKind::InvalidValue, edit_overlay(&overlay_with(NUMERIC_WORKER), "ghcr.io/acme/api:v2", false).unwrap_err()),
    ]
}

fn kustomization_dup() -> Error {
    let text = "images:\n- name: api\n  newTag: \"1\"\n- name: web\n  newTag: \"1\"\n- name: api\n  newTag: \"2\"\n";
    set(
        text,
        "api:3",
        ImageTarget::Kustomization,
        "kustomization.yaml",
    )
}

#[test]
fn every_error_matches_its_snapshot() {
    let dir = common::data("snapshots");
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok();
    let cases = cases();
    let mut failures = Vec::new();
    for (name, kind, err) in &cases {
        assert_eq!(err.kind(), *kind, "{name}: {err}");
        let shown = err.to_string();
        let path = dir.join(format!("{name}.stderr"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &shown).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if shown != expected {
            failures.push(format!("{name}:\n--- snapshot\n{expected}--- now\n{shown}"));
        }
    }
    let snapshots = std::fs::read_dir(&dir).unwrap().count();
    common::say(&format!("kustomize error snapshots: {} cases", cases.len()));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        snapshots,
        cases.len(),
        "a snapshot file without a case (or the reverse)"
    );
}
