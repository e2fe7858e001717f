//! `status` against `image`'s own resolution, over every fixture overlay of the kustomize
//! differential test (`tests/kustomize/differential/<case>/`, whose renders that test checks
//! against kustomize itself).
//!
//! For every image the environment model lists (what `status` shows), `image`'s overlay
//! check must resolve its key to rendered images that include the one listed, and
//! `image TARGET KEY:gbstatus` must be accepted and make the model list exactly that image
//! with the new tag, and every other image as before. So `status` names images by what
//! `image` accepts, and says what `image` would change.

#[path = "kustomize/common.rs"]
mod common;

use gitops_bump::{
    check_image, environment, image_edit, parse_image_spec, Environment, FileSource,
    ImageEditOptions, ImageRef,
};

const TAG: &str = "gbstatus";

fn env(fs: &dyn FileSource, target: &str) -> Environment {
    environment(fs, &[target.to_string()]).unwrap_or_else(|e| panic!("status {target}: {e}"))
}

/// The targets the model does not read as an overlay or Application, by case: an Argo CD
/// source override file is a target of `image`, not an environment.
const NOT_ENVIRONMENTS: [&str; 1] = ["argocd-source-file"];

#[test]
fn status_names_what_image_resolves_and_changes() {
    let root = common::data("differential");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut checked, mut images, mut skipped) = (0, 0, Vec::new());
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let fs = common::StdFs(case.clone());
        let target = std::fs::read_to_string(case.join("target"))
            .map_or_else(|_| "overlay".to_string(), |t| t.trim().to_string());
        // a Component renders inside the overlay that builds it
        let shown = std::fs::read_to_string(case.join("build"))
            .map_or_else(|_| target.clone(), |t| t.trim().to_string());
        let before = env(&fs, &shown);
        if before.kind == "helm" {
            skipped.push(name);
            continue;
        }
        checked += 1;
        let overlay = (before.kind == "kustomize").then(|| {
            let dir = before.files[0].rsplit_once('/').map_or("", |(d, _)| d);
            dir.to_string()
        });
        for img in &before.images {
            images += 1;
            let spec = format!("{}:{TAG}", img.key);
            if img.fixed {
                // status says what image refuses: a later step sets it again
                let e = image_edit(&fs, &target, &spec, &ImageEditOptions::default())
                    .expect_err("image of an image a later step sets");
                assert!(
                    e.message().contains("a later step sets it again"),
                    "{name}: {e}"
                );
                continue;
            }
            if let Some(dir) = &overlay {
                let hits =
                    check_image(&fs, dir, &parse_image_spec(&spec).unwrap()).unwrap_or_else(|e| {
                        panic!("{name}: image does not resolve `{}`: {e}", img.key)
                    });
                assert!(
                    hits.iter().any(|h| h.image == img.image),
                    "{name}: `{}` resolves to {:?}, status shows {}",
                    img.key,
                    hits.iter().map(|h| &h.image).collect::<Vec<_>>(),
                    img.image
                );
            }
            let edit = image_edit(&fs, &target, &spec, &ImageEditOptions::default())
                .unwrap_or_else(|e| panic!("{name}: image {target} {spec}: {e}"));
            // the edit written into a copy of the case, read back as `status` reads it
            let tmp = common::TempDir::new("env-status");
            common::copy_dir(case, tmp.path());
            std::fs::write(tmp.path().join(&edit.file), &edit.text).unwrap();
            let edited = common::StdFs(tmp.path().to_path_buf());
            let after = env(&edited, &shown);
            for other in &before.images {
                let now = after
                    .image(&other.key)
                    .unwrap_or_else(|| panic!("{name}: `{}` gone after {spec}", other.key));
                if other.key == img.key {
                    let r = ImageRef::split(&now.image);
                    assert_eq!(
                        (r.tag.as_deref(), r.digest.as_deref()),
                        (Some(TAG), None),
                        "{name}: after {spec} status shows {}",
                        now.image
                    );
                } else if ImageRef::split(&other.image).name != ImageRef::split(&img.image).name {
                    assert_eq!(
                        now.image, other.image,
                        "{name}: {spec} moved `{}`",
                        other.key
                    );
                }
            }
        }
    }
    assert_eq!(skipped, NOT_ENVIRONMENTS, "cases status does not read");
    assert_eq!(checked + skipped.len(), cases.len());
    assert!(
        checked >= 25 && images >= 40,
        "{checked} cases, {images} images"
    );
}
