//! `#[wasm_bindgen]` shims: convert JS values to core types and back, nothing else.
//!
//! Positions crossing the boundary: `line`/`column` are 1-based, columns count characters;
//! `start`/`end` are UTF-8 byte offsets of the YAML text.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::{
    check_image, image_edit, overlay_images, parse_image_spec, scan_image, set_image, FileSource,
    ImageEditOptions, ImageTarget, RemoteCopy, SetImageOptions, Unchecked,
};

use crate::{
    apply_edits, get_values, Change, Edit, EditOp, Error, Found, GetOptions, Outcome, ValueType,
};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Turns a core error into a JS `Error` carrying the same fields.
pub(crate) fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str(k), &v);
    };
    set("kind", JsValue::from_str(e.kind().as_str()));
    set("detail", JsValue::from_str(e.message()));
    let opt_str = |v: Option<&str>| v.map_or(JsValue::NULL, JsValue::from_str);
    let opt_num = |v: Option<usize>| v.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64));
    set("line", opt_num(e.line()));
    set("column", opt_num(e.column()));
    set("segment", opt_str(e.path_segment()));
    set("found", opt_str(e.found_instead()));
    set("hint", opt_str(e.help()));
    // The hint with its option placeholders and the options it names, for each front end
    // to word in its own vocabulary (pkg/src/hints.js).
    set("hintTemplate", opt_str(e.hint_template()));
    let options = js_sys::Array::new();
    for id in e.hint_options() {
        options.push(&JsValue::from_str(id));
    }
    set("options", options.into());
    set("file", opt_str(e.file()));
    err.into()
}

pub(crate) fn usage(msg: String) -> JsValue {
    js_error(&Error::new(crate::ErrorKind::Usage, msg))
}

pub(crate) fn from_js<T: for<'de> Deserialize<'de> + Default>(v: JsValue) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| usage(format!("bad options: {e}")))
}

pub(crate) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| usage(e.to_string()))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct EditOptions {
    #[serde(rename = "type")]
    ty: Option<String>,
    create: bool,
    all: bool,
    select: Option<String>,
    file: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JsEdit {
    op: Option<String>,
    path: String,
    value: Option<serde_yaml::Value>,
    #[serde(rename = "type")]
    ty: Option<String>,
    create: bool,
    all: bool,
    select: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct JsChange<'a> {
    path: &'a str,
    doc: usize,
    line: usize,
    column: usize,
    old: Option<&'a str>,
    new: Option<&'a str>,
    kind: &'static str,
    #[serde(rename = "oldType")]
    old_type: Option<&'static str>,
    #[serde(rename = "newType")]
    new_type: Option<&'static str>,
    /// Paths that read the changed value through an alias (they change with it).
    aliases: &'a [String],
}

#[derive(Serialize)]
pub(crate) struct JsOutcome<'a> {
    text: &'a str,
    changed: bool,
    changes: Vec<JsChange<'a>>,
}

pub(crate) fn changes_js(changes: &[Change]) -> Vec<JsChange<'_>> {
    changes
        .iter()
        .map(|c| JsChange {
            path: &c.path,
            doc: c.doc,
            line: c.line,
            column: c.column,
            old: c.old.as_deref(),
            new: c.new.as_deref(),
            kind: c.kind.as_str(),
            old_type: c.old_type,
            new_type: c.new_type,
            aliases: &c.aliases,
        })
        .collect()
}

pub(crate) fn outcome_js(o: &Outcome) -> Result<JsValue, JsValue> {
    to_js(&JsOutcome {
        text: &o.text,
        changed: o.changed(),
        changes: changes_js(&o.changes),
    })
}

fn with_file(e: Error, file: &Option<String>) -> JsValue {
    match file {
        Some(f) => js_error(&e.with_file(f.clone())),
        None => js_error(&e),
    }
}

fn value_type(t: &Option<String>) -> Result<ValueType, Error> {
    t.as_deref().map_or(Ok(ValueType::Auto), ValueType::parse)
}

/// A JS value as edit text: strings as they are, anything else as YAML.
fn value_text(v: &serde_yaml::Value, ty: &Option<String>) -> (String, Option<String>) {
    match v {
        serde_yaml::Value::String(s) => (s.clone(), ty.clone()),
        other => {
            let text = crate::scalar::render_flow_value(other);
            (text, Some(ty.clone().unwrap_or_else(|| "yaml".into())))
        }
    }
}

/// `setValue(text, path, value, {type, create, all, select, file})` → `{text, changed, changes}`.
#[wasm_bindgen(js_name = setValue)]
pub fn set_value(
    text: &str,
    path: &str,
    value: &str,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: EditOptions = from_js(options)?;
    let ty = value_type(&o.ty).map_err(|e| with_file(e, &o.file))?;
    let edit = Edit {
        path: path.to_string(),
        op: EditOp::Set {
            value: value.to_string(),
            ty,
        },
        create: o.create,
        all: o.all,
        select: o.select.clone(),
    };
    apply_edits(text, &[edit])
        .map_err(|e| with_file(e, &o.file))
        .and_then(|r| outcome_js(&r))
}

/// `removeValue(text, path, {all, select, file})` → `{text, changed, changes}`.
#[wasm_bindgen(js_name = removeValue)]
pub fn remove_value(text: &str, path: &str, options: JsValue) -> Result<JsValue, JsValue> {
    let o: EditOptions = from_js(options)?;
    let edit = Edit {
        path: path.to_string(),
        op: EditOp::Remove,
        create: false,
        all: o.all,
        select: o.select.clone(),
    };
    apply_edits(text, &[edit])
        .map_err(|e| with_file(e, &o.file))
        .and_then(|r| outcome_js(&r))
}

/// `applyEdits(text, [{op, path, value, type, create, all, select}], {file})` → `{text, changed, changes}`.
#[wasm_bindgen(js_name = applyEdits)]
pub fn apply_edits_js(text: &str, edits: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let o: EditOptions = from_js(options)?;
    let list: Vec<JsEdit> =
        serde_wasm_bindgen::from_value(edits).map_err(|e| usage(format!("bad edits: {e}")))?;
    let mut core = Vec::with_capacity(list.len());
    for (i, e) in list.into_iter().enumerate() {
        let (value, ty) = match &e.value {
            Some(v) => value_text(v, &e.ty),
            None => (String::new(), e.ty.clone()),
        };
        let ty = value_type(&ty).map_err(|err| with_file(err, &o.file))?;
        let op = match e.op.as_deref().unwrap_or("set") {
            "set" => EditOp::Set { value, ty },
            "remove" => EditOp::Remove,
            "append" => EditOp::Append { value, ty },
            other => {
                return Err(usage(format!(
                    "edit {i}: unknown op `{other}` (set, remove or append)"
                )))
            }
        };
        core.push(Edit {
            path: e.path,
            op,
            create: e.create,
            all: e.all,
            select: e.select,
        });
    }
    apply_edits(text, &core)
        .map_err(|e| with_file(e, &o.file))
        .and_then(|r| outcome_js(&r))
}

#[derive(Serialize)]
struct JsFound<'a> {
    path: &'a str,
    doc: usize,
    #[serde(rename = "type")]
    kind: &'static str,
    value: Option<&'a str>,
    source: &'a str,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
    yaml: &'a str,
    anchor: Option<&'a str>,
    #[serde(rename = "anchorLine")]
    anchor_line: Option<usize>,
}

/// `getValue(text, path, {all, select, file})` → `[{path, doc, type, value, source, line,
/// column, start, end, yaml, anchor, anchorLine}]`.
#[wasm_bindgen(js_name = getValue)]
pub fn get_value(text: &str, path: &str, options: JsValue) -> Result<JsValue, JsValue> {
    let o: EditOptions = from_js(options)?;
    let found: Vec<Found> = get_values(
        text,
        path,
        &GetOptions {
            all: o.all,
            select: o.select.clone(),
        },
    )
    .map_err(|e| with_file(e, &o.file))?;
    let out: Vec<JsFound<'_>> = found
        .iter()
        .map(|f| JsFound {
            path: &f.path,
            doc: f.doc,
            kind: f.kind,
            value: f.value.as_deref(),
            source: &f.source,
            line: f.line,
            column: f.column,
            start: f.start,
            end: f.end,
            yaml: &f.yaml,
            anchor: f.anchor.as_ref().map(|(name, _)| name.as_str()),
            anchor_line: f.anchor.as_ref().map(|(_, line)| *line),
        })
        .collect();
    to_js(&out)
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

// ---- kustomize: image specs, overlays, scan mode ----

/// A `FileSource` over a JS object `{ read(path): string|null, list(dir): string[]|null }`
/// and, optionally, `remote(url): {root, path} | {reason} | null` (a fetched remote base).
struct JsFs {
    obj: JsValue,
    read: js_sys::Function,
    list: js_sys::Function,
    remote: Option<js_sys::Function>,
}

impl JsFs {
    fn new(obj: JsValue) -> Result<JsFs, JsValue> {
        let get = |name: &str| -> Result<js_sys::Function, JsValue> {
            js_sys::Reflect::get(&obj, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .ok_or_else(|| usage(format!("the fs argument needs a `{name}` function")))
        };
        Ok(JsFs {
            read: get("read")?,
            list: get("list")?,
            remote: get("remote").ok(),
            obj,
        })
    }
}

impl FileSource for JsFs {
    fn read(&self, path: &str) -> Option<String> {
        self.read
            .call1(&self.obj, &JsValue::from_str(path))
            .ok()?
            .as_string()
    }

    fn list(&self, dir: &str) -> Option<Vec<String>> {
        let v = self.list.call1(&self.obj, &JsValue::from_str(dir)).ok()?;
        if v.is_null() || v.is_undefined() {
            return None;
        }
        Some(
            js_sys::Array::from(&v)
                .iter()
                .filter_map(|x| x.as_string())
                .collect(),
        )
    }

    fn remote(&self, url: &str) -> Result<RemoteCopy, String> {
        let Some(f) = &self.remote else {
            return Err(String::new());
        };
        let v = f
            .call1(&self.obj, &JsValue::from_str(url))
            .map_err(|_| String::new())?;
        let field = |k: &str| {
            js_sys::Reflect::get(&v, &JsValue::from_str(k))
                .ok()
                .and_then(|x| x.as_string())
        };
        match (field("root"), field("path")) {
            (Some(root), Some(path)) => Ok(RemoteCopy { root, path }),
            _ => Err(field("reason").unwrap_or_default()),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ImageOptions {
    file: Option<String>,
    target: Option<String>,
    force: bool,
}

fn image_target(o: &ImageOptions) -> Result<ImageTarget, JsValue> {
    ImageTarget::parse(o.target.as_deref().unwrap_or("auto")).map_err(|e| js_error(&e))
}

/// `setImage(text, spec, {file, target})` → `{text, changed, changes}`.
#[wasm_bindgen(js_name = setImage)]
pub fn set_image_js(text: &str, spec: &str, options: JsValue) -> Result<JsValue, JsValue> {
    let o: ImageOptions = from_js(options)?;
    let opts = SetImageOptions {
        target: image_target(&o)?,
        file: o.file.clone(),
    };
    set_image(text, spec, &opts)
        .map_err(|e| js_error(&e))
        .and_then(|r| outcome_js(&r))
}

/// `parseImageSpec(spec)` → `{name, newName, newTag, digest}` (`"*"` keeps a field, `null` leaves it unset).
#[wasm_bindgen(js_name = parseImageSpec)]
pub fn parse_image_spec_js(spec: &str) -> Result<JsValue, JsValue> {
    parse_image_spec(spec)
        .map_err(|e| js_error(&e))
        .and_then(|s| to_js(&s))
}

/// `overlayImages(dir, fs)` → `{kustomization, images: [...], unchecked, candidates}`.
#[wasm_bindgen(js_name = overlayImages)]
pub fn overlay_images_js(dir: &str, fs: JsValue) -> Result<JsValue, JsValue> {
    let fs = JsFs::new(fs)?;
    overlay_images(&fs, dir)
        .map_err(|e| js_error(&e))
        .and_then(|o| to_js(&o))
}

/// `checkImage(dir, spec, fs)` → the rendered images the spec names; throws `unknown-image`.
#[wasm_bindgen(js_name = checkImage)]
pub fn check_image_js(dir: &str, spec: &str, fs: JsValue) -> Result<JsValue, JsValue> {
    let fs = JsFs::new(fs)?;
    let spec = parse_image_spec(spec).map_err(|e| js_error(&e))?;
    check_image(&fs, dir, &spec)
        .map_err(|e| js_error(&e))
        .and_then(|o| to_js(&o))
}

#[derive(Serialize)]
struct JsScanFile<'a> {
    file: &'a str,
    text: &'a str,
    changes: Vec<JsChange<'a>>,
}

#[derive(Serialize)]
struct JsScan<'a> {
    files: Vec<JsScanFile<'a>>,
}

/// `scanImage(dir, spec, fs)` → `{files: [{file, text, changes}]}`: every reference under `dir`.
#[wasm_bindgen(js_name = scanImage)]
pub fn scan_image_js(dir: &str, spec: &str, fs: JsValue) -> Result<JsValue, JsValue> {
    let fs = JsFs::new(fs)?;
    let spec = parse_image_spec(spec).map_err(|e| js_error(&e))?;
    let r = scan_image(&fs, dir, &spec).map_err(|e| js_error(&e))?;
    to_js(&JsScan {
        files: r
            .files
            .iter()
            .map(|f| JsScanFile {
                file: &f.file,
                text: &f.text,
                changes: changes_js(&f.changes),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct JsImageEdit<'a> {
    file: &'a str,
    text: &'a str,
    changes: Vec<JsChange<'a>>,
    unchecked: &'a [Unchecked],
}

/// `imageEdit(target, spec, fs, {target, force})` → `{file, text, changes, unchecked}`: the
/// CLI's `image TARGET SPEC` (a directory finds its kustomization; the overlay check runs
/// unless `force`); `unchecked` lists `{file, what, reason}` the check could not decide by.
#[wasm_bindgen(js_name = imageEdit)]
pub fn image_edit_js(
    target: &str,
    spec: &str,
    fs: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let fs = JsFs::new(fs)?;
    let o: ImageOptions = from_js(options)?;
    let opts = ImageEditOptions {
        target: image_target(&o)?,
        force: o.force,
    };
    let f = image_edit(&fs, target, spec, &opts).map_err(|e| js_error(&e))?;
    to_js(&JsImageEdit {
        file: &f.file,
        text: &f.text,
        changes: changes_js(&f.changes),
        unchecked: &f.unchecked,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompanionOptions {
    select: Option<String>,
}

/// `tagCompanions(text, path, newTag, {select})` → the paths of the non-empty digest fields beside
/// the image `tag` at `path`, which a new tag must clear.
#[wasm_bindgen(js_name = tagCompanions)]
pub fn tag_companions_js(
    text: &str,
    path: &str,
    new_tag: &str,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: CompanionOptions = from_js(options)?;
    crate::tag_companions(text, path, new_tag, o.select.as_deref())
        .map_err(|e| js_error(&e))
        .and_then(|p| to_js(&p))
}

// ---- environments: status and promote ----

/// `environment(targets, fs)` → `{kind, files, images: [{key, name, tag, digest, image, file,
/// line, undecided}], unchecked}`: what the environment named by `targets` (root-relative
/// paths: one directory or file, or a chain of values files) runs.
#[wasm_bindgen(js_name = environment)]
pub fn environment_js(targets: Vec<String>, fs: JsValue) -> Result<JsValue, JsValue> {
    let fs = JsFs::new(fs)?;
    crate::environment(&fs, &targets)
        .map_err(|e| js_error(&e))
        .and_then(|env| to_js(&env))
}

/// `promoteImage(to, fromFiles, key, want, [toLabel, fromLabel], fs)` → `[{file, text,
/// changes}]`: the edits of TO's own files that make it run `want` for image `key`.
#[wasm_bindgen(js_name = promoteImage)]
pub fn promote_image_js(
    to: Vec<String>,
    from_files: Vec<String>,
    key: &str,
    want: &str,
    labels: Vec<String>,
    fs: JsValue,
) -> Result<JsValue, JsValue> {
    let fs = JsFs::new(fs)?;
    let label = |i: usize| labels.get(i).map_or("", String::as_str);
    let files = crate::promote_image(&fs, &to, &from_files, key, want, (label(0), label(1)))
        .map_err(|e| js_error(&e))?;
    let out: Vec<JsScanFile<'_>> = files
        .iter()
        .map(|f| JsScanFile {
            file: &f.file,
            text: &f.text,
            changes: changes_js(&f.changes),
        })
        .collect();
    to_js(&out)
}
