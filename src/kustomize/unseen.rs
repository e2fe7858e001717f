//! What the overlay check does not follow, and why: the parts of a kustomization whose
//! effect on images it cannot compute. A miss of the check proves nothing while any of
//! these is present, so every front end reports them (guarantee 9 in docs/ARCHITECTURE.md).

use crate::tree::Node;

use super::nodes::{get, items};

/// A part of an overlay the check did not follow, and why an image could come from it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unchecked {
    /// The file that lists it (a kustomization, or the edited target).
    pub file: String,
    /// What was not followed, as the file writes it: a URL, a key, a patch's path.
    pub what: String,
    /// Why it was not followed, and how it could still change the rendered images.
    pub reason: String,
    /// Whether it can change an image the check did see (a patch, a replacement, a
    /// transformer), not only add images: then even a name the check found is not decided.
    #[serde(skip)]
    pub(crate) overrides: bool,
}

impl std::fmt::Display for Unchecked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` in {}: {}", self.what, self.file, self.reason)
    }
}

impl Unchecked {
    pub(crate) fn new(file: &str, what: impl Into<String>, reason: impl Into<String>) -> Self {
        Unchecked {
            file: file.to_string(),
            what: what.into(),
            reason: reason.into(),
            overrides: false,
        }
    }

    /// One that can also change images the check saw.
    pub(crate) fn overriding(
        file: &str,
        what: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Unchecked {
            overrides: true,
            ..Unchecked::new(file, what, reason)
        }
    }
}

/// Why a remote resource or component is not followed.
pub(crate) const REMOTE: &str =
    "a remote base is not fetched (the check reads only this repository); its containers may have the image";

/// The Helm charts of kustomization `root` (in `kfile`): kustomize renders them only with
/// `--enable-helm` and a helm binary, so the check cannot see their containers.
pub(crate) fn helm_charts(kfile: &str, root: &Node) -> Vec<Unchecked> {
    ["helmCharts", "helmChartInflationGenerator"]
        .into_iter()
        .filter(|key| get(root, key).is_some_and(|n| !items(n).is_empty()))
        .map(|key| {
            Unchecked::new(
                kfile,
                key,
                "Helm charts render only under `kustomize build --enable-helm` with a helm binary; the chart's containers may have the image",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::kustomize::overlay::memfs::fs;
    use crate::kustomize::{image_edit, ImageEditOptions};

    const DEPLOY: &str = "kind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n";

    fn unchecked(kustomization: &str, extra: &[(&str, &str)], spec: &str) -> Vec<String> {
        let mut files = vec![
            ("base/deploy.yaml", DEPLOY),
            ("base/kustomization.yaml", "resources:\n- deploy.yaml\n"),
            ("prod/kustomization.yaml", kustomization),
        ];
        files.extend_from_slice(extra);
        let out = image_edit(&fs(&files), "prod", spec, &ImageEditOptions::default()).unwrap();
        out.unchecked.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_miss_with_unseen_parts_is_reported_never_silent() {
        let k = "resources:\n- ../base\n- https://github.com/acme/x//deploy?ref=v1\nhelmCharts:\n- name: redis\ntransformers:\n- labels.yaml\npatches:\n- path: image.yaml\n- path: replicas.yaml\n- patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: x:1\n  target:\n    kind: Deployment\n";
        let extra = [
            ("prod/image.yaml", "kind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: other:1\n"),
            ("prod/replicas.yaml", "kind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n"),
        ];
        let u = unchecked(k, &extra, "ghcr.io/acme/apx:2");
        assert_eq!(u.len(), 3, "{u:#?}");
        assert!(u[0].starts_with("`https://github.com/acme/x//deploy?ref=v1` in prod/kustomization.yaml: a remote base"), "{}", u[0]);
        assert!(
            u[1].starts_with("`helmCharts` in prod/kustomization.yaml: Helm charts"),
            "{}",
            u[1]
        );
        assert!(u[2].starts_with("`transformers: labels.yaml` in prod/kustomization.yaml: the transformer config cannot be read"), "{}", u[2]);
        // The patches are followed: the strategic-merge one sets `other:1`, the JSON one `x:1`,
        // which is what renders. Found, `x` is decided by all but the transformer, which runs
        // after `images:` and could change it.
        let u = unchecked(k, &extra, "x:2");
        assert_eq!(u.len(), 1, "{u:#?}");
        assert!(u[0].starts_with("`transformers: labels.yaml`"), "{}", u[0]);
    }

    #[test]
    fn targets_the_check_does_not_follow_say_so() {
        let f = fs(&[
            ("comp/kustomization.yaml", "kind: Component\n"),
            ("app.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    path: prod\n"),
        ]);
        let o = ImageEditOptions::default();
        let u = image_edit(&f, "comp", "apx:1", &o).unwrap().unchecked;
        assert_eq!(u[0].what, "kind: Component");
        let u = image_edit(&f, "app.yaml", "apx:1", &o).unwrap().unchecked;
        assert_eq!(u[0].what, "spec.source.path");
        assert!(
            u[0].reason
                .starts_with("`prod` is not a kustomization directory of this repository"),
            "{}",
            u[0].reason
        );
        let forced = ImageEditOptions { force: true, ..o };
        assert!(image_edit(&f, "app.yaml", "apx:1", &forced)
            .unwrap()
            .unchecked
            .is_empty());
    }
}
