//! Helm: image references in values as charts read them, and where an image edit must go so
//! that `helm template` renders it. See `docs/helm.md`.
//!
//! Values come in layers (chart defaults, values files, an Argo CD Application's `values`,
//! `valuesObject` and `parameters`, a Flux HelmRelease's `spec.values`), merged as Helm
//! merges them. An edit goes to the layer that decides the value; a layer gitops-bump cannot
//! edit in place (a `values: |` string) is read, and an edit it decides is refused with the
//! exact `set` path that would work.

pub(crate) mod app;
pub(crate) mod env;
pub(crate) mod shapes;
pub(crate) mod values;

use crate::edit::{Edit, EditOp};
use crate::error::{Error, ErrorKind};
use crate::scalar::ValueType;
use crate::tree::{Node, Stream};

use crate::kustomize::nodes::{get, get_str};
use crate::kustomize::spec::ImageSpec;

use shapes::{assignments, names, references, Reference};
use values::{flatten, key_path, set_name, Key, Merged};

/// One layer of values: where its keys live in its text, and whether it can be edited.
#[derive(Debug, Clone)]
pub(crate) struct LayerInfo {
    /// Key path of the layer's root in its text (`spec.values`, or empty for a values file).
    pub(crate) base: String,
    /// Whether edits may go there (a `values: |` string cannot take them).
    pub(crate) editable: bool,
    /// Whether missing keys may be created there (not in a `parameters` list).
    pub(crate) creatable: bool,
    /// How a message names it.
    pub(crate) label: String,
}

/// Why an image edit could not be placed.
#[derive(Debug, Clone)]
pub(crate) enum Undecided {
    /// The key is decided by (or missing from) layers that cannot take it.
    Key { key: Key, layer: Option<usize> },
    /// Another reason, in words.
    Other(String),
}

/// Which references a plan may change, by key and shape.
pub(crate) type Keep<'a> = &'a dyn Fn(&[String], shapes::Shape) -> bool;

/// Every reference may change.
pub(crate) fn keep_all(_: &[String], _: shapes::Shape) -> bool {
    true
}

/// The edits, each in the layer it goes to, that make `spec` true for every reference it
/// names in `m` (and `keep` keeps); missing keys are created in layer `create_in`.
pub(crate) fn plan(
    m: &Merged,
    layers: &[LayerInfo],
    create_in: Option<usize>,
    spec: &ImageSpec,
    keep: Keep<'_>,
) -> Result<Vec<(usize, Edit)>, Undecided> {
    let refs: Vec<Reference> = references(m)
        .into_iter()
        .filter(|r| names(r, &spec.name) && keep(&r.key, r.shape))
        .collect();
    let mut edits = Vec::new();
    for r in &refs {
        for (key, value) in assignments(m, r, spec).map_err(Undecided::Other)? {
            let leaf = m.get(&key);
            let edit = match leaf {
                Some(l) if layers[l.layer].editable => {
                    (l.layer, set_edit(l.path.clone(), value, false))
                }
                _ => match create_in.filter(|&i| layers[i].creatable && layers[i].editable) {
                    Some(i) if leaf.is_none_or(|l| l.layer <= i) => {
                        (i, set_edit(key_path(&layers[i].base, &key), value, true))
                    }
                    _ => {
                        return Err(Undecided::Key {
                            key,
                            layer: leaf.map(|l| l.layer),
                        })
                    }
                },
            };
            edits.push(edit);
        }
    }
    Ok(edits)
}

fn set_edit(path: String, value: String, create: bool) -> Edit {
    Edit {
        path,
        op: EditOp::Set {
            value,
            ty: ValueType::String,
        },
        create,
        all: false,
        select: None,
    }
}

/// Whether `root` is a Flux HelmRelease.
pub(crate) fn is_helm_release(root: &Node) -> bool {
    get_str(root, "kind") == Some("HelmRelease")
        && get_str(root, "apiVersion")
            .unwrap_or("")
            .starts_with("helm.toolkit.fluxcd.io/")
}

/// The values root of one document read as Helm values: a HelmRelease's `spec.values`, or
/// the document itself when it is no Kubernetes object (a values file).
pub(crate) fn values_root(root: &Node) -> Option<(&Node, &'static str)> {
    if is_helm_release(root) {
        return get(root, "spec")
            .and_then(|s| get(s, "values"))
            .map(|v| (v, "spec.values"));
    }
    if get_str(root, "kind").is_some() && get_str(root, "apiVersion").is_some() {
        return None;
    }
    Some((root, ""))
}

/// The edits of one values document (a values file, or a HelmRelease's `spec.values`) that
/// set `spec` on every reference it names, and the names of every reference seen.
///
/// # Errors
/// `invalid-value` when a digest cannot be pinned (the map has no digest field).
pub(crate) fn values_doc_edits(
    src: &str,
    root: &Node,
    spec: &ImageSpec,
    select: Option<String>,
    seen: &mut Vec<String>,
) -> Result<Vec<Edit>, Error> {
    let Some((values, base)) = values_root(root) else {
        return Ok(Vec::new());
    };
    let mut m = Merged::default();
    m.merge(flatten(values, base, 0));
    seen.extend(references(&m).into_iter().map(|r| r.rendered));
    let layers = [LayerInfo {
        base: base.to_string(),
        editable: true,
        creatable: true,
        label: "the values".into(),
    }];
    match plan(&m, &layers, Some(0), spec, &keep_all) {
        Ok(edits) => Ok(edits
            .into_iter()
            .map(|(_, mut e)| {
                e.select = select.clone();
                e
            })
            .collect()),
        Err(Undecided::Other(msg)) => Err(Error::new(ErrorKind::InvalidValue, msg)
            .at(src, values.start..values.start + 1)
            .hint("give a tag, or add the chart's digest field to the values first")),
        Err(Undecided::Key { key, .. }) => Err(Error::new(
            ErrorKind::InvalidValue,
            format!("cannot place `{}`", set_name(&key)),
        )),
    }
}

/// `image FILE SPEC` on a file that is no kustomization, Application or Flux-marked file: a
/// scan of that one file (Helm values, a HelmRelease's values, container images).
///
/// # Errors
/// `unknown-image` when the file references no image `spec` names, with a hint to `set`
/// and `--scan`; the edit engine's errors.
pub fn set_values_image(
    src: &str,
    spec: &ImageSpec,
    file: Option<&str>,
) -> Result<crate::edit::Outcome, Error> {
    values_image_in(None, src, spec, file)
}

/// [`set_values_image`] with the repository at hand: a values file that layers over a chart
/// of the repository (see `env.rs`) is read over the chart's defaults, and the image goes
/// into the file even where only the chart names it.
pub(crate) fn values_image_in(
    fs: Option<&dyn crate::kustomize::FileSource>,
    src: &str,
    spec: &ImageSpec,
    file: Option<&str>,
) -> Result<crate::edit::Outcome, Error> {
    let stream = Stream::parse(src)?;
    let multi = stream.docs.len() > 1;
    let dir = file.map_or("", |f| f.rfind('/').map_or("", |i| &f[..i]));
    let charts = fs.map(|fs| env::chart_dirs(fs, dir)).unwrap_or_default();
    let mut edits = Vec::new();
    let mut seen = Vec::new();
    for doc in &stream.docs {
        let Some(root) = &doc.root else { continue };
        let select = multi.then(|| doc.index.to_string());
        if let (Some(fs), Some(f), Some(values)) = (fs, file, env::env_values(root)) {
            if let env::Reading::Over(dir) = env::reading(fs, &charts, f, values, Some(f)) {
                let found = env::env_edits(fs, src, &dir, values, "", spec, false, &mut seen)?;
                edits.extend(found.into_iter().map(|mut e| {
                    e.select = select.clone();
                    e
                }));
                continue;
            }
        }
        edits.extend(values_doc_edits(
            src,
            root,
            spec,
            select.clone(),
            &mut seen,
        )?);
        if values_root(root).is_none() {
            edits.extend(crate::kustomize::container_edits(
                root, spec, &select, &mut seen,
            ));
        }
    }
    if edits.is_empty() {
        seen.sort();
        seen.dedup();
        let name = file.unwrap_or("the file");
        let mut e = Error::new(
            ErrorKind::UnknownImage,
            format!("`{name}` references no image `{}`", spec.name),
        );
        if !seen.is_empty() {
            e = e.found(format!(
                "images {}",
                crate::kustomize::nodes::backticked(&seen)
            ));
        }
        let hint = crate::error::did_you_mean(&spec.name, seen.iter().map(String::as_str))
            .unwrap_or_else(|| format!(
                "it is not a kustomization, so no `images:` entry is added; set the chart's key yourself (gitops-bump set {name} image.tag TAG) or update every reference below a directory (gitops-bump image DIR {} --scan)",
                spec.source
            ));
        e = e.hint(hint);
        return Err(match file {
            Some(f) => e.with_file(f),
            None => e,
        });
    }
    crate::edit::apply_edits(src, &edits)
}

/// One image a values text references, as the chart would render it from these values
/// alone (chart defaults and other layers are not seen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuesImage {
    /// The key path of the reference (the map, or the string).
    pub path: String,
    /// `name[:tag][@digest]`; no tag where the values have none (charts then use `appVersion`).
    pub image: String,
}

/// The image references in a values text (a values file, or a HelmRelease's `spec.values`),
/// in the shapes `docs/helm.md` lists.
///
/// # Errors
/// `yaml-syntax` when the text does not parse.
pub fn values_images(src: &str) -> Result<Vec<ValuesImage>, Error> {
    let stream = Stream::parse(src)?;
    let mut out = Vec::new();
    for doc in &stream.docs {
        let Some((values, base)) = doc.root.as_ref().and_then(values_root) else {
            continue;
        };
        let mut m = Merged::default();
        m.merge(flatten(values, base, 0));
        out.extend(references(&m).into_iter().map(|r| ValuesImage {
            path: key_path(base, &r.key),
            image: r.image(),
        }));
    }
    Ok(out)
}

/// The digest fields beside a `tag` that a `set` of that tag leaves stale: for a `path`
/// ending in `.tag` (or `tag`) whose mapping is an image map (it has a `repository` or an
/// `image`) and whose value is not `new_tag` already, every non-empty `digest`, `sha` and
/// `digestChroot` there. Charts render
/// `name:tag@digest` (or only `@digest`), so an old digest keeps the old image running;
/// the caller clears them in the same edit and reports it.
///
/// # Errors
/// `yaml-syntax` when the text does not parse; a path that matches nothing, several nodes
/// or not a `tag` key gives no companions (the edit itself reports that).
pub fn tag_companions(
    src: &str,
    path: &str,
    new_tag: &str,
    select: Option<&str>,
) -> Result<Vec<String>, Error> {
    let parent = match path.strip_suffix("tag") {
        Some("") => String::new(),
        Some(p) if p.ends_with('.') => p[..p.len() - 1].to_string(),
        _ => return Ok(Vec::new()),
    };
    if parent.contains('*') {
        return Ok(Vec::new());
    }
    let opts = crate::get::GetOptions {
        all: false,
        select: select.map(str::to_string),
    };
    let at = |key: &str| {
        let p = if parent.is_empty() {
            key.to_string()
        } else {
            format!("{parent}.{key}")
        };
        crate::get::get_values(src, &p, &opts)
            .ok()
            .and_then(|f| f.into_iter().next())
    };
    let Some(tag) = at("tag") else {
        return Ok(Vec::new());
    };
    if tag.value.as_deref().is_none_or(|t| t == new_tag)
        || (at("repository").is_none() && at("image").is_none())
    {
        return Ok(Vec::new());
    }
    Ok(["digest", "sha", "digestChroot"]
        .into_iter()
        .filter_map(at)
        .filter(|f| f.value.as_deref().is_some_and(|v| !v.trim().is_empty()))
        .map(|f| f.path)
        .collect())
}
