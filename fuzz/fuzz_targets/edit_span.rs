//! Setting one scalar changes only its span; the output re-parses; `get` reads the value back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gitops_bump_fuzz::edit_span(data));
