//! Helm environments: a chart's defaults (when the chart lies in the repository) and the
//! environment's values layers, merged as Helm merges them, read the way charts render
//! images: `enabled` flags, `global.imageRegistry`, `digest`/`sha`, the `appVersion` a chart
//! falls back to for an empty tag, and the map and string shapes of `crate::helm::shapes`.

use crate::error::Error;
use crate::helm::env::{chart_dirs, chart_of, is_chart, reading, Reading};
use crate::helm::shapes::{references, Reference, Shape};
use crate::helm::values::{flatten, set_name, Key, Leaf, Merged};
use crate::helm::{app, values_root, LayerInfo};
use crate::kustomize::nodes::{get, get_str, line_of, str_list};
use crate::kustomize::{FileSource, ImageRef};
use crate::tree::{Node, Stream};

use super::{read, EnvImage, Environment};

/// One environment's values, layer by layer.
#[derive(Default)]
pub(super) struct Model {
    pub(super) merged: Merged,
    pub(super) infos: Vec<LayerInfo>,
    /// Each layer's file, and its text when the layer's offsets are offsets of that file
    /// (not of a `values: |` string inside it).
    pub(super) files: Vec<(String, Option<String>)>,
    /// The layer missing keys go to, when it is not simply the last editable one.
    pub(super) create_in: Option<usize>,
    chart: Option<String>,
    app_version: Option<String>,
    notes: Vec<String>,
}

impl Model {
    fn add(&mut self, file: &str, text: String, root: &Node, base: &str, editable: bool) {
        self.merged.merge(flatten(root, base, self.infos.len()));
        self.infos.push(LayerInfo {
            base: base.to_string(),
            editable,
            creatable: editable,
            label: file.to_string(),
        });
        self.files.push((file.to_string(), Some(text)));
    }

    /// Adds a values file as the next layer.
    fn add_file(&mut self, fs: &dyn FileSource, file: &str, editable: bool) -> Result<(), Error> {
        let text = read(fs, file)?;
        let stream = Stream::parse(&text).map_err(|e| e.with_file(file.to_string()))?;
        if let Some(root) = stream.docs.iter().find_map(|d| d.root.as_ref()) {
            self.add(file, text.clone(), root, "", editable);
        } else {
            self.infos.push(LayerInfo {
                base: String::new(),
                editable,
                creatable: editable,
                label: file.to_string(),
            });
            self.files.push((file.to_string(), Some(text)));
        }
        Ok(())
    }

    /// Reads chart `dir`: its `appVersion`, and its defaults as the first layer unless
    /// `defaults` is false (the chain names them itself).
    fn chart(&mut self, fs: &dyn FileSource, dir: &str, defaults: bool) -> Result<(), Error> {
        let at = |f: &str| super::join(dir, f).unwrap_or_else(|| f.to_string());
        self.chart = Some(dir.to_string());
        self.app_version = fs.read(&at("Chart.yaml")).and_then(|t| {
            let s = Stream::parse(&t).ok()?;
            let root = s.docs.into_iter().find_map(|d| d.root)?;
            get_str(&root, "appVersion").map(str::to_string)
        });
        if defaults {
            self.add_file(fs, &at("values.yaml"), false)?;
        }
        Ok(())
    }

    /// The file and line a leaf comes from.
    fn place(&self, leaf: &Leaf) -> (String, usize) {
        let (file, text) = &self.files[leaf.layer];
        (
            file.clone(),
            text.as_deref().map_or(1, |t| line_of(t, leaf.start)),
        )
    }
}

/// The first document root of `text`.
fn first_root(text: &str, file: &str) -> Result<Option<Node>, Error> {
    let stream = Stream::parse(text).map_err(|e| e.with_file(file.to_string()))?;
    Ok(stream.docs.into_iter().find_map(|d| d.root))
}

/// The model of a chain of values files: the chart they layer over (found as `image` and
/// `--scan` find it), then each file.
pub(super) fn chain_model(fs: &dyn FileSource, files: &[String]) -> Result<Model, Error> {
    let mut m = Model::default();
    let first = &files[0];
    let text = read(fs, first)?;
    let dir = first.rsplit_once('/').map_or("", |(d, _)| d);
    let charts = chart_dirs(fs, dir);
    if let Some(root) = first_root(&text, first)? {
        match reading(fs, &charts, first, &root, None) {
            Reading::ChartDefaults => {
                m.chart(fs, chart_of(&charts, first).unwrap_or(dir), false)?
            }
            // a file named after another chart (`envs/prod/redis.yaml`) does not layer over this one
            Reading::Over(chart) if named_for(first, &chart) => m.chart(fs, &chart, true)?,
            Reading::Over(_) => m.notes.push(format!(
                "no chart found for `{first}`: its defaults are not seen"
            )),
            Reading::Alone if !first.ends_with("values.yaml") || is_chart(fs, dir) => {
                m.notes.push(format!(
                    "no chart found for `{first}`: its defaults are not seen"
                ));
            }
            Reading::Alone => {}
        }
    }
    for f in files {
        m.add_file(fs, f, true)?;
    }
    Ok(m)
}

/// Whether values file `file` may be for chart folder `chart`: it is a `values*` file, or
/// its name or a folder of its path is the chart's name.
fn named_for(file: &str, chart: &str) -> bool {
    let name = chart.rsplit('/').next().unwrap_or(chart);
    let stem = file.rsplit('/').next().unwrap_or(file);
    let stem = stem.split('.').next().unwrap_or(stem);
    stem.starts_with("values") || file.split('/').any(|p| p == name) || stem == name
}

/// A chain of values files.
pub(super) fn chain_env(fs: &dyn FileSource, files: &[String]) -> Result<Environment, Error> {
    let m = chain_model(fs, files)?;
    let mut env = Environment {
        kind: "helm",
        files: files.to_vec(),
        images: Vec::new(),
        unchecked: Vec::new(),
    };
    add_images(&m, 0, &mut env);
    Ok(env)
}

/// The model of a Flux HelmRelease: its `spec.values` (the chart is not in the repository).
pub(super) fn release_model(file: &str, text: &str, release: &Node) -> Model {
    let mut m = Model::default();
    if let Some((values, base)) = values_root(release) {
        m.add(file, text.to_string(), values, base, true);
    }
    let chart = get(release, "spec")
        .and_then(|s| get(s, "chart"))
        .and_then(|c| get(c, "spec"))
        .and_then(|c| get_str(c, "chart"))
        .unwrap_or("?");
    m.notes.push(format!(
        "the chart `{chart}` is not read from this repository: its defaults are not seen; `valuesFrom` is not read"
    ));
    m
}

/// A Flux HelmRelease.
pub(super) fn release_env(file: &str, text: &str, release: &Node) -> Result<Environment, Error> {
    let m = release_model(file, text, release);
    let mut env = Environment {
        kind: "helm",
        files: vec![file.to_string()],
        images: Vec::new(),
        unchecked: Vec::new(),
    };
    add_images(&m, 0, &mut env);
    Ok(env)
}

/// The model of one Helm source of an Application (`file`): the chart's defaults when its
/// `path` is a chart of this repository, its value files (`$ref/…` ones read from this
/// repository), then the values the Application carries.
pub(super) fn app_model(
    fs: &dyn FileSource,
    file: &str,
    text: &str,
    path: &str,
    source: &Node,
) -> Result<Model, Error> {
    let mut m = Model::default();
    let chart_dir = get_str(source, "path")
        .and_then(|p| super::join("", p))
        .filter(|d| is_chart(fs, d));
    match (&chart_dir, get_str(source, "chart")) {
        (Some(dir), _) => m.chart(fs, dir, true)?,
        (None, chart) => m.notes.push(format!(
            "{path}: the chart `{}` is not in this repository: its defaults are not seen",
            chart.or_else(|| get_str(source, "path")).unwrap_or("?")
        )),
    }
    let helm = get(source, "helm");
    for vf in helm.map(|h| str_list(h, "valueFiles")).unwrap_or_default() {
        let found = match (vf.strip_prefix('$'), &chart_dir) {
            (Some(r), _) => r
                .split_once('/')
                .and_then(|(_, rest)| super::join("", rest)),
            (None, Some(dir)) => super::join(dir, vf),
            (None, None) => None,
        };
        match found.filter(|f| fs.read(f).is_some()) {
            Some(f) => m.add_file(fs, &f, true)?,
            None => m.notes.push(format!(
                "{path}: the value file `{vf}` is not a file of this repository: not seen"
            )),
        }
    }
    let before = m.infos.len();
    let (create_in, unreadable) = app::source_layers(path, source, &mut m.merged, &mut m.infos);
    for info in &m.infos[before..] {
        // only a `values: |` string is not editable; its offsets are not the file's
        m.files
            .push((file.to_string(), info.editable.then(|| text.to_string())));
    }
    m.create_in = create_in;
    if let Some(u) = unreadable {
        m.notes
            .push(format!("{path}.helm.values does not parse: {u}"));
    }
    Ok(m)
}

/// One Helm source of an Application, added to its environment.
pub(super) fn app_source_env(
    fs: &dyn FileSource,
    file: &str,
    text: &str,
    path: &str,
    index: usize,
    source: &Node,
    env: &mut Environment,
) -> Result<(), Error> {
    let m = app_model(fs, file, text, path, source)?;
    for ((f, _), info) in m.files.iter().zip(&m.infos) {
        if info.editable && !env.files.contains(f) {
            env.files.push(f.clone());
        }
    }
    add_images(&m, index, env);
    Ok(())
}

/// Whether a chart's template `if` reads `v` as false.
fn falsy(v: &str) -> bool {
    matches!(
        v.trim(),
        "" | "false" | "False" | "FALSE" | "0" | "null" | "~" | "no" | "No" | "off" | "Off"
    )
}

/// What the `enabled` flags above and at `key` say: `Some(false)` when one is false,
/// `Some(true)` when one is true and none false, `None` when there is none.
fn gate(m: &Merged, key: &[String]) -> Option<bool> {
    let mut out = None;
    for n in 1..=key.len() {
        let mut k = key[..n].to_vec();
        k.push("enabled".into());
        if let Some(v) = m.scalar(&k) {
            if falsy(v) {
                return Some(false);
            }
            out = Some(true);
        }
    }
    out
}

fn child(key: &[String], f: &str) -> Key {
    let mut k = key.to_vec();
    k.push(f.to_string());
    k
}

/// The leaf that decides reference `r`'s version (else its name).
fn deciding<'m>(m: &'m Merged, r: &Reference) -> Option<&'m Leaf> {
    match r.shape {
        Shape::Str => m.get(&r.key),
        Shape::Map(field) => ["digest", "sha", "tag", field]
            .into_iter()
            .filter_map(|f| {
                let l = m.get(&child(&r.key, f))?;
                let set = matches!(&l.value, crate::helm::values::Value::Scalar(s) if !s.trim().is_empty());
                set.then_some(l)
            })
            .next(),
    }
}

/// The images of model `m`, from source `source` of the environment, added to `env`.
pub(super) fn add_images(m: &Model, source: usize, env: &mut Environment) {
    let refs = references(&m.merged);
    let ungated = refs
        .iter()
        .filter(|r| gate(&m.merged, &r.key).is_none())
        .count();
    let mut named: Vec<Key> = Vec::new();
    for r in &refs {
        let gated = gate(&m.merged, &r.key);
        if gated == Some(false) {
            named.push(r.key.clone());
            continue; // a disabled component renders nothing
        }
        let at = set_name(&r.key);
        let mut why = Vec::new();
        if gated.is_none() && ungated > 1 && r.key != ["image"] && m.chart.is_some() {
            why.push(format!(
                "no `enabled` flag says whether the chart renders `{at}`"
            ));
        }
        if r.registry_unknown
            || (m.chart.is_none()
                && r.shape == Shape::Map("repository")
                && r.name == r.rendered
                && !r.name.contains(['.', ':']))
        {
            why.push(format!("`{at}` names no registry: the chart adds its own"));
        }
        let mut tag = r.tag.clone();
        if tag.is_none() {
            match (&m.app_version, &m.chart) {
                (Some(v), _) => {
                    why.push(format!(
                        "`{at}` has no tag: the chart's appVersion {v} is assumed (a chart may render it otherwise)"
                    ));
                    tag = Some(v.clone());
                }
                _ => why.push(format!("`{at}` has no tag: the chart decides it")),
            }
        }
        let (file, line) = deciding(&m.merged, r)
            .map(|l| m.place(l))
            .unwrap_or_else(|| (m.files.first().map(|f| f.0.clone()).unwrap_or_default(), 1));
        let image = ImageRef {
            name: r.rendered.clone(),
            tag,
            digest: r.digest.clone(),
        };
        // keyed by the Docker name, so `bitnami/redis` lines up with `docker.io/bitnami/redis`
        let mut img = EnvImage::new(crate::helm::shapes::normalize(&r.name), image, &file, line);
        if !why.is_empty() {
            img.undecided = Some(why.join("; "));
        }
        img.values = Some(at);
        img.helm = Some((source, r.key.clone()));
        named.push(r.key.clone());
        env.push(img);
    }
    env.unchecked.extend(m.notes.iter().cloned());
    if m.chart.is_none() {
        // a tag the values set for an image whose name only the chart knows
        for (k, l) in &m.merged.leaves {
            let (Some(last), crate::helm::values::Value::Scalar(v)) = (k.last(), &l.value) else {
                continue;
            };
            let parent = &k[..k.len() - 1];
            if last == "tag" && !named.iter().any(|n| n.as_slice() == parent) {
                env.unchecked.push(format!(
                    "`{}` = {v}: the image's name is the chart's, which is not seen",
                    set_name(k)
                ));
            }
        }
    }
}

/// The model source `index` of the environment `targets` names (see `super::environment`).
pub(super) fn model_for(
    fs: &dyn FileSource,
    targets: &[String],
    index: usize,
) -> Result<Model, Error> {
    if let [one] = targets {
        let text = read(fs, one)?;
        let stream = Stream::parse(&text).map_err(|e| e.with_file(one.clone()))?;
        for root in stream.docs.iter().filter_map(|d| d.root.as_ref()) {
            if crate::kustomize::is_application(root) {
                if let Some((path, source)) = app::sources(root).into_iter().nth(index) {
                    return app_model(fs, one, &text, &path, source);
                }
            }
            if crate::helm::is_helm_release(root) {
                return Ok(release_model(one, &text, root));
            }
        }
    }
    chain_model(fs, targets)
}
