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

/// The tag the component check sets to see whether an entry reaches a render.
const PROBE: &str = "gitops-bump-probe";

/// Directories the search for a component's users skips, and how many it reads at most.
const SKIP: [&str; 3] = ["node_modules", "target", "vendor"];
const MAX_DIRS: usize = 20_000;

/// What the check says of an edit of a Component's `images:` (`file`, whose text before the
/// edit is `original`): it renders only inside the overlays that list it in `components:`,
/// so each of those is built with the entry set to a probe tag; the name is accepted when
/// some overlay renders the probe.
///
/// # Errors
/// `unknown-image` when overlays use the component and none renders the name.
pub(crate) fn check_component(
    fs: &dyn FileSource,
    file: &str,
    original: &str,
    spec: &ImageSpec,
) -> Result<Vec<Unchecked>, Error> {
    let dir = file.rfind('/').map_or("", |i| &file[..i]);
    let users = users_of(fs, dir);
    if users.is_empty() {
        return Ok(vec![Unchecked::new(
            file,
            "kind: Component",
            "no kustomization of this repository lists this component in `components:`; the image name is not checked",
        )]);
    }
    let probe = parse_image_spec(&format!("{}:{PROBE}", spec.name))?;
    let text = set_kustomization_image(original, &probe, Some(file))?.text;
    let edited = Edited {
        fs,
        file,
        text: &text,
    };
    let mut unchecked = Vec::new();
    let mut names = Vec::new();
    for user in &users {
        let overlay = overlay_images(&edited, user)?;
        let hits = overlay.images.iter().any(|i| {
            ImageRef::split(&i.image)
                .tag
                .is_some_and(|t| t.starts_with(PROBE))
        });
        unchecked.extend(
            overlay
                .unchecked
                .into_iter()
                .filter(|u| !hits || u.overrides),
        );
        if hits {
            return Ok(unchecked);
        }
        names.extend(overlay.images.iter().map(|i| i.name.clone()));
    }
    if !unchecked.is_empty() {
        return Ok(unchecked);
    }
    names.sort();
    names.dedup();
    let mut e = Error::new(
        ErrorKind::UnknownImage,
        format!(
            "image `{}` matches no container of the overlays that use this component",
            spec.name
        ),
    )
    .with_file(file)
    .found(format!(
        "overlays {}; images {}",
        super::nodes::backticked(&users),
        super::nodes::backticked(&names)
    ));
    if let Some(hint) = crate::error::did_you_mean(&spec.name, names.iter().map(String::as_str)) {
        e = e.hint(hint);
    }
    Err(e)
}

/// The directories of this repository whose kustomization lists `component` in `components:`.
fn users_of(fs: &dyn FileSource, component: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut queue = vec![String::new()];
    let mut seen = 0;
    while let Some(dir) = queue.pop() {
        seen += 1;
        if seen > MAX_DIRS {
            break;
        }
        let Some(entries) = fs.list(&dir) else {
            continue;
        };
        for e in &entries {
            let path = if dir.is_empty() {
                e.clone()
            } else {
                format!("{dir}/{e}")
            };
            if !e.starts_with('.') && !SKIP.contains(&e.as_str()) && fs.list(&path).is_some() {
                queue.push(path);
            }
        }
        let Ok(kfile) = kustomization_file(fs, &dir) else {
            continue;
        };
        let Some(text) = fs.read(&kfile) else {
            continue;
        };
        let Ok(stream) = Stream::parse(&text) else {
            continue;
        };
        let Some(root) = stream.docs.iter().find_map(|d| d.root.as_ref()) else {
            continue;
        };
        let listed = get(root, "components")
            .map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::scalar)
            .any(|c| super::overlay::join(&dir, c).as_deref() == Some(component));
        if listed && get_str(root, "kind") != Some("Component") {
            out.push(dir);
        }
    }
    out.sort();
    out
}
