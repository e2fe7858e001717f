use super::*;
use crate::kustomize::memfs::fs;

const CHART: &str = "apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: 2.0.0\n";
const DEFAULTS: &str = "replicaCount: 1\nimage:\n  registry: ghcr.io\n  repository: acme/api\n  tag: \"\"\nmetrics:\n  enabled: false\n  image:\n    registry: ghcr.io\n    repository: acme/exporter\n    tag: 0.9.0\nglobal:\n  imageRegistry: \"\"\n";

fn env(files: &[(&str, &str)], targets: &[&str]) -> Environment {
    let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    environment(&fs(files), &targets).unwrap()
}

#[test]
fn a_values_file_is_read_over_the_chart_it_layers_over() {
    let files = [
        ("charts/api/Chart.yaml", CHART),
        ("charts/api/values.yaml", DEFAULTS),
        ("envs/dev/values.yaml", "replicaCount: 1\n"),
        ("envs/prod/values.yaml", "image:\n  tag: \"1.5\"\n  digest: sha256:ab\nmetrics:\n  enabled: true\nglobal:\n  imageRegistry: mirror.example.com\n"),
    ];
    // dev: only the chart names the image, with an empty tag: appVersion, said to be assumed;
    // the disabled exporter is not listed
    let dev = env(&files, &["envs/dev/values.yaml"]);
    assert_eq!(dev.kind, "helm");
    assert_eq!(dev.images.len(), 1);
    assert_eq!(dev.images[0].image, "ghcr.io/acme/api:2.0.0");
    assert!(dev.images[0]
        .undecided
        .as_deref()
        .unwrap()
        .contains("appVersion 2.0.0"));
    // prod: its own tag and digest, the exporter on, every map under the global registry
    let prod = env(&files, &["envs/prod/values.yaml"]);
    let images: Vec<(&str, &str)> = prod
        .images
        .iter()
        .map(|i| (i.key.as_str(), i.image.as_str()))
        .collect();
    assert_eq!(
        images,
        [
            (
                "ghcr.io/acme/api",
                "mirror.example.com/acme/api:1.5@sha256:ab"
            ),
            (
                "ghcr.io/acme/exporter",
                "mirror.example.com/acme/exporter:0.9.0"
            ),
        ]
    );
    assert_eq!(
        (prod.images[0].file.as_str(), prod.images[0].line),
        ("envs/prod/values.yaml", 3)
    );
}

#[test]
fn promotion_into_a_file_without_the_key_adds_it_there() {
    let files = [
        ("charts/api/Chart.yaml", CHART),
        ("charts/api/values.yaml", DEFAULTS),
        ("envs/dev/values.yaml", "replicaCount: 1\n"),
        ("envs/prod/values.yaml", "image:\n  tag: \"1.5\"\n"),
    ];
    let out = promote_image(
        &fs(&files),
        &["envs/dev/values.yaml".into()],
        &["envs/prod/values.yaml".into()],
        "ghcr.io/acme/api",
        "ghcr.io/acme/api:1.5",
        ("dev", "prod"),
    )
    .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].file, "envs/dev/values.yaml");
    assert_eq!(out[0].text, "replicaCount: 1\nimage:\n  tag: \"1.5\"\n");
    // a chain whose only file FROM reads too has no file of its own
    let err = promote_image(
        &fs(&files),
        &["charts/api/values.yaml".into()],
        &[
            "charts/api/values.yaml".into(),
            "envs/prod/values.yaml".into(),
        ],
        "ghcr.io/acme/api",
        "ghcr.io/acme/api:1.5",
        ("dev", "prod"),
    )
    .unwrap_err();
    assert!(
        err.message()
            .starts_with("dev has no values file of its own: `image.tag`"),
        "{}",
        err.message()
    );
}

#[test]
fn an_application_override_is_merged_into_the_overlay_as_argo_cd_does() {
    let files = [
        ("base/kustomization.yaml", "resources:\n- d.yaml\n"),
        ("base/d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0\n"),
        ("prod/kustomization.yaml", "resources:\n- ../base\nimages:\n- name: ghcr.io/acme/api\n  newName: mirror.example.com/acme/api\n  newTag: \"1.1\"\n"),
        ("app.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api\nspec:\n  source:\n    path: prod\n    kustomize:\n      images:\n      - ghcr.io/acme/api:1.2\n"),
    ];
    let app = env(&files, &["app.yaml"]);
    assert_eq!(app.kind, "argocd");
    // the override replaces the overlay's entry's tag; the entry's newName stays
    assert_eq!(app.images[0].image, "mirror.example.com/acme/api:1.2");
    assert_eq!(
        (app.images[0].file.as_str(), app.images[0].line),
        ("app.yaml", 10)
    );
    let overlay = env(&files, &["prod"]);
    assert_eq!(overlay.images[0].image, "mirror.example.com/acme/api:1.1");
    assert_eq!(overlay.images[0].key, "ghcr.io/acme/api");
}
