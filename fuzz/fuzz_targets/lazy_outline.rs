//! The line pass that outlines large documents agrees with the parse; lazy edits equal eager ones.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gitops_bump_fuzz::lazy_outline(data));
