//! Environments as Helm sees them: a chart's defaults (`<chart>/values.yaml`, beside a
//! `Chart.yaml`) with an environment's values file over them. An image edit for the
//! environment goes into the environment's file, the one that decides its render, even when
//! only the chart names the image; the chart's defaults are shared by every environment and
//! change only when asked (the target is inside the chart's folder).

use crate::edit::Edit;
use crate::error::Error;
use crate::tree::{Node, Stream};

use crate::kustomize::spec::ImageSpec;
use crate::kustomize::FileSource;

use super::shapes::{references, Shape};
use super::values::{flatten, Key, Merged};
use super::{plan, values_root, LayerInfo, Undecided};

/// Directories never searched for charts.
const SKIP_DIRS: [&str; 4] = [".git", "node_modules", "target", ".terraform"];

/// Folders whose subfolders are searched for charts beside a file's ancestors.
const CHART_PARENTS: [&str; 5] = ["charts", "helm", "chart", "deploy", "helm-charts"];

/// The chart folders (a `Chart.yaml` beside a `values.yaml`) near `start`: below it (a few
/// levels), and from its nearest ancestor that has any: the ancestor itself, its folders, and
/// the folders of its `charts/`, `helm/`, `chart/`, `deploy/`. Bounded, so that a root of
/// `/` (no git checkout) is never walked whole.
pub(crate) fn chart_dirs(fs: &dyn FileSource, start: &str) -> Vec<String> {
    let mut out = Vec::new();
    below(fs, start, &mut out, 0);
    let mut dir = start.to_string();
    for _ in 0..4 {
        let Some(parent) = parent_dir(&dir) else {
            break;
        };
        let before = out.len();
        near(fs, &parent, &mut out);
        dir = parent;
        if out.len() > before {
            break;
        }
    }
    out.sort();
    out.dedup();
    out
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn parent_dir(dir: &str) -> Option<String> {
    if dir.is_empty() {
        return None;
    }
    Some(
        dir.rfind('/')
            .map_or(String::new(), |i| dir[..i].to_string()),
    )
}

pub(crate) fn is_chart(fs: &dyn FileSource, dir: &str) -> bool {
    fs.list(dir).is_some_and(|e| {
        e.iter().any(|n| n == "Chart.yaml") && e.iter().any(|n| n == "values.yaml")
    })
}

fn subdirs(fs: &dyn FileSource, dir: &str) -> Vec<String> {
    fs.list(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.starts_with('.') && !SKIP_DIRS.contains(&n.as_str()))
        .map(|n| join(dir, &n))
        .filter(|p| fs.list(p).is_some())
        .collect()
}

fn below(fs: &dyn FileSource, dir: &str, out: &mut Vec<String>, depth: usize) {
    if is_chart(fs, dir) {
        out.push(dir.to_string());
        return; // subcharts under charts/ are the chart's business
    }
    if depth < 6 {
        for d in subdirs(fs, dir) {
            below(fs, &d, out, depth + 1);
        }
    }
}

fn near(fs: &dyn FileSource, dir: &str, out: &mut Vec<String>) {
    if is_chart(fs, dir) {
        out.push(dir.to_string());
    }
    for d in subdirs(fs, dir) {
        if is_chart(fs, &d) {
            out.push(d.clone());
        } else if CHART_PARENTS.contains(&d.rsplit('/').next().unwrap_or("")) {
            out.extend(subdirs(fs, &d).into_iter().filter(|c| is_chart(fs, c)));
        }
    }
}

/// The chart folder `file` lies in, if any.
pub(crate) fn chart_of<'c>(charts: &'c [String], file: &str) -> Option<&'c str> {
    charts
        .iter()
        .find(|c| c.is_empty() || file.starts_with(&format!("{c}/")))
        .map(String::as_str)
}

/// The defaults of chart `dir`, merged.
fn defaults(fs: &dyn FileSource, dir: &str) -> Option<Merged> {
    let file = if dir.is_empty() {
        "values.yaml".to_string()
    } else {
        format!("{dir}/values.yaml")
    };
    let text = fs.read(&file)?;
    let stream = Stream::parse(&text).ok()?;
    let root = stream.docs.into_iter().find_map(|d| d.root)?;
    let mut m = Merged::default();
    m.merge(flatten(&root, "", 0));
    Some(m)
}

/// The keys of one values document.
fn keys(values: &Node) -> Vec<Key> {
    let mut m = Merged::default();
    m.merge(flatten(values, "", 0));
    m.leaves.into_keys().collect()
}

/// Whether `env_keys` touch reference key `key` (a map's key is a prefix; a string's is equal).
fn touches(env_keys: &[Key], key: &[String], shape: Shape) -> bool {
    env_keys.iter().any(|k| match shape {
        Shape::Map(_) => k.len() > key.len() && k.starts_with(key),
        Shape::Str => k.as_slice() == key,
    })
}

/// The chart a values document outside every chart folder layers over: the one chart whose
/// defaults have an image reference under a key the document sets (`image.tag` over a
/// chart's `image` map) or a key the document sets; of several, the one whose folder name is a part of `file`'s path.
/// `None` when no chart, or more than one, fits.
fn overlaid_chart(
    fs: &dyn FileSource,
    charts: &[String],
    file: &str,
    env_keys: &[Key],
) -> Option<(String, Merged)> {
    let mut fits = Vec::new();
    for dir in charts {
        let Some(m) = defaults(fs, dir) else { continue };
        // It layers over the chart when it sets a key of an image reference there, or any
        // key the chart's defaults have (an environment that only sets `replicaCount`).
        if references(&m)
            .iter()
            .any(|r| touches(env_keys, &r.key, r.shape))
            || env_keys.iter().any(|k| {
                m.get(k)
                    .is_some_and(|l| l.value != super::values::Value::Map)
            })
        {
            fits.push((dir.clone(), m));
        }
    }
    if fits.len() > 1 {
        let parts: Vec<&str> = file
            .split('/')
            .map(|p| p.trim_end_matches(".yaml").trim_end_matches(".yml"))
            .collect();
        fits.retain(|(dir, _)| parts.contains(&dir.rsplit('/').next().unwrap_or(dir)));
    }
    if fits.len() == 1 {
        fits.pop()
    } else {
        None
    }
}

/// How a values file is read for an image edit.
pub(crate) enum Reading {
    /// The file alone (no chart it layers over is known).
    Alone,
    /// The defaults of a chart the target is outside of: not edited unless asked.
    ChartDefaults,
    /// Over the defaults of the chart in this folder.
    Over(String),
}

/// How `file` is read, given the chart folders of the repository and whether the command
/// asked for the chart's own defaults (its target is inside the chart's folder).
pub(crate) fn reading(
    fs: &dyn FileSource,
    charts: &[String],
    file: &str,
    values: &Node,
    asked_inside: Option<&str>,
) -> Reading {
    if let Some(dir) = chart_of(charts, file) {
        let own = if dir.is_empty() {
            "values.yaml".to_string()
        } else {
            format!("{dir}/values.yaml")
        };
        if file == own {
            let asked = asked_inside.is_some_and(|t| t == dir || chart_of(charts, t) == Some(dir));
            return if asked {
                Reading::Alone
            } else {
                Reading::ChartDefaults
            };
        }
        return Reading::Over(dir.to_string());
    }
    match overlaid_chart(fs, charts, file, &keys(values)) {
        Some((dir, _)) => Reading::Over(dir),
        None => Reading::Alone,
    }
}

/// The edits of values document `values` (of `file`) over the defaults of chart `dir`: every
/// reference `spec` names in the merged view goes into this file — where the file sets the
/// field, or added beside what it sets when only the chart does. With `touched_only`
/// (scan mode), only references the file itself sets a key of.
///
/// # Errors
/// `invalid-value` when a digest cannot be pinned (no digest field in the chart either).
#[allow(clippy::too_many_arguments)]
pub(crate) fn env_edits(
    fs: &dyn FileSource,
    src: &str,
    dir: &str,
    values: &Node,
    base: &str,
    spec: &ImageSpec,
    touched_only: bool,
    seen: &mut Vec<String>,
) -> Result<Vec<Edit>, Error> {
    let Some(mut m) = defaults(fs, dir) else {
        return Ok(Vec::new());
    };
    let env_keys = keys(values);
    m.merge(flatten(values, base, 1));
    seen.extend(references(&m).into_iter().map(|r| r.rendered));
    let layers = [
        LayerInfo {
            base: String::new(),
            editable: false,
            creatable: false,
            label: format!("{dir}/values.yaml"),
        },
        LayerInfo {
            base: base.to_string(),
            editable: true,
            creatable: true,
            label: "the environment's values".into(),
        },
    ];
    let keep = |key: &[String], shape: Shape| !touched_only || touches(&env_keys, key, shape);
    match plan(&m, &layers, Some(1), spec, &keep) {
        Ok(edits) => Ok(edits.into_iter().map(|(_, e)| e).collect()),
        Err(Undecided::Other(msg)) => Err(Error::new(crate::error::ErrorKind::InvalidValue, msg)
            .at(src, values.start..values.start + 1)
            .hint("give a tag, or add the chart's digest field to the values first")),
        Err(Undecided::Key { key, .. }) => Err(Error::new(
            crate::error::ErrorKind::InvalidValue,
            format!("cannot place `{}`", super::values::set_name(&key)),
        )),
    }
}

/// The values root of a document read as an environment file (a plain values file; a
/// HelmRelease's values are its own environment and do not layer over a local chart).
pub(crate) fn env_values(root: &Node) -> Option<&Node> {
    match values_root(root) {
        Some((v, "")) => Some(v),
        _ => None,
    }
}
