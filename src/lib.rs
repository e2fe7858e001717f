//! # gitops-bump core
//!
//! Byte-exact edits of YAML text: given a key path and a value, the new text differs from the
//! old one only in the bytes of that value (or, when creating, in the inserted lines). Every
//! edit is re-checked by an independent parser before it is returned.
//!
//! ```
//! use gitops_bump::{apply_edits, Edit};
//!
//! let src = "image:\n  repository: ghcr.io/acme/api  # pinned by CI\n  tag: \"1.9\"\n";
//! let out = apply_edits(src, &[Edit::set("image.tag", "1.10")]).unwrap();
//! assert_eq!(out.text, "image:\n  repository: ghcr.io/acme/api  # pinned by CI\n  tag: \"1.10\"\n");
//! ```
//!
//! ## Key paths
//!
//! `spec.template.spec.containers[name=api].image`: dotted keys, an optional leading `.`,
//! `[0]`/`.0` indexes and `[-1]` for the last item, `[key=value]` selectors (`[name="my api"]`),
//! `["app.kubernetes.io/name"]` for keys with dots, `[*]`/`.*` for every item, and a leading
//! `/` for an RFC 6901 JSON Pointer. A document selector (`kind=Deployment,metadata.name=api`
//! or an index) narrows multi-document files.
//!
//! ## Limitations
//!
//! - Edits cannot go through aliases or merge keys (`<<: *base`): that is an error naming the
//!   anchor, since an edit there would change every user of the anchor. Reading
//!   ([`get_values`]) goes through them and says where the anchor is.
//! - Collections nest at most [`MAX_DEPTH`] levels deep, in a file, in a key path and in what
//!   an edit writes; deeper input is a `too-deep` error before anything recurses.
//! - A mapping with the same key twice is refused (`yaml-syntax`, naming both lines).
//! - The self-check uses serde_yaml (libyaml); YAML that libyaml cannot read cannot be edited.
//! - Keys are matched as strings; complex keys (`? [a, b]`) cannot be addressed.
//! - A block scalar keeps its style only when the new value can be written in it (no leading
//!   blanks, at most one trailing line break); otherwise it becomes a double-quoted scalar.
//! - Inputs over 512 KB are parsed lazily. In a stream, a document is parsed only when every
//!   key and selector value of the path occurs in its text. In one document whose root is a
//!   block mapping or sequence, only the top-level entries the path leads into are parsed
//!   (and, below an entry over 64 KB whose key stands alone on its line, only the entries
//!   under it that the path leads into); the entries are found by a line pass that declines
//!   whenever it cannot be sure (a quote or bracket open at the end of a line, tabs, anchors,
//!   tags or aliases, line breaks other than `\n` and `\r\n`, a byte order mark, and
//!   more). A syntax error or a repeated key in what is not parsed is not reported. A key
//!   written with escapes (`"\x61pp"`) or `''` is not seen by the text filter; a miss falls
//!   back to a full parse, so it can only hide an ambiguity (the same path spelled that way
//!   elsewhere).
//! - The self-check of a one-document text re-reads only the top-level entries an edit
//!   changed, when the line pass finds exactly the entries the parse does: the rest of the
//!   text is unchanged byte for byte, and each such entry holds whole lines, so it reads the
//!   same alone as in place.
//! - An explicit key with no `:` (`? a`) cannot be given a value.

#![warn(missing_docs)]

mod edit;
mod env;
mod error;
mod get;
mod helm;
mod hint;
mod kustomize;
mod locate;
mod outline;
mod patch;
mod path;
mod scalar;
mod schema;
mod tree;
mod verify;

#[cfg(target_arch = "wasm32")]
mod heap;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use crate::edit::{
    apply_edits, apply_edits_lazy_from, Change, ChangeKind, Edit, EditOp, Outcome,
};
pub use crate::env::{environment, promote_image, EnvFile, EnvImage, Environment};
pub use crate::error::{Error, ErrorKind};
pub use crate::get::{get_values, Found, GetOptions};
pub use crate::helm::{set_values_image, tag_companions, values_images, ValuesImage};
pub use crate::hint::{hint_options, render_hint, HINT_OPTIONS};
pub use crate::kustomize::{
    check_image, check_in, detect_target, find_markers, image_edit, kustomization_file,
    manifest_images, overlay_images, parse_argocd_image, parse_image_spec, parse_marker,
    scan_image, set_argocd_image, set_argocd_source_image, set_flux_image, set_image,
    set_kustomization_image, FileSource, ImageEdit, ImageEditOptions, ImageEntry, ImageRef,
    ImageSpec, ImageTarget, Marker, MarkerField, Overlay, OverlayImage, RemoteCopy, ScanFile,
    ScanResult, SetImageOptions, SpecField, Unchecked, KUSTOMIZATION_FILE_NAMES,
};
pub use crate::patch::{apply_patches, Patch};

/// Where each top-level entry (or item) of a one-document text starts, as the line pass that
/// lets large documents be parsed lazily sees it; `None` when it declines. For tests and
/// fuzzing, which check it against the parse.
#[doc(hidden)]
pub fn outline_starts(src: &str) -> Option<Vec<usize>> {
    outline::outline(src).map(|o| o.pieces.iter().map(|r| r.start).collect())
}
pub use crate::path::{DocSelector, Path, Segment, SegmentKind};
pub use crate::scalar::{
    double_quoted, is_ambiguous, render_scalar, render_string, Context, ValueType,
};
pub use crate::tree::{Document, Node, NodeKind, ScalarStyle, Stream, MAX_DEPTH};

/// The README's Rust example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Where the parse puts each top-level entry's (or item's) first line, when a one-document
/// text's root is a block mapping or sequence: what [`outline_starts`] must find. For tests
/// and fuzzing, which compare the two.
#[doc(hidden)]
pub fn parsed_starts(src: &str) -> Option<Vec<usize>> {
    let line_start = |at: usize| src[..at].rfind('\n').map_or(0, |i| i + 1);
    // The last line at or before `at` whose first non-blank is a `-` indicator: the line of
    // the item whose node (or implicit null) the parser puts at `at`.
    let dash_line = |at: usize| {
        let mut end = at.min(src.len());
        loop {
            let ls = line_start(end);
            let rest = src[ls..].trim_start_matches(' ');
            if rest.starts_with('-')
                && matches!(rest.as_bytes().get(1), None | Some(b' ' | b'\n' | b'\r'))
            {
                return ls;
            }
            if ls == 0 {
                return 0;
            }
            end = ls - 1;
        }
    };
    let stream = Stream::parse(src).ok()?;
    let [doc] = stream.docs.as_slice() else {
        return None;
    };
    match &doc.root.as_ref()?.kind {
        NodeKind::Mapping {
            entries,
            flow: false,
        } => Some(
            entries
                .iter()
                .map(|(k, _)| line_start(k.props_start))
                .collect(),
        ),
        NodeKind::Sequence { items, flow: false } => {
            Some(items.iter().map(|i| dash_line(i.props_start)).collect())
        }
        _ => None,
    }
}

/// The `lazy_from` of [`apply_edits_lazy_from`] that parses nothing lazily and checks whole
/// documents, never entry by entry. Tests and fuzzing compare it with the default.
#[doc(hidden)]
pub const WHOLE_DOCUMENTS: usize = usize::MAX;
