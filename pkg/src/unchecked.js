/**
 * The words every front end uses for an image edit the overlay check could not decide
 * (guarantee 9 in docs/ARCHITECTURE.md: no check switches off silently). The CLI prints
 * them as warnings, the Action as warning annotations and a summary row, the orb's log
 * shows the CLI's, the playground a note.
 *
 * @module gitops-bump/unchecked
 */

/**
 * The unchecked parts grouped by image spec, in first-seen order.
 * @param {Array<{spec: string, file: string, what: string, reason: string}>} unchecked
 * @returns {Array<{spec: string, headline: string, items: string[]}>}
 */
export function uncheckedNotes(unchecked) {
  /** @type {Map<string, string[]>} */
  const bySpec = new Map();
  for (const u of unchecked ?? []) {
    const items = bySpec.get(u.spec) ?? [];
    const item = uncheckedItem(u);
    if (!items.includes(item)) items.push(item);
    bySpec.set(u.spec, items);
  }
  return [...bySpec].map(([spec, items]) => ({
    spec,
    headline: `image \`${spec}\` was set but not checked: the overlay check could not see where it would be rendered, so a misspelt name would go unnoticed`,
    items,
  }));
}

/**
 * One unchecked part in one line: `` `what` in file: reason ``.
 * @param {{file: string, what: string, reason: string}} u
 * @returns {string}
 */
export function uncheckedItem(u) {
  return `not followed: \`${u.what}\` in ${u.file}: ${u.reason}`;
}

/**
 * The CLI's warning lines (without newlines).
 * @param {Array<{spec: string, file: string, what: string, reason: string}>} unchecked
 * @returns {string[]}
 */
export function uncheckedWarnings(unchecked) {
  return uncheckedNotes(unchecked).flatMap((n) => [`warning: ${n.headline}`, ...n.items.map((i) => `  ${i}`)]);
}
