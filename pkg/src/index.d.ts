/**
 * gitops-bump: byte-exact YAML edits for GitOps config repositories.
 * Positions are 1-based lines and columns; `Found.start`/`end` are UTF-8 byte offsets.
 */

/** Error kinds. The core's kinds, plus `io` (a write failed) and `internal` from the JS layer. */
export type ErrorKind =
  | 'path-syntax' | 'not-found' | 'ambiguous' | 'yaml-syntax' | 'type-mismatch' | 'alias'
  | 'invalid-value' | 'self-check' | 'image-spec' | 'unknown-image' | 'not-kustomization'
  | 'usage' | 'io' | 'internal';

/** The one error type: where an edit failed and what was there instead (fields: {@link ErrorFields}). */
export class GitopsBumpError extends Error {
  constructor(message: string, fields?: Partial<Omit<ErrorFields, 'message'>> & { cause?: unknown; hintTemplate?: string; options?: string[] });
  /** the same error naming `file` */
  withFile(file: string): GitopsBumpError;
  /** the structured fields (for JSON output) */
  fields(): ErrorFields;
  toJSON(): ErrorFields;
}
export interface GitopsBumpError extends Omit<ErrorFields, 'message' | 'kind'> {
  kind: ErrorKind | string;
  /** the hint with a placeholder for each option it names (`{+all}`, `{select=V}`), for a front end to word */
  hintTemplate?: string;
  /** the ids of the options the hint names: `all`, `create`, `select`, `type`, `force` */
  options: string[];
}

/** Structured fields of a {@link GitopsBumpError}. */
export interface ErrorFields {
  /** what kind of failure */
  kind: string;
  /** the full message (core errors: with the code frame) */
  message: string;
  /** 1-based line in `file` */
  line?: number;
  /** 1-based column in `file` */
  column?: number;
  /** the path segment that failed, as written */
  segment?: string;
  /** what was there instead */
  found?: string;
  /** a "did you mean" suggestion */
  hint?: string;
  /** the file the error is about */
  file?: string;
}

/** One change an edit made. */
export interface Change {
  /** concrete path, e.g. `spec.template.spec.containers[0].image` */
  path: string;
  /** 0-based document index */
  doc: number;
  /** 1-based line of the new value in the new text (for a removal, where it was) */
  line: number;
  /** 1-based column of the new value in the new text */
  column: number;
  /** old plain value (YAML text for collections); null for an insert */
  old: string | null;
  /** new plain value; null for a removal */
  new: string | null;
  /** what the edit did at `path` */
  kind: 'set' | 'unchanged' | 'insert' | 'remove';
  /** the old value's type; null for an insert */
  oldType: NodeType | null;
  /** the new value's type as readers resolve it; null for a removal */
  newType: NodeType | null;
  /** other paths that read the changed value through an alias of an anchor on its way: they change with it */
  aliases: string[];
}

/** Result of a text edit. */
export interface EditResult {
  /** the edited text (identical to the input when nothing changed) */
  text: string;
  /** whether `text` differs from the input */
  changed: boolean;
  /** what was changed, in order */
  changes: Change[];
}

/** The data type of a node: the scalar types of `--type`, or a collection. */
export type NodeType = 'string' | 'int' | 'float' | 'bool' | 'null' | 'map' | 'seq';

/** A node found by {@link getValue}. */
export interface Found {
  /** concrete path, e.g. `spec.template.spec.containers[0].image` */
  path: string;
  /** 0-based document index */
  doc: number;
  /** the node's data type (`kind` is the word for what a change did, never for a node) */
  type: NodeType;
  /** plain value of a scalar; null for a null scalar and for a collection */
  value: string | null;
  /** the node's text as written in the file */
  source: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  /** UTF-8 byte offset of the node's text */
  start: number;
  /** UTF-8 byte offset just past it */
  end: number;
  /** the node's data as a YAML document of its own (a collection re-indented to column 0) */
  yaml: string;
  /** the anchor the path read through (an alias or merge key), without `&`; else null */
  anchor: string | null;
  /** 1-based line where that anchor is defined; else null */
  anchorLine: number | null;
}

/** What the overlay functions read through; paths are `/`-separated, relative to a root. */
export interface FileSource {
  read(path: string): string | null;
  list(path: string): string[] | null;
  /** where a fetched remote base is served, or why it was not fetched (pkg/src/remote-bases.js) */
  remote?(url: string): { root: string; path: string } | { reason: string } | null;
}

export type ValueType = 'string' | 'int' | 'float' | 'bool' | 'null' | 'yaml';
export type ImageTarget = 'auto' | 'kustomization' | 'argocd' | 'argocd-source' | 'flux';
export type Value = string | number | boolean | null;

export interface MatchOptions {
  /** allow many matches (`[*]`, several documents) */
  all?: boolean;
  /** document selector for multi-document files, e.g. `kind=Deployment,metadata.name=api` */
  select?: string;
}

export interface SetOptions extends MatchOptions {
  /** default: `string` for a string value, else from the JS type */
  type?: ValueType;
  /** insert missing keys and `[key=value]` items */
  create?: boolean;
  /** file name for error messages */
  file?: string;
}

export interface EditRequest {
  op: 'set' | 'remove' | 'append';
  path: string;
  value?: Value;
  type?: ValueType;
  create?: boolean;
  all?: boolean;
  select?: string;
}

/** A container image the overlay renders. */
export interface OverlayImage {
  /** image name as matched by `images:` entries */
  name: string;
  /** the image after the overlay's `images:` */
  image: string;
  /** the image as the resource file writes it */
  original: string;
  /** kustomization files whose `images:` changed it */
  setBy: string[];
  container: string;
  kind: string;
  resource: string;
  file: string;
  line: number;
}

/** A parsed image spec: `"*"` keeps the current value of a field, `null` clears it. */
export interface ImageSpec {
  name: string;
  newName: string | null;
  newTag: string | null;
  digest: string | null;
}

export interface OverlayOptions {
  /** directory `dir` is relative to and node:fs reads below (default: `dir` is relative to the current directory; the overlay check reads below the git checkout holding it, else the filesystem root) */
  root?: string;
  /** read through this instead of node:fs */
  fs?: FileSource;
}

export interface FileEditResult {
  file: string;
  changed: boolean;
  before: string;
  after: string;
  changes: Change[];
  /** image edits: the parts the overlay check did not follow, and why (empty for other edits) */
  unchecked: Unchecked[];
}

export interface DryRunOption {
  /** compute, write nothing */
  dryRun?: boolean;
  /** refuse files larger than this many bytes (default 256 MB) */
  maxFileSize?: number;
}

/** Sets the scalar at `path`, changing only its bytes. */
export function setValue(text: string, path: string, value: Value, options?: SetOptions): EditResult;
/** Reads the node(s) at `path`. */
export function getValue(text: string, path: string, options?: MatchOptions & { file?: string }): Found[];
/** Removes the key or item at `path`. */
export function removeValue(text: string, path: string, options?: MatchOptions & { file?: string }): EditResult;
/** Applies several edits, all or none. */
export function applyEdits(text: string, edits: EditRequest[], options?: { file?: string }): EditResult;
/** Sets an image (kustomize grammar) in a kustomization, Argo CD Application or Flux setters.
 * It does not check that the overlay uses the image: {@link checkImage} or {@link setImageInFile} do. */
export function setImage(text: string, spec: string, options?: { file?: string; target?: ImageTarget }): EditResult;
/** Parses a kustomize image spec. */
export function parseImageSpec(spec: string): ImageSpec;
/** Images used by the resources an overlay renders. */
export function overlayImages(dir: string, options?: OverlayOptions): OverlayImage[];
/** Throws `unknown-image` unless the overlay uses the image. */
export function checkImage(dir: string, spec: string, options?: OverlayOptions): OverlayImage[];
/** Every reference to the image under `dir`, edited (nothing written). */
export function scanImage(dir: string, spec: string, options?: OverlayOptions): { files: { file: string; text: string; changes: Change[] }[] };
/** Version of the Rust core. */
export function version(): string;

/** {@link setValue} on a file, written atomically. */
export function setValueInFile(file: string, path: string, value: Value, options?: Omit<SetOptions, 'file'> & DryRunOption): FileEditResult;
/** {@link removeValue} on a file, written atomically. */
export function removeValueInFile(file: string, path: string, options?: MatchOptions & DryRunOption): FileEditResult;
/** {@link applyEdits} on a file, written atomically. */
export function applyEditsInFile(file: string, edits: EditRequest[], options?: DryRunOption): FileEditResult;
/** {@link setImage} on a file or overlay directory; checks the overlay uses the image unless `force`. */
export function setImageInFile(file: string, spec: string, options?: { target?: ImageTarget; force?: boolean } & DryRunOption): FileEditResult;
/** {@link getValue} on a file. */
export function getValueInFile(file: string, path: string, options?: MatchOptions & { maxFileSize?: number }): Found[];

/** A plan entry as written in a plan file. */
export type PlanEntry =
  | { file: string; set: string; value: Value; type?: ValueType; create?: boolean; all?: boolean; select?: string }
  | { file: string; remove: string; all?: boolean; select?: string }
  | { file: string; image: string; target?: ImageTarget; force?: boolean }
  | { scan: string; image: string };

export type Plan = { edits: PlanEntry[] } | PlanEntry[];

export interface FileOutcome {
  file: string;
  before: string;
  after: string;
  changes: Change[];
  /** why the overlay check could not decide an image edit of this file */
  unchecked: Unchecked[];
}

/** A part the overlay check did not follow for one image edit, and why the image could still be rendered from it. */
export interface Unchecked {
  /** the image spec of the edit */
  spec: string;
  /** the file that lists it, relative to the plan's directory */
  file: string;
  /** what was not followed: a URL, a key, a patch's path, a target kind */
  what: string;
  /** why, and how the image could still come from it */
  reason: string;
}

/** A promotion's before/after table: every image of TO, what FROM runs, what TO ran before and runs after. */
export interface PromotionTable {
  from: string;
  to: string;
  rows: { image: string; from: string | null; before: string | null; after: string | null }[];
}

export interface PlanResult {
  changed: FileOutcome[];
  unchanged: string[];
  /** image edits the overlay check could not decide: every front end reports them as warnings */
  unchecked: Unchecked[];
  /** the plan's promotions, as computed where it was applied (empty when it promotes nothing) */
  promotions: PromotionTable[];
}

/** Applies a plan below `cwd`, all or nothing; every target must resolve inside `root` (default `cwd`) unless `allowOutside`. */
export function applyPlan(plan: Plan | unknown, options?: { cwd?: string; dryRun?: boolean; root?: string; allowOutside?: boolean; maxFileSize?: number; remoteBases?: RemoteBases }): PlanResult;
/** applyPlan after fetching the remote bases its overlay checks follow (when `remoteBases` allows it) */
export function applyPlanFetching(plan: Plan | unknown, options?: { cwd?: string; dryRun?: boolean; root?: string; allowOutside?: boolean; maxFileSize?: number; remoteBases?: RemoteBases }): Promise<PlanResult>;
/** The remote bases of a run: fetched only when `allow` is true; `close()` removes the copies. */
export class RemoteBases {
  constructor(options: { allow: boolean; notAllowed?: string; hosts?: string[] | null; env?: Record<string, string | undefined>; log?: (line: string) => void; maxFileSize?: number });
  close(): void;
}
/** A remote resource URL split as kustomize v5.5.0 splits it. */
export function parseRemote(url: string): { kind: 'git'; cloneUrl: string; host: string; path: string; ref: string; timeoutMs: number | null; submodules: boolean } | { kind: 'error'; error: string };
/** Parses plan text (JSON, or YAML with every scalar a string). */
export function parsePlan(text: string, options?: { format?: 'yaml' | 'json'; file?: string }): unknown;
/** Reads and parses a plan file. */
export function loadPlan(file: string, options?: { maxFileSize?: number }): unknown;
/** Validates a plan; errors name `edits[i].field`. */
export function validatePlan(plan: unknown): object[];
/** A `{read, list}` file source over node:fs below `root`. */
export function nodeFileSource(root: string, pending?: Map<string, string>): FileSource;
/** Writes a file atomically (temp file + rename, mode kept). */
export function writeAtomic(file: string, text: string): void;
/** Reads a file as exact UTF-8 text. */
export function readText(file: string, display?: string, options?: { maxFileSize?: number }): string;
/** A unified diff (`''` when equal). */
export function unifiedDiff(before: string, after: string, options?: { fromFile?: string; toFile?: string; context?: number }): string;

export { runPipeline, DEFAULT_RETRIES } from './pipeline.js';
export type { GitOptions, PipelineArgs, PipelineChange, PipelineResult, PullRequestResult, PullRequestSummary } from './pipeline.js';
