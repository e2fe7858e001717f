//! `images:` edits in a kustomization file, with the resulting data of
//! `kustomize edit set image` v5.5.0 and none of its rewriting.

use crate::edit::{apply_edits, Edit, EditOp, Outcome};
use crate::error::{Error, ErrorKind};
use crate::scalar::ValueType;
use crate::tree::{Node, NodeKind, ScalarStyle, Stream};

use super::nodes::{get, get_str, items, selector_value};
use super::overlay::{image_entry, KUSTOMIZATION_FILE_NAMES};
use super::spec::{ImageEntry, ImageSpec};

/// The `images:` fields kustomize knows, in the order a new entry writes them.
const FIELDS: [&str; 4] = ["newName", "newTag", "digest", "tagSuffix"];

/// Keys only a kustomization has, to recognize one that has no `kind`.
const KUSTOMIZATION_KEYS: [&str; 16] = [
    "resources",
    "bases",
    "components",
    "images",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "configMapGenerator",
    "secretGenerator",
    "replicas",
    "helmCharts",
];

/// Sets image `spec` in the kustomization text `src`.
///
/// An existing entry with the same `name` is edited in place (changed fields only; a new
/// field is added in the entry's indentation; a cleared field's line goes); otherwise a new
/// entry is appended to `images:`, which is added at the end when missing. Tags are written
/// as strings.
///
/// # Errors
/// `not-kustomization` when `src` is not a kustomization, `ambiguous` when two entries have
/// the name, and the edit engine's errors.
pub fn set_kustomization_image(
    src: &str,
    spec: &ImageSpec,
    file: Option<&str>,
) -> Result<Outcome, Error> {
    let stream = Stream::parse(src)?;
    let (doc, root) = kustomization_root(src, &stream, file)?;
    let select = (stream.docs.len() > 1).then(|| doc.to_string());
    let edits = image_edits(src, root, "images", spec, select)?;
    apply_edits(src, &edits)
}

/// The edits that set `spec` in the `images:`-style list at `list_path` of mapping `root`.
pub(crate) fn image_edits(
    src: &str,
    root: &Node,
    list_path: &str,
    spec: &ImageSpec,
    select: Option<String>,
) -> Result<Vec<Edit>, Error> {
    let list = list_path.split('.').try_fold(root, |n, k| get(n, k));
    let matches: Vec<(usize, &Node)> = list
        .map(|l| {
            items(l)
                .iter()
                .enumerate()
                .filter(|(_, n)| get_str(n, "name") == Some(spec.name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if matches.len() > 1 {
        let second = matches[1].1;
        return Err(Error::new(
            ErrorKind::Ambiguous,
            format!(
                "`{list_path}` has {} entries named `{}`",
                matches.len(),
                spec.name
            ),
        )
        .at(src, second.start..second.start + 1)
        .found(format!(
            "entries {}",
            matches
                .iter()
                .map(|(i, _)| format!("[{i}]"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .hint("kustomize keeps only the last of them; remove the others"));
    }
    let edit = |path: String, op: EditOp| Edit {
        path,
        op,
        create: true,
        all: false,
        select: select.clone(),
    };
    let set = |path: String, value: &str| {
        edit(
            path,
            EditOp::Set {
                value: value.to_string(),
                ty: ValueType::String,
            },
        )
    };
    let mut edits = Vec::new();
    match matches.first() {
        Some(&(idx, item)) => {
            let current = image_entry(item);
            let new = spec.apply_to(current.as_ref());
            for key in FIELDS {
                let path = format!("{list_path}[{idx}].{key}");
                let node = get(item, key);
                let present = node.is_some();
                // `newTag: 1.0` reads as a number, which kustomize refuses: rewrite it as a
                // string even when the text stays the same.
                let not_string = node.is_some_and(|n| !is_string(n));
                match (field(current.as_ref(), key), field(Some(&new), key)) {
                    (old, Some(v)) if old != Some(v) || !present || not_string => {
                        edits.push(set(path, v))
                    }
                    (_, None) if present => edits.push(edit(path, EditOp::Remove)),
                    _ => {}
                }
            }
        }
        None => {
            let new = spec.apply_to(None);
            let sel = format!("{list_path}[name={}]", selector_value(&spec.name));
            let fields: Vec<(&str, &str)> = FIELDS
                .iter()
                .filter_map(|k| field(Some(&new), k).map(|v| (*k, v)))
                .collect();
            if fields.is_empty() {
                // `name=*`, `name:*`: every field keeps a value that does not exist. kustomize
                // adds a bare `- name:` entry, which changes nothing; we say so instead.
                return Err(Error::new(
                    ErrorKind::ImageSpec,
                    format!("`{}` sets nothing: `{list_path}` has no entry `{}` whose fields `*` could keep", spec.source, spec.name),
                )
                .hint("give a new tag, digest or name, such as name:1.2.3"));
            }
            for (key, v) in fields {
                edits.push(set(format!("{sel}.{key}"), v));
            }
        }
    }
    Ok(edits)
}

/// Whether a scalar reads as a string (YAML 1.1 and 1.2 readers alike).
fn is_string(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Scalar { value, style, .. } => {
            n.tag.as_deref().is_none_or(|t| t == "!!str")
                && (*style != ScalarStyle::Plain || !crate::scalar::is_ambiguous(value))
        }
        _ => false,
    }
}

fn field<'e>(e: Option<&'e ImageEntry>, key: &str) -> Option<&'e str> {
    let e = e?;
    match key {
        "newName" => e.new_name.as_deref(),
        "newTag" => e.new_tag.as_deref(),
        "digest" => e.digest.as_deref(),
        "tagSuffix" => e.tag_suffix.as_deref(),
        _ => None,
    }
}

/// The document index and root mapping of the kustomization in `stream`.
///
/// # Errors
/// `not-kustomization` naming what the file is instead.
pub(crate) fn kustomization_root<'s>(
    src: &str,
    stream: &'s Stream,
    file: Option<&str>,
) -> Result<(usize, &'s Node), Error> {
    let named =
        file.is_some_and(|f| KUSTOMIZATION_FILE_NAMES.contains(&f.rsplit('/').next().unwrap_or(f)));
    let not = |msg: String| {
        let e = Error::new(ErrorKind::NotKustomization, msg).hint(
            "give the overlay's kustomization.yaml (or its directory); a file named \
             kustomization.yaml, kustomization.yml or Kustomization is always read as one",
        );
        match file {
            Some(f) => e.with_file(f),
            None => e,
        }
    };
    let docs: Vec<(usize, &Node)> = stream
        .docs
        .iter()
        .filter_map(|d| d.root.as_ref().map(|r| (d.index, r)))
        .collect();
    let Some(&(doc, root)) = docs.first() else {
        return Err(not("the file is empty, not a kustomization".into()));
    };
    if docs.len() > 1 {
        return Err(not(format!(
            "the file has {} documents; a kustomization has one",
            docs.len()
        ))
        .at(src, root.start..root.start + 1));
    }
    let NodeKind::Mapping { entries, .. } = &root.kind else {
        return Err(not(format!(
            "the file is {}, not a kustomization",
            root.describe()
        ))
        .at(src, root.start..root.end.min(root.start + 40)));
    };
    let kind = get(root, "kind");
    let api = get_str(root, "apiVersion").unwrap_or("");
    match kind.and_then(Node::scalar) {
        Some("Kustomization" | "Component")
            if api.is_empty() || api.starts_with("kustomize.config.k8s.io/") =>
        {
            Ok((doc, root))
        }
        Some(k) => {
            let node = kind.unwrap_or(root);
            let what = if api.is_empty() {
                format!("a {k}")
            } else {
                format!("a {k} ({api})")
            };
            let mut e = not(format!("the file is {what}, not a kustomization"))
                .at(src, node.start..node.end)
                .found(format!("kind: {k}"));
            if k == "Application" && api.starts_with("argoproj.io/") {
                e = e.hint("for an Argo CD Application use the target argocd (it edits spec.source.kustomize.images)");
            } else if k == "Kustomization" {
                e = e.hint("a Flux Kustomization is not a kustomize kustomization; edit the kustomization.yaml its spec.path points to");
            }
            Err(e)
        }
        None if named
            || entries
                .iter()
                .any(|(k, _)| k.scalar().is_some_and(|k| KUSTOMIZATION_KEYS.contains(&k))) =>
        {
            Ok((doc, root))
        }
        None => {
            let keys: Vec<&str> = entries
                .iter()
                .filter_map(|(k, _)| k.scalar())
                .take(8)
                .collect();
            Err(
                not("the file has no `kind` and none of a kustomization's fields".into())
                    .at(src, root.start..root.start + 1)
                    .found(format!("keys {}", keys.join(", "))),
            )
        }
    }
}
