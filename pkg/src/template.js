// Commit message, pull request title/body and PR branch name, from the plan and what
// the plan changed. Placeholders: {images} {tags} {files} {paths} {sha}.

import { createHash } from 'node:crypto';

export const DEFAULT_AUTHOR = 'gitops-bump <gitops-bump@users.noreply.github.com>';
const PLACEHOLDERS = ['images', 'tags', 'files', 'paths', 'sha'];

/** The plan's edits as an array (a bare list is accepted as `edits`). */
export function planEdits(plan) {
  if (!plan) return [];
  if (Array.isArray(plan)) return plan;
  return Array.isArray(plan.edits) ? plan.edits : [];
}

/**
 * Splits a kustomize image spec (`name=newName:newTag@digest`, `name:tag`, `name@digest`,
 * `name=newName`) into `{name, newName, tag, digest}`. A registry port is not a tag.
 */
export function splitImageSpec(spec) {
  let s = String(spec ?? '').trim();
  let name;
  let newName = null;
  const eq = s.indexOf('=');
  if (eq >= 0) {
    name = s.slice(0, eq);
    s = s.slice(eq + 1);
  }
  let digest = null;
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
  }
  let tag = null;
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
  }
  if (name === undefined) name = s;
  else if (s) newName = s;
  return { name, newName, tag, digest };
}

/**
 * Everything a template can say about one run.
 * @param {object} plan
 * @param {Array<{file: string, changes?: Array<{path: string, kind?: string, new?: string|null}>}>} changed
 * @param {{sourceSha?: string|null}} [options]
 */
export function summarize(plan, changed = [], { sourceSha = null } = {}) {
  const images = [];
  const tags = [];
  const bumps = []; // {what, to}
  const sets = [];
  const promotions = []; // {from, to, images}
  for (const e of planEdits(plan)) {
    if (e && e.promote !== undefined) {
      promotions.push({ from: String(e.from ?? ''), to: String(e.promote), images: [e.images ?? []].flat().map(String) });
    } else if (e && e.image) {
      const { name, tag, digest } = splitImageSpec(e.image);
      const to = tag ?? (digest ? digest.slice(0, 19) : null);
      pushUnique(images, name);
      if (to) pushUnique(tags, to);
      bumps.push({ what: name, to });
    } else if (e && e.set !== undefined) {
      if (e.value !== undefined) pushUnique(tags, String(e.value));
      sets.push({ path: e.set, value: e.value, file: e.file });
    } else if (e && e.remove !== undefined) {
      sets.push({ path: e.remove, value: undefined, file: e.file, remove: true });
    }
  }
  const files = [];
  const paths = [];
  for (const c of changed) {
    pushUnique(files, c.file);
    for (const ch of c.changes ?? []) {
      if (ch.kind === 'unchanged') continue;
      if (ch.path) pushUnique(paths, ch.path);
      // a promotion's tags are known only once applied (names and digests stay out of the subject)
      if (promotions.length && ch.new != null && /tag$/i.test(String(ch.path ?? ''))) pushUnique(tags, String(ch.new));
    }
  }
  for (const p of promotions) for (const name of p.images) pushUnique(images, name);
  return { images, tags, files, paths, sha: sourceSha ?? '', bumps, sets, promotions, changed };
}

/** How a subject names an environment: its label (`production=overlays/production`), else its target. */
function environmentName(target) {
  const eq = target.indexOf('=');
  return eq > 0 && !target.slice(0, eq).includes('/') ? target.slice(0, eq) : target;
}

/** Replaces `{images}` `{tags}` `{files}` `{paths}` `{sha}`; other text is kept as is. */
export function renderTemplate(template, summary) {
  return String(template).replace(/\{(\w+)\}/g, (whole, key) => {
    if (!PLACEHOLDERS.includes(key)) return whole;
    const v = summary[key];
    return Array.isArray(v) ? v.join(', ') : String(v ?? '');
  });
}

/** One-line subject: `chore(deploy): bump api to 1.2.3`. */
export function defaultSubject(summary) {
  const { bumps, sets, files, promotions = [] } = summary;
  const where = files.length ? ` in ${files.join(', ')}` : '';
  if (promotions.length) {
    const what = promotions.flatMap((p) => p.images.map((i) => i.split('/').pop()));
    const values = summary.tags.length ? ` (${summary.tags.join(', ')})` : '';
    const moves = unique(promotions.map((p) => `from ${environmentName(p.from)} to ${environmentName(p.to)}`));
    return truncate(`chore(deploy): promote ${what.length ? unique(what).join(', ') : 'images'}${values} ${moves.join(', ')}`, 100);
  }
  if (bumps.length) {
    const parts = bumps.map((b) => (b.to ? `${b.what} to ${b.to}` : b.what));
    return truncate(`chore(deploy): bump ${unique(parts).join(', ')}`, 100);
  }
  if (sets.length === 1) {
    const s = sets[0];
    return truncate(
      s.remove ? `chore(deploy): remove ${s.path}${where}` : `chore(deploy): set ${s.path} to ${s.value}${where}`,
      100,
    );
  }
  if (sets.length > 1) return truncate(`chore(deploy): update ${sets.length} values${where}`, 100);
  return truncate(`chore(deploy): update${where || ' config'}`, 100);
}

/** Lines naming each change: `- values.yaml:3 image.tag: 1.2.2 -> 1.2.3`. */
export function changeLines(summary) {
  const lines = [];
  for (const c of summary.changed) {
    for (const ch of c.changes ?? []) {
      if (ch.kind === 'unchanged') continue;
      const loc = ch.line ? `${c.file}:${ch.line}` : c.file;
      const from = ch.old == null ? '(none)' : ch.old;
      const to = ch.new == null ? '(removed)' : ch.new === '' ? '""' : ch.new;
      lines.push(`- ${loc} ${ch.path}: ${from} -> ${to}`);
    }
  }
  return lines;
}

/**
 * The commit message: the template rendered, or subject + change list + source; then the
 * trailers (`Image-Digest: …` of registry-verified images), after a blank line.
 */
export function commitMessage(summary, template, trailers = []) {
  let text;
  if (template) {
    text = renderTemplate(template, summary);
  } else {
    const body = changeLines(summary);
    if (summary.sha) body.push('', `Source commit: ${summary.sha}`);
    text = [defaultSubject(summary), ...(body.length ? ['', ...body] : [])].join('\n');
  }
  return ensureNewline(trailers.length ? `${text.replace(/\n+$/, '')}\n\n${trailers.join('\n')}` : text);
}

export function pullRequestTitle(summary, template) {
  return template ? renderTemplate(template, summary).trim() : defaultSubject(summary);
}

export function pullRequestBody(summary, template, trailers = []) {
  const evidence = trailers.length ? `\n${trailers.join('\n')}\n` : '';
  if (template) return `${renderTemplate(template, summary)}${evidence ? `\n${evidence}` : ''}`;
  const lines = ['Changes made by gitops-bump:', '', ...changeLines(summary)];
  if (summary.sha) lines.push('', `Source commit: ${summary.sha}`);
  return `${lines.join('\n')}\n${evidence}`;
}

/**
 * Deterministic PR branch for a plan: `gitops-bump/<slug>-<hash>`, the same for every run
 * of the same edits (files, images, key paths; not the new values) against the same base,
 * so a rerun updates its pull request instead of opening another. A promotion is named by
 * its target, its source and its sorted images (`gitops-bump/promote-production-<hash>`):
 * promotions of other images or into other environments get branches of their own.
 */
export function pullRequestBranch(plan, { base = '', prefix = 'gitops-bump/' } = {}) {
  const keys = [];
  const words = [];
  for (const e of planEdits(plan)) {
    if (!e) continue;
    if (e.promote !== undefined) {
      const images = [e.images ?? []].flat().map(String).sort();
      keys.push(`promote\u0000${e.promote}\u0000${e.from ?? ''}\u0000${images.join('\u0000')}`);
      words.push('promote', ...images.map((i) => i.split('/').pop()), environmentName(String(e.promote)).split(/[/,]/).filter(Boolean).pop() ?? '');
      continue;
    }
    const file = e.file ?? e.scan ?? '';
    const what = e.image ? splitImageSpec(e.image).name : (e.set ?? e.remove ?? e.append ?? '');
    keys.push(`${file}\u0000${e.image ? 'image' : 'path'}\u0000${what}`);
    words.push(what ? String(what).split('/').pop() : '', String(file).replace(/\.ya?ml$/i, ''));
  }
  const hash = createHash('sha256').update(`${base}\u0001${keys.sort().join('\u0001')}`).digest('hex').slice(0, 8);
  let slug = words
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (slug.length > 48) slug = slug.slice(0, 48).replace(/[-.]+$/, '');
  return `${prefix}${slug ? `${slug}-` : ''}${hash}`;
}

/** Parses "Name <email>". */
export function parseAuthor(author) {
  const m = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(String(author ?? ''));
  if (!m || !m[1] || !m[2]) return null;
  return { name: m[1], email: m[2] };
}

function pushUnique(list, v) {
  if (v !== undefined && v !== null && v !== '' && !list.includes(v)) list.push(v);
}
function unique(list) {
  return [...new Set(list)];
}
function truncate(s, n) {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
function ensureNewline(s) {
  return s.endsWith('\n') ? s : `${s}\n`;
}
