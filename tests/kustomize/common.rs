//! Helpers shared by the `kustomize_*` integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gitops_bump::FileSource;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus`, beside the clone.
pub fn corpus() -> PathBuf {
    repo().join("../shared/corpus")
}

/// `tests/kustomize/<rel>`.
pub fn data(rel: &str) -> PathBuf {
    repo().join("tests/kustomize").join(rel)
}

/// A [`FileSource`] over a directory of the real file system.
pub struct StdFs(pub PathBuf);

impl FileSource for StdFs {
    fn read(&self, path: &str) -> Option<String> {
        let p = self.0.join(path);
        if p.is_file() {
            std::fs::read_to_string(p).ok()
        } else {
            None
        }
    }
    fn list(&self, dir: &str) -> Option<Vec<String>> {
        let rd = std::fs::read_dir(self.0.join(dir)).ok()?;
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Some(names)
    }
}

/// A fresh temp directory under `tests/.tmp/` (ignored by git), removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = repo()
            .join("tests/.tmp")
            .join(format!("{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies directory `from` into `to` (files made writable).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::write(&dest, std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

/// The tool at `$env` (else `default`), or `None` when it is missing: then the test is
/// skipped, except under `CI=true`, where a missing tool fails it.
pub fn tool(env: &str, default: PathBuf, what: &str, version_args: &[&str]) -> Option<PathBuf> {
    let p = std::env::var_os(env).map(PathBuf::from).unwrap_or(default);
    if Command::new(&p)
        .args(version_args)
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{what} not found at {} (set {env}; scripts/setup installs it)",
            p.display()
        );
    }
    say(&format!(
        "SKIPPED: {what} not found at {} (set {env}; scripts/setup installs it)",
        p.display()
    ));
    None
}

/// The real kustomize CLI v5.5.0.
pub fn kustomize_bin() -> Option<PathBuf> {
    tool(
        "KUSTOMIZE_BIN",
        repo().join(".tools/bin/kustomize"),
        "kustomize CLI",
        &["version"],
    )
}

/// The renderer: `kubectl kustomize` when kubectl is there, else `kustomize build` of the
/// kustomize CLI v5.5.0 (the same engine). `None` (skip) when neither is; under `CI=true`
/// that fails.
pub fn renderer() -> Option<(PathBuf, &'static str)> {
    let kubectl = std::env::var_os("KUBECTL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("kubectl"));
    if Command::new(&kubectl)
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some((kubectl, "kustomize"));
    }
    kustomize_bin().map(|k| (k, "build"))
}

/// Writes a line to the real stderr, past the test harness' capture.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Every `image` of a `containers`/`initContainers` item anywhere in a rendered stream.
pub fn rendered_images(yaml: &str) -> Vec<String> {
    use serde::Deserialize;
    fn walk(v: &serde_yaml::Value, out: &mut Vec<String>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                for (k, v) in m {
                    walk(v, out);
                    if matches!(k.as_str(), Some("containers" | "initContainers")) {
                        for item in v.as_sequence().into_iter().flatten() {
                            if let Some(i) = item.get("image").and_then(|i| i.as_str()) {
                                out.push(i.to_string());
                            }
                        }
                    }
                }
            }
            serde_yaml::Value::Sequence(s) => s.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for d in serde_yaml::Deserializer::from_str(yaml) {
        let v = serde_yaml::Value::deserialize(d).unwrap();
        walk(&v, &mut out);
    }
    out
}

/// One reported change as a line: `set file:line path: old -> new`.
pub fn change_line(c: &gitops_bump::Change, file: &str) -> String {
    format!(
        "{} {file}:{} doc {} {}: {} -> {}\n",
        c.kind.as_str(),
        c.line,
        c.doc,
        c.path,
        c.old.as_deref().unwrap_or("-"),
        c.new.as_deref().unwrap_or("-")
    )
}
