//! Resources as the overlay check tracks them: each resource's identity (what patches and
//! selectors match) and the container images inside it, with where each is written.

use crate::error::Error;
use crate::tree::{Node, NodeKind, Stream};

use super::nodes::{get, get_str, items, line_of};
use super::overlay::OverlayImage;
use super::spec::ImageRef;

/// A resource's identity, as patch targets and selectors see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResId {
    /// `apiVersion` as written (`apps/v1`, `v1`).
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// Its names: the manifest's first, then each one a prefix or suffix made.
    pub names: Vec<String>,
    /// `metadata.namespace`, as set by the manifest or a namespace transformer.
    pub namespace: Option<String>,
    /// `metadata.labels`.
    pub labels: Vec<(String, String)>,
    /// `metadata.annotations`.
    pub annotations: Vec<(String, String)>,
    /// Where its manifest is: file, document index, item index in a `*List`.
    pub origin: Option<(String, usize, Option<usize>)>,
}

impl ResId {
    /// The resource's current name.
    pub fn name(&self) -> &str {
        self.names.last().map_or("", String::as_str)
    }

    /// `(group, version)` of its `apiVersion` (the core group is `""`).
    pub fn group_version(&self) -> (&str, &str) {
        match self.api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", self.api_version.as_str()),
        }
    }
}

/// What a kustomization has gathered: its resources (indices into the walk's table) and
/// their container images, in render order.
#[derive(Debug, Default)]
pub(crate) struct Acc {
    pub res: Vec<usize>,
    pub images: Vec<OverlayImage>,
    /// Image field specs from `configurations:` of what was gathered.
    pub fieldspecs: Vec<super::fieldspecs::FieldSpec>,
}

impl Acc {
    pub fn extend(&mut self, other: Acc) {
        self.res.extend(other.res);
        self.images.extend(other.images);
        for f in other.fieldspecs {
            if !self.fieldspecs.contains(&f) {
                self.fieldspecs.push(f);
            }
        }
    }
}

/// The resources of a manifest file (a `*List` kind contributes its `items`), appended to
/// `table`, with their container images.
pub(crate) fn manifest_resources(
    text: &str,
    file: &str,
    table: &mut Vec<ResId>,
) -> Result<Acc, Error> {
    let stream = Stream::parse(text).map_err(|e| e.with_file(file.to_string()))?;
    let mut acc = Acc::default();
    for doc in &stream.docs {
        let Some(root) = &doc.root else { continue };
        let anchors = anchors_of(root);
        let kind = get_str(root, "kind").unwrap_or("");
        let members: Vec<(Option<usize>, &Node)> = match get(root, "items") {
            Some(list) if kind.ends_with("List") => items(list)
                .iter()
                .enumerate()
                .map(|(i, n)| (Some(i), n))
                .collect(),
            _ => vec![(None, root)],
        };
        for (item, r) in members {
            if get_str(r, "kind") == Some("CustomResourceDefinition") {
                continue;
            }
            let idx = table.len();
            let mut id = res_id(r);
            id.origin = Some((file.to_string(), doc.index, item));
            let from = acc.images.len();
            container_images(r, idx, &[], text, file, &anchors, &mut acc.images);
            for img in &mut acc.images[from..] {
                img.kind.clone_from(&id.kind);
                img.resource = id.name().to_string();
            }
            table.push(id);
            acc.res.push(idx);
        }
    }
    Ok(acc)
}

/// The identity of resource `r`.
pub(crate) fn res_id(r: &Node) -> ResId {
    let meta = get(r, "metadata");
    let pairs = |key: &str| -> Vec<(String, String)> {
        match meta.and_then(|m| get(m, key)).map(|n| &n.kind) {
            Some(NodeKind::Mapping { entries, .. }) => entries
                .iter()
                .filter_map(|(k, v)| Some((k.scalar()?.to_string(), v.scalar()?.to_string())))
                .collect(),
            _ => Vec::new(),
        }
    };
    ResId {
        api_version: get_str(r, "apiVersion").unwrap_or("").to_string(),
        kind: get_str(r, "kind").unwrap_or("").to_string(),
        names: vec![meta
            .and_then(|m| get_str(m, "name"))
            .unwrap_or("")
            .to_string()],
        namespace: meta
            .and_then(|m| get_str(m, "namespace"))
            .map(str::to_string),
        labels: pairs("labels"),
        annotations: pairs("annotations"),
        origin: None,
    }
}

/// Every anchored node below `root`, by anchor name (a later anchor of the same name wins,
/// as an alias refers to the closest one before it).
pub(crate) fn anchors_of(root: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    fn walk<'a>(n: &'a Node, out: &mut Vec<(String, &'a Node)>) {
        if let Some(a) = &n.anchor {
            out.push((a.clone(), n));
        }
        match &n.kind {
            NodeKind::Mapping { entries, .. } => entries.iter().for_each(|(_, v)| walk(v, out)),
            NodeKind::Sequence { items, .. } => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(root, &mut out);
    out
}

/// The scalar value of `n`, following an alias to its anchor.
pub(crate) fn scalar_of<'a>(n: &'a Node, anchors: &[(String, &'a Node)]) -> Option<&'a str> {
    match &n.kind {
        NodeKind::Alias { name } => anchors
            .iter()
            .rev()
            .find(|(a, _)| a == name)
            .and_then(|(_, target)| target.scalar()),
        _ => n.scalar(),
    }
}

/// Adds the image of every item of every `containers`/`initContainers` sequence below
/// `node` (at key path `at` inside resource `res`) to `out`.
pub(crate) fn container_images(
    node: &Node,
    res: usize,
    at: &[String],
    text: &str,
    file: &str,
    anchors: &[(String, &Node)],
    out: &mut Vec<OverlayImage>,
) {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            for (k, v) in entries {
                let key = k.scalar().unwrap_or("");
                let mut path = at.to_vec();
                path.push(key.to_string());
                if matches!(key, "containers" | "initContainers") {
                    for (index, item) in items(v).iter().enumerate() {
                        if let Some(img) =
                            container_image(item, res, &path, index, text, file, anchors)
                        {
                            out.push(img);
                        }
                    }
                }
                container_images(v, res, &path, text, file, anchors, out);
            }
        }
        NodeKind::Sequence { items, .. } => {
            for (i, item) in items.iter().enumerate() {
                let mut path = at.to_vec();
                path.push(i.to_string());
                container_images(item, res, &path, text, file, anchors, out);
            }
        }
        _ => {}
    }
}

/// The image record of container `item`, item `index` of the sequence at `list`.
pub(crate) fn container_image(
    item: &Node,
    res: usize,
    list: &[String],
    index: usize,
    text: &str,
    file: &str,
    anchors: &[(String, &Node)],
) -> Option<OverlayImage> {
    let img = get(item, "image")?;
    let value = scalar_of(img, anchors)?;
    Some(OverlayImage {
        name: ImageRef::split(value).name,
        image: value.to_string(),
        original: value.to_string(),
        container: get_str(item, "name").unwrap_or("").to_string(),
        kind: String::new(),
        resource: String::new(),
        file: file.to_string(),
        line: line_of(text, img.start),
        set_by: Vec::new(),
        res,
        list: list.to_vec(),
        index,
        fixed: false,
    })
}
