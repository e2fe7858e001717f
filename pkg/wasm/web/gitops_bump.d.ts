/* tslint:disable */
/* eslint-disable */

/**
 * `applyEdits(text, [{op, path, value, type, create, all, select}], {file})` → `{text, changed, changes}`.
 */
export function applyEdits(text: string, edits: any, options: any): any;

/**
 * `checkImage(dir, spec, fs)` → the rendered images the spec names; throws `unknown-image`.
 */
export function checkImage(dir: string, spec: string, fs: any): any;

/**
 * `environment(targets, fs)` → `{kind, files, images: [{key, name, tag, digest, image, file,
 * line, undecided}], unchecked}`: what the environment named by `targets` (root-relative
 * paths: one directory or file, or a chain of values files) runs.
 */
export function environment(targets: string[], fs: any): any;

/**
 * `getValue(text, path, {all, select, file})` → `[{path, doc, type, value, source, line,
 * column, start, end, yaml, anchor, anchorLine}]`.
 */
export function getValue(text: string, path: string, options: any): any;

/**
 * `imageEdit(target, spec, fs, {target, force})` → `{file, text, changes, unchecked}`: the
 * CLI's `image TARGET SPEC` (a directory finds its kustomization; the overlay check runs
 * unless `force`); `unchecked` lists `{file, what, reason}` the check could not decide by.
 */
export function imageEdit(target: string, spec: string, fs: any, options: any): any;

/**
 * `overlayImages(dir, fs)` → `{kustomization, images: [...], unchecked, candidates}`.
 */
export function overlayImages(dir: string, fs: any): any;

/**
 * `parseImageSpec(spec)` → `{name, newName, newTag, digest}` (`"*"` keeps a field, `null` leaves it unset).
 */
export function parseImageSpec(spec: string): any;

/**
 * `promoteImage(to, fromFiles, key, want, [toLabel, fromLabel], fs)` → `[{file, text,
 * changes}]`: the edits of TO's own files that make it run `want` for image `key`.
 */
export function promoteImage(to: string[], from_files: string[], key: string, want: string, labels: string[], fs: any): any;

/**
 * `removeValue(text, path, {all, select, file})` → `{text, changed, changes}`.
 */
export function removeValue(text: string, path: string, options: any): any;

/**
 * `scanImage(dir, spec, fs)` → `{files: [{file, text, changes}]}`: every reference under `dir`.
 */
export function scanImage(dir: string, spec: string, fs: any): any;

/**
 * `setImage(text, spec, {file, target})` → `{text, changed, changes}`.
 */
export function setImage(text: string, spec: string, options: any): any;

/**
 * `setValue(text, path, value, {type, create, all, select, file})` → `{text, changed, changes}`.
 */
export function setValue(text: string, path: string, value: string, options: any): any;

export function start(): void;

/**
 * `tagCompanions(text, path, newTag, {select})` → the paths of the non-empty digest fields beside
 * the image `tag` at `path`, which a new tag must clear.
 */
export function tagCompanions(text: string, path: string, new_tag: string, options: any): any;

/**
 * The crate version.
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly applyEdits: (a: number, b: number, c: any, d: any) => [number, number, number];
    readonly checkImage: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
    readonly environment: (a: number, b: number, c: any) => [number, number, number];
    readonly getValue: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
    readonly imageEdit: (a: number, b: number, c: number, d: number, e: any, f: any) => [number, number, number];
    readonly overlayImages: (a: number, b: number, c: any) => [number, number, number];
    readonly parseImageSpec: (a: number, b: number) => [number, number, number];
    readonly promoteImage: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: any) => [number, number, number];
    readonly removeValue: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
    readonly scanImage: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
    readonly setImage: (a: number, b: number, c: number, d: number, e: any) => [number, number, number];
    readonly setValue: (a: number, b: number, c: number, d: number, e: number, f: number, g: any) => [number, number, number];
    readonly start: () => void;
    readonly tagCompanions: (a: number, b: number, c: number, d: number, e: number, f: number, g: any) => [number, number, number];
    readonly version: () => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __externref_drop_slice: (a: number, b: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
