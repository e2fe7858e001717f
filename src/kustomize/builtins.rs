//! kustomize's built-in transformers and generators, as far as images and patch targets go:
//! the kustomization fields (`namespace`, `namePrefix`, `nameSuffix`, `commonLabels`,
//! `labels`, `commonAnnotations`) and the same built-ins given as `transformers:` and
//! `generators:` entries. `ImageTagTransformer` retags; the others change what patch targets
//! and selectors see, or (ConfigMap and Secret generators, replica counts) nothing images
//! depend on. Plugins and other kinds are reported as not followed.

use crate::tree::{Node, NodeKind, Stream};

use super::nodes::{get, get_str, items};
use super::overlay::{image_entry, join, FileSource};
use super::resources::{Acc, ResId};
use super::unseen::Unchecked;

/// The kustomization fields that rename, move or label resources, applied to the ids of
/// `acc` in kustomize's order (namespace, prefix, suffix, labels, annotations).
pub(crate) fn apply_fields(root: &Node, table: &mut [ResId], acc: &Acc) {
    let mut labels = pairs(get(root, "commonLabels"));
    if let Some(list) = get(root, "labels") {
        for item in items(list) {
            labels.extend(pairs(get(item, "pairs")));
        }
    }
    let t = Transform {
        namespace: get_str(root, "namespace").map(str::to_string),
        prefix: get_str(root, "namePrefix").map(str::to_string),
        suffix: get_str(root, "nameSuffix").map(str::to_string),
        labels,
        annotations: pairs(get(root, "commonAnnotations")),
    };
    t.apply(table, acc);
}

#[derive(Default)]
struct Transform {
    namespace: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
}

impl Transform {
    fn apply(&self, table: &mut [ResId], acc: &Acc) {
        for &r in &acc.res {
            let id = &mut table[r];
            if let Some(ns) = &self.namespace {
                if !is_cluster_scoped(&id.kind) {
                    id.namespace = Some(ns.clone());
                }
            }
            if self.prefix.is_some() || self.suffix.is_some() {
                let name = format!(
                    "{}{}{}",
                    self.prefix.as_deref().unwrap_or(""),
                    id.name(),
                    self.suffix.as_deref().unwrap_or("")
                );
                id.names.push(name);
            }
            id.labels.extend(self.labels.iter().cloned());
            id.annotations.extend(self.annotations.iter().cloned());
        }
    }
}

fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PersistentVolume"
            | "StorageClass"
    )
}

fn pairs(n: Option<&Node>) -> Vec<(String, String)> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Mapping { entries, .. }) => entries
            .iter()
            .filter_map(|(k, v)| Some((k.scalar()?.to_string(), v.scalar()?.to_string())))
            .collect(),
        _ => Vec::new(),
    }
}

/// The `generators:` entries: ConfigMap and Secret generators make no containers; anything
/// else is reported.
pub(crate) fn generators(
    fs: &dyn FileSource,
    dir: &str,
    kfile: &str,
    root: &Node,
) -> Vec<Unchecked> {
    let mut out = Vec::new();
    for (what, kind) in configs(fs, dir, root, "generators") {
        if !matches!(
            kind.as_deref(),
            Some("ConfigMapGenerator" | "SecretGenerator")
        ) {
            out.push(Unchecked::new(
                kfile,
                format!("generators: {what}"),
                reason(
                    kind.as_deref(),
                    "generator",
                    "it may generate resources with containers",
                ),
            ));
        }
    }
    out
}

/// Runs the `transformers:` entries on `acc`, in order: built-in kinds whose effect on
/// images and ids is known are applied; anything else is reported.
pub(crate) fn transformers(
    fs: &dyn FileSource,
    dir: &str,
    kfile: &str,
    root: &Node,
    table: &mut [ResId],
    acc: &mut Acc,
) -> Vec<Unchecked> {
    let mut out = Vec::new();
    let Some(list) = get(root, "transformers") else {
        return out;
    };
    for item in items(list) {
        let (what, docs) = config_docs(fs, dir, item);
        let Some(docs) = docs else {
            out.push(Unchecked::overriding(kfile, format!("transformers: {what}"), "the transformer config cannot be read inside this repository; it may change container images"));
            continue;
        };
        for conf in &docs {
            let kind = get_str(conf, "kind");
            let builtin = get_str(conf, "apiVersion").is_none_or(|a| a == "builtin");
            match kind {
                Some("ImageTagTransformer") if builtin => {
                    if let Some(entry) = get(conf, "imageTag").and_then(image_entry) {
                        let retags = entry.new_tag.is_some()
                            || entry.digest.is_some()
                            || entry.tag_suffix.is_some();
                        for img in &mut acc.images {
                            if let Some(new) = entry.transform(&img.image) {
                                img.name = super::spec::ImageRef::split(&new).name;
                                img.image = new;
                                // a later tag wins over the one `images:` set
                                img.fixed |= retags;
                            }
                        }
                    }
                }
                Some(
                    "LabelTransformer"
                    | "AnnotationsTransformer"
                    | "NamespaceTransformer"
                    | "PrefixSuffixTransformer"
                    | "PrefixTransformer"
                    | "SuffixTransformer",
                ) if builtin => {
                    let t = Transform {
                        namespace: get(conf, "metadata")
                            .and_then(|m| get_str(m, "namespace"))
                            .map(str::to_string)
                            .filter(|_| kind == Some("NamespaceTransformer")),
                        prefix: get_str(conf, "prefix").map(str::to_string),
                        suffix: get_str(conf, "suffix").map(str::to_string),
                        labels: if kind == Some("LabelTransformer") {
                            pairs(get(conf, "labels"))
                        } else {
                            Vec::new()
                        },
                        annotations: if kind == Some("AnnotationsTransformer") {
                            pairs(get(conf, "annotations"))
                        } else {
                            Vec::new()
                        },
                    };
                    t.apply(table, acc);
                }
                Some("ReplicaCountTransformer") if builtin => {}
                _ => out.push(Unchecked::overriding(
                    kfile,
                    format!("transformers: {what}"),
                    reason(kind, "transformer", "it may change container images"),
                )),
            }
        }
    }
    out
}

fn reason(kind: Option<&str>, what: &str, may: &str) -> String {
    match kind {
        Some(k) => format!("the {what} `{k}` is not a built-in the check evaluates; {may}"),
        None => format!("the {what} config has no kind the check knows; {may}"),
    }
}

/// `(entry as written, its kind)` for each document of each entry of list `key`.
fn configs(
    fs: &dyn FileSource,
    dir: &str,
    root: &Node,
    key: &str,
) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let Some(list) = get(root, key) else {
        return out;
    };
    for item in items(list) {
        let (what, docs) = config_docs(fs, dir, item);
        match docs {
            Some(docs) => {
                for d in &docs {
                    out.push((what.clone(), get_str(d, "kind").map(str::to_string)));
                }
            }
            None => out.push((what, None)),
        }
    }
    out
}

/// The config documents of a `transformers:`/`generators:` entry: a file, or inline YAML;
/// `None` when it cannot be read (a directory, a file outside the root, a remote entry).
fn config_docs(fs: &dyn FileSource, dir: &str, item: &Node) -> (String, Option<Vec<Node>>) {
    let roots = |t: &str| {
        Stream::parse(t).ok().map(|s| {
            s.docs
                .into_iter()
                .filter_map(|d| d.root)
                .collect::<Vec<Node>>()
        })
    };
    match item.scalar() {
        Some(s) if !s.contains('\n') && !s.contains(": ") => {
            let text = join(dir, s).and_then(|p| fs.read(&p));
            (s.to_string(), text.as_deref().and_then(roots))
        }
        Some(s) => ("inline".to_string(), roots(s)),
        None => (
            get_str(item, "kind").unwrap_or("inline").to_string(),
            Some(vec![item.clone()]),
        ),
    }
}
