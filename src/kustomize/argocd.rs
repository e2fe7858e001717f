//! Argo CD targets: an Application's `spec.source.kustomize.images` and
//! `spec.sources[*].kustomize.images`, and the parameter override file
//! `.argocd-source-<app>.yaml` (`kustomize.images`). Both hold image specs as strings, which
//! Argo CD hands to `kustomize edit set image` when it builds the app.

use crate::edit::{apply_edits, Change, ChangeKind, Edit, EditOp, Outcome};
use crate::error::{Error, ErrorKind};
use crate::scalar::ValueType;
use crate::tree::{Node, NodeKind, Stream};

use super::nodes::{get, get_path, get_str, items};
use super::spec::{ImageEntry, ImageRef, ImageSpec, SpecField};

/// Reads an Argo CD image string (`name=newName:newTag@digest`, `name:newTag`, …) the way
/// kustomize would; `*` fields read as absent.
pub fn parse_argocd_image(s: &str) -> Option<ImageEntry> {
    let (key, value) = match s.split_once('=') {
        Some((k, v)) => (Some(k), v),
        None => (None, s),
    };
    let r = ImageRef::split(value);
    let keep = |v: Option<String>| v.filter(|v| v != "*");
    let (name, new_name) = match key {
        Some(k) => (k.to_string(), keep(Some(r.name)).filter(|n| !n.is_empty())),
        None => (r.name, None),
    };
    if name.is_empty() {
        return None;
    }
    Some(ImageEntry {
        name,
        new_name,
        new_tag: keep(r.tag),
        digest: keep(r.digest),
        tag_suffix: None,
    })
}

/// A list of image strings found in a document, by its key path.
pub(crate) struct ImageList<'t> {
    pub(crate) path: String,
    pub(crate) node: Option<&'t Node>,
}

/// Sets image `spec` in the Argo CD Application(s) of `src`.
///
/// An entry for the same image name is rewritten (`name=newName:newTag@digest`, keeping
/// what `*` and the `name:tag` form keep); otherwise the spec is appended to the source's
/// `kustomize.images`, created when missing.
///
/// # Errors
/// `not-kustomization` when `src` holds no Application; `ambiguous` when a multi-source app
/// has no entry for the image and more than one source could take it.
pub fn set_argocd_image(src: &str, spec: &ImageSpec, file: Option<&str>) -> Result<Outcome, Error> {
    let stream = Stream::parse(src)?;
    let apps: Vec<(usize, &Node)> = stream
        .docs
        .iter()
        .filter_map(|d| d.root.as_ref().map(|r| (d.index, r)))
        .filter(|(_, r)| is_application(r))
        .collect();
    if apps.is_empty() {
        let e = Error::new(ErrorKind::NotKustomization, "the file holds no Argo CD Application (apiVersion argoproj.io/*, kind Application)")
            .hint("for a kustomization use the target kustomization; for .argocd-source-<app>.yaml the target argocd-source");
        return Err(with_file(e, file));
    }
    let multi = stream.docs.len() > 1;
    let mut edits = Vec::new();
    let mut helm_only = Vec::new();
    let mut seen = Vec::new();
    for &(doc, root) in &apps {
        let select = multi.then(|| doc.to_string());
        let lists = app_lists(root);
        edits.extend(list_edits(src, &lists, spec, select.clone())?);
        // A Helm source takes the image in its values, never in a kustomize field.
        let helm = crate::helm::app::helm_app_edits(src, root, spec, &select, &mut seen)
            .map_err(|e| with_file(e, file))?;
        edits.extend(helm.edits);
        if helm.helm_sources > 0 && helm.other_sources == 0 {
            helm_only.push(root);
        }
    }
    if edits.is_empty() {
        if let [(_, root)] = apps.as_slice() {
            if helm_only.iter().any(|h| std::ptr::eq(*h, *root)) {
                seen.sort();
                seen.dedup();
                return Err(with_file(
                    crate::helm::app::no_helm_reference(src, root, spec, &seen),
                    file,
                ));
            }
        }
        let &(doc, root) = match apps.as_slice() {
            [one] => one,
            many => {
                let names: Vec<&str> = many
                    .iter()
                    .filter_map(|(_, r)| get(r, "metadata").and_then(|m| get_str(m, "name")))
                    .collect();
                return Err(with_file(
                    Error::new(
                        ErrorKind::Ambiguous,
                        format!(
                            "{} Applications, none with an image named `{}`: which one gets it?",
                            many.len(),
                            spec.name
                        ),
                    )
                    .found(format!("Applications {}", names.join(", ")))
                    .hint(
                        "give the file of one Application, or add the image to one of them first",
                    ),
                    file,
                ));
            }
        };
        let path = new_entry_list(src, root, spec).map_err(|e| with_file(e, file))?;
        edits.push(append(path, spec, multi.then(|| doc.to_string())));
    }
    apply_edits(src, &edits)
}

/// Whether `root` is an Argo CD Application.
pub(crate) fn is_application(root: &Node) -> bool {
    get_str(root, "kind") == Some("Application")
        && get_str(root, "apiVersion")
            .unwrap_or("")
            .starts_with("argoproj.io/")
}

/// Sets image `spec` in an `.argocd-source-<app>.yaml` override file (`kustomize.images`).
///
/// # Errors
/// `not-kustomization` when the file is not a mapping.
pub fn set_argocd_source_image(
    src: &str,
    spec: &ImageSpec,
    file: Option<&str>,
) -> Result<Outcome, Error> {
    let stream = Stream::parse(src)?;
    let root = stream.docs.iter().find_map(|d| d.root.as_ref());
    if let Some(r) = root {
        if !matches!(r.kind, NodeKind::Mapping { .. }) && !r.is_null() {
            return Err(with_file(
                Error::new(
                    ErrorKind::NotKustomization,
                    format!(
                        "an Argo CD source override file is a mapping, this is {}",
                        r.describe()
                    ),
                )
                .at(src, r.start..r.start + 1),
                file,
            ));
        }
    }
    let lists = [ImageList {
        path: "kustomize.images".into(),
        node: root.and_then(|r| get_path(r, &["kustomize", "images"])),
    }];
    let mut edits = list_edits(src, &lists, spec, None)?;
    if edits.is_empty() && root.is_none_or_null() {
        return fill_empty_source_file(src, spec);
    }
    if edits.is_empty() {
        edits.push(append("kustomize.images".into(), spec, None));
    }
    apply_edits(src, &edits)
}

trait NoneOrNull {
    fn is_none_or_null(&self) -> bool;
}

impl NoneOrNull for Option<&Node> {
    fn is_none_or_null(&self) -> bool {
        self.is_none_or(Node::is_null)
    }
}

/// A comment-only (or empty) override file gets its content appended.
// TODO(core): `create` in a document with no content ("the file has no documents") would
// make this special case unnecessary.
fn fill_empty_source_file(src: &str, spec: &ImageSpec) -> Result<Outcome, Error> {
    let nl = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let mut text = src.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(nl);
    }
    // The new item's line: two below `kustomize:`, after `  - `.
    let line = text.matches('\n').count() + 3;
    let offset = text.len() + format!("kustomize:{nl}  images:{nl}  - ").len();
    let item = crate::scalar::render_string(&spec.source, None, crate::scalar::Context::default());
    text.push_str(&format!("kustomize:{nl}  images:{nl}  - {item}{nl}"));
    let change = Change {
        path: "kustomize".into(),
        doc: 0,
        line,
        column: 5,
        offset,
        old: None,
        new: Some(spec.source.clone()),
        kind: ChangeKind::Insert,
        old_type: None,
        new_type: Some("string"),
        aliases: Vec::new(),
    };
    // The self-check, as the engine would do it.
    let back: Option<serde_yaml::Value> = serde_yaml::from_str(&text).ok();
    let items = back
        .as_ref()
        .and_then(|v| v.get("kustomize")?.get("images")?.as_sequence().cloned());
    if items != Some(vec![serde_yaml::Value::String(spec.source.clone())]) {
        return Err(Error::new(
            ErrorKind::SelfCheck,
            "the new override file reads back differently",
        )
        .hint("nothing was written; this is a bug, please report it with the input"));
    }
    Ok(Outcome {
        text,
        changes: vec![change],
    })
}

fn with_file(e: Error, file: Option<&str>) -> Error {
    match file {
        Some(f) => e.with_file(f),
        None => e,
    }
}

fn append(path: String, spec: &ImageSpec, select: Option<String>) -> Edit {
    Edit {
        path,
        op: EditOp::Append {
            value: spec.source.clone(),
            ty: ValueType::String,
        },
        create: true,
        all: false,
        select,
    }
}

/// The image lists of an Application: `spec.source.kustomize.images`, then
/// `spec.sources[i].kustomize.images`.
pub(crate) fn app_lists(root: &Node) -> Vec<ImageList<'_>> {
    let mut out = Vec::new();
    if let Some(source) = get_path(root, &["spec", "source"]) {
        out.push(ImageList {
            path: "spec.source.kustomize.images".into(),
            node: get_path(source, &["kustomize", "images"]),
        });
    }
    if let Some(sources) = get_path(root, &["spec", "sources"]) {
        for (i, s) in items(sources).iter().enumerate() {
            out.push(ImageList {
                path: format!("spec.sources[{i}].kustomize.images"),
                node: get_path(s, &["kustomize", "images"]),
            });
        }
    }
    out
}

/// Edits rewriting the entries for `spec.name` in `lists`.
pub(crate) fn list_edits(
    src: &str,
    lists: &[ImageList<'_>],
    spec: &ImageSpec,
    select: Option<String>,
) -> Result<Vec<Edit>, Error> {
    let mut edits = Vec::new();
    for list in lists {
        let Some(node) = list.node else { continue };
        let found: Vec<(usize, &Node, ImageEntry)> = items(node)
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.scalar().and_then(parse_argocd_image).map(|e| (i, n, e)))
            .filter(|(_, _, e)| e.name == spec.name)
            .collect();
        if found.len() > 1 {
            let n = found[1].1;
            return Err(Error::new(
                ErrorKind::Ambiguous,
                format!(
                    "`{}` has {} entries for `{}`",
                    list.path,
                    found.len(),
                    spec.name
                ),
            )
            .at(src, n.start..n.end)
            .hint(
                "Argo CD passes them all to kustomize, where the last one wins; remove the others",
            ));
        }
        if let Some((i, node, current)) = found.into_iter().next() {
            let mut entry = spec.apply_to(Some(&current));
            // `name=*:tag` defers to the kustomization's newName at build time; a spec that
            // keeps newName keeps that `*` too.
            let star = node
                .scalar()
                .and_then(|t| t.split_once('='))
                .is_some_and(|(_, v)| v == "*" || v.starts_with("*:") || v.starts_with("*@"));
            if star && entry.new_name.is_none() && spec.new_name == SpecField::Keep {
                entry.new_name = Some("*".into());
            }
            let new = entry.to_spec_string();
            // Set even when unchanged: the engine reports it as `unchanged`.
            edits.push(Edit {
                path: format!("{}[{i}]", list.path),
                op: EditOp::Set {
                    value: new,
                    ty: ValueType::String,
                },
                create: false,
                all: false,
                select: select.clone(),
            });
        }
    }
    Ok(edits)
}

/// Where a new entry goes in an Application that has none for the image: the single
/// source, or the one source of a multi-source app that has `kustomize` (or, failing that,
/// the one that is neither a Helm chart nor a `ref`-only source).
fn new_entry_list(src: &str, root: &Node, spec: &ImageSpec) -> Result<String, Error> {
    if get_path(root, &["spec", "source"]).is_some() {
        return Ok("spec.source.kustomize.images".into());
    }
    let Some(sources) = get_path(root, &["spec", "sources"]) else {
        return Err(Error::new(
            ErrorKind::NotKustomization,
            "the Application has neither spec.source nor spec.sources",
        )
        .at(src, root.start..root.start + 1));
    };
    let all = items(sources);
    let with_kustomize: Vec<usize> = (0..all.len())
        .filter(|&i| get(&all[i], "kustomize").is_some())
        .collect();
    let plain: Vec<usize> = (0..all.len())
        .filter(|&i| {
            get(&all[i], "chart").is_none()
                && get(&all[i], "helm").is_none()
                && get(&all[i], "path").is_some()
        })
        .collect();
    if all.iter().all(crate::helm::app::is_helm_source_or_ref) {
        return Err(crate::helm::app::no_helm_reference(src, root, spec, &[]));
    }
    let pick = match (with_kustomize.as_slice(), plain.as_slice()) {
        ([one], _) => Some(*one),
        ([], [one]) => Some(*one),
        _ => None,
    };
    match pick {
        Some(i) => Ok(format!("spec.sources[{i}].kustomize.images")),
        None => Err(Error::new(ErrorKind::Ambiguous, format!("no source has an image named `{}`, and more than one could take it", spec.name))
            .at(src, sources.start..sources.start + 1)
            .found(format!("{} sources", all.len()))
            .hint("add the image to one source's kustomize.images first; gitops-bump then keeps it up to date")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_star_new_name() {
        let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    kustomize:\n      images:\n      - api=*:1.0\n";
        let set = |spec: &str| {
            set_argocd_image(
                app,
                &crate::kustomize::parse_image_spec(spec).unwrap(),
                None,
            )
            .unwrap()
            .text
        };
        assert!(set("api:2.0").contains("- api=*:2.0\n"));
        assert!(set("api=reg/api:2.0").contains("- api=reg/api:2.0\n"));
    }

    #[test]
    fn reads_argocd_image_strings() {
        let e = parse_argocd_image("api=reg:5000/api:1@sha256:x").unwrap();
        assert_eq!(
            (
                e.name.as_str(),
                e.new_name.as_deref(),
                e.new_tag.as_deref(),
                e.digest.as_deref()
            ),
            ("api", Some("reg:5000/api"), Some("1"), Some("sha256:x"))
        );
        let e = parse_argocd_image("reg:5000/api:1").unwrap();
        assert_eq!(
            (e.name.as_str(), e.new_name, e.new_tag.as_deref()),
            ("reg:5000/api", None, Some("1"))
        );
    }
}
