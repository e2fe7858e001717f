// The Action's registry checks under nektos/act (a real runner implementation, on the
// host): one workflow whose jobs bump an image of a crane registry on 127.0.0.1. The job
// that pins lands one commit with the digest; a typo'd tag, a wrong digest, a missing
// platform and a missing signature each fail their step with an annotation of their kind,
// and leave the remote as it was.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runCommand } from '../pipeline/helpers.js';
import { REPORT, ROOT, configRepo, git, pushWorkflow, tempDir } from './helpers.js';
import { configFiles } from '../registry/fixtures.js';
import { SKIP_CRANE, pushImage, startCrane } from '../registry/servers.js';

const ACT = path.join(ROOT, '.tools', 'bin', 'act');
const SKIP = SKIP_CRANE || (!existsSync(ACT) && !process.env.CI && 'act is not built (scripts/setup-test builds it; in CI this fails)');

function job(name, inputs) {
  const lines = Object.entries({ targets: 'overlays/prod', ...inputs }).map(([k, v]) => `          ${k}: ${JSON.stringify(String(v))}`);
  return `  ${name}:
    runs-on: ubuntu-latest
    env:
      GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: "5,5"
    steps:
      - uses: actions/checkout@v4
      - name: Bump
        id: bump
        uses: ./action
        continue-on-error: true
        with:
${lines.join('\n')}
${REPORT}`;
}

function resultOf(output, name) {
  const line = output.split('\n').find((l) => l.startsWith(`[${name}]`) && /\|\s+RESULT /.test(l));
  assert.ok(line, `job ${name}: no RESULT line:\n${output}`);
  return JSON.parse(line.replace(/^.*?\|\s+RESULT /, ''));
}

test('under act: pinned on success; a typo, a wrong digest, a missing platform or signature fails and changes nothing', { timeout: 300000, skip: SKIP }, async (t) => {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
  const older = await pushImage(t, reg.host, 'acme/api', '0.9.0', { content: 'older' });
  const image = `${reg.host}/acme/api`;
  const dir = tempDir(t, 'gb-act-registry-');
  const origin = configRepo(t, { dir: path.join(dir, 'remote'), slug: 'acme/app', files: configFiles(reg.host) });
  const app = origin.clone('app');
  pushWorkflow(app, 'registry', `${job('pin', { images: `${image}:1.0.0`, 'pin-digest': 'true', 'require-platforms': 'linux/amd64,linux/arm64' })}
${job('typo', { images: `${image}:1.0.O` })}
${job('digest', { images: `${image}:1.0.0@${older.digest}` })}
${job('platform', { images: `${image}:1.0.0`, 'require-platforms': 'linux/s390x' })}
${job('signature', { images: `${image}:1.0.0`, 'require-signature': 'true' })}`, 'ci: the Action and a registry workflow');
  const start = origin.head();

  const r = await runCommand(ACT, ['push', '-P', 'ubuntu-latest=-self-hosted', '--pull=false', '--log-prefix-job-id', '--concurrent-jobs', '1'], {
    cwd: app,
    env: cleanEnv({ HOME: path.join(dir, 'home'), DOCKER_CONFIG: path.join(dir, 'no-docker-config') }),
    timeoutMs: 280000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, output);

  const pin = resultOf(output, 'pin');
  assert.equal(pin.outcome, 'success', output);
  assert.deepEqual(JSON.parse(pin.outputs.images).map((i) => [i.digest, i.platforms]), [[img.digest, ['linux/amd64', 'linux/arm64']]]);
  assert.equal(git(origin.bare, ['rev-parse', 'main^']), start, 'one commit, the pin');
  assert.match(origin.show('main', 'overlays/prod/kustomization.yaml'), new RegExp(`newTag: 1\\.0\\.0\\n    digest: ${img.digest}$`));
  assert.match(git(origin.bare, ['log', '-1', '--format=%B', 'main']), new RegExp(`Image-Digest: ${image.replace(/[.]/g, '\\.')}:1\\.0\\.0@${img.digest}`));

  for (const [name, kind] of [['typo', 'tag-not-found'], ['digest', 'digest-mismatch'], ['platform', 'platform-missing'], ['signature', 'signature-missing']]) {
    const res = resultOf(output, name);
    assert.equal(res.outcome, 'failure', `${name}: ${output}`);
    assert.deepEqual(res.outputs, {});
    const log = output.split('\n').filter((l) => l.startsWith(`[${name}]`)).join('\n');
    assert.match(log, new RegExp(`::error title=gitops-bump%3A ${kind}::error\\[${kind}\\]`));
  }
  assert.equal(origin.log().length, 3, 'only the pin job changed the remote');
});
