//! Kustomize image edits: the `edit set image` grammar, kustomization, Argo CD
//! and Flux targets, the overlay check and scan mode. See `docs/kustomize.md`.

mod argocd;
mod builtins;
mod fieldspecs;
mod flux;
mod kustomization;
pub(crate) mod nodes;
mod overlay;
mod patches;
mod pattern;
mod remote;
mod replacements;
mod resources;
mod scan;
pub(crate) mod spec;
mod targets;
mod unseen;

pub(crate) use argocd::is_application;
pub use argocd::{parse_argocd_image, set_argocd_image, set_argocd_source_image};
pub use flux::{find_markers, parse_marker, set_flux_image, Marker, MarkerField};
pub use kustomization::set_kustomization_image;
pub(crate) use overlay::join as overlay_join;
#[cfg(test)]
pub(crate) use overlay::memfs;
pub use overlay::{
    check_image, check_in, kustomization_file, manifest_images, overlay_images, FileSource,
    Overlay, OverlayImage, KUSTOMIZATION_FILE_NAMES,
};
pub use remote::RemoteCopy;
pub(crate) use scan::container_edits;
pub use scan::{scan_image, ScanFile, ScanResult};
pub use spec::{parse_image_spec, ImageEntry, ImageRef, ImageSpec, SpecField};
pub use unseen::Unchecked;

use crate::edit::{Change, Outcome};
use crate::error::{Error, ErrorKind};
use crate::tree::Stream;

use nodes::get_str;

/// Which kind of file an image edit targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageTarget {
    /// Decide from the file name and content.
    #[default]
    Auto,
    /// A kustomization's `images:`.
    Kustomization,
    /// An Argo CD Application's `kustomize.images`.
    ArgoCd,
    /// An Argo CD `.argocd-source-<app>.yaml` override file.
    ArgoCdSource,
    /// Fields with Flux `$imagepolicy` markers.
    Flux,
    /// Any other file, read as scan mode reads it: Helm values (also a HelmRelease's
    /// `spec.values`) and container images. Never gets a kustomize `images:` entry.
    Values,
}

impl ImageTarget {
    /// Parses `auto`, `kustomization`, `argocd`, `argocd-source`, `flux` or `values`.
    ///
    /// # Errors
    /// `usage` for anything else.
    pub fn parse(s: &str) -> Result<ImageTarget, Error> {
        Ok(match s {
            "" | "auto" => ImageTarget::Auto,
            "kustomization" | "kustomize" => ImageTarget::Kustomization,
            "argocd" | "argo" | "application" => ImageTarget::ArgoCd,
            "argocd-source" => ImageTarget::ArgoCdSource,
            "flux" => ImageTarget::Flux,
            "values" | "helm" => ImageTarget::Values,
            other => {
                return Err(
                    Error::new(ErrorKind::Usage, format!("unknown image target `{other}`"))
                        .hint("use auto, kustomization, argocd, argocd-source, flux or values"),
                )
            }
        })
    }

    /// The name `parse` reads.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageTarget::Auto => "auto",
            ImageTarget::Kustomization => "kustomization",
            ImageTarget::ArgoCd => "argocd",
            ImageTarget::ArgoCdSource => "argocd-source",
            ImageTarget::Flux => "flux",
            ImageTarget::Values => "values",
        }
    }
}

/// Options of [`set_image`].
#[derive(Debug, Clone, Default)]
pub struct SetImageOptions {
    /// The kind of file; `Auto` decides from `file` and the content.
    pub target: ImageTarget,
    /// The file name, for target detection and messages.
    pub file: Option<String>,
}

/// Sets one image in `text` with the semantics of `kustomize edit set image`: in a
/// kustomization's `images:`, an Argo CD Application or source override file, or Flux
/// marked fields (where the spec is `namespace:policy=image`).
///
/// # Errors
/// `image-spec` for a spec outside the grammar (or a bad tag or digest),
/// `not-kustomization` when the file is not of the target's kind, and the edit engine's
/// errors; every error names `file` when given.
pub fn set_image(text: &str, spec: &str, opts: &SetImageOptions) -> Result<Outcome, Error> {
    let file = opts.file.as_deref();
    let target = match opts.target {
        ImageTarget::Auto => detect_target(text, file, spec),
        t => t,
    };
    let result = match target {
        ImageTarget::Flux => {
            spec::parse_spec(spec, true).and_then(|s| set_flux_image(text, &s, file))
        }
        t => parse_image_spec(spec).and_then(|s| match t {
            ImageTarget::ArgoCd => set_argocd_image(text, &s, file),
            ImageTarget::ArgoCdSource => set_argocd_source_image(text, &s, file),
            ImageTarget::Values => crate::helm::set_values_image(text, &s, file),
            _ => set_kustomization_image(text, &s, file),
        }),
    };
    result.map_err(|e| match (file, e.file()) {
        (Some(f), None) => e.with_file(f),
        _ => e,
    })
}

/// Which target `set_image` picks for `text` under `Auto`.
pub fn detect_target(text: &str, file: Option<&str>, spec: &str) -> ImageTarget {
    let base = file
        .map(|f| f.rsplit('/').next().unwrap_or(f))
        .unwrap_or("");
    if base.starts_with(".argocd-source") {
        return ImageTarget::ArgoCdSource;
    }
    if KUSTOMIZATION_FILE_NAMES.contains(&base) {
        // A marked kustomization and a policy spec (`ns:policy=…`): Flux.
        if looks_like_policy_spec(spec) && text.contains("$imagepolicy") {
            return ImageTarget::Flux;
        }
        return ImageTarget::Kustomization;
    }
    let mut kustomization_keys = false;
    let mut roots = 0;
    if let Ok(stream) = Stream::parse(text) {
        for root in stream.docs.iter().filter_map(|d| d.root.as_ref()) {
            roots += 1;
            kustomization_keys |= ["images", "resources", "bases", "components", "patches"]
                .iter()
                .any(|k| nodes::get(root, k).is_some());
            let kind = get_str(root, "kind").unwrap_or("");
            let api = get_str(root, "apiVersion").unwrap_or("");
            if kind == "Application" && api.starts_with("argoproj.io/") {
                return ImageTarget::ArgoCd;
            }
            if matches!(kind, "Kustomization" | "Component")
                && api.starts_with("kustomize.config.k8s.io/")
            {
                return ImageTarget::Kustomization;
            }
        }
    }
    if text.contains("$imagepolicy") {
        return ImageTarget::Flux;
    }
    // Only files named kustomization.yaml (or with its kind) are kustomizations; without a
    // file name, a text with a kustomization's keys (or none at all) is taken for one.
    if file.is_none() && (kustomization_keys || roots == 0) {
        return ImageTarget::Kustomization;
    }
    ImageTarget::Values
}

/// `ns:policy=…`: a `:` before `=` with no `/`, which no image name has.
fn looks_like_policy_spec(spec: &str) -> bool {
    spec.split_once('=')
        .is_some_and(|(k, _)| k.contains(':') && !k.contains('/'))
}

/// Options of [`image_edit`].
#[derive(Debug, Clone, Default)]
pub struct ImageEditOptions {
    /// The kind of file; `Auto` decides from the file name and content.
    pub target: ImageTarget,
    /// Skip the overlay check (the CLI's `--force`).
    pub force: bool,
}

/// What [`image_edit`] did: the new text of the file, and what the overlay check could not see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageEdit {
    /// The edited file, relative to the root.
    pub file: String,
    /// Its new text.
    pub text: String,
    /// What changed.
    pub changes: Vec<Change>,
    /// Why the overlay check could not decide that the image is rendered: empty when it
    /// found the image, or when `force` skipped it. The edit was made; every front end
    /// reports these as a warning, since the name may be a typo.
    pub unchecked: Vec<Unchecked>,
}

/// The `image TARGET SPEC` command: `target` is a file, or a directory whose kustomization
/// file is meant. For a kustomization the overlay in its directory must render an image the
/// spec names, unless `force`. When the check cannot decide (parts of the overlay it does not
/// follow, or a target it does not check: an Argo CD Application or source file, a
/// Component), the edit is made and [`ImageEdit::unchecked`] says why.
///
/// # Errors
/// `not-found` when `target` does not exist; the errors of [`set_image`] and
/// [`check_image`] (`unknown-image`), each naming the file.
pub fn image_edit(
    fs: &dyn FileSource,
    target: &str,
    spec: &str,
    opts: &ImageEditOptions,
) -> Result<ImageEdit, Error> {
    let path = overlay::normalize(target)
        .ok_or_else(|| Error::new(ErrorKind::Usage, format!("`{target}` is outside the root")))?;
    let file = if fs.list(&path).is_some() {
        kustomization_file(fs, &path)?
    } else {
        path
    };
    let text = fs.read(&file).ok_or_else(|| {
        Error::new(ErrorKind::NotFound, format!("`{file}` does not exist")).with_file(file.clone())
    })?;
    let set_opts = SetImageOptions {
        target: opts.target,
        file: Some(file.clone()),
    };
    let target_kind = match opts.target {
        ImageTarget::Auto => detect_target(&text, Some(&file), spec),
        t => t,
    };
    let outcome = if target_kind == ImageTarget::Values {
        let s = parse_image_spec(spec).map_err(|e| e.with_file(file.clone()))?;
        crate::helm::values_image_in(Some(fs), &text, &s, Some(&file)).map_err(|e| {
            if e.file().is_none() {
                e.with_file(file.clone())
            } else {
                e
            }
        })?
    } else {
        set_image(&text, spec, &set_opts)?
    };
    let mut unchecked = Vec::new();
    if opts.force || matches!(target_kind, ImageTarget::Flux | ImageTarget::Values) {
        // Flux fields are found by their markers, values by the references they hold; a
        // missing one is already an error.
    } else if target_kind != ImageTarget::Kustomization {
        let source_file = target_kind == ImageTarget::ArgoCdSource;
        unchecked = targets::check_argocd(
            fs,
            &file,
            &outcome.text,
            &parse_image_spec(spec)?,
            source_file,
        )
        .map_err(|e| cannot_check(e, &file))?;
    } else if is_component(&text) {
        unchecked = targets::check_component(fs, &file, &text, &parse_image_spec(spec)?)
            .map_err(|e| cannot_check(e, &file))?;
    } else {
        let dir = file.rfind('/').map_or("", |i| &file[..i]);
        // The overlay as it will be: the edited kustomization in place of the old one.
        let edited = Edited {
            fs,
            file: &file,
            text: &outcome.text,
        };
        let overlay = overlay_images(&edited, dir).map_err(|e| cannot_check(e, &file))?;
        let hits = check_in(&overlay, &parse_image_spec(spec)?)?;
        // a miss proves nothing while parts are unseen; a hit, nothing while an unseen part
        // can still change the image after the `images:` step
        unchecked = overlay
            .unchecked
            .into_iter()
            .filter(|u| hits.is_empty() || u.overrides)
            .collect();
    }
    Ok(ImageEdit {
        file,
        text: outcome.text,
        changes: outcome.changes,
        unchecked,
    })
}

/// An error of the overlay walk, as the reason the check could not run.
fn cannot_check(e: Error, file: &str) -> Error {
    if matches!(e.kind(), ErrorKind::UnknownImage | ErrorKind::InvalidValue) {
        e
    } else {
        let hint = format!(
            "the overlay check could not run; {{+force}} to skip it ({})",
            e.message()
        );
        Error::new(e.kind(), format!("cannot check the overlay of `{file}`"))
            .with_file(file)
            .hint(hint)
    }
}

/// A file source that reads `text` for `file` and everything else from `fs`.
pub(crate) struct Edited<'a> {
    pub(crate) fs: &'a dyn FileSource,
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
}

impl FileSource for Edited<'_> {
    fn read(&self, path: &str) -> Option<String> {
        if path == self.file {
            Some(self.text.to_string())
        } else {
            self.fs.read(path)
        }
    }

    fn list(&self, dir: &str) -> Option<Vec<String>> {
        self.fs.list(dir)
    }

    fn remote(&self, url: &str) -> Result<RemoteCopy, String> {
        self.fs.remote(url)
    }
}

fn is_component(text: &str) -> bool {
    Stream::parse(text)
        .ok()
        .and_then(|s| s.docs.into_iter().find_map(|d| d.root))
        .is_some_and(|r| get_str(&r, "kind") == Some("Component"))
}
