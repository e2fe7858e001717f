//! Remote bases the caller fetched: the core does no I/O, so the caller (the JS layer, which
//! clones them at their ref where a flag allows network access) serves each fetched copy
//! under a virtual directory of the same [`FileSource`], and says where through
//! [`FileSource::remote`]. The walk then follows the copy as it follows a local base, but
//! confined to that copy: as kustomize refuses a base outside a cloned repository, a path
//! that leaves the copy reads nothing, and the repository's own files never reach into a copy.

use std::cell::RefCell;

use super::overlay::FileSource;

/// Where the caller serves a fetched remote resource or component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCopy {
    /// The copy's top directory (the cloned repository), a path of the file source that the
    /// repository's own paths never reach (the JS layer uses `:remote/<n>`).
    pub root: String,
    /// The resource itself inside `root`: a kustomization directory, or a manifest file.
    pub path: String,
}

/// How deep remote bases inside remote bases are followed.
pub(crate) const MAX_REMOTE_DEPTH: usize = 5;

/// A [`FileSource`] that confines reads to the remote copy being walked (or, outside any,
/// keeps the repository's own paths out of every copy seen so far).
pub(crate) struct Bounded<'a> {
    inner: &'a dyn FileSource,
    /// The copies being walked, innermost last.
    stack: RefCell<Vec<String>>,
    /// Every copy's root seen so far.
    seen: RefCell<Vec<String>>,
}

fn under(path: &str, root: &str) -> bool {
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl<'a> Bounded<'a> {
    pub(crate) fn new(inner: &'a dyn FileSource) -> Self {
        Bounded {
            inner,
            stack: RefCell::new(Vec::new()),
            seen: RefCell::new(Vec::new()),
        }
    }

    fn allowed(&self, path: &str) -> bool {
        match self.stack.borrow().last() {
            Some(root) => under(path, root),
            None => !self.seen.borrow().iter().any(|r| under(path, r)),
        }
    }

    /// How many copies are being walked.
    pub(crate) fn depth(&self) -> usize {
        self.stack.borrow().len()
    }

    /// Starts walking inside `root`.
    pub(crate) fn enter(&self, root: &str) {
        self.seen.borrow_mut().push(root.to_string());
        self.stack.borrow_mut().push(root.to_string());
    }

    /// Ends the innermost [`Bounded::enter`].
    pub(crate) fn leave(&self) {
        self.stack.borrow_mut().pop();
    }
}

impl FileSource for Bounded<'_> {
    fn read(&self, path: &str) -> Option<String> {
        self.allowed(path).then(|| self.inner.read(path)).flatten()
    }

    fn list(&self, dir: &str) -> Option<Vec<String>> {
        self.allowed(dir).then(|| self.inner.list(dir)).flatten()
    }

    fn remote(&self, url: &str) -> Result<RemoteCopy, String> {
        let copy = self.inner.remote(url)?;
        if copy.root.is_empty() || !under(&copy.path, &copy.root) {
            return Err(format!(
                "the caller served `{url}` at `{}`, outside its copy `{}`",
                copy.path, copy.root
            ));
        }
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::RemoteCopy;
    use crate::kustomize::overlay::memfs::MemFs;
    use crate::kustomize::{check_image, image_edit, overlay_images, parse_image_spec};
    use crate::kustomize::{FileSource, ImageEditOptions};

    /// A memory file source that serves each fetched url at its `:remote/<n>/…` path.
    struct Fetched(MemFs, Vec<(String, String)>);

    impl FileSource for Fetched {
        fn read(&self, path: &str) -> Option<String> {
            self.0.read(path)
        }
        fn list(&self, dir: &str) -> Option<Vec<String>> {
            self.0.list(dir)
        }
        fn remote(&self, url: &str) -> Result<RemoteCopy, String> {
            let (_, path) = self
                .1
                .iter()
                .find(|(u, _)| u == url)
                .ok_or_else(|| "not fetched: pass --fetch-remote-bases".to_string())?;
            let root = path.split('/').take(2).collect::<Vec<_>>().join("/");
            Ok(RemoteCopy {
                root,
                path: path.clone(),
            })
        }
    }

    const WORKER: &str = "kind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n      - name: w\n        image: ghcr.io/acme/worker:1.0\n";
    const URL: &str = "https://github.com/acme/shared//worker?ref=v1";

    fn repo(extra: &[(&str, &str)]) -> MemFs {
        let mut files = vec![
            (
                "prod/kustomization.yaml",
                "resources:\n- https://github.com/acme/shared//worker?ref=v1\n",
            ),
            (
                ":remote/1/worker/kustomization.yaml",
                "resources:\n- deploy.yaml\n",
            ),
            (":remote/1/worker/deploy.yaml", WORKER),
        ];
        files.extend_from_slice(extra);
        crate::kustomize::overlay::memfs::fs(&files)
    }

    fn served(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect()
    }

    fn spec(s: &str) -> crate::kustomize::ImageSpec {
        parse_image_spec(s).unwrap()
    }

    #[test]
    fn a_fetched_base_is_followed_and_decides_names() {
        let f = Fetched(repo(&[]), served(&[(URL, ":remote/1/worker")]));
        let o = overlay_images(&f, "prod").unwrap();
        assert!(o.unchecked.is_empty(), "{:?}", o.unchecked);
        assert_eq!(o.images[0].image, "ghcr.io/acme/worker:1.0");
        assert_eq!(o.images[0].file, ":remote/1/worker/deploy.yaml");
        assert_eq!(
            check_image(&f, "prod", &spec("ghcr.io/acme/worker:2"))
                .unwrap()
                .len(),
            1
        );
        let e = check_image(&f, "prod", &spec("ghcr.io/acme/worke:2")).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::UnknownImage);
        assert!(e.to_string().contains("ghcr.io/acme/worker"), "{e}");
    }

    #[test]
    fn not_fetched_says_why_as_the_caller_gives_it() {
        let f = Fetched(repo(&[]), Vec::new());
        let out = image_edit(
            &f,
            "prod",
            "ghcr.io/acme/worke:2",
            &ImageEditOptions::default(),
        )
        .unwrap();
        assert_eq!(out.unchecked.len(), 1);
        assert_eq!(out.unchecked[0].what, URL);
        assert_eq!(
            out.unchecked[0].reason,
            "not fetched: pass --fetch-remote-bases"
        );
    }

    #[test]
    fn a_copy_is_confined_and_the_repository_cannot_reach_into_it() {
        // the copy's kustomization leaves the copy: kustomize refuses that, we report it
        let f = Fetched(
            repo(&[
                (
                    ":remote/1/escape/kustomization.yaml",
                    "resources:\n- ../../../prod/x.yaml\n",
                ),
                ("prod/x.yaml", WORKER),
            ]),
            served(&[(URL, ":remote/1/escape")]),
        );
        let o = overlay_images(&f, "prod").unwrap();
        assert!(o.images.is_empty());
        assert_eq!(o.unchecked.len(), 1);
        assert!(
            o.unchecked[0].reason.contains("does not build"),
            "{}",
            o.unchecked[0].reason
        );
        // a local path into a copy seen earlier reads nothing
        let f = Fetched(
            repo(&[("prod/kustomization.yaml", "resources:\n- https://github.com/acme/shared//worker?ref=v1\n- ../:remote/1/worker/deploy.yaml\n")]),
            served(&[(URL, ":remote/1/worker")]),
        );
        assert_eq!(
            overlay_images(&f, "prod").unwrap_err().kind(),
            crate::ErrorKind::NotFound
        );
    }

    #[test]
    fn nested_remote_bases_follow_the_same_rule_and_a_cycle_is_said() {
        let inner = "https://github.com/acme/inner//w?ref=v2";
        let f = Fetched(
            repo(&[
                (
                    ":remote/1/worker/kustomization.yaml",
                    "resources:\n- https://github.com/acme/inner//w?ref=v2\n",
                ),
                (":remote/2/w/kustomization.yaml", "resources:\n- d.yaml\n"),
                (":remote/2/w/d.yaml", WORKER),
            ]),
            served(&[(URL, ":remote/1/worker"), (inner, ":remote/2/w")]),
        );
        let o = overlay_images(&f, "prod").unwrap();
        assert!(o.unchecked.is_empty(), "{:?}", o.unchecked);
        assert_eq!(o.images[0].file, ":remote/2/w/d.yaml");
        // a base that includes itself is a cycle (kustomize refuses it too), and said
        let f = Fetched(
            repo(&[(
                ":remote/1/worker/kustomization.yaml",
                "resources:\n- https://github.com/acme/shared//worker?ref=v1\n",
            )]),
            served(&[(URL, ":remote/1/worker")]),
        );
        let o = overlay_images(&f, "prod").unwrap();
        assert_eq!(o.unchecked.len(), 1);
        assert!(
            o.unchecked[0].reason.contains("cycle"),
            "{}",
            o.unchecked[0].reason
        );
    }

    #[test]
    fn remote_bases_nested_deeper_than_the_limit_are_said() {
        let url = |i: usize| format!("https://github.com/acme/r{i}//k?ref=v1");
        let mut files = vec![(
            "prod/kustomization.yaml".to_string(),
            format!("resources:\n- {}\n", url(1)),
        )];
        let mut pairs = Vec::new();
        for i in 1..=7 {
            files.push((
                format!(":remote/{i}/k/kustomization.yaml"),
                format!("resources:\n- {}\n", url(i + 1)),
            ));
            pairs.push((url(i), format!(":remote/{i}/k")));
        }
        let f = Fetched(MemFs(files.into_iter().collect()), pairs);
        let o = overlay_images(&f, "prod").unwrap();
        assert_eq!(o.unchecked.len(), 1, "{:?}", o.unchecked);
        assert_eq!(o.unchecked[0].what, url(6));
        assert!(
            o.unchecked[0].reason.contains("nested more than 5 deep"),
            "{}",
            o.unchecked[0].reason
        );
    }
}
