//! Kustomize image edits (issue 3): the `edit set image` grammar, kustomization, Argo CD
//! and Flux targets, the overlay check and scan mode.

mod spec;

pub use spec::{check_digest, check_tag, image_matches, parse_image_spec, ImageEntry, ImageRef, ImageSpec, SpecField};
