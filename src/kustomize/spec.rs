//! The image-spec grammar of `kustomize edit set image` (v5.5.0), image references
//! (`[host[:port]/]path[:tag][@digest]`), and how kustomize matches and merges them.
//!
//! ```text
//! name=newName:newTag@digest   name=newName:newTag   name=newName@digest   name=newName
//! name:newTag@digest           name:newTag           name@digest
//! ```
//!
//! `*` as newName, newTag or digest keeps the value the kustomization already has.

use crate::error::{Error, ErrorKind};

/// One field of an image spec: not given, `*` (keep the current value), or a new value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SpecField {
    /// Not in the spec: the field is cleared.
    #[default]
    Unset,
    /// `*`: the field keeps its current value.
    Keep,
    /// A new value.
    Set(String),
}

impl SpecField {
    /// The value after applying this field to `current`.
    pub fn resolve(&self, current: Option<&str>) -> Option<String> {
        match self {
            SpecField::Unset => None,
            SpecField::Keep => current.map(str::to_string),
            SpecField::Set(v) => Some(v.clone()),
        }
    }

    /// The new value when one is given.
    pub fn value(&self) -> Option<&str> {
        match self {
            SpecField::Set(v) => Some(v),
            _ => None,
        }
    }

    fn from_part(part: Option<&str>) -> SpecField {
        match part {
            None => SpecField::Unset,
            Some("*") => SpecField::Keep,
            Some(v) => SpecField::Set(v.to_string()),
        }
    }
}

/// A parsed image spec such as `api=ghcr.io/acme/api:1.2.3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    /// The image name the spec applies to (`name` in kustomization `images:`).
    pub name: String,
    /// `newName`; a spec without `=newName` keeps the current one (see docs/kustomize.md).
    pub new_name: SpecField,
    /// `newTag`.
    pub new_tag: SpecField,
    /// `digest`.
    pub digest: SpecField,
    /// Whether the spec had the `name=newName…` form.
    pub renames: bool,
    /// The spec as written.
    pub source: String,
}

/// One entry of a kustomization's `images:` list (the fields kustomize knows).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageEntry {
    /// `name`: the image name to match.
    pub name: String,
    /// `newName`.
    pub new_name: Option<String>,
    /// `newTag`.
    pub new_tag: Option<String>,
    /// `digest`.
    pub digest: Option<String>,
    /// `tagSuffix` (kept by the transformer; `edit set image` drops it).
    pub tag_suffix: Option<String>,
}

/// Serialized as `{ name, newName, newTag, digest }`: a value, `"*"` to keep, or `null`.
impl serde::Serialize for ImageSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ImageSpec", 4)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("newName", &field_text(&self.new_name))?;
        st.serialize_field("newTag", &field_text(&self.new_tag))?;
        st.serialize_field("digest", &field_text(&self.digest))?;
        st.end()
    }
}

impl ImageSpec {
    /// The entry that results from applying this spec to `current` (the existing entry with
    /// the same name, if any), with `kustomize edit set image` semantics: every field the
    /// spec gives replaces the current one, `*` keeps it, a field the spec leaves out is
    /// cleared (so a new tag clears a digest and a new digest clears a tag), and `tagSuffix`
    /// goes. The one difference: a spec without `=newName` keeps `newName`.
    pub fn apply_to(&self, current: Option<&ImageEntry>) -> ImageEntry {
        let cur = |f: fn(&ImageEntry) -> &Option<String>| current.and_then(|c| f(c).as_deref());
        ImageEntry {
            name: self.name.clone(),
            new_name: self.new_name.resolve(cur(|c| &c.new_name)),
            new_tag: self.new_tag.resolve(cur(|c| &c.new_tag)),
            digest: self.digest.resolve(cur(|c| &c.digest)),
            tag_suffix: None,
        }
    }

    /// The spec in the form kustomize itself would need for the same result
    /// (`name=*:tag` for `name:tag`): what the conformance tests hand to kustomize.
    pub fn kustomize_equivalent(&self) -> String {
        let mut s = self.name.clone();
        s.push('=');
        s.push_str(field_text(&self.new_name).unwrap_or(""));
        if let Some(t) = field_text(&self.new_tag) {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = field_text(&self.digest) {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

fn field_text(f: &SpecField) -> Option<&str> {
    match f {
        SpecField::Unset => None,
        SpecField::Keep => Some("*"),
        SpecField::Set(v) => Some(v),
    }
}

impl ImageEntry {
    /// The entry written as an image spec (`name=newName:newTag@digest`, or `name:newTag`
    /// when there is no newName): the form Argo CD keeps in `kustomize.images`.
    pub fn to_spec_string(&self) -> String {
        let mut s = self.name.clone();
        if let Some(n) = &self.new_name {
            s.push('=');
            s.push_str(n);
        }
        if let Some(t) = &self.new_tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The image the kustomize image transformer makes of `image` when this entry matches
    /// it, or `None` when it does not match.
    pub fn transform(&self, image: &str) -> Option<String> {
        if !image_matches(image, &self.name) {
            return None;
        }
        let r = ImageRef::split(image);
        let name = self.new_name.clone().unwrap_or(r.name);
        let (mut tag, mut digest) = (r.tag, r.digest);
        match (&self.new_tag, &self.digest, &self.tag_suffix) {
            (Some(t), Some(d), _) => {
                tag = Some(t.clone());
                digest = Some(d.clone());
            }
            (Some(t), None, _) => {
                tag = Some(t.clone());
                digest = None;
            }
            (None, Some(d), _) => {
                tag = None;
                digest = Some(d.clone());
            }
            (None, None, Some(suffix)) => {
                tag = Some(format!("{}{}", tag.unwrap_or_default(), suffix));
                digest = None;
            }
            (None, None, None) => {}
        }
        Some(ImageRef { name, tag, digest }.to_string())
    }
}

/// An image reference split the way kustomize splits it: `name[:tag][@digest]`, where a
/// `:` before the first `/` belongs to the registry's port.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageRef {
    /// Everything before the tag and digest, registry included.
    pub name: String,
    /// The tag, without `:`.
    pub tag: Option<String>,
    /// The digest, without `@`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits `image` into name, tag and digest exactly as kustomize's `image.Split` does
    /// (an empty tag or digest is `None`).
    pub fn split(image: &str) -> ImageRef {
        let (name, tag, digest) = split_parts(image);
        ImageRef {
            name: name.to_string(),
            tag: tag.filter(|t| !t.is_empty()).map(str::to_string),
            digest: digest.filter(|d| !d.is_empty()).map(str::to_string),
        }
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// kustomize's split: `(name, tag, digest)`, each separator present or not. The search for
/// `:` and `@` starts at the first `/` (when it is not the first character), so a
/// registry port is part of the name.
fn split_parts(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let from = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let rest = &image[from..];
    let at = rest.find('@').map(|i| i + from);
    let colon = rest.find(':').map(|i| i + from);
    match (colon, at) {
        (None, None) => (image, None, None),
        (c, Some(a)) if c.is_none_or(|c| a < c) => (&image[..a], None, Some(&image[a + 1..])),
        (Some(c), Some(a)) => (&image[..c], Some(&image[c + 1..a]), Some(&image[a + 1..])),
        (Some(c), None) => (&image[..c], Some(&image[c + 1..]), None),
        (None, Some(_)) => unreachable!(),
    }
}

/// Whether kustomize's image transformer treats container image `image` as an instance of
/// the `images:` entry named `name`: `image` is `name`, optionally followed by `:tag` (tag
/// characters `[A-Za-z0-9_.{}-]`) and `@sha256:…`. As in kustomize, where `name` is used
/// as a regular expression, a `.` in `name` matches any one character.
pub fn image_matches(image: &str, name: &str) -> bool {
    let (img, nm): (Vec<char>, Vec<char>) = (image.chars().collect(), name.chars().collect());
    if img.len() < nm.len() || nm.is_empty() {
        return false;
    }
    if !nm.iter().zip(&img).all(|(n, i)| *n == '.' || n == i) {
        return false;
    }
    let rest: String = img[nm.len()..].iter().collect();
    let tagc = |c: char| c.is_ascii_alphanumeric() || "_.{}-".contains(c);
    let mut r = rest.as_str();
    if let Some(t) = r.strip_prefix(':') {
        let end = t.find(|c: char| !tagc(c)).unwrap_or(t.len());
        r = &t[end..];
    }
    if r.is_empty() {
        return true;
    }
    match r.strip_prefix("@sha256:") {
        Some(d) => d.chars().all(tagc),
        None => false,
    }
}

/// The grammar, for error hints.
pub const GRAMMAR: &str =
    "use one of: name=newName:newTag@digest, name=newName:newTag, name=newName@digest, \
name=newName, name:newTag@digest, name:newTag, name@digest (`*` keeps a field)";

/// Parses an image spec in `kustomize edit set image` grammar.
///
/// # Errors
///
/// `image-spec` when the spec is not in the grammar, when the name is not an image name,
/// when the tag is not `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, or when the digest is not
/// `algorithm:hex` (64 hex digits for sha256, 128 for sha512).
pub fn parse_image_spec(spec: &str) -> Result<ImageSpec, Error> {
    parse_spec(spec, false)
}

/// Parses `spec`; with `policy_key`, the part before `=` is a Flux image policy
/// (`namespace:name`) rather than an image name, and `=` is required.
pub(crate) fn parse_spec(spec: &str, policy_key: bool) -> Result<ImageSpec, Error> {
    let err = |offset: usize, width: usize, msg: String| {
        Error::new(ErrorKind::ImageSpec, msg).at_path(spec, char_offset(spec, offset), width)
    };
    if spec.is_empty() {
        return Err(Error::new(ErrorKind::ImageSpec, "empty image spec").hint(GRAMMAR));
    }
    if let Some(i) = spec.find(|c: char| c.is_whitespace() || c.is_control()) {
        let c = spec[i..].chars().next().unwrap_or(' ');
        let shown = if c == ' ' {
            "a space".to_string()
        } else {
            format!("{:?}", c)
        };
        // Show the spec escaped, so that the frame stays on one line.
        let escaped: String = spec.escape_debug().collect();
        let at = spec[..i].escape_debug().count();
        return Err(Error::new(ErrorKind::ImageSpec, format!("image spec contains {shown}"))
            .at_path(&escaped, at, c.escape_debug().count())
            .hint("an image spec is one word, such as api=ghcr.io/acme/api:1.2.3; tags have no spaces or line breaks"));
    }
    let (key, value, value_at) = match spec.find('=') {
        Some(i) => (Some(&spec[..i]), &spec[i + 1..], i + 1),
        None => (None, spec, 0),
    };
    if policy_key && key.is_none() {
        return Err(err(0, spec.chars().count().max(1), format!("Flux image spec `{spec}` has no `=`"))
            .hint("write namespace:policy=newName:newTag, such as flux-system:podinfo=ghcr.io/acme/api:1.2.3"));
    }
    let (name, tag, digest) = split_parts(value);
    let tag_at = value_at + name.len() + 1;
    let digest_at = value_at + value.len() - digest.map_or(0, str::len);

    if key.is_none() && tag.is_none() && digest.is_none() {
        // `api:feature/x`: a `:` before the first `/` that is no port is a tag with a `/`.
        if let Some(c) = spec.find(':').filter(|&c| spec[..c].find('/').is_none()) {
            let after = &spec[c + 1..];
            let tag = &after[..after.find('@').unwrap_or(after.len())];
            if !tag
                .split('/')
                .next()
                .unwrap_or("")
                .chars()
                .all(|ch| ch.is_ascii_digit())
            {
                return Err(
                    err(c + 1, tag.chars().count(), format!("invalid tag `{tag}`")).hint(
                        "a tag cannot contain `/`; it is 1 to 128 letters, digits, `_`, `.` or `-`",
                    ),
                );
            }
        }
        return Err(err(
            0,
            spec.chars().count(),
            format!("image spec `{spec}` sets nothing"),
        )
        .found("a name without `:newTag`, `@digest` or `=newName`")
        .hint(GRAMMAR));
    }
    let (image_name, new_name) = match key {
        Some(k) => {
            if k.is_empty() {
                return Err(err(0, 1, "image spec has no name before `=`".into()).hint(GRAMMAR));
            }
            if value.contains('=') {
                let at = value_at + value.find('=').unwrap_or(0);
                return Err(err(at, 1, "image spec has more than one `=`".into()).hint(GRAMMAR));
            }
            if policy_key {
                if !k
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c))
                    || k.starts_with(':')
                    || k.ends_with(':')
                {
                    return Err(err(
                        0,
                        k.chars().count(),
                        format!("`{k}` is not an image policy name"),
                    )
                    .hint("write the policy as in the marker: namespace:name"));
                }
            } else {
                let (_, ktag, kdigest) = split_parts(k);
                if ktag.is_some() || kdigest.is_some() {
                    return Err(err(0, k.chars().count(), format!("the name `{k}` before `=` has a tag or digest"))
                        .hint("the name before `=` is the image name as the manifests write it, without `:tag` or `@digest`"));
                }
                check_name(k, "name").map_err(|m| err(0, k.chars().count(), m))?;
            }
            if name.is_empty() {
                return Err(err(
                    value_at.saturating_sub(1),
                    1,
                    "image spec has no new name after `=`".into(),
                )
                .hint("write `*` to keep the current newName: name=*:newTag"));
            }
            if name != "*" {
                check_name(name, "new name").map_err(|m| err(value_at, name.chars().count(), m))?;
            }
            (k, SpecField::from_part(Some(name)))
        }
        None => {
            check_name(name, "name").map_err(|m| err(0, name.chars().count().max(1), m))?;
            (name, SpecField::Keep)
        }
    };
    if let Some(t) = tag {
        if t != "*" {
            check_tag(t).map_err(|(m, h)| err(tag_at, t.chars().count().max(1), m).hint(h))?;
        }
    }
    if let Some(d) = digest {
        if d != "*" {
            check_digest(d)
                .map_err(|(m, h)| err(digest_at, d.chars().count().max(1), m).hint(h))?;
        }
    }
    Ok(ImageSpec {
        name: image_name.to_string(),
        new_name,
        new_tag: SpecField::from_part(tag),
        digest: SpecField::from_part(digest),
        renames: key.is_some(),
        source: spec.to_string(),
    })
}

fn char_offset(s: &str, byte: usize) -> usize {
    s[..byte.min(s.len())].chars().count()
}

/// An image name: `[host[:port]/]component(/component)*`, components of letters, digits,
/// `.`, `_` and `-`.
fn check_name(name: &str, what: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("empty image {what}"));
    }
    if name == "*" {
        return Err(format!("`*` cannot be the image {what}"));
    }
    let parts: Vec<&str> = name.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            return Err(format!("image {what} `{name}` has an empty path component"));
        }
        let (comp, port) = match part.split_once(':') {
            Some((h, p)) if i == 0 && parts.len() > 1 => (h, Some(p)),
            Some(_) => {
                return Err(format!(
                    "image {what} `{name}` has a `:` outside the registry host"
                ))
            }
            None => (*part, None),
        };
        if comp.is_empty()
            || !comp
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(format!("image {what} `{name}` has characters outside letters, digits, `.`, `_`, `-` and `/`"));
        }
        if let Some(p) = port {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!(
                    "image {what} `{name}` has a registry port that is not a number (a tag cannot contain `/`)"
                ));
            }
        }
    }
    Ok(())
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn check_tag(tag: &str) -> Result<(), (String, String)> {
    let help =
        "a tag is 1 to 128 letters, digits, `_`, `.` or `-`, and does not start with `.` or `-`"
            .to_string();
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && !tag.starts_with(['.', '-']);
    if ok {
        Ok(())
    } else if tag.is_empty() {
        Err((
            "empty tag in image spec".into(),
            "write `*` to keep the current tag, or leave out the `:`".into(),
        ))
    } else {
        Err((format!("invalid tag `{tag}`"), help))
    }
}

/// `algorithm:hex`: sha256 with 64 lowercase hex digits, sha512 with 128, any other
/// algorithm with at least 32.
pub fn check_digest(digest: &str) -> Result<(), (String, String)> {
    let help = "a digest is `sha256:` followed by 64 lowercase hex digits".to_string();
    let Some((algo, hex)) = digest.split_once(':') else {
        return Err((format!("invalid digest `{digest}`: no `algorithm:`"), help));
    };
    let algo_ok = !algo.is_empty()
        && algo
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c))
        && algo.starts_with(|c: char| c.is_ascii_alphanumeric());
    let hex_ok = hex
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    let len_ok = match algo {
        "sha256" => hex.len() == 64,
        "sha512" => hex.len() == 128,
        _ => hex.len() >= 32,
    };
    if algo_ok && hex_ok && len_ok {
        Ok(())
    } else if !algo_ok {
        Err((
            format!("invalid digest `{digest}`: bad algorithm `{algo}`"),
            help,
        ))
    } else if !hex_ok {
        Err((
            format!("invalid digest `{digest}`: not lowercase hex"),
            help,
        ))
    } else {
        Err((
            format!("invalid digest `{digest}`: {} hex digits", hex.len()),
            help,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3";

    fn set(v: &str) -> SpecField {
        SpecField::Set(v.into())
    }

    #[test]
    fn parses_every_form() {
        let p = |s: &str| parse_image_spec(s).unwrap();
        let s = p("api=ghcr.io/acme/api:1.2.3");
        assert_eq!(
            (s.name.as_str(), &s.new_name, &s.new_tag, &s.digest),
            (
                "api",
                &set("ghcr.io/acme/api"),
                &set("1.2.3"),
                &SpecField::Unset
            )
        );
        let s = p(&format!("api=reg/api:1@{D}"));
        assert_eq!((&s.new_tag, &s.digest), (&set("1"), &set(D)));
        let s = p(&format!("api=reg/api@{D}"));
        assert_eq!(
            (&s.new_name, &s.new_tag, &s.digest),
            (&set("reg/api"), &SpecField::Unset, &set(D))
        );
        let s = p("api=reg/api");
        assert_eq!(
            (&s.new_tag, &s.digest),
            (&SpecField::Unset, &SpecField::Unset)
        );
        let s = p("api:3.6");
        assert_eq!((&s.new_name, &s.new_tag), (&SpecField::Keep, &set("3.6")));
        let s = p(&format!("api@{D}"));
        assert_eq!((&s.new_tag, &s.digest), (&SpecField::Unset, &set(D)));
        let s = p(&format!("api:v1@{D}"));
        assert_eq!(
            (s.name.as_str(), &s.new_tag, &s.digest),
            ("api", &set("v1"), &set(D))
        );
        let s = p("localhost:5000/app:1.2");
        assert_eq!(
            (s.name.as_str(), &s.new_tag),
            ("localhost:5000/app", &set("1.2"))
        );
        let s = p("app=localhost:5000/team/app");
        assert_eq!(
            (&s.new_name, &s.new_tag),
            (&set("localhost:5000/team/app"), &SpecField::Unset)
        );
        let s = p("api=*:v2");
        assert_eq!((&s.new_name, &s.new_tag), (&SpecField::Keep, &set("v2")));
        let s = p("api=reg/api:*@*");
        assert_eq!(
            (&s.new_tag, &s.digest),
            (&SpecField::Keep, &SpecField::Keep)
        );
    }

    #[test]
    fn rejects_what_is_not_grammar() {
        for bad in [
            "",
            "api",
            "api:",
            "api=",
            "=api:1",
            "a=b=c",
            "api:1 0",
            "api:-1",
            "api:.1",
            "api:a/b",
            "api@sha256:zz",
            "api@sha256:abc",
            "api@md5",
            "api:1\"\n",
            "*:v1",
            "a:1=b:2",
            "api=*:",
            "api:{x}",
            "reg:x/app:1",
        ] {
            let e = parse_image_spec(bad).expect_err(bad);
            assert_eq!(e.kind(), ErrorKind::ImageSpec, "{bad}");
        }
        assert!(parse_image_spec(&format!("api:{}", "a".repeat(128))).is_ok());
        assert!(parse_image_spec(&format!("api:{}", "a".repeat(129))).is_err());
    }

    #[test]
    fn serializes_for_javascript() {
        let s = serde_yaml::to_string(&parse_image_spec("api=*:v2").unwrap()).unwrap();
        assert_eq!(s, "name: api\nnewName: '*'\nnewTag: v2\ndigest: null\n");
    }

    #[test]
    fn merges_like_kustomize() {
        let cur = ImageEntry {
            name: "api".into(),
            new_name: Some("reg/api".into()),
            new_tag: Some("1".into()),
            digest: Some(D.into()),
            tag_suffix: Some("-x".into()),
        };
        let r = parse_image_spec("api:2").unwrap().apply_to(Some(&cur));
        assert_eq!(
            (
                r.new_name.as_deref(),
                r.new_tag.as_deref(),
                r.digest,
                r.tag_suffix
            ),
            (Some("reg/api"), Some("2"), None, None)
        );
        let r = parse_image_spec("api=other").unwrap().apply_to(Some(&cur));
        assert_eq!((r.new_name.as_deref(), r.new_tag), (Some("other"), None));
        let r = parse_image_spec("api=*:*").unwrap().apply_to(Some(&cur));
        assert_eq!((r.new_tag.as_deref(), r.digest), (Some("1"), None));
        assert_eq!(
            parse_image_spec("api:2").unwrap().kustomize_equivalent(),
            "api=*:2"
        );
    }

    #[test]
    fn splits_and_matches_like_kustomize() {
        assert_eq!(
            ImageRef::split("localhost:5000/a/b:1@sha256:x").to_string(),
            "localhost:5000/a/b:1@sha256:x"
        );
        assert_eq!(ImageRef::split("localhost:5000/a/b").tag, None);
        assert_eq!(
            ImageRef::split("nginx@sha256:x").digest.as_deref(),
            Some("sha256:x")
        );
        assert!(image_matches("nginx", "nginx"));
        assert!(image_matches("nginx:1.7", "nginx"));
        assert!(image_matches(&format!("nginx:1@{D}"), "nginx"));
        assert!(!image_matches("nginx-x:1", "nginx"));
        assert!(!image_matches("reg/nginx:1", "nginx"));
        assert!(image_matches("gcrXio/a", "gcr.io/a"));
        let e = ImageEntry {
            name: "nginx".into(),
            new_tag: Some("2".into()),
            ..Default::default()
        };
        assert_eq!(
            e.transform(&format!("nginx:1@{D}")).as_deref(),
            Some("nginx:2")
        );
        let e = ImageEntry {
            name: "nginx".into(),
            tag_suffix: Some("-s".into()),
            ..Default::default()
        };
        assert_eq!(e.transform("nginx:1").as_deref(), Some("nginx:1-s"));
    }
}
