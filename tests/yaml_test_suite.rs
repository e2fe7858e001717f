//! The yaml-test-suite (`../shared/corpus/yaml-test-suite/`), as its own test target:
//! every valid case parses, round-trips byte for byte, and every scalar edit in it is verified;
//! every error case is rejected. Cases that cannot pass are listed, with the reason, in
//! `tests/yaml-test-suite.skip`; a listed case that starts passing fails the run, so the list
//! stays true.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gitops_bump::{apply_edits, Stream};
use support::{corpus_dir, sweep, walk};

fn check(dir: &Path) -> Result<usize, String> {
    let src = std::fs::read_to_string(dir.join("in.yaml")).map_err(|e| format!("in.yaml: {e}"))?;
    let must_fail = dir.join("error").exists();
    let parsed = Stream::parse(&src);
    if must_fail {
        return match parsed {
            Ok(_) => Err("error case accepted".into()),
            Err(_) => Ok(0),
        };
    }
    if let Err(e) = parsed {
        return Err(format!("valid case rejected: {}", e.message()));
    }
    match apply_edits(&src, &[]) {
        Ok(o) if o.text == src => {}
        _ => return Err("identity round trip changed bytes".into()),
    }
    sweep(&src)
        .map(|s| s.edits)
        .map_err(|e| e.into_iter().next().unwrap_or_default())
}

fn main() {
    let root = corpus_dir().join("yaml-test-suite");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut cases: Vec<PathBuf> = files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "in.yaml"))
        .map(|p| p.parent().unwrap().to_path_buf())
        .collect();
    cases.sort();
    let skip_file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/yaml-test-suite.skip");
    let skip: BTreeMap<String, String> = std::fs::read_to_string(&skip_file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, why) = l.split_once(' ').unwrap_or((l, ""));
            (id.to_string(), why.trim().to_string())
        })
        .collect();
    let (mut passed, mut failed, mut skipped, mut edits) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for dir in &cases {
        let id = dir.strip_prefix(&root).unwrap().display().to_string();
        let result =
            std::panic::catch_unwind(|| check(dir)).unwrap_or_else(|_| Err("panicked".into()));
        match (result, skip.get(&id)) {
            (Ok(n), None) => {
                passed += 1;
                edits += n;
            }
            (Ok(_), Some(_)) => {
                failed += 1;
                problems.push(format!(
                    "{id}: passes now; remove it from tests/yaml-test-suite.skip"
                ));
            }
            (Err(_), Some(why)) => {
                skipped += 1;
                println!("skip {id}: {why}");
            }
            (Err(e), None) => {
                failed += 1;
                problems.push(format!("{id}: {e}"));
            }
        }
    }
    for p in &problems {
        println!("FAIL {p}");
    }
    let total = cases.len();
    println!("yaml-test-suite: {total} cases, {passed} pass, {skipped} skipped (listed), {edits} scalar edits verified; pass rate {:.1}%", 100.0 * passed as f64 / total as f64);
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        std::process::exit(1);
    }
}
