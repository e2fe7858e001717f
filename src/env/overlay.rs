//! Kustomize environments: an overlay, and an Argo CD Application's sources.

use crate::error::Error;
use crate::kustomize::nodes::{get_path, get_str, items, line_of};
use crate::kustomize::{
    kustomization_file, overlay_images, parse_argocd_image, parse_image_spec,
    set_kustomization_image, FileSource, ImageRef, Overlay,
};
use crate::tree::Node;

use super::{helm, EnvImage, Environment, Pending};

/// What the overlay check could not follow, as one line each.
fn unchecked_lines(o: &Overlay) -> Vec<String> {
    o.unchecked
        .iter()
        .map(|u| format!("`{}` in {}: {}", u.what, u.file, u.reason))
        .collect()
}

/// Adds the images of overlay `o` to `env`; `over` gives the file and line of an image its
/// version comes from when that is not the manifest (an Application's override).
fn add_overlay(
    env: &mut Environment,
    o: &Overlay,
    over: &dyn Fn(usize) -> Option<(String, usize)>,
) {
    for (i, img) in o.images.iter().enumerate() {
        let key = ImageRef::split(o.entering(i).unwrap_or(&img.image)).name;
        let (file, line) = over(i).unwrap_or_else(|| (img.file.clone(), img.line));
        let mut e = EnvImage::new(key, ImageRef::split(&img.image), &file, line);
        e.fixed = img.fixed;
        env.push(e);
    }
    env.unchecked.extend(unchecked_lines(o));
}

/// A kustomize overlay: what the overlay check renders.
pub(super) fn overlay_env(fs: &dyn FileSource, dir: &str) -> Result<Environment, Error> {
    let o = overlay_images(fs, dir)?;
    let mut env = Environment {
        kind: "kustomize",
        files: vec![o.kustomization.clone()],
        images: Vec::new(),
        unchecked: Vec::new(),
    };
    add_overlay(&mut env, &o, &|_| None);
    Ok(env)
}

/// An Argo CD Application: each source as Argo CD renders it.
pub(super) fn application_env(
    fs: &dyn FileSource,
    file: &str,
    text: &str,
    app: &Node,
) -> Result<Environment, Error> {
    let mut env = Environment {
        kind: "argocd",
        files: vec![file.to_string()],
        images: Vec::new(),
        unchecked: Vec::new(),
    };
    for (index, (path, source)) in crate::helm::app::sources(app).into_iter().enumerate() {
        if crate::helm::app::is_helm_source(source) {
            helm::app_source_env(fs, file, text, &path, index, source, &mut env)?;
        } else if let Some(p) = get_str(source, "path") {
            kustomize_source(fs, file, text, &path, p, source, &mut env)?;
        }
    }
    Ok(env)
}

/// A kustomize source: the overlay at its `path` with the Application's `kustomize.images`
/// merged into the overlay's own `images:` (Argo CD runs `kustomize edit set image` there).
fn kustomize_source(
    fs: &dyn FileSource,
    file: &str,
    text: &str,
    path: &str,
    dir: &str,
    source: &Node,
    env: &mut Environment,
) -> Result<(), Error> {
    let overrides: Vec<&Node> = get_path(source, &["kustomize", "images"])
        .map(|l| items(l).iter().filter(|n| n.scalar().is_some()).collect())
        .unwrap_or_default();
    let dir = crate::kustomize::overlay_join("", dir).unwrap_or_default();
    if fs.list(&dir).is_none() || kustomization_file(fs, &dir).is_err() {
        env.unchecked.push(format!(
            "{path}.path `{dir}` is not an overlay of this repository: only the Application's own images are shown"
        ));
        for n in overrides {
            let Some(e) = parse_argocd_image(n.scalar().unwrap_or("")) else {
                continue;
            };
            let r = ImageRef {
                name: e.new_name.clone().unwrap_or_else(|| e.name.clone()),
                tag: e.new_tag,
                digest: e.digest,
            };
            env.push(EnvImage::new(e.name, r, file, line_of(text, n.start)));
        }
        return Ok(());
    }
    let kfile = kustomization_file(fs, &dir)?;
    let mut ktext = super::read(fs, &kfile)?;
    let mut specs = Vec::new();
    for n in &overrides {
        let s = n.scalar().unwrap_or("");
        match parse_image_spec(s) {
            Ok(spec) => {
                ktext = set_kustomization_image(&ktext, &spec, Some(&kfile))?.text;
                specs.push((spec.name, line_of(text, n.start)));
            }
            Err(e) => env
                .unchecked
                .push(format!("{path}.kustomize.images: `{s}`: {}", e.message())),
        }
    }
    let pending = Pending {
        fs,
        file: kfile,
        text: ktext,
    };
    let o = overlay_images(&pending, &dir)?;
    // an image an override names takes its version from the Application
    let over = |i: usize| {
        let entering = ImageRef::split(o.entering(i)?).name;
        let (_, line) = specs.iter().rev().find(|(name, _)| *name == entering)?;
        Some((file.to_string(), *line))
    };
    add_overlay(env, &o, &over);
    Ok(())
}
