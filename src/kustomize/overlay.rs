//! The overlay check: which container images an overlay renders, and where they come from.
//!
//! Walks `resources` (and the deprecated `bases`), then `components`, then applies each
//! level's own `images:` list, in the order kustomize v5.5.0 builds a target: a base is
//! built on its own (its `images:` see only its own resources); a component's resources join
//! its parent's, and its `images:` apply to everything its parent has gathered so far.
//! Files are read through [`FileSource`], so the core stays free of I/O.

use crate::error::{Error, ErrorKind};
use crate::tree::{Node, NodeKind, Stream};

use super::builtins;
use super::fieldspecs;
use super::nodes::{backticked, get, get_str, items, line_of, str_list};
use super::patches::{self, PatchCtx};
use super::remote::{Bounded, RemoteCopy, MAX_REMOTE_DEPTH};
use super::replacements;
use super::resources::{manifest_resources, Acc, ResId};
use super::spec::{image_matches, ImageEntry, ImageRef, ImageSpec};
use super::unseen::{helm_charts, Unchecked, REMOTE};

/// Read access to a directory tree, given by the caller (the core does no I/O).
///
/// Paths are `/`-separated and relative to the root the caller chose.
pub trait FileSource {
    /// The text of the file at `path`; `None` when it does not exist (or is a directory).
    fn read(&self, path: &str) -> Option<String>;
    /// The entry names of directory `dir` (`""` is the root); `None` when it is not a directory.
    fn list(&self, dir: &str) -> Option<Vec<String>>;
    /// Where the caller serves its fetched copy of remote resource or component `url` (as
    /// the kustomization writes it); else why it was not fetched (empty: the core's own
    /// words, that the check reads only this repository).
    fn remote(&self, _url: &str) -> Result<RemoteCopy, String> {
        Err(String::new())
    }
}

/// The file names kustomize accepts for a kustomization, in its order.
pub const KUSTOMIZATION_FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One container (or initContainer) image as the overlay renders it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverlayImage {
    /// The rendered image's name: registry and path, without tag or digest.
    pub name: String,
    /// The rendered image.
    pub image: String,
    /// The image as the manifest writes it.
    pub original: String,
    /// The container's `name`.
    pub container: String,
    /// The resource's `kind`.
    pub kind: String,
    /// The resource's `metadata.name` as the manifest writes it.
    pub resource: String,
    /// The manifest file, relative to the root.
    pub file: String,
    /// 1-based line of the `image:` value in that file.
    pub line: usize,
    /// The kustomization files whose `images:` changed it, innermost first.
    pub set_by: Vec<String>,
    /// Its resource: an index into the walk's table of resource ids.
    #[serde(skip)]
    pub(crate) res: usize,
    /// The key path of its `containers`/`initContainers` sequence inside the resource.
    #[serde(skip)]
    pub(crate) list: Vec<String>,
    /// Its position in that sequence.
    #[serde(skip)]
    pub(crate) index: usize,
    /// Set after the overlay's own `images:` step by a replacement or a transformer, so
    /// that an entry there does not change what renders.
    #[serde(skip)]
    pub(crate) fixed: bool,
}

/// What an overlay renders, as far as images go.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlay {
    /// The overlay's own kustomization file.
    pub kustomization: String,
    /// Every container and initContainer image, in render order.
    pub images: Vec<OverlayImage>,
    /// What was not followed, and why: remote bases, Helm charts, generators and
    /// transformers, patches and replacements that touch containers, image field specs.
    pub unchecked: Vec<Unchecked>,
    /// The images the overlay's own `images:` list can match (those entering it, and those
    /// after each of its entries).
    pub candidates: Vec<String>,
    /// For each of `images`, its value entering the overlay's own `images:` list and after
    /// each of its entries.
    #[serde(skip)]
    states: Vec<Vec<String>>,
    /// The names of the overlay's own `images:` entries, in order.
    #[serde(skip)]
    entries: Vec<String>,
}

impl Overlay {
    /// Image `i` as it enters the overlay's own `images:` list (what that list's entries
    /// match), or as rendered when the overlay has no list of its own.
    pub(crate) fn entering(&self, i: usize) -> Option<&str> {
        match self.states.get(i).and_then(|s| s.first()) {
            Some(s) => Some(s),
            None => self.images.get(i).map(|img| img.image.as_str()),
        }
    }
}

/// Finds the kustomization file of directory `dir`.
///
/// # Errors
/// `not-kustomization` when `dir` is not a directory, holds no kustomization file, or holds
/// more than one (as kustomize refuses too).
pub fn kustomization_file(fs: &dyn FileSource, dir: &str) -> Result<String, Error> {
    let dir = normalize(dir).unwrap_or_else(|| dir.to_string());
    let Some(entries) = fs.list(&dir) else {
        return Err(Error::new(
            ErrorKind::NotKustomization,
            format!("`{}` is not a directory", shown(&dir)),
        )
        .with_file(shown(&dir)));
    };
    let found: Vec<&str> = KUSTOMIZATION_FILE_NAMES
        .iter()
        .copied()
        .filter(|n| entries.iter().any(|e| e == n))
        .collect();
    match found.as_slice() {
        [one] => Ok(join_path(&dir, one)),
        [] => Err(Error::new(
            ErrorKind::NotKustomization,
            format!("no kustomization file in `{}`", shown(&dir)),
        )
        .with_file(shown(&dir))
        .found(found_entries(&entries))
        .hint("kustomize reads kustomization.yaml, kustomization.yml or Kustomization")),
        many => Err(Error::new(
            ErrorKind::NotKustomization,
            format!("more than one kustomization file in `{}`", shown(&dir)),
        )
        .with_file(shown(&dir))
        .found(many.join(", "))
        .hint("kustomize refuses a directory with more than one; keep one of them")),
    }
}

fn found_entries(entries: &[String]) -> String {
    if entries.is_empty() {
        return "an empty directory".into();
    }
    let mut e: Vec<&str> = entries.iter().map(String::as_str).take(10).collect();
    e.sort_unstable();
    format!(
        "{}{}",
        e.join(", "),
        if entries.len() > 10 { ", …" } else { "" }
    )
}

fn shown(dir: &str) -> &str {
    if dir.is_empty() {
        "."
    } else {
        dir
    }
}

/// Lists every container and initContainer image that the overlay in `dir` renders.
///
/// # Errors
/// `not-kustomization` when a directory on the way has no kustomization file,
/// `yaml-syntax` for a file that does not parse, `not-found` for a local resource that does
/// not exist, `usage` for a cycle of kustomizations.
pub fn overlay_images(fs: &dyn FileSource, dir: &str) -> Result<Overlay, Error> {
    let dir = normalize(dir)
        .ok_or_else(|| Error::new(ErrorKind::Usage, format!("`{dir}` is outside the root")))?;
    let bounded = Bounded::new(fs);
    let mut w = Walker {
        fs: &bounded,
        stack: Vec::new(),
        unchecked: Vec::new(),
        states: Vec::new(),
        entries: Vec::new(),
        table: Vec::new(),
    };
    let mut acc = Acc::default();
    let kfile = w.accumulate(&dir, &mut acc, true)?;
    let mut candidates: Vec<String> = w.states.iter().flatten().cloned().collect();
    candidates.sort();
    candidates.dedup();
    Ok(Overlay {
        kustomization: kfile,
        images: acc.images,
        unchecked: w.unchecked,
        candidates,
        states: w.states,
        entries: w.entries,
    })
}

/// Checks that image spec `spec` names an image the overlay in `dir` renders, and returns
/// the images it matches.
///
/// # Errors
/// `unknown-image` when it matches none, listing the names that do exist; the errors of
/// [`overlay_images`].
pub fn check_image(
    fs: &dyn FileSource,
    dir: &str,
    spec: &ImageSpec,
) -> Result<Vec<OverlayImage>, Error> {
    let overlay = overlay_images(fs, dir)?;
    check_in(&overlay, spec)
}

/// [`check_image`] over an overlay already listed.
///
/// # Errors
/// `unknown-image` when `spec` matches none of the overlay's images.
pub fn check_in(overlay: &Overlay, spec: &ImageSpec) -> Result<Vec<OverlayImage>, Error> {
    // The entry the edit writes is the one of that name, else a new one at the end: it retags
    // what reaches it, the images as they are at that step of the list.
    let step = overlay
        .entries
        .iter()
        .rposition(|e| *e == spec.name)
        .unwrap_or(overlay.entries.len());
    let hits: Vec<OverlayImage> = overlay
        .images
        .iter()
        .zip(&overlay.states)
        // an image a later step sets again (a replacement, a transformer) is not changed by it
        .filter(|(i, states)| {
            !i.fixed
                && states
                    .get(step)
                    .is_some_and(|s| image_matches(s, &spec.name))
        })
        .map(|(i, _)| i.clone())
        .collect();
    // With parts of the overlay unseen (remote bases, Helm charts), a miss proves nothing.
    if !hits.is_empty() || !overlay.unchecked.is_empty() {
        return Ok(hits);
    }
    let mut names: Vec<String> = overlay
        .candidates
        .iter()
        .map(|c| ImageRef::split(c).name)
        .collect();
    names.sort();
    names.dedup();
    let overridden = overlay
        .images
        .iter()
        .zip(&overlay.states)
        .any(|(i, states)| {
            i.fixed
                && states
                    .get(step)
                    .is_some_and(|s| image_matches(s, &spec.name))
        });
    if overridden {
        return Err(Error::new(
            ErrorKind::UnknownImage,
            format!(
                "image `{}` is in the overlay, but a later step sets it again: the edit would change nothing it renders",
                spec.name
            ),
        )
        .with_file(overlay.kustomization.clone())
        .found("a replacement or an ImageTagTransformer that runs after `images:` and sets this image")
        .hint("change the replacement's source or the transformer instead; {+force} to set it anyway"));
    }
    let mut e = Error::new(
        ErrorKind::UnknownImage,
        format!("image `{}` matches no container in the overlay", spec.name),
    )
    .with_file(overlay.kustomization.clone());
    e = e.found(if names.is_empty() {
        "no container images at all".to_string()
    } else {
        format!("images {}", backticked(&names))
    });
    let hint = crate::error::did_you_mean(&spec.name, names.iter().map(String::as_str)).unwrap_or_else(|| {
        "the name must equal a container image without its tag or digest; {+force} to set it anyway".to_string()
    });
    Err(e.hint(hint))
}

struct Walker<'a> {
    fs: &'a Bounded<'a>,
    stack: Vec<String>,
    unchecked: Vec<Unchecked>,
    states: Vec<Vec<String>>,
    entries: Vec<String>,
    table: Vec<ResId>,
}

impl Walker<'_> {
    /// Adds what the kustomization in `dir` contributes to `acc` and applies its transformers
    /// to `acc`, in kustomize's order; returns the kustomization file's path.
    fn accumulate(&mut self, dir: &str, acc: &mut Acc, top: bool) -> Result<String, Error> {
        if self.stack.iter().any(|d| d == dir) {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "kustomization cycle: {} -> {}",
                    self.stack.join(" -> "),
                    shown(dir)
                ),
            ));
        }
        let kfile = kustomization_file(self.fs, dir)?;
        let text = self
            .fs
            .read(&kfile)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("cannot read `{kfile}`")))?;
        let stream = Stream::parse(&text).map_err(|e| e.with_file(kfile.clone()))?;
        let empty = Node {
            kind: NodeKind::Mapping {
                entries: Vec::new(),
                flow: false,
            },
            start: 0,
            end: 0,
            props_start: 0,
            anchor: None,
            tag: None,
        };
        let root = stream
            .docs
            .first()
            .and_then(|d| d.root.as_ref())
            .unwrap_or(&empty);
        if !matches!(root.kind, NodeKind::Mapping { .. }) {
            return Err(Error::new(
                ErrorKind::NotKustomization,
                format!("`{kfile}` is not a mapping"),
            )
            .with_file(kfile));
        }
        unquoted_numbers(&text, root).map_err(|e| e.with_file(kfile.clone()))?;
        self.stack.push(dir.to_string());

        let mut entries = str_list(root, "resources");
        entries.extend(str_list(root, "bases"));
        for r in entries {
            self.resource(dir, &kfile, r, acc)?;
        }
        for c in str_list(root, "components") {
            let path = join(dir, c).ok_or_else(|| outside(&kfile, c))?;
            if self.fs.list(&path).is_some() {
                self.accumulate(&path, acc, false)?;
            } else if looks_remote(c) {
                self.remote(&kfile, c, acc, true);
            } else {
                return Err(missing(&kfile, c, "component"));
            }
        }
        // configurations (image fields of custom kinds), generators, then the built-in
        // transformers in kustomize's order, then `transformers:`
        self.unchecked.extend(fieldspecs::read_configurations(
            self.fs, dir, &kfile, root, acc,
        ));
        fieldspecs::add_custom_images(self.fs, &self.table, acc);
        self.unchecked.extend(helm_charts(&kfile, root));
        self.unchecked
            .extend(builtins::generators(self.fs, dir, &kfile, root));
        let ctx = PatchCtx {
            fs: self.fs,
            dir,
            kfile: &kfile,
            text: &text,
        };
        self.unchecked
            .extend(patches::apply_patches(&ctx, root, &mut self.table, acc));
        builtins::apply_fields(root, &mut self.table, acc);
        self.unchecked.extend(patches::apply_legacy_json6902(
            &ctx,
            root,
            &mut self.table,
            acc,
        ));
        let images: Vec<ImageEntry> = get(root, "images")
            .map(|n| items(n).iter().filter_map(image_entry).collect())
            .unwrap_or_default();
        if top {
            for img in &mut acc.images {
                img.fixed = false; // what bases fixed, the overlay's own entries still retag
            }
            self.states = acc.images.iter().map(|i| vec![i.image.clone()]).collect();
            self.entries = images.iter().map(|e| e.name.clone()).collect();
        }
        for entry in &images {
            for img in &mut acc.images {
                if let Some(new) = entry.transform(&img.image) {
                    if new != img.image {
                        img.image = new;
                        img.name = ImageRef::split(&img.image).name;
                    }
                    if img.set_by.last() != Some(&kfile) {
                        img.set_by.push(kfile.clone());
                    }
                }
            }
            if top {
                for (states, img) in self.states.iter_mut().zip(acc.images.iter()) {
                    states.push(img.image.clone());
                }
            }
        }
        self.unchecked.extend(replacements::apply_replacements(
            self.fs,
            dir,
            &kfile,
            root,
            &self.table,
            acc,
        ));
        self.unchecked.extend(builtins::transformers(
            self.fs,
            dir,
            &kfile,
            root,
            &mut self.table,
            acc,
        ));
        self.stack.pop();
        Ok(kfile)
    }

    fn resource(&mut self, dir: &str, kfile: &str, r: &str, acc: &mut Acc) -> Result<(), Error> {
        let Some(path) = join(dir, r) else {
            if looks_remote(r) {
                self.remote(kfile, r, acc, false);
                return Ok(());
            }
            return Err(outside(kfile, r));
        };
        if self.fs.list(&path).is_some() {
            let mut sub = Acc::default();
            self.accumulate(&path, &mut sub, false)?;
            acc.extend(sub);
        } else if let Some(text) = self.fs.read(&path) {
            acc.extend(manifest_resources(&text, &path, &mut self.table)?);
        } else if looks_remote(r) {
            self.remote(kfile, r, acc, false);
        } else {
            return Err(missing(kfile, r, "resource"));
        }
        Ok(())
    }

    /// Remote resource or component `url` of `kfile`: followed in the copy the caller
    /// fetched (a component like a local one; a resource built on its own), else reported.
    fn remote(&mut self, kfile: &str, url: &str, acc: &mut Acc, component: bool) {
        let unseen = |reason: String| {
            if component {
                Unchecked::overriding(kfile, url, reason)
            } else {
                Unchecked::new(kfile, url, reason)
            }
        };
        if self.fs.depth() >= MAX_REMOTE_DEPTH {
            self.unchecked.push(unseen(format!(
                "remote bases nested more than {MAX_REMOTE_DEPTH} deep are not followed; its containers may have the image"
            )));
            return;
        }
        let copy = match self.fs.remote(url) {
            Ok(copy) => copy,
            Err(reason) if reason.is_empty() => return self.unchecked.push(unseen(REMOTE.into())),
            Err(reason) => return self.unchecked.push(unseen(reason)),
        };
        self.fs.enter(&copy.root);
        let mut sub = Acc::default();
        let into = if component { &mut *acc } else { &mut sub };
        let built = if self.fs.list(&copy.path).is_some() {
            self.accumulate(&copy.path, into, false).map(|_| ())
        } else if let Some(text) = self.fs.read(&copy.path) {
            manifest_resources(&text, &copy.path, &mut self.table).map(|r| into.extend(r))
        } else {
            Err(missing(kfile, url, "remote resource"))
        };
        self.fs.leave();
        match built {
            Ok(()) => acc.extend(sub),
            Err(e) => self.unchecked.push(unseen(format!(
                "the fetched copy does not build ({e}); its containers may have the image"
            ))),
        }
    }
}

fn outside(kfile: &str, r: &str) -> Error {
    Error::new(
        ErrorKind::Usage,
        format!("`{r}` in {kfile} is outside the root given to the overlay check"),
    )
    .with_file(kfile)
}

fn missing(kfile: &str, r: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("{what} `{r}` listed in {kfile} does not exist"),
    )
    .with_file(kfile)
}

/// Whether a `resources` entry is a URL rather than a local path (kustomize tries the
/// local path first, then a remote target).
fn looks_remote(r: &str) -> bool {
    r.contains("://")
        || r.starts_with("git@")
        || r.contains("?ref=")
        || r.split('/')
            .next()
            .is_some_and(|h| h.contains('.') && !h.starts_with('.') && r.contains('/'))
}

/// Refuses an `images:` entry whose name, tag or digest is written as a number or a bool
/// (`newTag: 1.10`): kustomize reads these fields as strings and refuses the whole file.
fn unquoted_numbers(text: &str, root: &Node) -> Result<(), Error> {
    let Some(list) = get(root, "images") else {
        return Ok(());
    };
    for item in items(list) {
        let NodeKind::Mapping { entries, .. } = &item.kind else {
            continue;
        };
        for (k, v) in entries {
            let field = k.scalar().unwrap_or_default();
            if !matches!(
                field,
                "name" | "newName" | "newTag" | "digest" | "tagSuffix"
            ) {
                continue;
            }
            let ty = v.type_name();
            if !matches!(ty, "int" | "float" | "bool") {
                continue;
            }
            let shown = &text[v.start..v.end];
            let entry = get_str(item, "name").map_or_else(
                || format!("the entry at line {}", line_of(text, item.start)),
                |n| format!("the entry for `{n}`"),
            );
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "`{field}: {shown}` in {entry} is a {}, not a string: kustomize cannot read this file",
                    if ty == "bool" { "bool" } else { "number" }
                ),
            )
            .at(text, v.start..v.end)
            .hint(format!(
                "quote it: `{field}: \"{shown}\"` ({{force}} skips the overlay check)"
            )));
        }
    }
    Ok(())
}

/// An `images:` entry of a kustomization.
pub(crate) fn image_entry(n: &Node) -> Option<ImageEntry> {
    let s = |k: &str| get_str(n, k).filter(|v| !v.is_empty()).map(str::to_string);
    Some(ImageEntry {
        name: s("name")?,
        new_name: s("newName"),
        new_tag: s("newTag"),
        digest: s("digest"),
        tag_suffix: s("tagSuffix"),
    })
}

/// The container and initContainer images of every resource in a manifest file, found the
/// way kustomize's image transformer finds them: any `containers` or `initContainers`
/// sequence anywhere in a resource (CustomResourceDefinitions excepted), `image` of each item
/// (an alias is followed to its anchor).
///
/// # Errors
/// `yaml-syntax` when the file does not parse.
pub fn manifest_images(text: &str, file: &str) -> Result<Vec<OverlayImage>, Error> {
    Ok(manifest_resources(text, file, &mut Vec::new())?.images)
}

/// `dir` joined with relative path `rel`, normalized; `None` when it leaves the root.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return normalize(rel.trim_start_matches('/'));
    }
    normalize(&join_path(dir, rel))
}

fn join_path(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{}/{name}", dir.trim_end_matches('/'))
    }
}

/// Removes `.`, empty segments and `x/..` pairs; `None` when `..` leaves the root.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// An in-memory [`FileSource`] for unit tests.
#[cfg(test)]
pub(crate) mod memfs {
    use super::FileSource;
    use std::collections::BTreeMap;

    pub(crate) struct MemFs(pub BTreeMap<String, String>);

    impl FileSource for MemFs {
        fn read(&self, path: &str) -> Option<String> {
            self.0.get(path).cloned()
        }
        fn list(&self, dir: &str) -> Option<Vec<String>> {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let mut names: Vec<String> = self
                .0
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .map(|rest| rest.split('/').next().unwrap_or("").to_string())
                .collect();
            names.dedup();
            (!names.is_empty()).then_some(names)
        }
    }

    pub(crate) fn fs(files: &[(&str, &str)]) -> MemFs {
        MemFs(
            files
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::memfs::fs;
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: init\n        image: busybox:1.36\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n";

    #[test]
    fn follows_bases_components_and_images_in_order() {
        let f = fs(&[
            ("base/kustomization.yaml", "resources:\n- deploy.yaml\nimages:\n- name: busybox\n  newTag: \"1.37\"\n"),
            ("base/deploy.yaml", DEPLOY),
            ("comp/kustomization.yaml", "kind: Component\nimages:\n- name: ghcr.io/acme/api\n  tagSuffix: -debug\n"),
            ("prod/kustomization.yaml", "resources:\n- ../base\n- https://github.com/x/y//z?ref=v1\ncomponents:\n- ../comp\nimages:\n- name: ghcr.io/acme/api\n  newName: reg.local:5000/api\n"),
        ]);
        let o = overlay_images(&f, "prod").unwrap();
        let imgs: Vec<&str> = o.images.iter().map(|i| i.image.as_str()).collect();
        assert_eq!(imgs, ["busybox:1.37", "reg.local:5000/api:1.0.0-debug"]);
        assert_eq!(o.images[1].line, 13);
        assert_eq!(
            o.images[1].set_by,
            ["comp/kustomization.yaml", "prod/kustomization.yaml"]
        );
        let what: Vec<&str> = o.unchecked.iter().map(|u| u.what.as_str()).collect();
        assert_eq!(what, ["https://github.com/x/y//z?ref=v1"]);
        assert_eq!(o.unchecked[0].file, "prod/kustomization.yaml");
        let spec = crate::kustomize::parse_image_spec("ghcr.io/acme/api:2").unwrap();
        assert_eq!(check_image(&f, "prod", &spec).unwrap().len(), 1);
        let spec = crate::kustomize::parse_image_spec("reg.local:5000/api:2").unwrap();
        assert_eq!(check_image(&f, "prod", &spec).unwrap().len(), 1);
        // The remote base is not seen, so a miss proves nothing: no error, no match.
        let spec = crate::kustomize::parse_image_spec("ghcr.io/acme/apx:2").unwrap();
        assert!(check_image(&f, "prod", &spec).unwrap().is_empty());
        // Without it, the miss is an error. The manifest's own name `busybox` is still
        // there; but once the base renamed an image, only the new name reaches the overlay.
        let f = fs(&[
            ("base/kustomization.yaml", "resources:\n- deploy.yaml\nimages:\n- name: ghcr.io/acme/api\n  newName: reg/api\n"),
            ("base/deploy.yaml", DEPLOY),
            ("prod/kustomization.yaml", "resources:\n- ../base\n"),
        ]);
        let check = |name: &str| {
            check_image(
                &f,
                "prod",
                &crate::kustomize::parse_image_spec(name).unwrap(),
            )
        };
        assert_eq!(check("reg/api:2").unwrap().len(), 1);
        assert_eq!(check("busybox:2").unwrap().len(), 1);
        let e = check("ghcr.io/acme/api:2").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownImage);
        let e = check("reg/apx:2").unwrap_err();
        assert!(e.to_string().contains("did you mean `reg/api`?"), "{e}");
    }

    #[test]
    fn finds_the_kustomization_file() {
        let f = fs(&[
            ("a/Kustomization", ""),
            ("b/kustomization.yaml", ""),
            ("b/kustomization.yml", ""),
            ("c/x.yaml", ""),
        ]);
        assert_eq!(kustomization_file(&f, "a").unwrap(), "a/Kustomization");
        assert_eq!(
            kustomization_file(&f, "b").unwrap_err().kind(),
            ErrorKind::NotKustomization
        );
        assert_eq!(
            kustomization_file(&f, "c").unwrap_err().kind(),
            ErrorKind::NotKustomization
        );
        assert_eq!(normalize("a/./b/../c"), Some("a/c".into()));
        assert_eq!(normalize("../a"), None);
    }

    #[test]
    fn lists_expand_and_cycles_are_refused() {
        let list = "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: nginx:1\n";
        let f = fs(&[
            ("a/kustomization.yaml", "resources:\n- list.yaml\n- ../b\n"),
            ("a/list.yaml", list),
            ("b/kustomization.yaml", "resources:\n- ../a\n"),
            ("c/kustomization.yaml", "resources:\n- list.yaml\nimages:\n- name: nginx\n  newName: reg/nginx\n- name: reg/nginx\n  newTag: \"2\"\n"),
            ("c/list.yaml", list),
        ]);
        assert_eq!(
            overlay_images(&f, "a").unwrap_err().kind(),
            ErrorKind::Usage
        );
        let o = overlay_images(&f, "c").unwrap();
        assert_eq!(o.images[0].image, "reg/nginx:2");
        for name in ["nginx:3", "reg/nginx:3"] {
            let spec = crate::kustomize::parse_image_spec(name).unwrap();
            assert!(check_in(&o, &spec).is_ok(), "{name}");
        }
    }
}
