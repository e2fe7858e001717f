// git configuration given through the environment (GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n /
// GIT_CONFIG_VALUE_n): git reads it as command-line config, after every config file and
// as "protected" config (so safe.directory counts), and nothing of it is written to disk.

import path from 'node:path';
import { PipelineError } from '../common/errors.js';

/**
 * Config entries that make git use `url` as it is, whatever `url.<base>.insteadOf` or
 * `pushInsteadOf` rules the user's or the CI system's git config holds. CircleCI's
 * `checkout` step writes `url."ssh://git@github.com".insteadOf https://github.com` into
 * ~/.gitconfig, which turns every https URL of github.com into SSH: the token header would
 * never be sent. git takes the longest matching prefix, and no prefix of `url` is longer
 * than `url` itself, so these identity rules win over every rule that rewrites it.
 * @param {string} url an http(s) URL without credentials
 * @returns {Array<[string, string]>}
 */
export function keepUrl(url) {
  return [
    [`url.${url}.insteadOf`, url],
    [`url.${url}.pushInsteadOf`, url],
  ];
}

/**
 * GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n variables for `entries`,
 * appended to those `baseEnv` already has.
 * @param {NodeJS.ProcessEnv} baseEnv
 * @param {Array<[string, string]>} entries
 * @returns {Record<string, string>}
 */
export function configEnv(baseEnv, entries) {
  const start = Number.parseInt(baseEnv.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  const out = { GIT_CONFIG_COUNT: String(start + entries.length) };
  entries.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${start + i}`] = key;
    out[`GIT_CONFIG_VALUE_${start + i}`] = value;
  });
  return out;
}

/**
 * In GitHub Actions, `safe.directory` entries (as GIT_CONFIG_* variables, which git reads as
 * protected command-line config) for `cwd` and each directory above it up to the workspace.
 * In a `container:` job the workspace belongs to the runner's user while steps run as root,
 * and git refuses a repository owned by another user ("dubious ownership"); the checkout
 * may be the workspace itself or any directory inside it.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} cwd
 * @returns {Record<string, string>}
 */
export function safeWorkspaceEnv(env, cwd) {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_WORKSPACE) return {};
  const workspace = path.resolve(env.GITHUB_WORKSPACE);
  let dir = path.resolve(cwd);
  const rel = path.relative(workspace, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return {};
  const dirs = [];
  for (;;) {
    dirs.push(dir);
    if (dir === workspace) break;
    dir = path.dirname(dir);
  }
  return configEnv(env, dirs.map((d) => ['safe.directory', d]));
}


/**
 * With a token and an https remote, git must really use https: an `insteadOf` rule that
 * keepUrl's entries cannot cancel (one for this very URL) would send the push over SSH
 * with whatever key the machine has, and the token nowhere. Throws a PipelineError naming
 * the rule's effect and what to change.
 * @param {import('./command-manager.js').GitCommandManager} git with the token's environment
 * @param {string} remote the remote's name, or the URL about to be cloned
 * @param {{remoteUrl: string|null, tokenEnv: string}} where
 */
export async function requireUrlKept(git, remote, { remoteUrl, tokenEnv }) {
  if (!/^https?:\/\//i.test(String(remoteUrl ?? ''))) return;
  const { fetch, push } = await git.effectiveUrls(remote);
  const other = [fetch, push].find((u) => !/^https?:\/\//i.test(u));
  if (!other) return;
  throw new PipelineError(
    `git would not use ${remoteUrl} as given but ${other}: a url.<base>.insteadOf (or pushInsteadOf) rule in the git config ` +
      `rewrites it, so the token in $${tokenEnv} would never be sent (CircleCI's checkout step writes such a rule for ` +
      `https://github.com; gitops-bump cancels that one, but not a rule for this exact URL). Remove the rule ` +
      '(git config --global --get-regexp "^url\\." lists them), or push over SSH without a token',
    { code: 'auth' },
  );
}
