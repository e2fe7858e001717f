//! The real-world corpus (`../shared/corpus/real/`): every file parses, round-trips byte for
//! byte, and every scalar in it can be set (to a new string and to a new value of its own
//! type) with only that scalar's bytes changing, the self-check passing, and `get` agreeing.

mod support;

use std::sync::Mutex;

use gitops_bump::{apply_edits, Stream};
use support::{assert_none_failed, corpus_dir, read_corpus_file, real_yaml_files, sweep, Stats};

#[test]
fn every_scalar_of_every_real_file() {
    let files = real_yaml_files();
    assert!(
        files.len() >= 120,
        "expected the 120 corpus YAML files, found {}",
        files.len()
    );
    let total = Mutex::new(Stats::default());
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(path) = files.get(i) else { break };
                let (src, rel) = read_corpus_file(path);
                // (a) parse and identity
                let stream = match Stream::parse(&src) {
                    Ok(s) => s,
                    Err(e) => {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{rel}: does not parse: {e}"));
                        continue;
                    }
                };
                let mut at = 0;
                for d in &stream.docs {
                    if d.range.start != at {
                        failures.lock().unwrap().push(format!(
                            "{rel}: document {} does not start where the previous ended",
                            d.index
                        ));
                    }
                    at = d.range.end;
                }
                if !stream.docs.is_empty() && at != src.len() {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{rel}: documents do not cover the file"));
                }
                match apply_edits(&src, &[]) {
                    Ok(o) if o.text == src => {}
                    _ => failures
                        .lock()
                        .unwrap()
                        .push(format!("{rel}: identity round trip changed bytes")),
                }
                // (b) every scalar
                match sweep(&src) {
                    Ok(st) => *total.lock().unwrap() += st,
                    Err(errs) => failures
                        .lock()
                        .unwrap()
                        .extend(errs.into_iter().take(5).map(|e| format!("{rel}: {e}"))),
                }
            });
        }
    });
    let total = total.into_inner().unwrap();
    let failures = failures.into_inner().unwrap();
    println!(
        "corpus: {} files, {} scalars, {} edits checked",
        files.len(),
        total.scalars,
        total.edits
    );
    assert_none_failed(&failures);
    assert!(
        total.edits > 10_000,
        "expected tens of thousands of edits, checked {}",
        total.edits
    );
}

/// A byte order mark in front of a file changes nothing: a sample of the corpus (every third
/// file under 40 KB), each with a BOM prepended, has every scalar edited as above.
#[test]
fn every_scalar_of_corpus_files_with_a_bom() {
    let mut files = real_yaml_files();
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        name != "Kustomization" && std::fs::metadata(p).is_ok_and(|m| m.len() < 40_000)
    });
    let sample: Vec<_> = files.into_iter().step_by(3).collect();
    let mut total = Stats::default();
    let mut failures = Vec::new();
    for path in &sample {
        let src = std::fs::read_to_string(path).unwrap();
        if src.starts_with('\u{feff}') {
            continue;
        }
        let with_bom = format!("\u{feff}{src}");
        let rel = path.strip_prefix(corpus_dir()).unwrap().display();
        match apply_edits(&with_bom, &[]) {
            Ok(o) if o.text == with_bom => {}
            _ => failures.push(format!("{rel}: identity round trip changed bytes")),
        }
        match sweep(&with_bom) {
            Ok(st) => total += st,
            Err(errs) => failures.extend(errs.into_iter().take(3).map(|e| format!("{rel}: {e}"))),
        }
    }
    println!(
        "corpus with a BOM: {} files, {} edits checked",
        sample.len(),
        total.edits
    );
    assert_none_failed(&failures);
    assert!(sample.len() >= 25, "sampled only {} files", sample.len());
    assert!(total.edits > 1_000, "checked only {} edits", total.edits);
}
