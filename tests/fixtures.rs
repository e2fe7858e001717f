//! Edit cases as folders: `tests/fixtures/<case>/{input.yaml, args, expected.*}`.
//!
//! `args` holds one operation a line, in shell-like words:
//! `set PATH VALUE [--type T] [--create] [--all] [--select S]`, `remove PATH [...]`,
//! `append PATH VALUE [...]`, `get PATH [--all] [--select S]`. All lines are applied in order,
//! all or nothing. The case expects exactly one of:
//! - `expected.yaml`: the edited text, byte for byte;
//! - `expected.stderr`: the error's display (file name `input.yaml`);
//! - `expected.txt`: for `get`, one `path<TAB>type<TAB>value<TAB>line:column` line per match
//!   (a collection's value is its YAML document; `<TAB>via &anchor at line N` follows when
//!   the path went through an alias or merge key).
//!
//! `BLESS=1 cargo test --test fixtures` writes a missing expected file (review it!).

use std::fs;
use std::path::{Path, PathBuf};

use gitops_bump::{apply_edits, get_values, Edit, EditOp, GetOptions, ValueType};

/// Splits a line into words; `"…"` and `'…'` group (no escapes inside `'…'`, `\"` inside `"…"`).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut any = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                any = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                any = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('n') => cur.push('\n'),
                            Some('t') => cur.push('\t'),
                            Some(e) => cur.push(e),
                            None => {}
                        },
                        d => cur.push(d),
                    }
                }
            }
            ' ' | '\t' => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

enum Op {
    Edit(Edit),
    Get(String, GetOptions),
}

fn parse_line(line: &str) -> Op {
    let w = words(line);
    let mut pos = Vec::new();
    let (mut ty, mut create, mut all, mut select) = (ValueType::Auto, false, false, None);
    let mut i = 1;
    while i < w.len() {
        match w[i].as_str() {
            "--type" => {
                ty = ValueType::parse(&w[i + 1]).expect("type");
                i += 1;
            }
            "--create" => create = true,
            "--all" => all = true,
            "--select" => {
                select = Some(w[i + 1].clone());
                i += 1;
            }
            _ => pos.push(w[i].clone()),
        }
        i += 1;
    }
    let path = pos.first().cloned().unwrap_or_default();
    let value = pos.get(1).cloned().unwrap_or_default();
    let op = match w[0].as_str() {
        "get" => return Op::Get(path, GetOptions { all, select }),
        "set" => EditOp::Set { value, ty },
        "append" => EditOp::Append { value, ty },
        "remove" => EditOp::Remove,
        other => panic!("unknown op {other} in `{line}`"),
    };
    Op::Edit(Edit {
        path,
        op,
        create,
        all,
        select,
    })
}

fn run_case(dir: &Path) -> Result<(), String> {
    let input =
        fs::read_to_string(dir.join("input.yaml")).map_err(|e| format!("input.yaml: {e}"))?;
    let args = fs::read_to_string(dir.join("args")).map_err(|e| format!("args: {e}"))?;
    let ops: Vec<Op> = args
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(parse_line)
        .collect();
    let expected: Vec<&str> = ["expected.yaml", "expected.stderr", "expected.txt"]
        .into_iter()
        .filter(|f| dir.join(f).exists())
        .collect();
    let bless = std::env::var_os("BLESS").is_some();
    if expected.len() > 1 {
        return Err(format!("has {} expected files; keep one", expected.len()));
    }
    let (name, actual) = if let Some(Op::Get(path, opts)) = ops.first() {
        match get_values(&input, path, opts) {
            Ok(found) => (
                "expected.txt",
                found
                    .iter()
                    .map(|f| {
                        let via = f
                            .anchor
                            .as_ref()
                            .map(|(a, l)| format!("\tvia &{a} at line {l}"))
                            .unwrap_or_default();
                        format!(
                            "{}\t{}\t{}\t{}:{}{via}\n",
                            f.path,
                            f.kind,
                            f.value.as_deref().unwrap_or(&f.yaml),
                            f.line,
                            f.column
                        )
                    })
                    .collect::<String>(),
            ),
            Err(e) => ("expected.stderr", e.with_file("input.yaml").to_string()),
        }
    } else {
        let edits: Vec<Edit> = ops
            .into_iter()
            .map(|o| match o {
                Op::Edit(e) => e,
                Op::Get(..) => panic!("get must be the only line"),
            })
            .collect();
        match apply_edits(&input, &edits) {
            Ok(out) => ("expected.yaml", out.text),
            Err(e) => ("expected.stderr", e.with_file("input.yaml").to_string()),
        }
    };
    match expected.first() {
        None if bless => {
            fs::write(dir.join(name), &actual).map_err(|e| e.to_string())?;
            Ok(())
        }
        None => Err("has no expected file (BLESS=1 writes one)".into()),
        Some(&f) if f != name => Err(format!(
            "expected {f}, but the run produced {name}:\n{actual}"
        )),
        Some(&f) => {
            let want = fs::read_to_string(dir.join(f)).map_err(|e| e.to_string())?;
            if want == actual {
                Ok(())
            } else {
                Err(format!(
                    "{f} differs\n--- expected\n{want}\n--- actual\n{actual}"
                ))
            }
        }
    }
}

#[test]
fn every_fixture_case() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/fixtures")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for d in &dirs {
        if let Err(e) = run_case(d) {
            failures.push(format!("{}: {e}", d.file_name().unwrap().to_string_lossy()));
        }
    }
    println!("fixture cases run: {}", dirs.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
    assert!(
        dirs.len() >= 80,
        "expected at least 80 fixture cases, found {}",
        dirs.len()
    );
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(
        words(r#"set 'a["b.c"]' "x y" --create"#),
        vec!["set", "a[\"b.c\"]", "x y", "--create"]
    );
    assert_eq!(words("set a ''"), vec!["set", "a", ""]);
}
