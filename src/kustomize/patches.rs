//! Patches, as far as they reach container images: strategic-merge patches (files and inline,
//! `patchesStrategicMerge` and `patches:`), JSON 6902 patches (`patchesJson6902` and
//! `patches:` with a target), target selectors, `$patch: delete` and `$patch: replace`.
//! What a patch cannot be followed through (an unreadable file, a selector with a regular
//! expression or a set-based label selector, `move`/`copy` ops on containers) is reported.

use crate::tree::{Node, NodeKind, Stream};

use super::nodes::{get, get_str, items, line_of};
use super::overlay::{join, FileSource, OverlayImage};
use super::pattern::Pattern;
use super::resources::{anchors_of, container_image, container_images, Acc, ResId};
use super::unseen::Unchecked;

/// Where a kustomization's patches are read from.
pub(crate) struct PatchCtx<'a> {
    pub fs: &'a dyn FileSource,
    pub dir: &'a str,
    pub kfile: &'a str,
    pub text: &'a str,
}

/// A patch's text and where its line 1 is.
struct Body {
    what: String,
    text: String,
    file: String,
    first_line: usize,
}

/// Applies `patchesStrategicMerge` and then `patches:` of kustomization `root` to `acc`.
pub(crate) fn apply_patches(
    ctx: &PatchCtx,
    root: &Node,
    table: &mut [ResId],
    acc: &mut Acc,
) -> Vec<Unchecked> {
    let mut out = Vec::new();
    if let Some(list) = get(root, "patchesStrategicMerge") {
        for item in items(list) {
            let Some(s) = item.scalar() else { continue };
            let body =
                if s.contains('\n') || s.trim_start().starts_with("apiVersion") || s.contains(": ")
                {
                    inline(ctx, item, s, "patchesStrategicMerge: inline")
                } else {
                    match file_body(ctx, s, "patchesStrategicMerge") {
                        Ok(b) => b,
                        Err(u) => {
                            out.push(u);
                            continue;
                        }
                    }
                };
            out.extend(apply_body(ctx, &body, None, table, acc));
        }
    }
    out.extend(apply_entries(ctx, root, "patches", table, acc));
    out
}

/// Applies the legacy `patchesJson6902` of kustomization `root` to `acc`.
pub(crate) fn apply_legacy_json6902(
    ctx: &PatchCtx,
    root: &Node,
    table: &mut [ResId],
    acc: &mut Acc,
) -> Vec<Unchecked> {
    apply_entries(ctx, root, "patchesJson6902", table, acc)
}

/// Applies the entries (`path:` or `patch:`, with an optional `target:`) of list `key`.
fn apply_entries(
    ctx: &PatchCtx,
    root: &Node,
    key: &str,
    table: &mut [ResId],
    acc: &mut Acc,
) -> Vec<Unchecked> {
    let mut out = Vec::new();
    let Some(list) = get(root, key) else {
        return out;
    };
    for item in items(list) {
        let body = match (get_str(item, "path"), get(item, "patch")) {
            (Some(p), _) => match file_body(ctx, p, key) {
                Ok(b) => b,
                Err(u) => {
                    out.push(u);
                    continue;
                }
            },
            (None, Some(n)) => match n.scalar() {
                Some(s) => inline(
                    ctx,
                    n,
                    s,
                    &format!("{key}: {}", target_words(get(item, "target"))),
                ),
                None => continue,
            },
            _ => continue,
        };
        out.extend(apply_body(ctx, &body, get(item, "target"), table, acc));
    }
    out
}

fn target_words(target: Option<&Node>) -> String {
    let sel: Vec<String> = target
        .map(|t| {
            ["kind", "name", "labelSelector"]
                .iter()
                .filter_map(|k| get_str(t, k).map(|v| format!("{k}={v}")))
                .collect()
        })
        .unwrap_or_default();
    if sel.is_empty() {
        "inline".to_string()
    } else {
        format!("inline, target {}", sel.join(","))
    }
}

fn inline(ctx: &PatchCtx, node: &Node, s: &str, what: &str) -> Body {
    // a block scalar's text starts on the line after its indicator
    let line = line_of(ctx.text, node.start);
    let block = matches!(ctx.text.as_bytes().get(node.start), Some(b'|' | b'>'));
    Body {
        what: what.to_string(),
        text: s.to_string(),
        file: ctx.kfile.to_string(),
        first_line: if block { line + 1 } else { line },
    }
}

fn file_body(ctx: &PatchCtx, rel: &str, key: &str) -> Result<Body, Unchecked> {
    let path = join(ctx.dir, rel);
    match path.as_deref().and_then(|p| ctx.fs.read(p)) {
        Some(text) => Ok(Body {
            what: format!("{key}: {rel}"),
            text,
            file: path.unwrap_or_default(),
            first_line: 1,
        }),
        None => Err(Unchecked::overriding(
            ctx.kfile,
            format!("{key}: {rel}"),
            "the patch file cannot be read inside this repository; it may set or remove the image",
        )),
    }
}

/// Applies one patch text (strategic-merge documents, or a JSON 6902 op list) to the
/// resources `target` selects (for a strategic-merge patch without a target: the resource
/// each document names).
fn apply_body(
    ctx: &PatchCtx,
    body: &Body,
    target: Option<&Node>,
    table: &mut [ResId],
    acc: &mut Acc,
) -> Vec<Unchecked> {
    let not_followed = |why: &str| {
        vec![Unchecked::overriding(
            ctx.kfile,
            body.what.clone(),
            format!("{why}; the patch may set or remove the image"),
        )]
    };
    let Ok(stream) = Stream::parse(&body.text) else {
        return not_followed("the patch does not parse");
    };
    let selected: Option<Vec<usize>> = match target {
        Some(t) => match select(t, table, &acc.res) {
            Some(s) => Some(s),
            None => return not_followed("its target selector uses regular-expression syntax or a set-based label selector the check does not evaluate"),
        },
        None => None,
    };
    let at = Where {
        file: &body.file,
        text: &body.text,
        first_line: body.first_line,
    };
    for doc in &stream.docs {
        let Some(root) = &doc.root else { continue };
        if let NodeKind::Sequence { items: ops, .. } = &root.kind {
            let Some(targets) = &selected else {
                return not_followed("a JSON 6902 patch without a target");
            };
            for &r in targets {
                if let Err(why) = json6902(ops, r, &at, table, acc) {
                    return not_followed(why);
                }
            }
            continue;
        }
        let targets = match &selected {
            Some(s) => s.clone(),
            None => {
                let id = super::resources::res_id(root);
                let hits: Vec<usize> = acc
                    .res
                    .iter()
                    .copied()
                    .filter(|&r| {
                        let t = &table[r];
                        t.kind == id.kind
                            && t.names.iter().any(|n| *n == id.names[0])
                            && (id.namespace.is_none() || t.namespace == id.namespace)
                    })
                    .collect();
                if hits.is_empty() {
                    return not_followed("it names no resource the check sees");
                }
                hits
            }
        };
        for r in targets {
            strategic_merge(root, r, &at, table, acc);
        }
    }
    Vec::new()
}

struct Where<'a> {
    file: &'a str,
    text: &'a str,
    first_line: usize,
}

impl Where<'_> {
    /// Adds every container image below `node` (at `path` in resource `r`) to `acc`.
    fn add_all(
        &self,
        node: &Node,
        r: usize,
        path: &[String],
        id: &ResId,
        anchors: &[(String, &Node)],
        acc: &mut Acc,
    ) {
        let mut added = Vec::new();
        container_images(node, r, path, self.text, self.file, anchors, &mut added);
        for mut img in added {
            img.line += self.first_line - 1;
            img.kind.clone_from(&id.kind);
            img.resource = id.name().to_string();
            acc.images.push(img);
        }
    }

    /// The record of a container a patch adds or rewrites, named as the patch writes it.
    fn record(
        &self,
        item: &Node,
        r: usize,
        list: &[String],
        index: usize,
        id: &ResId,
        anchors: &[(String, &Node)],
    ) -> Option<OverlayImage> {
        let mut img = container_image(item, r, list, index, self.text, self.file, anchors)?;
        img.line += self.first_line - 1;
        img.kind.clone_from(&id.kind);
        img.resource = id.name().to_string();
        Some(img)
    }
}

/// A strategic-merge patch document applied to resource `r`: containers are merged by name.
fn strategic_merge(patch: &Node, r: usize, at: &Where, table: &mut [ResId], acc: &mut Acc) {
    if get_str(patch, "$patch") == Some("delete") {
        acc.images.retain(|i| i.res != r);
        acc.res.retain(|&x| x != r);
        return;
    }
    let anchors = anchors_of(patch);
    let to = Target {
        at,
        r,
        id: &table[r],
        anchors: &anchors,
    };
    merge_node(patch, &[], &to, acc);
}

/// Where a patch's containers go: resource `r` (named `id`), written in patch file `at`,
/// whose anchors are `anchors`.
struct Target<'a> {
    at: &'a Where<'a>,
    r: usize,
    id: &'a ResId,
    anchors: &'a [(String, &'a Node)],
}

fn merge_node(node: &Node, path: &[String], to: &Target, acc: &mut Acc) {
    let r = to.r;
    let NodeKind::Mapping { entries, .. } = &node.kind else {
        return;
    };
    if get_str(node, "$patch") == Some("replace") {
        // the mapping replaces what was there: containers below it are only the patch's
        acc.images
            .retain(|i| !(i.res == r && i.list.starts_with(path)));
        to.at.add_all(node, r, path, to.id, to.anchors, acc);
        return;
    }
    for (k, v) in entries {
        let key = k.scalar().unwrap_or("");
        let mut sub = path.to_vec();
        sub.push(key.to_string());
        if matches!(key, "containers" | "initContainers") {
            merge_containers(v, &sub, to, acc);
        } else if matches!(v.kind, NodeKind::Mapping { .. }) {
            merge_node(v, &sub, to, acc);
        }
    }
}

fn merge_containers(list: &Node, path: &[String], to: &Target, acc: &mut Acc) {
    let r = to.r;
    let patch_items = items(list);
    let replace = patch_items
        .iter()
        .any(|i| get_str(i, "$patch") == Some("replace") && get(i, "name").is_none());
    let in_list = |i: &OverlayImage| i.res == r && i.list == path;
    if replace {
        acc.images.retain(|i| !in_list(i));
    }
    for item in patch_items {
        let Some(name) = get_str(item, "name") else {
            continue;
        };
        if get_str(item, "$patch") == Some("delete") {
            acc.images.retain(|i| !(in_list(i) && i.container == name));
            continue;
        }
        if get(item, "image").is_none() {
            continue;
        }
        let existing = acc
            .images
            .iter()
            .position(|i| in_list(i) && i.container == name);
        let index = existing.map_or_else(
            || acc.images.iter().filter(|i| in_list(i)).count(),
            |p| acc.images[p].index,
        );
        let Some(mut img) = to.at.record(item, r, path, index, to.id, to.anchors) else {
            continue;
        };
        match existing {
            Some(p) => {
                img.original.clone_from(&acc.images[p].original);
                img.set_by = acc.images[p].set_by.clone();
                acc.images[p] = img;
            }
            None => acc.images.push(img),
        }
    }
}

/// JSON 6902 ops applied to resource `r`, as far as they reach containers.
fn json6902(
    ops: &[Node],
    r: usize,
    at: &Where,
    table: &mut [ResId],
    acc: &mut Acc,
) -> Result<(), &'static str> {
    for op in ops {
        let kind = get_str(op, "op").unwrap_or("");
        let Some(path) = get_str(op, "path").map(pointer) else {
            continue;
        };
        let touches = |p: &[String]| {
            acc.images
                .iter()
                .any(|i| i.res == r && (i.list.starts_with(p) || p.starts_with(&i.list)))
                || p.iter().any(|s| s == "containers" || s == "initContainers")
        };
        match kind {
            "test" => {}
            "move" | "copy" => {
                let from = get_str(op, "from").map(pointer).unwrap_or_default();
                if touches(&path) || touches(&from) {
                    return Err("a JSON 6902 move or copy of containers is not followed");
                }
            }
            "add" | "replace" | "remove" => {
                let anchors = get(op, "value").map(anchors_of).unwrap_or_default();
                let to = Target {
                    at,
                    r,
                    id: &table[r],
                    anchors: &anchors,
                };
                ops_on_containers(kind, &path, get(op, "value"), &to, acc);
            }
            _ => {}
        }
    }
    Ok(())
}

/// The segments of JSON pointer `p` (`~1` is `/`, `~0` is `~`).
fn pointer(p: &str) -> Vec<String> {
    p.split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn ops_on_containers(
    kind: &str,
    path: &[String],
    value: Option<&Node>,
    to: &Target,
    acc: &mut Acc,
) {
    let (r, at, id, anchors) = (to.r, to.at, to.id, to.anchors);
    let in_res = |i: &OverlayImage| i.res == r;
    // `.../containers/N/image`: one container's image
    if path.len() >= 3 && path[path.len() - 1] == "image" && is_list(&path[path.len() - 3]) {
        let list = &path[..path.len() - 2];
        let Ok(index) = path[path.len() - 2].parse::<usize>() else {
            return;
        };
        let pos = acc
            .images
            .iter()
            .position(|i| in_res(i) && i.list == list && i.index == index);
        match (
            kind,
            value.and_then(|v| super::resources::scalar_of(v, anchors)),
            pos,
        ) {
            ("remove", _, Some(p)) => {
                acc.images.remove(p);
            }
            (_, Some(image), Some(p)) => {
                let img = &mut acc.images[p];
                image.clone_into(&mut img.image);
                img.name = super::spec::ImageRef::split(image).name;
                at.file.clone_into(&mut img.file);
                img.line =
                    value.map_or(img.line, |v| line_of(at.text, v.start) + at.first_line - 1);
            }
            (_, Some(image), None) => {
                // the container had no image: it has one now (its name is not known here)
                acc.images.push(OverlayImage {
                    name: super::spec::ImageRef::split(image).name,
                    image: image.to_string(),
                    original: image.to_string(),
                    container: String::new(),
                    kind: id.kind.clone(),
                    resource: id.name().to_string(),
                    file: at.file.to_string(),
                    line: value.map_or(1, |v| line_of(at.text, v.start) + at.first_line - 1),
                    set_by: Vec::new(),
                    res: r,
                    list: list.to_vec(),
                    index,
                    fixed: false,
                });
            }
            _ => {}
        }
        return;
    }
    // `.../containers/N` or `.../containers/-`: one container
    if path.len() >= 2 && is_list(&path[path.len() - 2]) {
        let list = &path[..path.len() - 1];
        let count = acc
            .images
            .iter()
            .filter(|i| in_res(i) && i.list == list)
            .count();
        let index = if path[path.len() - 1] == "-" {
            count
        } else {
            path[path.len() - 1].parse::<usize>().unwrap_or(count)
        };
        match kind {
            "remove" | "replace" => {
                acc.images
                    .retain(|i| !(in_res(i) && i.list == list && i.index == index));
                if kind == "remove" {
                    shift(acc, r, list, index, -1);
                }
            }
            _ => shift(acc, r, list, index, 1),
        }
        if kind != "remove" {
            if let Some(img) = value.and_then(|v| at.record(v, r, list, index, id, anchors)) {
                acc.images.push(img);
            }
        }
        return;
    }
    // anything at or above a containers list: what was below goes, the value's containers come
    if kind != "add"
        || acc
            .images
            .iter()
            .any(|i| in_res(i) && i.list.starts_with(path))
    {
        acc.images
            .retain(|i| !(in_res(i) && i.list.starts_with(path)));
    }
    if kind != "remove" {
        if let Some(v) = value {
            if is_list(path.last().map_or("", String::as_str)) {
                for (index, item) in items(v).iter().enumerate() {
                    if let Some(img) = at.record(item, r, path, index, id, anchors) {
                        acc.images.push(img);
                    }
                }
            } else {
                at.add_all(v, r, path, id, anchors, acc);
            }
        }
    }
}

fn is_list(key: &str) -> bool {
    key == "containers" || key == "initContainers"
}

/// Moves the indices of the containers at `from` and after in one list by `by`.
fn shift(acc: &mut Acc, r: usize, list: &[String], from: usize, by: isize) {
    for i in acc
        .images
        .iter_mut()
        .filter(|i| i.res == r && i.list == list && i.index >= from)
    {
        i.index = i.index.saturating_add_signed(by);
    }
}

/// The resources of `among` that target selector `t` selects; `None` when the selector uses
/// what the check does not evaluate (regular expressions, set-based label selectors).
pub(crate) fn select(t: &Node, table: &[ResId], among: &[usize]) -> Option<Vec<usize>> {
    let field = |k: &str| get_str(t, k).filter(|v| !v.is_empty());
    let (group, version, kind, name, ns) = (
        field("group"),
        field("version"),
        field("kind"),
        field("name"),
        field("namespace"),
    );
    let labels = match field("labelSelector") {
        Some(s) => Some(parse_selector(s)?),
        None => None,
    };
    let annotations = match field("annotationSelector") {
        Some(s) => Some(parse_selector(s)?),
        None => None,
    };
    let pat = |p: Option<&str>| -> Option<Option<Pattern>> {
        match p {
            Some(p) => Pattern::new(p).map(Some),
            None => Some(None),
        }
    };
    let (kind, name, ns) = (pat(kind)?, pat(name)?, pat(ns)?);
    Some(
        among
            .iter()
            .copied()
            .filter(|&r| {
                let id = &table[r];
                let (g, v) = id.group_version();
                group.is_none_or(|x| x == g)
                    && version.is_none_or(|x| x == v)
                    && kind.as_ref().is_none_or(|x| x.matches(&id.kind))
                    && name
                        .as_ref()
                        .is_none_or(|x| id.names.iter().any(|n| x.matches(n)))
                    && ns
                        .as_ref()
                        .is_none_or(|x| x.matches(id.namespace.as_deref().unwrap_or("")))
                    && labels
                        .as_ref()
                        .is_none_or(|s| matches_selector(s, &id.labels))
                    && annotations
                        .as_ref()
                        .is_none_or(|s| matches_selector(s, &id.annotations))
            })
            .collect(),
    )
}

enum Req {
    Eq(String, String),
    Ne(String, String),
    Exists(String),
    Absent(String),
}

/// An equality-based selector (`a=b,c!=d,e,!f`); `None` for set-based ones.
fn parse_selector(s: &str) -> Option<Vec<Req>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part.contains('(') || part.contains(' ') {
            return None;
        }
        out.push(if let Some((k, v)) = part.split_once("!=") {
            Req::Ne(k.into(), v.into())
        } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            Req::Eq(k.into(), v.into())
        } else if let Some(k) = part.strip_prefix('!') {
            Req::Absent(k.into())
        } else {
            Req::Exists(part.into())
        });
    }
    Some(out)
}

fn matches_selector(reqs: &[Req], pairs: &[(String, String)]) -> bool {
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    };
    reqs.iter().all(|r| match r {
        Req::Eq(k, v) => get(k) == Some(v),
        Req::Ne(k, v) => get(k) != Some(v),
        Req::Exists(k) => get(k).is_some(),
        Req::Absent(k) => get(k).is_none(),
    })
}
