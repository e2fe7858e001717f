//! `replacements:` as far as they reach container images. kustomize runs them after the
//! `images:` step: a replacement that copies a value into a container's image overrides what
//! `images:` set there, and one that copies a container's image elsewhere carries the
//! retagged value. Followed: sources that are a container's image or a scalar field of the
//! source's manifest, targets that are containers' images (by index, `[name=…]` or `*`),
//! `delimiter`/`index` options. A replacement that reaches containers any other way is
//! reported as not followed.

use crate::tree::{Node, NodeKind, Stream};

use super::nodes::{get, get_str, items};
use super::overlay::{join, FileSource, OverlayImage};
use super::patches::select;
use super::resources::{anchors_of, scalar_of, Acc, ResId};
use super::spec::ImageRef;
use super::unseen::Unchecked;

/// One segment of a replacement field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
    Select(String, String),
    Any,
}

/// Applies the `replacements:` of kustomization `root` to `acc`; returns what it could not
/// follow.
pub(crate) fn apply_replacements(
    fs: &dyn FileSource,
    dir: &str,
    kfile: &str,
    root: &Node,
    table: &[ResId],
    acc: &mut Acc,
) -> Vec<Unchecked> {
    let mut out = Vec::new();
    let Some(list) = get(root, "replacements") else {
        return out;
    };
    for item in items(list) {
        // an entry is a replacement, or `path:` to a file of them
        let (what, owned) = match get_str(item, "path") {
            Some(p) => {
                let parsed = join(dir, p)
                    .and_then(|f| fs.read(&f))
                    .and_then(|t| Stream::parse(&t).ok());
                match parsed {
                    Some(s) => (format!("replacements: {p}"), Some(s)),
                    None => {
                        out.push(not_followed(
                            kfile,
                            format!("replacements: {p}"),
                            "the file cannot be read inside this repository",
                        ));
                        continue;
                    }
                }
            }
            None => ("replacements: inline".to_string(), None),
        };
        let mut each: Vec<&Node> = Vec::new();
        match &owned {
            Some(s) => {
                for r in s.docs.iter().filter_map(|d| d.root.as_ref()) {
                    match &r.kind {
                        NodeKind::Sequence { items, .. } => each.extend(items.iter()),
                        _ => each.push(r),
                    }
                }
            }
            None => each.push(item),
        }
        for r in each {
            if let Err(why) = replace(fs, r, table, acc) {
                out.push(not_followed(kfile, what.clone(), why));
            }
        }
    }
    out
}

fn not_followed(kfile: &str, what: String, why: &str) -> Unchecked {
    Unchecked::overriding(
        kfile,
        what,
        format!("{why}; the replacement may copy a value into a container image"),
    )
}

/// One replacement applied to `acc`.
fn replace(
    fs: &dyn FileSource,
    r: &Node,
    table: &[ResId],
    acc: &mut Acc,
) -> Result<(), &'static str> {
    let targets = get(r, "targets").map(items).unwrap_or_default();
    let reaches = |paths: &[Vec<Seg>]| paths.iter().any(|p| touches(p));
    let target_paths: Vec<Vec<Vec<Seg>>> = targets
        .iter()
        .map(|t| {
            get(t, "fieldPaths")
                .map(items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::scalar)
                .map(parse_path)
                .collect::<Option<Vec<_>>>()
        })
        .collect::<Option<Vec<_>>>()
        .ok_or("a field path uses syntax the check does not read")?;
    if !target_paths.iter().any(|p| reaches(p)) {
        return Ok(()); // no container image among its targets
    }
    let source = get(r, "source").ok_or("it has no source")?;
    let value = source_value(fs, source, table, acc)?;
    for (t, paths) in targets.iter().zip(&target_paths) {
        let Some(sel) = get(t, "select") else {
            continue;
        };
        let mut chosen = select(sel, table, &acc.res)
            .ok_or("its selector uses syntax the check does not evaluate")?;
        for rej in get(t, "reject").map(items).unwrap_or_default() {
            let out = select(rej, table, &acc.res)
                .ok_or("its selector uses syntax the check does not evaluate")?;
            chosen.retain(|x| !out.contains(x));
        }
        let opts = get(t, "options");
        for path in paths.iter().filter(|p| touches(p)) {
            let (list, pick) = container_path(path)
                .ok_or("a target path reaches containers other than through their image")?;
            for img in acc
                .images
                .iter_mut()
                .filter(|i| chosen.contains(&i.res) && i.list == list && pick.matches(i))
            {
                let new = with_part(&img.image, &value, opts)
                    .ok_or("its delimiter options are not followed")?;
                img.name = ImageRef::split(&new).name;
                img.image = new;
                img.fixed = true;
            }
        }
    }
    Ok(())
}

/// Whether a field path reaches into containers.
fn touches(path: &[Seg]) -> bool {
    path.iter()
        .any(|s| matches!(s, Seg::Key(k) if k == "containers" || k == "initContainers"))
}

/// Which container items a path segment picks.
enum Pick {
    Index(usize),
    Name(String),
    Any,
}

impl Pick {
    fn matches(&self, i: &OverlayImage) -> bool {
        match self {
            Pick::Index(n) => i.index == *n,
            Pick::Name(n) => i.container == *n,
            Pick::Any => true,
        }
    }
}

/// `…containers.<pick>.image` as (the list's key path, the pick); `None` for other shapes.
fn container_path(path: &[Seg]) -> Option<(Vec<String>, Pick)> {
    let [prefix @ .., Seg::Key(list), pick, Seg::Key(leaf)] = path else {
        return None;
    };
    if leaf != "image" || !(list == "containers" || list == "initContainers") {
        return None;
    }
    let mut keys = Vec::new();
    for s in prefix {
        match s {
            Seg::Key(k) => keys.push(k.clone()),
            Seg::Index(i) => keys.push(i.to_string()),
            _ => return None,
        }
    }
    keys.push(list.clone());
    let pick = match pick {
        Seg::Index(i) => Pick::Index(*i),
        Seg::Select(k, v) if k == "name" => Pick::Name(v.clone()),
        Seg::Any => Pick::Any,
        _ => return None,
    };
    Some((keys, pick))
}

/// The value a replacement's source gives, after its options.
fn source_value(
    fs: &dyn FileSource,
    source: &Node,
    table: &[ResId],
    acc: &Acc,
) -> Result<String, &'static str> {
    let chosen = select(source, table, &acc.res)
        .ok_or("its source selector uses syntax the check does not evaluate")?;
    let &[r] = chosen.as_slice() else {
        return Err("its source selects no single resource the check sees");
    };
    let path = parse_path(get_str(source, "fieldPath").unwrap_or("metadata.name"))
        .ok_or("its source path uses syntax the check does not read")?;
    let value = if touches(&path) {
        let (list, pick) = container_path(&path)
            .ok_or("its source path reaches containers other than through their image")?;
        acc.images
            .iter()
            .find(|i| i.res == r && i.list == list && pick.matches(i))
            .map(|i| i.image.clone())
            .ok_or("its source path names no container image the check sees")?
    } else {
        manifest_field(fs, &table[r], &path).ok_or("its source is a field the check cannot read")?
    };
    let opts = get(source, "options");
    match opts.and_then(|o| get_str(o, "delimiter")) {
        Some(d) if !d.is_empty() => {
            let index: usize = opts
                .and_then(|o| get_str(o, "index"))
                .unwrap_or("0")
                .parse()
                .map_err(|_| "its delimiter options are not followed")?;
            value
                .split(d)
                .nth(index)
                .map(str::to_string)
                .ok_or("its delimiter options are not followed")
        }
        _ => Ok(value),
    }
}

/// `current` with `value` put in by a target's options (all of it, or one delimited part).
fn with_part(current: &str, value: &str, opts: Option<&Node>) -> Option<String> {
    let Some(d) = opts
        .and_then(|o| get_str(o, "delimiter"))
        .filter(|d| !d.is_empty())
    else {
        return Some(value.to_string());
    };
    let index: usize = opts
        .and_then(|o| get_str(o, "index"))
        .unwrap_or("0")
        .parse()
        .ok()?;
    let mut parts: Vec<&str> = current.split(d).collect();
    *parts.get_mut(index)? = value;
    Some(parts.join(d))
}

/// A scalar field of a resource, read from its manifest.
fn manifest_field(fs: &dyn FileSource, id: &ResId, path: &[Seg]) -> Option<String> {
    let (file, doc, item) = id.origin.as_ref()?;
    let text = fs.read(file)?;
    let stream = Stream::parse(&text).ok()?;
    let root = stream.docs.get(*doc)?.root.as_ref()?;
    let mut node = match item {
        Some(i) => items(get(root, "items")?).get(*i)?,
        None => root,
    };
    let anchors = anchors_of(root);
    for seg in path {
        node = match seg {
            Seg::Key(k) => get(node, k)?,
            Seg::Index(i) => items(node).get(*i)?,
            Seg::Select(k, v) => items(node)
                .iter()
                .find(|n| get_str(n, k) == Some(v.as_str()))?,
            Seg::Any => return None,
        };
    }
    scalar_of(node, &anchors).map(str::to_string)
}

/// A replacement field path: `a.b.0.c`, `a.[name=x].c`, `a.*.c` (a `[...]` may hold dots).
fn parse_path(p: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    let mut rest = p;
    while !rest.is_empty() {
        let (seg, next) = if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']')?;
            let (k, v) = inner[..end].split_once('=')?;
            (Seg::Select(k.to_string(), v.to_string()), &inner[end + 1..])
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let s = &rest[..end];
            let seg = match s {
                "*" => Seg::Any,
                _ if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    Seg::Index(s.parse().ok()?)
                }
                _ => Seg::Key(s.to_string()),
            };
            (seg, &rest[end..])
        };
        out.push(seg);
        rest = next.strip_prefix('.').unwrap_or(next);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::kustomize::overlay::memfs::fs;
    use crate::kustomize::overlay_images;

    #[test]
    fn a_replacement_copies_one_container_image_into_another() {
        let deploy = |n: &str, c: &str, i: &str| {
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {n}\nspec:\n  template:\n    spec:\n      containers:\n      - name: {c}\n        image: {i}\n")
        };
        let d = format!(
            "{}---\n{}",
            deploy("api", "api", "ghcr.io/acme/api:1"),
            deploy("worker", "worker", "busybox:1")
        );
        let f = fs(&[
            ("o/d.yaml", d.as_str()),
            ("o/kustomization.yaml", "resources:\n- d.yaml\nimages:\n- name: ghcr.io/acme/api\n  newTag: \"2\"\nreplacements:\n- source:\n    kind: Deployment\n    name: api\n    fieldPath: spec.template.spec.containers.[name=api].image\n  targets:\n  - select:\n      kind: Deployment\n      name: worker\n    fieldPaths:\n    - spec.template.spec.containers.0.image\n"),
        ]);
        let o = overlay_images(&f, "o").unwrap();
        let imgs: Vec<(&str, bool)> = o
            .images
            .iter()
            .map(|i| (i.image.as_str(), i.fixed))
            .collect();
        assert_eq!(
            imgs,
            [("ghcr.io/acme/api:2", false), ("ghcr.io/acme/api:2", true)]
        );
        assert!(o.unchecked.is_empty(), "{:?}", o.unchecked);
    }
}
