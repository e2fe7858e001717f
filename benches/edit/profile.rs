//! `--profile FILE PATH VALUE [RUNS]`: one edit of one file, repeated, for a profiler
//! (`perf record`, `valgrind --tool=callgrind` on the bench binary); prints the time of each
//! part (saphyr-parser's events, serde_yaml's `Value`, libyaml's scan alone, the whole edit).
//! `ONLY=WORD` keeps the parts whose name holds the word.

use std::time::Instant;

use gitops_bump::{apply_edits, Edit};
use serde::Deserialize;

/// Times each part of one edit of one file: `--profile FILE PATH VALUE [RUNS]`.
pub fn run(args: &[String]) {
    let [file, path, value, rest @ ..] = args else {
        eprintln!("usage: cargo bench --bench edit -- --profile FILE PATH VALUE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(file).expect("read FILE");
    let mb = text.len() as f64 / 1e6;
    let part = |name: &str, op: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..runs {
            op();
        }
        let s = t.elapsed().as_secs_f64() / runs as f64;
        println!("{name:<24} {:>9.1} ms {:>8.1} MB/s", s * 1e3, mb / s);
    };
    let only = std::env::var("ONLY").unwrap_or_default();
    let part = |name: &str, op: &mut dyn FnMut()| {
        if only.is_empty() || name.contains(only.as_str()) {
            part(name, op)
        }
    };
    part("saphyr events", &mut || {
        let mut n = 0usize;
        for ev in saphyr_parser::Parser::new_from_str(&text) {
            ev.expect("parse");
            n += 1;
        }
        std::hint::black_box(n);
    });
    part("serde_yaml Value", &mut || {
        for d in serde_yaml::Deserializer::from_str(&text) {
            std::hint::black_box(serde_yaml::Value::deserialize(d).expect("parse"));
        }
    });
    part("serde_yaml IgnoredAny", &mut || {
        for d in serde_yaml::Deserializer::from_str(&text) {
            serde::de::IgnoredAny::deserialize(d).expect("parse");
        }
    });
    part("apply_edits", &mut || {
        let out = apply_edits(&text, &[Edit::set(path, value)]).expect("edit");
        std::hint::black_box(out);
    });
}
