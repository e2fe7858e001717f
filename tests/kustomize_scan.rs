//! Scan mode over the sample repo `tests/kustomize/scan-repo/` (base, overlays, Helm
//! values, Argo CD apps and override file, Flux markers): every reference to the image is
//! updated, nothing else. The expected files are in `tests/kustomize/scan-expected/`
//! (`UPDATE_FIXTURES=1` writes them).

#[path = "kustomize/common.rs"]
mod common;

use std::collections::BTreeMap;

use gitops_bump::{check_image, overlay_images, parse_image_spec, scan_image, ErrorKind};

const SPEC: &str = "ghcr.io/acme/api:1.2.3";

fn expected_files(dir: &std::path::Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            expected_files(&e.path(), &format!("{name}/"), out);
        } else {
            out.insert(name, std::fs::read_to_string(e.path()).unwrap());
        }
    }
}

#[test]
fn scan_updates_every_reference_and_nothing_else() {
    let fs = common::StdFs(common::data("scan-repo"));
    let spec = parse_image_spec(SPEC).unwrap();
    let result = scan_image(&fs, "", &spec).unwrap();
    let got: BTreeMap<String, String> = result
        .files
        .iter()
        .map(|f| (f.file.clone(), f.text.clone()))
        .collect();
    let report: String = result
        .files
        .iter()
        .flat_map(|f| {
            f.changes
                .iter()
                .map(move |c| common::change_line(c, &f.file))
        })
        .collect();
    let expected_dir = common::data("scan-expected");
    if std::env::var("UPDATE_FIXTURES").is_ok() {
        let _ = std::fs::remove_dir_all(&expected_dir);
        for (file, text) in &got {
            let p = expected_dir.join("files").join(file);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::write(expected_dir.join("changes.txt"), &report).unwrap();
        return;
    }
    let mut expected = BTreeMap::new();
    expected_files(&expected_dir.join("files"), "", &mut expected);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the files scan mode changes"
    );
    for (file, text) in &expected {
        assert_eq!(&got[file], text, "{file}");
    }
    assert_eq!(
        report,
        std::fs::read_to_string(expected_dir.join("changes.txt")).unwrap()
    );
    let changes = result.files.iter().map(|f| f.changes.len()).sum::<usize>();
    common::say(&format!(
        "scan mode: {} files, {changes} changes",
        result.files.len()
    ));
}

#[test]
fn scan_refuses_an_image_nothing_references() {
    let fs = common::StdFs(common::data("scan-repo"));
    let e = scan_image(&fs, "", &parse_image_spec("ghcr.io/acme/apii:1").unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownImage);
    assert!(
        e.to_string().contains("did you mean `ghcr.io/acme/api`?"),
        "{e}"
    );
}

#[test]
fn overlay_check_follows_the_sample_overlays() {
    let fs = common::StdFs(common::data("scan-repo"));
    let prod = overlay_images(&fs, "overlays/prod").unwrap();
    let images: Vec<(&str, &str, &str)> = prod
        .images
        .iter()
        .map(|i| (i.container.as_str(), i.image.as_str(), i.file.as_str()))
        .collect();
    assert_eq!(
        images,
        [
            (
                "migrate",
                "registry.acme.io/mirror/api:1.0.0",
                "base/deployment.yaml"
            ),
            (
                "api",
                "registry.acme.io/mirror/api:1.0.0",
                "base/deployment.yaml"
            ),
            ("proxy", "envoyproxy/envoy:v1.31.0", "base/deployment.yaml"),
        ]
    );
    assert_eq!(prod.images[1].line, 14);
    assert_eq!(
        prod.images[1].set_by,
        [
            "base/kustomization.yaml",
            "overlays/prod/kustomization.yaml"
        ]
    );
    assert_eq!(
        check_image(
            &fs,
            "overlays/staging",
            &parse_image_spec("ghcr.io/acme/api:2").unwrap()
        )
        .unwrap()
        .len(),
        2
    );
    let e = check_image(
        &fs,
        "overlays/staging",
        &parse_image_spec("ghcr.io/acme/web:2").unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownImage);
}

#[test]
fn image_command_finds_the_file_and_checks_the_overlay() {
    use gitops_bump::{image_edit, ImageEditOptions};
    let fs = common::StdFs(common::data("scan-repo"));
    let opts = ImageEditOptions::default();
    let out = image_edit(&fs, "overlays/staging", "ghcr.io/acme/api:2.0", &opts).unwrap();
    assert_eq!(out.file, "overlays/staging/kustomization.yaml");
    assert!(
        out.text.contains("  newTag: \"2.0\" # release candidate\n"),
        "{}",
        out.text
    );

    let e = image_edit(&fs, "overlays/staging/", "redis:7.2", &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownImage);
    let forced = ImageEditOptions {
        force: true,
        ..ImageEditOptions::default()
    };
    let out = image_edit(&fs, "overlays/staging", "redis:7.2", &forced).unwrap();
    assert!(
        out.text.ends_with("- name: redis\n  newTag: \"7.2\"\n"),
        "{}",
        out.text
    );

    // Argo CD files are not overlays: no check.
    let out = image_edit(&fs, "apps/api-staging.yaml", "ghcr.io/acme/api:2.0", &opts).unwrap();
    assert_eq!(out.changes.len(), 1);
    let e = image_edit(&fs, "charts/api", "api:1", &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotKustomization);
}
