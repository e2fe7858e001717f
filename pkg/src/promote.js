/**
 * What runs where, and promotion between environments: orchestration and tables. What an
 * environment runs (overlays, Argo CD Applications, Helm values chains and HelmReleases,
 * read as kustomize and Helm render them) and the edits that make it run another
 * environment's version are the core's environment model (`environment`,
 * `promoteImage`); this module resolves targets, picks the images, checks the result by
 * reading TO again, and renders the tables.
 *
 * A target may carry a label: `production=overlays/production`; a Helm chain is
 * `a.yaml,b.yaml` (later files override earlier ones, as `helm -f a.yaml -f b.yaml`).
 *
 * Promotion edits only TO's own files and then recomputes TO: the promoted images must
 * equal FROM's and every other image must be unchanged, or nothing is written.
 *
 * @module gitops-bump/promote
 */
import path from 'node:path';
import * as core from './core.js';
import { GitopsBumpError, usageError } from './errors.js';
import { nodeFileSource, normalize } from './files.js';

/**
 * @typedef {object} Ref an image reference split into its parts
 * @property {string} image the whole reference
 * @property {string} name registry and path, without tag or digest
 * @property {string|null} tag
 * @property {string|null} digest
 */

/**
 * @typedef {Ref & {key: string, file: string, line: number, undecided?: string, fixed?: boolean, values?: string}} Cell
 *   an effective image of one environment; `file:line` is where its value comes from;
 *   `undecided` says what the model could not decide about it; `fixed`: set again after
 *   the overlay's own `images:`; `values`: its key in Helm values
 */

/**
 * @typedef {object} Environment
 * @property {string} name the label, or the target as given
 * @property {'kustomize'|'argocd'|'helm'} kind
 * @property {string} target the target without its label
 * @property {string[]} targets the target's paths relative to the root
 * @property {string[]} files the files it reads that can carry a change (relative to the root)
 * @property {Map<string, Cell>} images by key, in first-seen order
 * @property {string[]} unchecked parts that were not followed or not seen
 */

/**
 * Joins parts into a reference.
 * @param {{name: string, tag: string|null, digest: string|null}} r
 * @returns {string}
 */
function joinRef({ name, tag, digest }) {
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/**
 * Splits `label=target` (a label has no `/`, `,` or `.` so a path is never taken for one).
 * @param {string} spec
 * @returns {{name: string, target: string}}
 */
function splitLabel(spec) {
  const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(spec);
  return m ? { name: m[1], target: m[2] } : { name: spec, target: spec };
}

/**
 * The target spec an environment was read from (`label=target`, or the bare target).
 * @param {{name: string, target: string}} env
 * @returns {string}
 */
function specOf(env) {
  return env.name === env.target ? env.target : `${env.name}=${env.target}`;
}

/**
 * The context every environment is read in: the root the core's file source is relative
 * to, the directory targets are given relative to, and texts not written yet.
 * @typedef {{root: string, cwd: string, pending: Map<string, string>, source: import('./index.js').FileSource}} Context
 */

/**
 * @param {string} root
 * @param {string} cwd
 * @param {Map<string, string>} [pending]
 * @returns {Context}
 */
export function context(root, cwd, pending = new Map()) {
  return { root, cwd, pending, source: nodeFileSource(root, pending) };
}

/**
 * A target's path relative to the root, checked to stay inside it.
 * @param {Context} ctx
 * @param {string} target
 * @returns {string}
 */
function rootRelative(ctx, target) {
  const rel = normalize(path.relative(ctx.root, path.resolve(ctx.cwd, target)));
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    throw usageError(`\`${target}\` is outside the repository (${ctx.root})`);
  }
  return rel;
}

/**
 * Reads one environment (the core's environment model).
 * @param {string} spec `target`, `label=target`, or a `,`-separated chain of values files
 * @param {Context} ctx
 * @returns {Environment}
 */
export function readEnvironment(spec, ctx) {
  const { name, target } = splitLabel(spec);
  const parts = target.split(',').map((t) => t.trim()).filter(Boolean);
  if (parts.length === 0) throw usageError(`\`${spec}\` names no target`);
  const targets = parts.map((p) => rootRelative(ctx, p));
  const env = core.environment(targets, ctx.source);
  /** @type {Map<string, Cell>} */
  const images = new Map();
  for (const img of env.images) {
    const { undecided, ...cell } = img;
    images.set(img.key, undecided ? { ...cell, undecided } : cell);
  }
  return { name, kind: env.kind, target, targets, files: env.files, images, unchecked: env.unchecked };
}

/**
 * A refused promotion (exit code 1): the message ends with the hint, as the core's
 * errors do, and the hint is also a field for --json.
 * @param {string} message
 * @param {{file?: string, hint?: string, line?: number, column?: number}} [fields]
 * @returns {GitopsBumpError}
 */
function promoteError(message, fields = {}) {
  return new GitopsBumpError(fields.hint ? `${message}\n  = help: ${fields.hint}` : message, { kind: 'promote', ...fields });
}

/**
 * @typedef {object} Status
 * @property {{name: string, kind: string, target: string, unchecked: string[]}[]} environments
 * @property {{image: string, cells: Record<string, Cell|null>, differs: boolean}[]} images
 */

/**
 * The image × environment table of `targets`.
 * @param {string[]} targets
 * @param {Context} ctx
 * @returns {Status}
 */
export function status(targets, ctx) {
  const envs = targets.map((t) => readEnvironment(t, ctx));
  return statusOf(envs);
}

/**
 * @param {Environment[]} envs
 * @returns {Status}
 */
function statusOf(envs) {
  const keys = [...new Set(envs.flatMap((e) => [...e.images.keys()]))];
  return {
    environments: envs.map((e) => ({ name: e.name, kind: e.kind, target: e.target, unchecked: e.unchecked })),
    images: keys.map((key) => {
      const cells = Object.fromEntries(envs.map((e) => [e.name, e.images.get(key) ?? null]));
      const refs = new Set(Object.values(cells).map((c) => c?.image ?? null));
      return { image: key, cells, differs: refs.size > 1 };
    }),
  };
}

/**
 * What a cell shows: the tag (or a short digest), prefixed by the name when the image
 * was renamed away from its key.
 * @param {Cell|null} cell
 * @param {string} key
 * @returns {string}
 */
function shown(cell, key) {
  if (!cell) return '-';
  const version = cell.digest ? `${cell.tag ? `${cell.tag}@` : '@'}${cell.digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…')}` : cell.tag ?? '(no tag)';
  const text = cell.name === key ? version : `${cell.name}:${version}`;
  return cell.undecided ? `${text}?` : text;
}

/**
 * Renders a status table. Plain text marks with `*` each cell that differs from the
 * environment before it (targets are given in promotion order); markdown makes it bold.
 * @param {Status} st
 * @param {'plain'|'markdown'} format
 * @returns {string}
 */
export function renderStatus(st, format) {
  const names = st.environments.map((e) => e.name);
  const rows = st.images.map((row) =>
    names.map((n, i) => {
      const text = shown(row.cells[n], row.image);
      const prev = i > 0 ? row.cells[names[i - 1]] : undefined;
      const differs = i > 0 && (prev?.image ?? null) !== (row.cells[n]?.image ?? null);
      return { text, differs };
    }),
  );
  const notes = st.environments.flatMap((e) => [
    ...e.unchecked.map((u) => `${e.name}: not followed: ${u}`),
    ...st.images.flatMap((row) => {
      const cell = row.cells[e.name];
      if (cell?.fixed) return [`${e.name}: ${row.image} is set again after the overlay's images: (a replacement or transformer); image and promote cannot change it`];
      return cell?.undecided ? [`${e.name}: ${row.image}? ${cell.undecided}`] : [];
    }),
  ]);
  if (format === 'markdown') {
    const esc = (/** @type {string} */ s) => s.replace(/\|/g, '\\|');
    const out = [`| image | ${names.map(esc).join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`];
    st.images.forEach((row, r) => {
      out.push(`| \`${esc(row.image)}\` | ${rows[r].map((c) => (c.differs ? `**${esc(c.text)}**` : esc(c.text))).join(' | ')} |`);
    });
    if (st.images.some((r) => r.differs)) out.push('', 'Bold: differs from the environment to its left.');
    for (const n of notes) out.push('', `> ${n}`);
    return `${out.join('\n')}\n`;
  }
  const header = ['IMAGE', ...names];
  const body = st.images.map((row, r) => [row.image, ...rows[r].map((c) => `${c.text}${c.differs ? ' *' : ''}`)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (/** @type {string[]} */ cols) => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), ...body.map(line)];
  if (st.images.some((r) => r.differs)) out.push('', '* differs from the environment to its left');
  out.push(...notes);
  return `${out.join('\n')}\n`;
}

/**
 * @typedef {object} Promotion
 * @property {string} from
 * @property {string} to
 * @property {{image: string, from: string|null, before: string|null, after: string|null}[]} rows every image of TO
 * @property {{file: string, text: string, changes: object[]}[]} files TO's files with their new texts
 */

/**
 * Computes the promotion of `images` (default: every image whose reference differs) from
 * FROM to TO: the new texts of TO's own files, checked by recomputing TO.
 * @param {string} fromSpec
 * @param {string} toSpec
 * @param {string[]} images image names (keys, as `status` shows them); empty for all that differ
 * @param {Context} ctx
 * @returns {Promotion}
 * @throws {GitopsBumpError} `usage` for FROM = TO or an image FROM does not have;
 *   `promote` when TO has no file of its own that can carry the change or the recomputed
 *   TO does not match
 */
export function computePromotion(fromSpec, toSpec, images, ctx) {
  const from = readEnvironment(fromSpec, ctx);
  const to = readEnvironment(toSpec, ctx);
  if (from.kind === to.kind && from.files.join(',') === to.files.join(',')) {
    throw usageError(`FROM and TO are the same environment (\`${to.target}\`): nothing to promote`);
  }
  for (const name of images) {
    if (!from.images.has(name)) {
      throw usageError(`${from.name} runs no image \`${name}\`\n  = help: ${from.name} runs ${[...from.images.keys()].join(', ') || 'no images'}`);
    }
    if (!to.images.has(name)) {
      throw usageError(`${to.name} runs no image \`${name}\`: promotion changes the version of an image TO already runs\n  = help: ${to.name} runs ${[...to.images.keys()].join(', ') || 'no images'}`);
    }
  }
  /** What TO must run for `key`: FROM's version, under TO's own name when TO renames the image. */
  const desired = (/** @type {string} */ key) => promoted(key, /** @type {Cell} */ (from.images.get(key)), /** @type {Cell} */ (to.images.get(key)));
  const wanted = images.length > 0 ? images : [...from.images.keys()].filter((k) => to.images.has(k) && desired(k).image !== to.images.get(k)?.image);

  /** @type {Map<string, {text: string, changes: object[]}>} TO's own file → new text */
  const texts = new Map();
  for (const key of wanted) {
    const current = /** @type {Cell} */ (to.images.get(key));
    const target = desired(key);
    if (target.image === current.image) continue;
    if (current.fixed) {
      throw promoteError(`${to.name} sets \`${key}\` again after its own images: (a replacement or transformer): a promotion cannot change it; nothing was written`, {
        file: current.file,
        hint: 'promote the image that step copies from, or change the step itself',
      });
    }
    const pending = new Map(ctx.pending);
    for (const [file, t] of texts) pending.set(file, t.text);
    let files;
    try {
      files = core.promoteImage(to.targets, from.files, key, target.image, [to.name, from.name], nodeFileSource(ctx.root, pending));
    } catch (error) {
      const e = /** @type {any} */ (error);
      if (e.kind === 'usage') throw e;
      throw promoteError(e.cause?.detail ?? e.message, { file: e.file ?? undefined, hint: e.hint ?? undefined });
    }
    for (const f of files) {
      texts.set(f.file, { text: f.text, changes: [...(texts.get(f.file)?.changes ?? []), ...f.changes] });
    }
  }

  // recompute TO over the new texts: promoted images equal FROM's, the rest are unchanged
  const pending = new Map(ctx.pending);
  for (const [file, t] of texts) pending.set(file, t.text);
  const after = readEnvironment(specOf(to), context(ctx.root, ctx.cwd, pending));
  for (const [key, before] of to.images) {
    const now = after.images.get(key);
    const expected = wanted.includes(key) ? desired(key).image : before.image;
    if (now?.image !== expected) {
      throw promoteError(
        `promoting to ${to.name} would make \`${key}\` ${now?.image ?? 'disappear'} instead of ${expected}; nothing was written`,
        { hint: `an entry of ${to.files.join(', ')} that the promotion cannot express (e.g. a digest it would have to clear); edit it with \`gitops-bump image\` or \`set\`` },
      );
    }
  }
  const rows = [...to.images.keys()].map((key) => ({
    image: key,
    from: from.images.get(key)?.image ?? null,
    before: to.images.get(key)?.image ?? null,
    after: after.images.get(key)?.image ?? null,
  }));
  const files = [...texts].map(([file, t]) => ({ file, text: t.text, changes: t.changes }));
  return { from: from.name, to: to.name, rows, files };
}

/**
 * The reference TO runs for `key` after a promotion: FROM's version (tag and digest). The
 * name is TO's own when TO renames the image itself (an entry with its own `newName`, as
 * for a pull-through mirror: the mirror stays); otherwise FROM's, so a rename being rolled
 * out travels with the version. An image of Helm values keeps TO's name.
 * @param {string} key @param {Cell} fromCell @param {Cell} toCell
 * @returns {Ref}
 */
function promoted(key, fromCell, toCell) {
  // Helm values: the name (registry, global.imageRegistry) is the environment's own
  if (!toCell.values && (toCell.name === key || toCell.name === fromCell.name)) return fromCell;
  const parts = { name: toCell.name, tag: fromCell.tag, digest: fromCell.digest };
  return { ...parts, image: joinRef(parts) };
}

/**
 * The before/after table of a promotion, as markdown (for a pull request body) or text.
 * @param {Promotion} p
 * @param {'plain'|'markdown'} format
 * @returns {string}
 */
export function renderPromotion(p, format) {
  const rows = p.rows.map((r) => [r.image, r.from ?? '-', r.before ?? '-', r.after ?? '-', r.before === r.after ? '' : 'promoted']);
  if (format === 'markdown') {
    const out = [
      `Promote ${p.from} → ${p.to}`,
      '',
      `| image | ${p.from} | ${p.to} before | ${p.to} after |`,
      '|---|---|---|---|',
      ...rows.map(([img, f, b, a, mark]) => `| \`${img}\` | \`${f}\` | \`${b}\` | ${mark ? `**\`${a}\`**` : `\`${a}\``} |`),
    ];
    return `${out.join('\n')}\n`;
  }
  const header = ['IMAGE', p.from, `${p.to} (before)`, `${p.to} (after)`, ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (/** @type {string[]} */ cols) => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
