//! `configurations:` that give the image transformer more fields: an `images:` list of field
//! specs (`path: spec/runtime/image`, `kind: AcmeApp`, optional `group`/`version`). kustomize
//! merges a kustomization's configurations into what it has gathered, so a field spec declared
//! in a base also holds in the overlays above it. The image at each such path of each matching
//! resource becomes one more image the check sees, retagged by `images:` like a container's.

use crate::tree::{Node, NodeKind, Stream};

use super::nodes::{get, get_str, items, line_of};
use super::overlay::{join, FileSource, OverlayImage};
use super::resources::{anchors_of, scalar_of, Acc, ResId};
use super::spec::ImageRef;
use super::unseen::Unchecked;

/// One image field spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub kind: Option<String>,
    pub group: Option<String>,
    pub version: Option<String>,
    /// The path's segments (`spec/runtime/image` → `spec`, `runtime`, `image`).
    pub path: Vec<String>,
}

/// Reads the image field specs of kustomization `root`'s `configurations:` into `acc`;
/// reports a configuration file that cannot be read or parsed.
pub(crate) fn read_configurations(
    fs: &dyn FileSource,
    dir: &str,
    kfile: &str,
    root: &Node,
    acc: &mut Acc,
) -> Vec<Unchecked> {
    let mut out = Vec::new();
    let Some(list) = get(root, "configurations") else {
        return out;
    };
    for item in items(list) {
        let Some(rel) = item.scalar() else { continue };
        let parsed = join(dir, rel)
            .and_then(|p| fs.read(&p))
            .and_then(|t| Stream::parse(&t).ok());
        let Some(stream) = parsed else {
            out.push(Unchecked::new(
                kfile,
                format!("configurations: {rel}"),
                "the configuration cannot be read inside this repository; it may declare image fields of custom resources",
            ));
            continue;
        };
        for conf in stream.docs.iter().filter_map(|d| d.root.as_ref()) {
            for spec in get(conf, "images").map(items).unwrap_or_default() {
                let Some(path) = get_str(spec, "path") else {
                    continue;
                };
                let field = |k: &str| {
                    get_str(spec, k)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                let fs = FieldSpec {
                    kind: field("kind"),
                    group: field("group"),
                    version: field("version"),
                    path: path
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                };
                let builtin = matches!(fs.path.as_slice(), [.., l, img] if img == "image" && (l == "containers" || l == "initContainers"));
                if !builtin && !acc.fieldspecs.contains(&fs) {
                    acc.fieldspecs.push(fs);
                }
            }
        }
    }
    out
}

/// Adds to `acc` the image at every field spec's path of every matching resource it does not
/// list yet, read from the resource's manifest.
pub(crate) fn add_custom_images(fs: &dyn FileSource, table: &[ResId], acc: &mut Acc) {
    let specs = acc.fieldspecs.clone();
    for &r in &acc.res.clone() {
        let id = &table[r];
        let (group, version) = id.group_version();
        let wanted: Vec<&FieldSpec> = specs
            .iter()
            .filter(|s| {
                s.kind.as_deref().is_none_or(|k| k == id.kind)
                    && s.group.as_deref().is_none_or(|g| g == group)
                    && s.version.as_deref().is_none_or(|v| v == version)
            })
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let Some((file, doc, item)) = &id.origin else {
            continue;
        };
        let Some(text) = fs.read(file) else { continue };
        let Ok(stream) = Stream::parse(&text) else {
            continue;
        };
        let Some(root) = stream.docs.get(*doc).and_then(|d| d.root.as_ref()) else {
            continue;
        };
        let node = match item {
            Some(i) => get(root, "items").and_then(|l| items(l).get(*i)),
            None => Some(root),
        };
        let Some(node) = node else { continue };
        let anchors = anchors_of(root);
        for spec in wanted {
            let mut found = Vec::new();
            follow(node, &spec.path, &mut Vec::new(), &mut found);
            for (at, value) in found {
                let Some(image) = scalar_of(value, &anchors) else {
                    continue;
                };
                let (list, index) = match at.split_last() {
                    Some((last, rest)) => (rest.to_vec(), last.parse().unwrap_or(0)),
                    None => (Vec::new(), 0),
                };
                let list = [list, vec![format!("field:{}", spec.path.join("/"))]].concat();
                if acc
                    .images
                    .iter()
                    .any(|i| i.res == r && i.list == list && i.index == index)
                {
                    continue;
                }
                acc.images.push(OverlayImage {
                    name: ImageRef::split(image).name,
                    image: image.to_string(),
                    original: image.to_string(),
                    container: String::new(),
                    kind: id.kind.clone(),
                    resource: id.name().to_string(),
                    file: file.clone(),
                    line: line_of(&text, value.start),
                    set_by: Vec::new(),
                    res: r,
                    list,
                    index,
                    fixed: false,
                });
            }
        }
    }
}

/// The nodes at `path` below `node`, a sequence on the way standing for each of its items
/// (as kustomize's field specs read them), with the concrete path of each.
fn follow<'a>(
    node: &'a Node,
    path: &[String],
    at: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'a Node)>,
) {
    match (&node.kind, path.split_first()) {
        (NodeKind::Sequence { items, .. }, _) => {
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                follow(item, path, at, out);
                at.pop();
            }
        }
        (_, None) => out.push((at.clone(), node)),
        (NodeKind::Mapping { .. }, Some((key, rest))) => {
            if let Some(v) = get(node, key) {
                at.push(key.clone());
                follow(v, rest, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}
