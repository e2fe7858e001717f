//! The overlay check against `kubectl kustomize` (kustomize v5.5.0) over every corpus
//! directory that renders: the images we list equal the container and initContainer
//! images of the render, image by image; after we set a new tag for each image, the render
//! shows the new images, and our list still equals the render.

#[path = "kustomize/common.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use gitops_bump::{
    check_image, kustomization_file, overlay_images, parse_image_spec, set_image, FileSource,
    ImageTarget, SetImageOptions,
};

fn render((bin, verb): &(PathBuf, &str), dir: &Path) -> Vec<String> {
    let out = Command::new(bin).arg(verb).arg(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{} {verb} {}: {}",
        bin.display(),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut images = common::rendered_images(&String::from_utf8_lossy(&out.stdout));
    images.sort();
    images
}

fn ours(fs: &common::StdFs, dir: &str) -> Vec<String> {
    let overlay = overlay_images(fs, dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    assert!(
        overlay.unchecked.is_empty(),
        "{dir}: not checked: {:?}",
        overlay.unchecked
    );
    let mut images: Vec<String> = overlay.images.into_iter().map(|i| i.image).collect();
    images.sort();
    images
}

#[test]
fn overlay_check_and_new_tags_match_kubectl_kustomize() {
    let Some(kubectl) = common::renderer() else {
        return;
    };
    let corpus = common::corpus();
    let index = std::fs::read_to_string(corpus.join("kustomize-render.tsv")).unwrap();
    let dirs: Vec<&str> = index
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (dir, result) = (f.next()?, f.next()?);
            (result == "ok").then_some(dir)
        })
        .collect();
    assert!(
        dirs.len() >= 26,
        "the corpus lists {} renderable dirs",
        dirs.len()
    );
    let (mut images_checked, mut tags_set) = (0, 0);
    for dir in &dirs {
        // Copy the whole upstream repository so that `../base` still resolves.
        let rel = dir.strip_prefix("real/").unwrap();
        let repo = rel.split('/').next().unwrap();
        let inner = rel.strip_prefix(repo).unwrap().trim_start_matches('/');
        let tmp = common::TempDir::new("render");
        common::copy_dir(&corpus.join("real").join(repo), tmp.path());
        let fs = common::StdFs(tmp.path().to_path_buf());
        let abs = tmp.path().join(inner);

        let rendered = render(&kubectl, &abs);
        assert_eq!(ours(&fs, inner), rendered, "{dir}: overlay check vs render");
        images_checked += rendered.len();

        // A new tag for every image name the overlay renders, set in its kustomization.
        let mut names: Vec<String> = rendered
            .iter()
            .map(|i| gitops_bump::ImageRef::split(i).name)
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            continue;
        }
        // The check accepts every image the render has, and nothing else.
        for name in &names {
            let spec = parse_image_spec(&format!("{name}:x")).unwrap();
            assert!(
                !check_image(&fs, inner, &spec).unwrap().is_empty(),
                "{dir}: {name}"
            );
        }
        let bogus = parse_image_spec("example.com/not-in-this-overlay:1").unwrap();
        let e = check_image(&fs, inner, &bogus).unwrap_err();
        assert_eq!(e.kind(), gitops_bump::ErrorKind::UnknownImage, "{dir}");
        let kfile = kustomization_file(&fs, inner).unwrap();
        let mut text = fs.read(&kfile).unwrap();
        for (n, name) in names.iter().enumerate() {
            let spec = format!("{name}:gb-{n}.0");
            let out = set_image(
                &text,
                &spec,
                &SetImageOptions {
                    target: ImageTarget::Kustomization,
                    file: Some(kfile.clone()),
                },
            )
            .unwrap_or_else(|e| panic!("{dir} {spec}: {e}"));
            text = out.text;
            tags_set += 1;
        }
        std::fs::write(tmp.path().join(&kfile), &text).unwrap();
        let after = render(&kubectl, &abs);
        for image in &after {
            let r = gitops_bump::ImageRef::split(image);
            let n = names
                .iter()
                .position(|x| *x == r.name)
                .unwrap_or_else(|| panic!("{dir}: unexpected image {image} after the edit"));
            assert_eq!(
                (r.tag.as_deref(), r.digest.as_deref()),
                (Some(format!("gb-{n}.0").as_str()), None),
                "{dir}: {image}"
            );
        }
        assert_eq!(after.len(), rendered.len(), "{dir}");
        assert_eq!(
            ours(&fs, inner),
            after,
            "{dir}: overlay check vs render after the edit"
        );
    }
    common::say(&format!(
        "render check: {} directories, {images_checked} rendered images equal to the overlay check, {tags_set} new tags shown by `{} {}`",
        dirs.len(),
        kubectl.0.display(),
        kubectl.1
    ));
}
