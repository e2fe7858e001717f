/**
 * "Did you mean …?" for the CLI: the closest of a few known words to what was typed.
 * The core makes the same suggestion for keys (src/error.rs); this is its JS twin for the
 * words only the CLI knows (commands, options, `--type` values).
 *
 * @module gitops-bump/suggest
 */

/**
 * The candidate closest to `word`, when it is close enough to suggest: an edit distance
 * (a swap of two neighbours counts one) of at most a third of the longer word, or one
 * being a prefix of the other (`integer` → `int`, `str` → `string`).
 * @param {string} word
 * @param {Iterable<string>} candidates
 * @returns {string | undefined}
 */
export function closest(word, candidates) {
  const w = word.toLowerCase();
  /** @type {[number, string] | undefined} */
  let best;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const prefix = Math.min(w.length, lc.length) >= 3 && (w.startsWith(lc) || lc.startsWith(w));
    const d = prefix ? 1 : distance(w, lc);
    const limit = Math.max(1, Math.floor(Math.max(w.length, lc.length) / 3));
    if (d <= limit && (best === undefined || d < best[0])) best = [d, c];
  }
  return best?.[1];
}

/**
 * `did you mean \`x\`?`, or undefined when nothing is close.
 * @param {string} word
 * @param {Iterable<string>} candidates
 * @returns {string | undefined}
 */
export function didYouMean(word, candidates) {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of
 * two adjacent characters each cost one.
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
function distance(a, b) {
  /** @type {number[][]} */
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
