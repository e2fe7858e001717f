/**
 * A small unified diff (the format of `diff -u` / `git diff`), used by `--dry-run` and
 * by the Action's job summary. Lines are compared with their line endings, so a CRLF
 * change shows; a last line without a newline is marked `\ No newline at end of file`.
 * Myers' O((N+M)D) algorithm after trimming the common prefix and suffix, which for
 * the one-line edits this tool makes leaves almost nothing to compare.
 *
 * @module gitops-bump/diff
 */

/**
 * Splits text into lines, each keeping its `\n` (the last one may lack it).
 * @param {string} text
 * @returns {string[]}
 */
function splitLines(text) {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * The shortest edit script between two line lists (Myers), as a list of operations:
 * `' '` keep, `'-'` delete from `a`, `'+'` insert from `b`.
 * @param {string[]} a
 * @param {string[]} b
 * @returns {{op: ' '|'-'|'+', line: string}[]}
 */
function editScript(a, b) {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  /** @type {Int32Array[]} */
  const trace = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  trace.push(v);
  // walk back through the trace to recover the path
  /** @type {{op: ' '|'-'|'+', line: string}[]} */
  const ops = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0 && (x > 0 || y > 0); d--) {
    v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : v[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ op: ' ', line: a[--x] });
      y--;
    }
    if (d === 0) break;
    if (x === prevX) ops.push({ op: '+', line: b[--y] });
    else ops.push({ op: '-', line: a[--x] });
  }
  return ops.reverse();
}

/**
 * The whole edit script of two line lists: common prefix and suffix kept, Myers between.
 * @param {string[]} a
 * @param {string[]} b
 * @returns {{op: ' '|'-'|'+', line: string}[]}
 */
function script(a, b) {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return [
    ...a.slice(0, prefix).map((line) => ({ op: /** @type {' '} */ (' '), line })),
    ...editScript(a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix)),
    ...a.slice(a.length - suffix).map((line) => ({ op: /** @type {' '} */ (' '), line })),
  ];
}

/**
 * Where each 1-based line of `before` is in `after`: a kept line where it went, a changed
 * or removed one where its replacement (or the line after the removal) is. Used to move the
 * locations an earlier edit reported when a later edit of the same file adds or removes
 * lines above them.
 * @param {string} before
 * @param {string} after
 * @returns {(line: number) => number}
 */
export function lineMap(before, after) {
  if (before === after) return (line) => line;
  /** @type {number[]} */
  const to = [0];
  let bLine = 1;
  for (const { op } of script(splitLines(before), splitLines(after))) {
    if (op === '+') bLine++;
    else {
      to.push(bLine);
      if (op === ' ') bLine++;
    }
  }
  return (line) => to[line] ?? line + bLine - to.length;
}

/**
 * `@@ -start,count @@` numbers as diff prints them (count 1 omitted; an empty range
 * names the line before it).
 * @param {number} start 1-based first line
 * @param {number} count
 * @returns {string}
 */
function range(start, count) {
  if (count === 1) return `${start}`;
  return `${count === 0 ? start - 1 : start},${count}`;
}

/**
 * A unified diff of two texts, or `''` when they are equal.
 * @param {string} before
 * @param {string} after
 * @param {{fromFile?: string, toFile?: string, context?: number}} [options] header names
 *   (default `a/file`, `b/file`) and context lines (default 3)
 * @returns {string}
 */
export function unifiedDiff(before, after, options = {}) {
  if (before === after) return '';
  const context = options.context ?? 3;
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = script(a, b);

  let out = `--- ${options.fromFile ?? 'a/file'}\n+++ ${options.toFile ?? 'b/file'}\n`;
  let i = 0;
  let aLine = 1;
  let bLine = 1;
  while (i < ops.length) {
    // skip to the next change
    while (i < ops.length && ops[i].op === ' ') {
      i++;
      aLine++;
      bLine++;
    }
    if (i >= ops.length) break;
    // a hunk: up to `context` kept lines before, changes, and kept runs shorter than
    // 2*context between changes, then up to `context` kept lines after
    const lead = Math.min(context, i, aLine - 1);
    let start = i - lead;
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end].op !== ' ') end++;
      let keep = 0;
      while (end + keep < ops.length && ops[end + keep].op === ' ') keep++;
      if (end + keep < ops.length && keep <= 2 * context) {
        end += keep;
        continue;
      }
      end += Math.min(keep, context);
      break;
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.op !== '+').length;
    const bCount = hunk.filter((o) => o.op !== '-').length;
    const aStart = aLine - lead;
    const bStart = bLine - lead;
    out += `@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n`;
    for (const { op, line } of hunk) {
      out += op + line;
      if (!line.endsWith('\n')) out += '\n\\ No newline at end of file\n';
    }
    aLine = aStart + aCount;
    bLine = bStart + bCount;
    i = end;
  }
  return out;
}
