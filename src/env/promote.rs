//! Promotion: the edits of an environment's own files that make it run another
//! environment's version of one image. The caller (pkg/src/promote.js) picks the images,
//! applies the edits of several images one after the other, and checks the result by
//! reading the environment again.

use crate::edit::{apply_edits, Change, Edit};
use crate::error::{Error, ErrorKind};
use crate::helm::shapes::references;
use crate::helm::values::set_name;
use crate::helm::{plan, Undecided};
use crate::kustomize::{
    set_image, FileSource, ImageRef, ImageSpec, ImageTarget, SetImageOptions, SpecField,
};

use super::{environment, helm, read, Pending};

/// A file of the environment with its new text.
#[derive(Debug, Clone)]
pub struct EnvFile {
    /// The file, relative to the root.
    pub file: String,
    /// Its new text.
    pub text: String,
    /// What changed.
    pub changes: Vec<Change>,
}

fn refused(msg: String) -> Error {
    Error::new(ErrorKind::InvalidValue, msg)
}

/// The edits of environment `to`'s own files (those `from_files` does not list) that make
/// it run `want` for the image keyed `key`. `labels` name TO and FROM in messages.
///
/// # Errors
/// `usage` when TO runs no image `key`; `invalid-value` when no own file of TO can carry
/// the change (the message names where the deciding value lives), and the edit engine's
/// errors.
pub fn promote_image(
    fs: &dyn FileSource,
    to: &[String],
    from_files: &[String],
    key: &str,
    want: &str,
    labels: (&str, &str),
) -> Result<Vec<EnvFile>, Error> {
    let env = environment(fs, to)?;
    let Some(current) = env.image(key) else {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("{} runs no image `{key}`", labels.0),
        ));
    };
    let want = ImageRef::split(want);
    if let Some((source, at)) = &current.helm {
        return promote_values(fs, to, from_files, *source, at, &want, labels);
    }
    let file = env.files[0].clone();
    let text = read(fs, &file)?;
    if want.tag.is_none() && want.digest.is_none() {
        return Err(refused(format!(
            "cannot promote `{key}`: {want} has neither tag nor digest, which an image spec cannot express"
        )));
    }
    let version = format!(
        "{}{}",
        want.tag
            .as_ref()
            .map(|t| format!(":{t}"))
            .unwrap_or_default(),
        want.digest
            .as_ref()
            .map(|d| format!("@{d}"))
            .unwrap_or_default()
    );
    let opts = SetImageOptions {
        target: if env.kind == "argocd" {
            ImageTarget::ArgoCd
        } else {
            ImageTarget::Kustomization
        },
        file: Some(file.clone()),
    };
    // the version alone first: an entry's own newName (a mirror) stays as it is
    let mut last = String::new();
    for spec in [
        format!("{key}{version}"),
        format!("{key}={}{version}", want.name),
    ] {
        let out = match set_image(&text, &spec, &opts) {
            Ok(o) => o,
            Err(e) => {
                last = e.message().to_string();
                continue;
            }
        };
        let pending = Pending {
            fs,
            file: file.clone(),
            text: out.text.clone(),
        };
        let now = environment(&pending, to)?;
        match now.image(key) {
            Some(i) if i.image == want.to_string() => {
                return Ok(vec![EnvFile {
                    file,
                    text: out.text,
                    changes: out.changes,
                }])
            }
            Some(i) => last = i.image.clone(),
            None => last = "nothing".into(),
        }
    }
    Err(refused(format!(
        "cannot make {} run {want} for `{key}` by editing {file} (got {last})",
        labels.0
    )))
}

/// Promotion into Helm values: the fields that decide the image in TO's render are set in
/// TO's own layers (not shared with FROM), or added to TO's own file when only the chart
/// or a shared file sets them.
fn promote_values(
    fs: &dyn FileSource,
    to: &[String],
    from_files: &[String],
    source: usize,
    at: &[String],
    want: &ImageRef,
    labels: (&str, &str),
) -> Result<Vec<EnvFile>, Error> {
    let mut m = helm::model_for(fs, to, source)?;
    let Some(r) = references(&m.merged).into_iter().find(|r| r.key == at) else {
        return Ok(Vec::new());
    };
    for (info, (file, _)) in m.infos.iter_mut().zip(&m.files) {
        info.editable &= !from_files.contains(file);
        info.creatable &= info.editable;
    }
    let create_in = m
        .create_in
        .filter(|&i| m.infos[i].creatable)
        .or_else(|| m.infos.iter().rposition(|i| i.creatable));
    let field = |new: &Option<String>, old: &Option<String>, clear: bool| match new {
        Some(v) if Some(v) != old.as_ref() => SpecField::Set(v.clone()),
        None if clear && old.is_some() => SpecField::Unset,
        _ => SpecField::Keep,
    };
    // a digest to clear goes with a tag: the planner clears digests beside a new tag
    let clear = want.digest.is_none() && r.digest.is_some();
    let new_tag = match (&want.tag, clear) {
        (Some(t), true) => SpecField::Set(t.clone()),
        _ => field(&want.tag, &r.tag, false),
    };
    let spec = ImageSpec {
        name: r.name.clone(),
        new_name: SpecField::Keep,
        new_tag,
        digest: field(&want.digest, &r.digest, true),
        renames: false,
        source: want.to_string(),
    };
    let keep = |k: &[String], _| k == at;
    let edits = match plan(&m.merged, &m.infos, create_in, &spec, &keep) {
        Ok(e) => e,
        Err(Undecided::Other(msg)) => return Err(refused(msg)),
        Err(Undecided::Key { key, layer }) => {
            let (to_label, from_label) = labels;
            let lives = layer.map_or("the chart's defaults".to_string(), |l| m.files[l].0.clone());
            return Err(refused(format!(
                "{to_label} has no values file of its own: `{}` of `{}` lives in {lives}, which {from_label} reads too",
                set_name(&key),
                r.name
            ))
            .with_file(lives.clone())
            .hint(format!(
                "give {to_label} its own values file (TO=shared.yaml,own.yaml), or change {lives} on purpose with `gitops-bump set`"
            )));
        }
    };
    let mut by_file: Vec<(String, Vec<Edit>)> = Vec::new();
    for (layer, edit) in edits {
        let file = &m.files[layer].0;
        match by_file.iter_mut().find(|(f, _)| f == file) {
            Some((_, list)) => list.push(edit),
            None => by_file.push((file.clone(), vec![edit])),
        }
    }
    let mut out = Vec::new();
    for (file, edits) in by_file {
        let o = apply_edits(&read(fs, &file)?, &edits).map_err(|e| e.with_file(file.clone()))?;
        out.push(EnvFile {
            file,
            text: o.text,
            changes: o.changes,
        });
    }
    Ok(out)
}
