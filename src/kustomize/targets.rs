//! The overlay check of Argo CD targets. Argo CD builds a kustomize source by running
//! `kustomize edit set image` with the Application's `kustomize.images` (and those of the
//! source directory's `.argocd-source-<app>.yaml`) in the source directory, then `kustomize
//! build`: so an entry there retags what the source's overlay renders, as the last entries of
//! that overlay's own `images:` list. The check follows a source whose `path` is a
//! kustomization directory of this repository; any other source is reported as unchecked.

use crate::error::{Error, ErrorKind};
use crate::tree::{Node, Stream};

use super::argocd::is_application;
use super::nodes::{get, get_path, get_str, items};
use super::overlay::{check_in, kustomization_file, normalize, overlay_images, FileSource};
use super::spec::{parse_image_spec, ImageRef, ImageSpec};
use super::unseen::Unchecked;
use super::{set_kustomization_image, Edited};

/// What the check says of an edit of an Argo CD target (`file`, now holding `text`): the parts
/// it could not decide by.
///
/// # Errors
/// `unknown-image` when a source it follows renders no image the name retags.
pub(crate) fn check_argocd(
    fs: &dyn FileSource,
    file: &str,
    text: &str,
    spec: &ImageSpec,
    source_file: bool,
) -> Result<Vec<Unchecked>, Error> {
    let stream = Stream::parse(text)?;
    let mut sources: Vec<(String, Vec<String>)> = Vec::new();
    let mut unchecked = Vec::new();
    if source_file {
        // the override file lives in the source directory it applies to
        let dir = file.rfind('/').map_or("", |i| &file[..i]).to_string();
        let root = stream.docs.iter().find_map(|d| d.root.as_ref());
        let list = root.and_then(|r| get_path(r, &["kustomize", "images"]));
        sources.push((dir, strings(list)));
    } else {
        for app in stream
            .docs
            .iter()
            .filter_map(|d| d.root.as_ref())
            .filter(|r| is_application(r))
        {
            for (at, source) in app_sources(app) {
                let list = strings(get_path(source, &["kustomize", "images"]));
                if !list.iter().any(|s| entry_name(s) == spec.name) {
                    continue; // the edit did not go to this source
                }
                match get_str(source, "path").and_then(normalize) {
                    Some(dir) if get(source, "chart").is_none() && fs.list(&dir).is_some() && kustomization_file(fs, &dir).is_ok() => {
                        sources.push((dir, list));
                    }
                    path => unchecked.push(Unchecked::new(
                        file,
                        format!("{at}.path"),
                        format!(
                            "`{}` is not a kustomization directory of this repository (Argo CD reads it from the source's repoURL); the image name is not checked",
                            path.unwrap_or_default()
                        ),
                    )),
                }
            }
        }
    }
    for (dir, list) in sources {
        unchecked.extend(check_source(fs, file, &dir, &list, spec)?);
    }
    Ok(unchecked)
}

/// `spec.source` and each of `spec.sources`, with their key paths.
fn app_sources(app: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    if let Some(s) = get_path(app, &["spec", "source"]) {
        out.push(("spec.source".to_string(), s));
    }
    if let Some(list) = get_path(app, &["spec", "sources"]) {
        for (i, s) in items(list).iter().enumerate() {
            out.push((format!("spec.sources[{i}]"), s));
        }
    }
    out
}

fn strings(list: Option<&Node>) -> Vec<String> {
    list.map(|l| {
        items(l)
            .iter()
            .filter_map(Node::scalar)
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

/// The kustomize name an Argo CD image string is for (the part before `=`, else its name).
fn entry_name(s: &str) -> String {
    match s.split_once('=') {
        Some((k, _)) => k.to_string(),
        None => ImageRef::split(s).name,
    }
}

/// The check of one source directory, with the Argo CD image strings set in its
/// kustomization as Argo CD sets them.
fn check_source(
    fs: &dyn FileSource,
    file: &str,
    dir: &str,
    list: &[String],
    spec: &ImageSpec,
) -> Result<Vec<Unchecked>, Error> {
    let kfile = kustomization_file(fs, dir)?;
    let mut text = fs.read(&kfile).unwrap_or_default();
    for s in list {
        let Ok(entry) = parse_image_spec(s) else {
            return Ok(vec![Unchecked::new(
                file,
                s.clone(),
                "Argo CD hands this image string to kustomize as it is; the check does not read it",
            )]);
        };
        text = set_kustomization_image(&text, &entry, Some(&kfile))?.text;
    }
    let edited = Edited {
        fs,
        file: &kfile,
        text: &text,
    };
    let overlay = overlay_images(&edited, dir)?;
    let hits = check_in(&overlay, spec).map_err(|e| {
        let message = format!(
            "{}: `{dir}`, which Argo CD builds for `{file}`",
            e.message()
        );
        let mut out = Error::new(ErrorKind::UnknownImage, message).with_file(file);
        if let Some(found) = e.found_instead() {
            out = out.found(found);
        }
        if let Some(hint) = e.help() {
            out = out.hint(hint);
        }
        out
    })?;
    Ok(overlay
        .unchecked
        .into_iter()
        .filter(|u| hits.is_empty() || u.overrides)
        .collect())
}
