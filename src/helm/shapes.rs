//! The image shapes charts read from their values, found in a merged view, and what an
//! image spec changes in each.
//!
//! - a map with `repository` (and optional `registry`), and `tag`, `digest` or `sha`
//!   (bitnami, podinfo, kube-state-metrics; `sha` is the hex part of a sha256 digest);
//! - a map with `image` and `tag`/`digest`, its registry in `registry` or in
//!   `global.image.registry` (ingress-nginx, which also has `digestChroot`);
//! - a string `image: repo:tag` (sidecars, many small charts).
//!
//! Names compare as Docker does: `bitnami/redis` is `docker.io/bitnami/redis`, `nginx` is
//! `docker.io/library/nginx`. A non-empty `global.imageRegistry` replaces every map's
//! registry in the render (bitnami's convention); a reference matches by either name.

use crate::kustomize::spec::{ImageEntry, ImageRef, ImageSpec, SpecField};

use super::values::{Key, Merged, Value};

/// How a chart spells one image in its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A map; the field holding the name (`repository`, or `image` beside `registry`).
    Map(&'static str),
    /// A string holding a whole reference.
    Str,
}

/// One image reference in merged values.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    /// The map's key, or the string's.
    pub(crate) key: Key,
    pub(crate) shape: Shape,
    /// The name as the values spell it (`registry/repository`, or the string's name).
    pub(crate) name: String,
    /// The name as rendered under a non-empty `global.imageRegistry`.
    pub(crate) rendered: String,
    pub(crate) tag: Option<String>,
    pub(crate) digest: Option<String>,
    /// An `image:` map whose registry these values do not say (the chart adds one).
    pub(crate) registry_unknown: bool,
}

impl Reference {
    /// The reference as the chart would render it, when the chart renders what its values
    /// say (`name[:tag][@digest]`; an absent tag is the chart's choice, often `appVersion`).
    pub(crate) fn image(&self) -> String {
        ImageRef {
            name: self.rendered.clone(),
            tag: self.tag.clone(),
            digest: self.digest.clone(),
        }
        .to_string()
    }
}

/// `name` as Docker reads it: a first part without `.`, `:` or `localhost` is a Docker Hub
/// path, and a one-part Docker Hub path is under `library/`.
pub(crate) fn normalize(name: &str) -> String {
    let (host, rest) = match name.split_once('/') {
        Some((h, r)) if h.contains(['.', ':']) || h == "localhost" => (h, r.to_string()),
        _ => ("docker.io", name.to_string()),
    };
    let host = if host == "index.docker.io" {
        "docker.io"
    } else {
        host
    };
    if host == "docker.io" && !rest.contains('/') {
        format!("docker.io/library/{rest}")
    } else {
        format!("{host}/{rest}")
    }
}

/// Whether `spec_name` names reference `r`.
pub(crate) fn names(r: &Reference, spec_name: &str) -> bool {
    let want = normalize(spec_name);
    normalize(&r.name) == want
        || normalize(&r.rendered) == want
        || (r.registry_unknown
            && spec_name
                .split_once('/')
                .is_some_and(|(_, path)| path == r.name))
}

fn child(key: &[String], name: &str) -> Key {
    let mut k = key.to_vec();
    k.push(name.to_string());
    k
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).map(str::to_string)
}

fn plausible_ref(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(char::is_whitespace)
        && !s.contains("{{")
        && ImageRef::split(s)
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/:".contains(c))
}

/// Every image reference in `m`.
pub(crate) fn references(m: &Merged) -> Vec<Reference> {
    let global = non_empty(m.scalar(&["global".into(), "imageRegistry".into()]));
    // ingress-nginx: `global.image.registry` is the registry of every `image:` map.
    let global_image = non_empty(m.scalar(&["global".into(), "image".into(), "registry".into()]));
    let mut out = Vec::new();
    let mut maps: Vec<Key> = vec![Vec::new()];
    maps.extend(
        m.leaves
            .iter()
            .filter(|(_, l)| l.value == Value::Map)
            .map(|(k, _)| k.clone()),
    );
    let mut name_fields: Vec<Key> = Vec::new();
    for key in &maps {
        let s = |f: &str| non_empty(m.scalar(&child(key, f)));
        let has = |f: &str| m.scalar(&child(key, f)).is_some();
        let imageish = key
            .last()
            .is_some_and(|k| k.to_ascii_lowercase().contains("image"));
        let versioned = has("tag") || has("digest") || has("sha");
        let (field, path, registry) =
            if let Some(repo) = s("repository").filter(|_| imageish || versioned) {
                ("repository", repo, s("registry"))
            } else if let Some(img) =
                s("image").filter(|i| versioned && !i.contains([':', '@']) && plausible_ref(i))
            {
                ("image", img, s("registry").or_else(|| global_image.clone()))
            } else {
                continue;
            };
        name_fields.push(child(key, field));
        let name = match &registry {
            Some(r) => format!("{}/{path}", r.trim_end_matches('/')),
            None => path.clone(),
        };
        let rendered = match &global {
            Some(g) if field == "repository" => format!("{}/{path}", g.trim_end_matches('/')),
            _ => name.clone(),
        };
        let digest = s("digest")
            .or_else(|| s("sha").map(|h| format!("sha256:{}", h.trim_start_matches("sha256:"))));
        out.push(Reference {
            key: key.clone(),
            shape: Shape::Map(field),
            name,
            rendered,
            tag: s("tag"),
            digest,
            registry_unknown: field == "image" && registry.is_none(),
        });
    }
    for (key, leaf) in &m.leaves {
        let Value::Scalar(v) = &leaf.value else {
            continue;
        };
        if key.last().map(String::as_str) != Some("image")
            || name_fields.contains(key)
            || !plausible_ref(v)
        {
            continue;
        }
        let r = ImageRef::split(v);
        out.push(Reference {
            key: key.clone(),
            shape: Shape::Str,
            name: r.name.clone(),
            rendered: r.name,
            tag: r.tag,
            digest: r.digest,
            registry_unknown: false,
        });
    }
    out
}

/// What `spec` changes in reference `r`: `(key, new value)` pairs, including the digest
/// fields a new tag clears (an old digest beside a new tag keeps the old image running).
///
/// # Errors
/// A message when the spec pins a digest and the map has no digest field.
pub(crate) fn assignments(
    m: &Merged,
    r: &Reference,
    spec: &ImageSpec,
) -> Result<Vec<(Key, String)>, String> {
    let mut out = Vec::new();
    match r.shape {
        Shape::Str => {
            let Some(Value::Scalar(cur)) = m.get(&r.key).map(|l| &l.value) else {
                return Ok(out);
            };
            let name_len = ImageRef::split(cur).name.len();
            let as_named = format!("{}{}", spec.name, &cur[name_len..]);
            let entry = ImageEntry {
                name: spec.name.clone(),
                new_name: spec
                    .new_name
                    .value()
                    .map(str::to_string)
                    .or_else(|| Some(cur[..name_len].to_string())),
                new_tag: spec.new_tag.value().map(str::to_string),
                digest: spec.digest.value().map(str::to_string),
                tag_suffix: None,
            };
            let Some(new) = entry.transform(&as_named) else {
                return Ok(out);
            };
            let mut new = ImageRef::split(&new);
            let old = ImageRef::split(cur);
            if spec.new_tag == SpecField::Keep {
                new.tag = old.tag;
            }
            if spec.digest == SpecField::Keep {
                new.digest = old.digest;
            }
            out.push((r.key.clone(), new.to_string()));
        }
        Shape::Map(field) => {
            let k = |f: &str| child(&r.key, f);
            let present = |f: &str| m.scalar(&k(f)).is_some();
            if let SpecField::Set(new_name) = &spec.new_name {
                let split = new_name
                    .split_once('/')
                    .filter(|(h, _)| h.contains(['.', ':']) || *h == "localhost");
                match split {
                    Some((host, rest)) if present("registry") => {
                        out.push((k("registry"), host.to_string()));
                        out.push((k(field), rest.to_string()));
                    }
                    _ => out.push((k(field), new_name.clone())),
                }
            }
            if let Some(t) = spec.new_tag.value() {
                out.push((k("tag"), t.to_string()));
            }
            let digest_fields: Vec<&str> = ["digest", "sha", "digestChroot"]
                .into_iter()
                .filter(|f| present(f))
                .collect();
            match (&spec.digest, spec.new_tag.value()) {
                (SpecField::Set(d), _) => {
                    let Some(first) = digest_fields.first() else {
                        return Err(format!(
                            "`{}` has no `digest` (or `sha`) field to pin {d} in",
                            super::values::set_name(&r.key)
                        ));
                    };
                    for f in &digest_fields {
                        let v = if *f == "sha" {
                            d.trim_start_matches("sha256:").to_string()
                        } else {
                            d.clone()
                        };
                        if f == first || *f == "digestChroot" {
                            out.push((k(f), v));
                        }
                    }
                }
                (SpecField::Unset, Some(_)) => {
                    for f in digest_fields {
                        if non_empty(m.scalar(&k(f))).is_some() {
                            out.push((k(f), String::new()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::values::flatten;
    use super::*;
    use crate::kustomize::parse_image_spec;
    use crate::tree::Stream;

    fn refs(text: &str) -> (Merged, Vec<Reference>) {
        let s = Stream::parse(text).unwrap();
        let mut m = Merged::default();
        m.merge(flatten(s.docs[0].root.as_ref().unwrap(), "", 0));
        let r = references(&m);
        (m, r)
    }

    #[test]
    fn finds_the_shapes_charts_use() {
        let (_, r) = refs(concat!(
            "global:\n  imageRegistry: \"\"\n",
            "image:\n  registry: docker.io\n  repository: bitnami/redis\n  tag: 7.2.4\n  digest: \"\"\n",
            "controller:\n  image:\n    registry: registry.k8s.io\n    image: ingress-nginx/controller\n    tag: v1.10.0\n    digest: sha256:aa\n",
            "ksm:\n  image:\n    registry: registry.k8s.io\n    repository: kube-state-metrics/kube-state-metrics\n    tag: \"\"\n    sha: \"bb\"\n",
            "sidecars:\n- name: log\n  image: busybox:1.36\n",
        ));
        let got: Vec<String> = r.iter().map(Reference::image).collect();
        assert_eq!(
            got,
            [
                "registry.k8s.io/ingress-nginx/controller:v1.10.0@sha256:aa",
                "docker.io/bitnami/redis:7.2.4",
                "registry.k8s.io/kube-state-metrics/kube-state-metrics@sha256:bb",
                "busybox:1.36",
            ]
        );
        assert!(names(&r[1], "bitnami/redis"));
        assert!(names(&r[3], "docker.io/library/busybox"));
        assert!(!names(&r[3], "ghcr.io/busybox"));
    }

    #[test]
    fn a_new_tag_clears_the_digest_beside_it() {
        let (m, r) = refs("image:\n  repository: a/b\n  tag: v1\n  sha: cc\n");
        let a = assignments(&m, &r[0], &parse_image_spec("a/b:v2").unwrap()).unwrap();
        assert_eq!(
            a,
            [
                (vec!["image".into(), "tag".into()], "v2".into()),
                (vec!["image".into(), "sha".into()], String::new())
            ]
        );
        let d = format!("sha256:{}", "d".repeat(64));
        let a = assignments(
            &m,
            &r[0],
            &parse_image_spec(&format!("a/b:v2@{d}")).unwrap(),
        )
        .unwrap();
        assert_eq!(a[1].1, "d".repeat(64));
        let (m, r) = refs("image: nginx:1.25\n");
        let a = assignments(
            &m,
            &r[0],
            &parse_image_spec("docker.io/library/nginx:1.27").unwrap(),
        )
        .unwrap();
        assert_eq!(a[0].1, "nginx:1.27");
    }
}
