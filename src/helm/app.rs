//! Argo CD Applications with a Helm source: an image edit goes where Argo CD reads the
//! value, never into a `kustomize` field (Argo CD rejects a source that is both).
//!
//! Argo CD hands Helm, from lowest precedence to highest: the `valueFiles`, then
//! `valuesObject` (or, only when there is none, the `values` string: the two never merge),
//! then `parameters` as `--set`. The `values` string is read but never edited in place.

use crate::edit::Edit;
use crate::error::{Error, ErrorKind};
use crate::tree::{Node, Stream};

use crate::kustomize::nodes::{get, get_path, get_str, items};
use crate::kustomize::spec::ImageSpec;

use super::shapes::references;
use super::values::{flatten, flatten_parameters, key_path, set_name, Key, Merged};
use super::{plan, LayerInfo, Undecided};

/// Whether Argo CD renders `source` with Helm: it has a `helm` block or names a `chart`.
pub(crate) fn is_helm_source(source: &Node) -> bool {
    get(source, "helm").is_some() || get(source, "chart").is_some()
}

/// Whether `source` is a Helm source or only a `ref` for another source's value files.
pub(crate) fn is_helm_source_or_ref(source: &Node) -> bool {
    is_helm_source(source) || (get(source, "ref").is_some() && get(source, "path").is_none())
}

/// The sources of an Application with their key paths.
pub(crate) fn sources(root: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    if let Some(s) = get_path(root, &["spec", "source"]) {
        out.push(("spec.source".to_string(), s));
    }
    if let Some(list) = get_path(root, &["spec", "sources"]) {
        for (i, s) in items(list).iter().enumerate() {
            out.push((format!("spec.sources[{i}]"), s));
        }
    }
    out
}

/// One Helm source's values, merged as Argo CD passes them to Helm.
struct SourceValues {
    merged: Merged,
    layers: Vec<LayerInfo>,
    /// The layer missing keys go to: `valuesObject` when the source has one.
    create_in: Option<usize>,
    /// `values: |` that did not parse, as a note for messages.
    unreadable: Option<String>,
}

fn source_values(path: &str, source: &Node) -> SourceValues {
    let mut merged = Merged::default();
    let mut layers = Vec::new();
    let (create_in, unreadable) = source_layers(path, source, &mut merged, &mut layers);
    SourceValues {
        merged,
        layers,
        create_in,
        unreadable,
    }
}

/// Merges the values one Helm source carries itself (`values` or `valuesObject`, then
/// `parameters`) over `merged`, adding their layers: the layer missing keys go to, and a
/// `values` string that did not parse.
pub(crate) fn source_layers(
    path: &str,
    source: &Node,
    merged: &mut Merged,
    layers: &mut Vec<LayerInfo>,
) -> (Option<usize>, Option<String>) {
    let helm = get(source, "helm");
    let mut unreadable = None;
    let base = format!("{path}.helm");
    // Argo CD passes `valuesObject` when the source has one and the `values` string only
    // when it has not (`ApplicationSourceHelm.ValuesYAML`): the two never merge.
    let object = helm.and_then(|h| get(h, "valuesObject"));
    if let Some(text) = helm
        .filter(|_| object.is_none())
        .and_then(|h| get_str(h, "values"))
    {
        match Stream::parse(text) {
            Ok(s) => {
                if let Some(root) = s.docs.into_iter().find_map(|d| d.root) {
                    merged.merge(flatten(&root, "", layers.len()));
                }
            }
            Err(e) => unreadable = Some(e.message().to_string()),
        }
        layers.push(LayerInfo {
            base: format!("{base}.values"),
            editable: false,
            creatable: false,
            label: format!("{base}.values (a string)"),
        });
    }
    let mut create_in = None;
    if let Some(obj) = object {
        let at = format!("{base}.valuesObject");
        merged.merge(flatten(obj, &at, layers.len()));
        create_in = Some(layers.len());
        layers.push(LayerInfo {
            base: at.clone(),
            editable: true,
            creatable: true,
            label: at,
        });
    }
    if let Some(params) = helm.and_then(|h| get(h, "parameters")) {
        let at = format!("{base}.parameters");
        merged.merge(flatten_parameters(params, &at, layers.len()));
        layers.push(LayerInfo {
            base: at.clone(),
            editable: true,
            creatable: false,
            label: at,
        });
    }
    (create_in, unreadable)
}

/// What an image edit on one Application found in its Helm sources.
pub(crate) struct HelmAppEdits {
    /// Edits in the Application's text.
    pub(crate) edits: Vec<Edit>,
    /// How many sources are Helm sources.
    pub(crate) helm_sources: usize,
    /// How many sources are not.
    pub(crate) other_sources: usize,
}

/// The edits setting `spec` in the Helm sources of Application `root`.
///
/// # Errors
/// `not-kustomization` when an image the spec names is decided where gitops-bump cannot
/// edit it, with the exact `set` path that would work.
pub(crate) fn helm_app_edits(
    src: &str,
    root: &Node,
    spec: &ImageSpec,
    select: &Option<String>,
    seen: &mut Vec<String>,
) -> Result<HelmAppEdits, Error> {
    let mut out = HelmAppEdits {
        edits: Vec::new(),
        helm_sources: 0,
        other_sources: 0,
    };
    for (path, source) in sources(root) {
        if !is_helm_source(source) {
            out.other_sources += 1;
            continue;
        }
        out.helm_sources += 1;
        let v = source_values(&path, source);
        seen.extend(references(&v.merged).into_iter().map(|r| r.rendered));
        match plan(&v.merged, &v.layers, v.create_in, spec, &super::keep_all) {
            Ok(edits) => out.edits.extend(edits.into_iter().map(|(_, mut e)| {
                e.select = select.clone();
                e
            })),
            Err(Undecided::Other(msg)) => {
                return Err(Error::new(ErrorKind::InvalidValue, msg)
                    .at(src, source.start..source.start + 1)
                    .hint("give a tag, or add the chart's digest field to the values first"))
            }
            Err(Undecided::Key { key, layer }) => {
                return Err(undecided(src, &path, source, &v, &key, layer))
            }
        }
    }
    Ok(out)
}

/// The edits scan mode makes in Application `root`'s Helm sources (none is an error only
/// when a named image cannot be placed).
pub(crate) fn scan_edits(
    src: &str,
    root: &Node,
    spec: &ImageSpec,
    select: &Option<String>,
    seen: &mut Vec<String>,
) -> Result<Vec<Edit>, Error> {
    helm_app_edits(src, root, spec, select, seen).map(|r| r.edits)
}

fn undecided(
    src: &str,
    path: &str,
    source: &Node,
    v: &SourceValues,
    key: &Key,
    layer: Option<usize>,
) -> Error {
    let name = set_name(key);
    let decided_by = layer
        .map(|l| v.layers[l].label.clone())
        .unwrap_or_else(|| "the chart's defaults".into());
    let exact = format!("{path}.helm.valuesObject");
    let hint = format!(
        "Argo CD reads `{name}` from {decided_by}; set it where it wins: gitops-bump set FILE '{}' VALUE --create (valuesObject), or add a parameter named `{name}` under {path}.helm.parameters",
        key_path(&exact, key)
    );
    let mut e = Error::new(
        ErrorKind::NotKustomization,
        format!("the image's `{name}` is decided where gitops-bump cannot edit it in place ({decided_by})"),
    )
    .at(src, source.start..source.start + 1)
    .hint(hint);
    if let Some(u) = &v.unreadable {
        e = e.found(format!("a values string that does not parse: {u}"));
    }
    e
}

/// The refusal for an Application whose only sources are Helm sources and whose values
/// name no image `spec` names: Argo CD rejects kustomize fields beside `helm`.
pub(crate) fn no_helm_reference(
    src: &str,
    root: &Node,
    spec: &ImageSpec,
    seen: &[String],
) -> Error {
    let (path, source) = sources(root)
        .into_iter()
        .find(|(_, s)| is_helm_source(s))
        .expect("called for an Application with a Helm source");
    let v = source_values(&path, source);
    let tag_params: Vec<String> = v
        .merged
        .leaves
        .iter()
        .filter(|(k, l)| {
            k.last().is_some_and(|s| s == "tag") && v.layers[l.layer].base.ends_with(".parameters")
        })
        .map(|(k, _)| set_name(k))
        .collect();
    let hint = match tag_params.as_slice() {
        [one] => format!(
            "if `{one}` is this image's tag: gitops-bump set FILE '{path}.helm.parameters[name=\"{one}\"].value' TAG"
        ),
        _ => format!(
            "set the chart's own key, e.g. gitops-bump set FILE '{path}.helm.valuesObject.image.tag' TAG --create (for a chart that reads image.repository and image.tag); or name the image's repository there first, then image FILE keeps it up to date"
        ),
    };
    let mut e = Error::new(
        ErrorKind::NotKustomization,
        format!(
            "the Application renders a Helm chart and its values name no image `{}`; Argo CD rejects kustomize fields beside helm, so none is added",
            spec.name
        ),
    )
    .at(src, source.start..source.start + 1)
    .hint(hint);
    if !seen.is_empty() {
        e = e.found(format!(
            "images {}",
            crate::kustomize::nodes::backticked(seen)
        ));
    }
    e
}
