//! Kustomize image edits (issue 3): the `edit set image` grammar, kustomization, Argo CD
//! and Flux targets, the overlay check and scan mode.

mod nodes;
mod overlay;
mod spec;

pub use overlay::{check_image, check_in, kustomization_file, manifest_images, overlay_images, FileSource, Overlay, OverlayImage, KUSTOMIZATION_FILE_NAMES};
pub use spec::{check_digest, check_tag, image_matches, parse_image_spec, ImageEntry, ImageRef, ImageSpec, SpecField};
