//! No text, path, value or selector makes the core panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gitops_bump_fuzz::no_panic(data));
