// The oldest git the token path works with. The token reaches git as GIT_CONFIG_COUNT /
// GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n (see auth.js), which git reads since 2.31; an
// older git ignores them silently and then fails with "terminal prompts disabled".

import { PipelineError } from '../common/errors.js';

/** [major, minor] of the oldest git that reads GIT_CONFIG_COUNT. */
export const MIN_GIT_VERSION = Object.freeze([2, 31]);

const checked = new Map();

/** `[major, minor, patch]` from `git --version` output, or null. */
export function parseGitVersion(text) {
  const m = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(String(text ?? ''));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/**
 * Fails with a clear message when the git that `gm` runs is older than 2.31. Runs
 * `git --version` once per git executable and PATH.
 * @param {import('./command-manager.js').GitCommandManager} gm
 */
export async function requireGitForToken(gm) {
  const key = `${gm.gitPath}\0${gm.baseEnv?.PATH ?? ''}`;
  if (!checked.has(key)) checked.set(key, gm.output(['--version']).catch(() => ''));
  const text = await checked.get(key);
  const v = parseGitVersion(text);
  if (!v) return; // unknown builds (no "git version x.y") are given the benefit of the doubt
  const [major, minor] = MIN_GIT_VERSION;
  if (v[0] > major || (v[0] === major && v[1] >= minor)) return;
  throw new PipelineError(
    `git ${v.join('.')} is too old: gitops-bump needs git ${major}.${minor} or newer to hand the token to git ` +
      '(through GIT_CONFIG_COUNT, which older git ignores, so every fetch and push would fail for lack of credentials). ' +
      'Install a newer git (on the runner, or in the job image).',
    { code: 'git-version' },
  );
}
