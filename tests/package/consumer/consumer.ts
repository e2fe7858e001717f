// A TypeScript consumer of every function and type the package exports, compiled with
// `tsc --noEmit --strict` against the installed tarball by pack.test.js. Each name is
// used in a way that fails to compile when the declaration is wrong or missing.
import {
  GitopsBumpError,
  setValue, getValue, removeValue, applyEdits, setImage, parseImageSpec,
  overlayImages, checkImage, scanImage, version,
  setValueInFile, removeValueInFile, applyEditsInFile, setImageInFile, getValueInFile,
  applyPlan, applyPlanFetching, RemoteBases, parseRemote, parsePlan, loadPlan, validatePlan, nodeFileSource, writeAtomic, readText, unifiedDiff,
  runPipeline, DEFAULT_RETRIES,
} from 'gitops-bump';
import type {
  ErrorKind, ErrorFields, Change, EditResult, NodeType, Found, FileSource, ValueType, ImageTarget,
  Value, MatchOptions, SetOptions, EditRequest, OverlayImage, ImageSpec, OverlayOptions,
  FileEditResult, DryRunOption, PlanEntry, Plan, FileOutcome, PlanResult, Unchecked, PromotionTable,
  GitOptions, PipelineArgs, PipelineChange, PipelineResult, PullRequestResult, PullRequestSummary,
} from 'gitops-bump';
import * as pipeline from 'gitops-bump/pipeline';
import initWeb, * as web from 'gitops-bump/web';

const text: string = 'image:\n  tag: "1.9"\n';
const type: ValueType = 'string';
const value: Value = '1.10';
const setOptions: SetOptions = { type, create: false, all: false, select: 'kind=Deployment', file: 'values.yaml' };
const edited: EditResult = setValue(text, 'image.tag', value, setOptions);
const changed: boolean = edited.changed;
const change: Change = edited.changes[0];
const was: string | null = change.old;
const kind: 'set' | 'unchanged' | 'insert' | 'remove' = change.kind;

const match: MatchOptions = { all: true };
const found: Found[] = getValue(text, 'image.tag', { ...match, file: 'values.yaml' });
const nodeType: NodeType = found[0].type;
const plain: string | null = found[0].value;
const offsets: number = found[0].end - found[0].start + found[0].line + found[0].column + found[0].doc;

const removed: EditResult = removeValue(text, 'image.tag');
const request: EditRequest = { op: 'set', path: 'image.tag', value: 3, type: 'int' };
const many: EditResult = applyEdits(text, [request, { op: 'remove', path: 'image' }], { file: 'v.yaml' });
const target: ImageTarget = 'kustomization';
const image: EditResult = setImage('images: []\n', 'api=ghcr.io/acme/api:1.2.3', { target });
const spec: ImageSpec = parseImageSpec('api=ghcr.io/acme/api:1.2.3');
const newTag: string | null = spec.newTag;

const source: FileSource = { read: (p: string) => (p === 'x' ? '' : null), list: () => null };
const overlay: OverlayOptions = { root: '/tmp', fs: source };
const images: OverlayImage[] = overlayImages('overlays/prod', overlay);
const setBy: string[] = images[0].setBy;
const checked: OverlayImage[] = checkImage('overlays/prod', 'api:1', { root: '.' });
const scanned: { files: { file: string; text: string; changes: Change[] }[] } = scanImage('.', 'api:1');
const core: string = version();

const dry: DryRunOption = { dryRun: true };
const inFile: FileEditResult = setValueInFile('values.yaml', 'image.tag', '1.10', { ...dry, type: 'string' });
const before: string = inFile.before + inFile.after + inFile.file + String(inFile.changed);
const r2: FileEditResult = removeValueInFile('values.yaml', 'image.tag', { all: false, dryRun: true });
const r3: FileEditResult = applyEditsInFile('values.yaml', [request], dry);
const r4: FileEditResult = setImageInFile('overlays/prod', 'api:1', { force: true, dryRun: true });
const r5: Found[] = getValueInFile('values.yaml', 'image.tag');

const entries: PlanEntry[] = [
  { file: 'values.yaml', set: 'image.tag', value: '1.10' },
  { file: 'old.yaml', remove: 'a.b' },
  { file: 'overlays/prod', image: 'api=ghcr.io/acme/api:1.2.3', force: false },
  { scan: '.', image: 'ghcr.io/acme/api:1.2.3' },
];
const plan: Plan = { edits: entries };
const result: PlanResult = applyPlan(plan, { cwd: '.', dryRun: true });
const outcome: FileOutcome | undefined = result.changed[0];
const unchanged: string[] = result.unchanged;
const notFollowed: Unchecked[] = [...r4.unchecked, ...result.unchecked, ...(outcome?.unchecked ?? [])];
const promoted: PromotionTable[] = result.promotions;
const promotedRows: string[] = promoted.flatMap((p) => p.rows.map((r) => `${p.from} -> ${p.to}: ${r.image} ${r.from ?? '-'} ${r.before ?? '-'} ${r.after ?? '-'}`));
const why: string = notFollowed.map((u) => `${u.spec} ${u.file} ${u.what}: ${u.reason}`).join('\n');
// remote bases (kustomize URLs): fetched only where allowed; applyPlanFetching fetches, then applies
const bases = new RemoteBases({ allow: false, notAllowed: 'remote bases are off here', hosts: null, log: (l: string) => console.log(l) });
const fetching: Promise<PlanResult> = applyPlanFetching(plan, { cwd: '.', dryRun: true, remoteBases: bases });
const remote = parseRemote('https://github.com/acme/config//base?ref=v1');
const cloneUrl: string = remote.kind === 'git' ? `${remote.cloneUrl} ${remote.ref} ${remote.timeoutMs ?? ''} ${remote.submodules}` : remote.error;
bases.close();
const parsed: unknown = parsePlan('edits: []', { format: 'yaml', file: 'plan.yaml' });
const loaded: unknown = loadPlan('plan.yaml');
const valid: object[] = validatePlan(parsed);
const fsSource: FileSource = nodeFileSource('.', new Map<string, string>());
writeAtomic('values.yaml', text);
const read: string = readText('values.yaml', 'values.yaml');
const diff: string = unifiedDiff(text, edited.text, { fromFile: 'a/v.yaml', toFile: 'b/v.yaml', context: 3 });

try {
  setValue(text, 'nope', 'x');
} catch (e) {
  if (e instanceof GitopsBumpError) {
    const k: ErrorKind | string = e.kind;
    const fields: ErrorFields = e.fields();
    const line: number | undefined = e.line ?? fields.line;
    const named: GitopsBumpError = e.withFile('values.yaml');
    console.log(k, line, named.toJSON().message, e.hint, e.segment, e.found, e.column, e.file);
  }
}

const gitOptions: GitOptions = { push: true, retries: DEFAULT_RETRIES, labels: ['deploy'], log: (l: string) => console.log(l) };
const args: PipelineArgs = { cwd: '.', plan, apply: (dir: string) => applyPlan(plan, { cwd: dir }), git: gitOptions };
async function run(): Promise<void> {
  const done: PipelineResult = await runPipeline(args);
  const pr: PullRequestResult | null = done.pullRequest;
  const short: PullRequestSummary | null = done.pr;
  const values: PipelineChange[] = done.changes;
  console.log(short?.operation, values[0]?.path, done.changedFiles, done.commitSha, done.warnings, pr?.operation, pr?.created, pr?.draft);
  const same: PipelineResult = await pipeline.runPipeline({ plan, apply: async (dir: string) => applyPlan(plan, { cwd: dir }) });
  console.log(done.commit, done.pushed, done.attempts, done.branch, done.workdir, pr?.number, pr?.url, pr?.updated, same.changed.length, pipeline.DEFAULT_RETRIES);
}

// the browser build: wasm-bindgen's web glue (an init function, then the same exports)
const webVersion: () => string = web.version;
const init: typeof initWeb = initWeb;

console.log(changed, was, kind, nodeType, plain, offsets, removed, many, image, newTag, setBy, checked, scanned, core,
  before, r2, r3, r4, r5, outcome, unchanged, why, promotedRows, loaded, valid, fsSource, read, diff, run, webVersion, init, fetching, cloneUrl);
