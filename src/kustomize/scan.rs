//! Scan mode: every reference to one image under a directory, updated in one plan.
//!
//! References are: kustomization `images:` entries (and a Flux Kustomization's
//! `spec.images`), `image:` of containers and initContainers in manifests, Argo CD
//! Applications and `.argocd-source-*.yaml` files, fields with a Flux `$imagepolicy` marker
//! that hold a whole image reference, and Helm values (files, a HelmRelease's `spec.values`,
//! an Application's Helm source) in the shapes `crate::helm` reads. Only existing
//! references change: scan mode adds no kustomize entries (a Helm image map without a `tag`
//! gets one, since the chart reads it there).

use crate::edit::{apply_edits, Change, Edit, EditOp};
use crate::error::{Error, ErrorKind};
use crate::scalar::ValueType;
use crate::tree::{Node, Stream};

use super::argocd::{app_lists, is_application, list_edits, ImageList};
use super::flux::{find_markers, MarkerField};
use super::kustomization::image_edits;
use super::nodes::{backticked, get, get_path, get_str, items, visit};
use super::overlay::{normalize, FileSource, KUSTOMIZATION_FILE_NAMES};
use super::spec::{image_matches, ImageEntry, ImageRef, ImageSpec, SpecField};

/// One file scan mode changes.
#[derive(Debug, Clone)]
pub struct ScanFile {
    /// Path relative to the root.
    pub file: String,
    /// The new text.
    pub text: String,
    /// What changed.
    pub changes: Vec<Change>,
}

/// The plan scan mode computed: every file it changes (files already up to date are listed
/// with `unchanged` changes only).
#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    /// The files with a reference, in path order.
    pub files: Vec<ScanFile>,
}

/// Directories scan mode never enters.
const SKIP_DIRS: [&str; 4] = [".git", "node_modules", "target", ".terraform"];

/// Finds every reference to image `spec.name` under `dir` and computes the updated files.
///
/// # Errors
/// `unknown-image` when nothing under `dir` references the image; `not-found` when `dir`
/// is not a directory; any file's edit error (named with its file), in which case nothing
/// is to be written.
pub fn scan_image(fs: &dyn FileSource, dir: &str, spec: &ImageSpec) -> Result<ScanResult, Error> {
    let dir = normalize(dir)
        .ok_or_else(|| Error::new(ErrorKind::Usage, format!("`{dir}` is outside the root")))?;
    let mut files = Vec::new();
    collect(fs, &dir, &mut files)?;
    files.sort();
    let mut out = ScanResult::default();
    let mut seen_names: Vec<String> = Vec::new();
    let env = Env {
        fs,
        charts: crate::helm::env::chart_dirs(fs, &dir),
        asked: dir.clone(),
    };
    for file in files {
        let Some(text) = fs.read(&file) else { continue };
        let Ok(stream) = Stream::parse(&text) else {
            continue;
        };
        let edits = file_edits(&text, &stream, &file, spec, &env, &mut seen_names)
            .map_err(|e| e.with_file(file.clone()))?;
        if edits.is_empty() {
            continue;
        }
        let outcome = apply_edits(&text, &edits).map_err(|e| {
            if e.file().is_none() {
                e.with_file(file.clone())
            } else {
                e
            }
        })?;
        out.files.push(ScanFile {
            file,
            text: outcome.text,
            changes: outcome.changes,
        });
    }
    if out.files.is_empty() {
        seen_names.sort();
        seen_names.dedup();
        let mut e = Error::new(
            ErrorKind::UnknownImage,
            format!(
                "nothing under `{}` references image `{}`",
                if dir.is_empty() { "." } else { &dir },
                spec.name
            ),
        );
        if !seen_names.is_empty() {
            e = e.found(format!("images {}", backticked(&seen_names)));
        }
        e = e.hint(
            match crate::error::did_you_mean(&spec.name, seen_names.iter().map(String::as_str)) {
                Some(h) => h,
                None => "scan mode looks at kustomization images, container images, Argo CD apps, Flux markers and Helm values (repository + tag)".into(),
            },
        );
        return Err(e);
    }
    Ok(out)
}

fn collect(fs: &dyn FileSource, dir: &str, out: &mut Vec<String>) -> Result<(), Error> {
    let Some(entries) = fs.list(dir) else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "`{}` is not a directory",
                if dir.is_empty() { "." } else { dir }
            ),
        ));
    };
    for name in entries {
        let path = if dir.is_empty() {
            name.clone()
        } else {
            format!("{dir}/{name}")
        };
        let hidden = name.starts_with('.') && !name.starts_with(".argocd-source");
        if hidden || SKIP_DIRS.contains(&name.as_str()) {
            continue;
        }
        if fs.list(&path).is_some() {
            collect(fs, &path, out)?;
        } else if name.ends_with(".yaml") || name.ends_with(".yml") || name == "Kustomization" {
            out.push(path);
        }
    }
    Ok(())
}

/// What scan mode knows of the repository: its chart folders, and what was asked.
struct Env<'a> {
    fs: &'a dyn FileSource,
    charts: Vec<String>,
    /// The directory scanned (a chart's defaults change only when it is inside the chart).
    asked: String,
}

/// All edits for one file.
fn file_edits(
    text: &str,
    stream: &Stream,
    file: &str,
    spec: &ImageSpec,
    env: &Env<'_>,
    seen: &mut Vec<String>,
) -> Result<Vec<Edit>, Error> {
    let base = file.rsplit('/').next().unwrap_or(file);
    let multi = stream.docs.len() > 1;
    let mut edits: Vec<Edit> = Vec::new();
    for doc in &stream.docs {
        let Some(root) = &doc.root else { continue };
        let select = multi.then(|| doc.index.to_string());
        let kind = get_str(root, "kind").unwrap_or("");
        let api = get_str(root, "apiVersion").unwrap_or("");
        let is_kustomization = KUSTOMIZATION_FILE_NAMES.contains(&base)
            || (matches!(kind, "Kustomization" | "Component")
                && api.starts_with("kustomize.config.k8s.io/"));
        if is_kustomization
            || (kind == "Kustomization" && api.starts_with("kustomize.toolkit.fluxcd.io/"))
        {
            let list_path = if is_kustomization {
                "images"
            } else {
                "spec.images"
            };
            let list = list_path.split('.').try_fold(root, |n, k| get(n, k));
            for item in list.map(items).unwrap_or_default() {
                if let Some(n) = get_str(item, "name") {
                    seen.push(n.to_string());
                }
            }
            if list.is_some_and(|l| {
                items(l)
                    .iter()
                    .any(|i| get_str(i, "name") == Some(spec.name.as_str()))
            }) {
                edits.extend(image_edits(text, root, list_path, spec, select.clone())?);
            }
            if is_kustomization {
                continue;
            }
        }
        if is_application(root) {
            let lists = app_lists(root);
            note_argo_names(&lists, seen);
            edits.extend(list_edits(text, &lists, spec, select.clone())?);
            edits.extend(crate::helm::app::scan_edits(
                text, root, spec, &select, seen,
            )?);
            continue;
        }
        if base.starts_with(".argocd-source") {
            let lists = [ImageList {
                path: "kustomize.images".into(),
                node: get_path(root, &["kustomize", "images"]),
            }];
            note_argo_names(&lists, seen);
            edits.extend(list_edits(text, &lists, spec, None)?);
            continue;
        }
        if let Some(values) = crate::helm::env::env_values(root) {
            use crate::helm::env::{env_edits, reading, Reading};
            match reading(env.fs, &env.charts, file, values, Some(&env.asked)) {
                Reading::ChartDefaults => continue,
                Reading::Over(chart) => {
                    let found = env_edits(env.fs, text, &chart, values, "", spec, true, seen)?;
                    edits.extend(found.into_iter().map(|mut e| {
                        e.select = select.clone();
                        e
                    }));
                    continue;
                }
                Reading::Alone => {}
            }
        }
        if crate::helm::values_root(root).is_some() {
            edits.extend(crate::helm::values_doc_edits(
                text,
                root,
                spec,
                select.clone(),
                seen,
            )?);
        } else {
            edits.extend(container_edits(root, spec, &select, seen));
        }
    }
    if text.contains("$imagepolicy") {
        for m in find_markers(text)?
            .into_iter()
            .filter(|m| m.field == MarkerField::Image)
        {
            let sel = multi.then(|| m.doc.to_string());
            if edits.iter().any(|e| e.path == m.path && e.select == sel) {
                continue;
            }
            seen.push(ImageRef::split(&m.value).name);
            if let Some(new) = transform(spec, &m.value) {
                edits.push(set(m.path, new, sel));
            }
        }
    }
    Ok(edits)
}

fn note_argo_names(lists: &[ImageList<'_>], seen: &mut Vec<String>) {
    for l in lists {
        for n in l.node.map(items).unwrap_or_default() {
            if let Some(e) = n.scalar().and_then(super::argocd::parse_argocd_image) {
                seen.push(e.name);
            }
        }
    }
}

fn set(path: String, value: String, select: Option<String>) -> Edit {
    Edit {
        path,
        op: EditOp::Set {
            value,
            ty: ValueType::String,
        },
        create: false,
        all: false,
        select,
    }
}

/// The image a reference `image` becomes, when `spec` names it: the kustomize image
/// transformer's rule, with `*` keeping a part.
fn transform(spec: &ImageSpec, image: &str) -> Option<String> {
    if !image_matches(image, &spec.name) {
        return None;
    }
    let entry = ImageEntry {
        name: spec.name.clone(),
        new_name: spec.new_name.value().map(str::to_string),
        new_tag: spec.new_tag.value().map(str::to_string),
        digest: spec.digest.value().map(str::to_string),
        tag_suffix: None,
    };
    let mut out = ImageRef::split(&entry.transform(image)?);
    // `*` keeps the reference's own part even where the transformer would clear it.
    let cur = ImageRef::split(image);
    if spec.new_tag == SpecField::Keep && spec.digest.value().is_some() {
        out.tag = cur.tag;
    }
    if spec.digest == SpecField::Keep && spec.new_tag.value().is_some() {
        out.digest = cur.digest;
    }
    Some(out.to_string())
}

/// Container images (`containers` and `initContainers` items) in one manifest document.
pub(crate) fn container_edits(
    root: &Node,
    spec: &ImageSpec,
    select: &Option<String>,
    seen: &mut Vec<String>,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    visit(
        root,
        "",
        None,
        &mut |node: &Node, path: &str, parent: Option<&str>| {
            if !matches!(node.kind, crate::tree::NodeKind::Mapping { .. }) {
                return;
            }
            let in_containers =
                matches!(parent, Some("containers" | "initContainers")) && path.ends_with(']');
            if in_containers {
                if let Some(image) = get_str(node, "image") {
                    seen.push(ImageRef::split(image).name);
                    if let Some(new) = transform(spec, image) {
                        edits.push(set(format!("{path}.image"), new, select.clone()));
                    }
                }
            }
        },
    );
    edits
}

#[cfg(test)]
mod tests {
    use super::super::overlay::memfs::fs;
    use super::*;
    use crate::kustomize::parse_image_spec;

    fn scan(files: &[(&str, &str)], spec: &str) -> Vec<(String, String)> {
        let r = scan_image(&fs(files), "", &parse_image_spec(spec).unwrap()).unwrap();
        r.files.into_iter().map(|f| (f.file, f.text)).collect()
    }

    #[test]
    fn renames_helm_values_and_flux_kustomizations() {
        let values =
            "image:\n  registry: ghcr.io\n  repository: acme/api\n  tag: v1\n  digest: sha256:x\n";
        let got = scan(
            &[("values.yaml", values)],
            "ghcr.io/acme/api=quay.io/acme/api2:v2",
        );
        assert_eq!(
            got[0].1,
            "image:\n  registry: quay.io\n  repository: acme/api2\n  tag: v2\n  digest: \"\"\n"
        );
        let flux = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  images:\n  - name: api\n    newTag: v1\n";
        let got = scan(&[("clusters/apps.yaml", flux)], "api:v2");
        assert_eq!(got[0].1, flux.replace("newTag: v1", "newTag: v2"));
    }

    #[test]
    fn star_keeps_a_reference_part() {
        let pod = "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: api:v1@sha256:x\n";
        let d = format!("sha256:{}", "b".repeat(64));
        let got = scan(&[("pod.yaml", pod)], &format!("api=*:*@{d}"));
        assert_eq!(got[0].1, pod.replace("sha256:x", &d));
        let got = scan(&[("pod.yaml", pod)], "api=reg/api");
        assert_eq!(got[0].1, pod.replace("image: api:", "image: reg/api:"));
    }
}
