//! Environments: what one environment of a config repository runs, image by image, as the
//! render would show it, and the edits that make it run another environment's version.
//!
//! An environment is named by its files (paths relative to the file source's root):
//! - a kustomize overlay (a directory, or its kustomization file): the images the overlay
//!   check renders after the whole chain of kustomizations;
//! - an Argo CD Application: a kustomize source's overlay with the Application's
//!   `kustomize.images` merged into the overlay's own list (as Argo CD does with
//!   `kustomize edit set image`), and Helm sources as Helm reads them;
//! - a Flux HelmRelease: its `spec.values`;
//! - a chain of Helm values files: the chart's defaults (when the chart lies in the
//!   repository), then each file in order, merged as `helm -f a -f b` does.
//!
//! Images are keyed by the name they enter the environment with (the manifest's name, the
//! values' registry and repository), so the same image lines up across environments even
//! where one renames it. What the model cannot decide is said, never guessed silently.

mod helm;
mod overlay;
mod promote;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::kustomize::{is_application, FileSource, ImageRef, KUSTOMIZATION_FILE_NAMES};
use crate::tree::Stream;

pub use promote::{promote_image, EnvFile};

/// One image an environment runs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EnvImage {
    /// The name it enters the environment with: what lines it up with other environments.
    pub key: String,
    /// `name[:tag][@digest]`.
    pub image: String,
    /// The name it runs under (registry and path).
    pub name: String,
    /// The tag, when there is one.
    pub tag: Option<String>,
    /// The digest, when there is one.
    pub digest: Option<String>,
    /// The file its version comes from, and the 1-based line there.
    pub file: String,
    /// 1-based line in `file`.
    pub line: usize,
    /// Why the model cannot say for sure that the render holds exactly this, when it cannot.
    pub undecided: Option<String>,
    /// Set by a step after the overlay's own `images:` (a replacement, a transformer): an
    /// image edit of the overlay cannot change it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fixed: bool,
    /// For an image of Helm values, its key there (`image`, `controller.image`): its name
    /// is the environment's own (a registry or mirror stays when a version is promoted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// For an image of Helm values: the source it comes from and its key in the values.
    #[serde(skip)]
    pub(crate) helm: Option<(usize, Vec<String>)>,
}

impl EnvImage {
    fn new(key: String, r: ImageRef, file: &str, line: usize) -> EnvImage {
        EnvImage {
            key,
            image: r.to_string(),
            name: r.name,
            tag: r.tag,
            digest: r.digest,
            file: file.to_string(),
            line,
            undecided: None,
            fixed: false,
            values: None,
            helm: None,
        }
    }
}

/// What one environment runs.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    /// `kustomize`, `argocd` or `helm`.
    pub kind: &'static str,
    /// The files that can carry a change of this environment (relative to the root).
    pub files: Vec<String>,
    /// Its images, by key, in first-seen order.
    pub images: Vec<EnvImage>,
    /// What was not followed or not seen, and why.
    pub unchecked: Vec<String>,
}

impl Environment {
    /// The image of key `key`.
    pub fn image(&self, key: &str) -> Option<&EnvImage> {
        self.images.iter().find(|i| i.key == key)
    }

    fn push(&mut self, img: EnvImage) {
        if self.image(&img.key).is_none() {
            self.images.push(img);
        }
    }
}

/// Reads the environment named by `targets` (one directory or file, or a chain of Helm
/// values files), relative to the root of `fs`.
///
/// # Errors
/// `usage` for no target or a file that does not exist, `not-kustomization` for a directory
/// without a kustomization, and the overlay check's and the parser's errors.
pub fn environment(fs: &dyn FileSource, targets: &[String]) -> Result<Environment, Error> {
    let Some(first) = targets.first() else {
        return Err(Error::new(
            ErrorKind::Usage,
            "no target names the environment",
        ));
    };
    if targets.len() == 1 {
        if fs.list(first).is_some() {
            return overlay::overlay_env(fs, first);
        }
        let (dir, base) = first.rsplit_once('/').unwrap_or(("", first.as_str()));
        if KUSTOMIZATION_FILE_NAMES.contains(&base) {
            return overlay::overlay_env(fs, dir);
        }
        let text = read(fs, first)?;
        let stream = Stream::parse(&text).map_err(|e| e.with_file(first.clone()))?;
        let roots = stream.docs.iter().filter_map(|d| d.root.as_ref());
        if let Some(app) = roots.clone().find(|r| is_application(r)) {
            return overlay::application_env(fs, first, &text, app);
        }
        if let Some(release) = roots.clone().find(|r| crate::helm::is_helm_release(r)) {
            return helm::release_env(first, &text, release);
        }
    }
    helm::chain_env(fs, targets)
}

/// The text of `file`, or a usage error naming it.
pub(crate) fn read(fs: &dyn FileSource, file: &str) -> Result<String, Error> {
    fs.read(file).ok_or_else(|| {
        Error::new(
            ErrorKind::Usage,
            format!("`{file}`: no such file or directory"),
        )
        .with_file(file.to_string())
    })
}

/// A file source with one text replaced (an edit not written yet).
pub(crate) struct Pending<'a> {
    pub(crate) fs: &'a dyn FileSource,
    pub(crate) file: String,
    pub(crate) text: String,
}

impl FileSource for Pending<'_> {
    fn read(&self, path: &str) -> Option<String> {
        if path == self.file {
            return Some(self.text.clone());
        }
        self.fs.read(path)
    }

    fn list(&self, dir: &str) -> Option<Vec<String>> {
        self.fs.list(dir)
    }
}

/// `dir/rel` normalized, for a `dir` relative to the root; `None` when it leaves the root.
pub(crate) fn join(dir: &str, rel: &str) -> Option<String> {
    crate::kustomize::overlay_join(dir, rel)
}
