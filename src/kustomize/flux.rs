//! Flux image setter markers: a field whose line ends in
//! `# {"$imagepolicy": "namespace:policy"}` holds the policy's whole image reference;
//! `…:policy:name`, `…:policy:tag` and `…:policy:digest` hold one part of it. The spec is
//! `namespace:policy=newName:newTag[@digest]` (`*` keeps a part).
//!
//! A marker is a comment on the field's own line; text inside a block scalar is not a
//! comment (Flux itself once got this wrong), which the syntax tree gets right by construction.

use crate::edit::{apply_edits, Edit, EditOp, Outcome};
use crate::error::{Error, ErrorKind};
use crate::scalar::ValueType;
use crate::tree::{Node, NodeKind, Stream};

use super::nodes::{backticked, child_path, line_of, scalar_end};
use super::spec::{ImageRef, ImageSpec, SpecField};

/// Which part of the image a marked field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerField {
    /// The whole reference `name:tag[@digest]`.
    Image,
    /// `:name`.
    Name,
    /// `:tag`.
    Tag,
    /// `:digest`.
    Digest,
}

/// A field marked for a Flux image policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// `namespace:name` of the ImageUpdatePolicy.
    pub policy: String,
    /// Which part of the image the field holds.
    pub field: MarkerField,
    /// The field's concrete key path.
    pub path: String,
    /// 0-based document index.
    pub doc: usize,
    /// 1-based line of the field's value.
    pub line: usize,
    /// The field's current value.
    pub value: String,
}

/// Parses the text of a line comment (after `#`) as a setter marker.
pub fn parse_marker(comment: &str) -> Option<(String, MarkerField)> {
    let c = comment.trim();
    if !c.starts_with('{') || !c.ends_with('}') || !c.contains("$imagepolicy") {
        return None;
    }
    let v: serde_yaml::Value = serde_yaml::from_str(c).ok()?;
    let r = v.get("$imagepolicy")?.as_str()?;
    let parts: Vec<&str> = r.split(':').collect();
    let (policy, field) = match parts.as_slice() {
        [ns, name, f] => (
            format!("{ns}:{name}"),
            match *f {
                "name" => MarkerField::Name,
                "tag" => MarkerField::Tag,
                "digest" => MarkerField::Digest,
                _ => return None,
            },
        ),
        _ => (r.to_string(), MarkerField::Image),
    };
    Some((policy, field))
}

/// Every marked field in `src`.
///
/// # Errors
/// `yaml-syntax` when `src` does not parse.
pub fn find_markers(src: &str) -> Result<Vec<Marker>, Error> {
    let stream = Stream::parse(src)?;
    let mut out = Vec::new();
    for doc in &stream.docs {
        if let Some(root) = &doc.root {
            walk(src, root, String::new(), doc.index, &mut out);
        }
    }
    Ok(out)
}

fn walk(src: &str, node: &Node, path: String, doc: usize, out: &mut Vec<Marker>) {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            for (k, v) in entries {
                walk(
                    src,
                    v,
                    child_path(&path, k.scalar().unwrap_or("")),
                    doc,
                    out,
                );
            }
        }
        NodeKind::Sequence { items, .. } => {
            for (i, item) in items.iter().enumerate() {
                walk(src, item, format!("{path}[{i}]"), doc, out);
            }
        }
        NodeKind::Scalar { value, style, .. } => {
            if matches!(
                style,
                crate::tree::ScalarStyle::Literal | crate::tree::ScalarStyle::Folded
            ) {
                return;
            }
            let rest = &src[scalar_end(src, node)..];
            let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
            let Some(comment) = line.trim_start().strip_prefix('#') else {
                return;
            };
            if let Some((policy, field)) = parse_marker(comment) {
                out.push(Marker {
                    policy,
                    field,
                    path,
                    doc,
                    line: line_of(src, node.start),
                    value: value.clone(),
                });
            }
        }
        NodeKind::Alias { .. } => {}
    }
}

/// Updates every field of `src` marked for the policy named in `spec`
/// (`namespace:policy=newName:newTag@digest`).
///
/// # Errors
/// `not-found` when no field carries a marker for that policy (the message lists the
/// policies that do appear); the edit engine's errors.
pub fn set_flux_image(src: &str, spec: &ImageSpec, file: Option<&str>) -> Result<Outcome, Error> {
    let markers = find_markers(src)?;
    let stream_docs = markers.iter().map(|m| m.doc).max().unwrap_or(0);
    let mut edits = Vec::new();
    for m in markers.iter().filter(|m| m.policy == spec.name) {
        let new = match m.field {
            MarkerField::Image => {
                let cur = ImageRef::split(&m.value);
                let name = match &spec.new_name {
                    SpecField::Set(n) => n.clone(),
                    _ => cur.name.clone(),
                };
                Some(
                    ImageRef {
                        name,
                        tag: spec.new_tag.resolve(cur.tag.as_deref()),
                        digest: spec.digest.resolve(cur.digest.as_deref()),
                    }
                    .to_string(),
                )
            }
            MarkerField::Name => spec.new_name.value().map(str::to_string),
            MarkerField::Tag => spec.new_tag.value().map(str::to_string),
            MarkerField::Digest => spec.digest.value().map(str::to_string),
        };
        if let Some(value) = new {
            edits.push(Edit {
                path: m.path.clone(),
                op: EditOp::Set {
                    value,
                    ty: ValueType::String,
                },
                create: false,
                all: false,
                select: (stream_docs > 0).then(|| m.doc.to_string()),
            });
        }
    }
    if edits.is_empty() {
        let mut policies: Vec<&str> = markers.iter().map(|m| m.policy.as_str()).collect();
        policies.sort_unstable();
        policies.dedup();
        let mut e = Error::new(
            ErrorKind::NotFound,
            format!("no field is marked for image policy `{}`", spec.name),
        )
        .found(if policies.is_empty() {
            "no $imagepolicy markers at all".to_string()
        } else {
            format!("markers for {}", backticked(&policies))
        });
        if let Some(h) = crate::error::did_you_mean(&spec.name, policies.iter().copied()) {
            e = e.hint(h);
        } else {
            e = e.hint(
                r#"mark a field with a comment such as # {"$imagepolicy": "flux-system:podinfo"}"#,
            );
        }
        if let Some(f) = file {
            e = e.with_file(f);
        }
        return Err(e);
    }
    apply_edits(src, &edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_markers() {
        assert_eq!(
            parse_marker(r#" {"$imagepolicy": "ns:p"}"#),
            Some(("ns:p".into(), MarkerField::Image))
        );
        assert_eq!(
            parse_marker(r#"{"$imagepolicy": "ns:p:tag"}"#),
            Some(("ns:p".into(), MarkerField::Tag))
        );
        assert_eq!(parse_marker("just a comment"), None);
        let src = "a:\n  b: 'x' # {\"$imagepolicy\": \"n:p\"}\n  c: |\n    d: y # {\"$imagepolicy\": \"n:p\"}\nl:\n- k: 1 # {\"$imagepolicy\": \"n:q:tag\"}\n";
        let m = find_markers(src).unwrap();
        assert_eq!(
            m.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(),
            ["a.b", "l[0].k"]
        );
        assert_eq!(m[1].line, 6);
    }
}
