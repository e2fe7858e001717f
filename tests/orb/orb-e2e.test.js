// End to end: the packed orb's `bump` job, run by our stand-in for CircleCI's runner
// (executor.js) against real bare repositories: push, push into the project's own
// checkout, retry after a concurrent push, a pull request and an API commit through the local
// GitHub API server, SSH with a deploy key against a local sshd, dry run, drift check, a plan
// file, an example's own job, the install cache, and parameter values that try to inject shell.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGitHubServer } from '../github-api-server/server.js';
import { freePort, git } from '../pipeline/helpers.js';
import { ConfigError, Runner, evaluate, substitute } from './executor.js';
import { CACHE_KEY, artifactReport, packedPackage, releasedOrb, runnerOptions, setup } from './fixtures.js';
import { loadPackedOrb, parseYaml } from './orb.js';

function tempDir(t, prefix) {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Text that runs commands if any shell ever evaluates it; they would create `marker`. */
function hostile(marker) {
  return `deploy $(touch ${marker}) \`touch ${marker}\` 'single' "double" \\back; touch ${marker} & echo $HOME\nsecond line`;
}

function stepOf(result, name) {
  const step = result.steps.find((s) => s.name === name);
  assert.ok(step, `no step "${name}" in ${result.steps.map((s) => s.name).join(', ')}`);
  return step;
}

// Jobs are independent (own repositories, temp dirs, ports): run a few at once.
describe('the packed bump job, run as CircleCI would', { concurrency: 3 }, () => {
  test('push mode: the config repository is cloned, edited byte-exactly, pushed; the report is an artifact', async (t) => {
    const { config, bump, sha } = setup(t);
    const before = config.show('main', 'overlays/dev/kustomization.yaml');
    const r = await bump({ repository: config.url, targets: 'overlays/dev', images: 'ghcr.io/acme/api:1.10', retries: 3, author_name: 'Release Bot', author_email: 'bot@acme.test', commit_message: 'dev: api {tags} from {sha}' });
    assert.equal(r.exitCode, 0, r.output);
    assert.deepEqual(
      r.steps.map((s) => s.name),
      ['Checkout code', 'Restore the gitops-bump 0.1.0 installation', 'Install gitops-bump', 'Cache the gitops-bump 0.1.0 installation', 'Configure git credentials for the config repository', 'Bump the config repository with gitops-bump', 'Uploading artifacts'],
      'steps in order',
    );
    assert.equal(config.show('main', 'overlays/dev/kustomization.yaml'), before.replace('newTag: 1.0.0 # set', 'newTag: "1.10" # set'), 'only the tag changed, quoted');
    assert.equal(config.log()[0], `dev: api 1.10 from ${sha}`, '{sha} is the job\'s CIRCLE_SHA1');
    assert.equal(git(config.bare, ['log', '-1', '--format=%an <%ae>', 'main']), 'Release Bot <bot@acme.test>');
    const out = stepOf(r, 'Bump the config repository with gitops-bump').output;
    assert.match(out, /changed {3}overlays\/dev\/kustomization\.yaml\n {12}images\[0\]\.newTag: 1\.0\.0 -> 1\.10/);
    assert.match(out, new RegExp(`commit {4}${config.head()} pushed`));
    const report = artifactReport(r);
    assert.equal(report.commit, config.head());
    assert.equal(report.pushed, true);
    assert.deepEqual(report.changed.map((c) => c.file), ['overlays/dev/kustomization.yaml']);
  });

  test('without repository, the project\'s own checkout is edited and pushed; hostile values stay literal text', async (t) => {
    const marker = path.join(tempDir(t, 'orb-marker-'), 'pwned');
    const { config } = setup(t);
    // the project checked out is the config repository itself
    const runner = new Runner(runnerOptions({ project: { url: config.url, sha: config.head(), branch: 'main' } }));
    const value = `1.2$(touch ${marker});\`touch ${marker}\`'"`;
    const message = hostile(marker);
    const r = await runner.runJob('bump', { file: 'charts/api/values.yaml', path: 'image.tag', value, commit_message: message });
    t.after(() => rmSync(r.root, { recursive: true, force: true }));
    assert.equal(r.exitCode, 0, r.output);
    assert.equal(existsSync(marker), false, 'a parameter value was run as shell');
    const values = parseYaml(config.show('main', 'charts/api/values.yaml'));
    assert.equal(values.image.tag, value, 'the value arrived as written');
    assert.equal(git(config.bare, ['log', '-1', '--format=%B', 'main']), message, 'the commit message arrived as written');
    assert.match(stepOf(r, 'Bump the config repository with gitops-bump').output, /commit {4}[0-9a-f]{40} pushed/);
  });

  test('a push that loses a race is re-applied on the new head and pushed again', async (t) => {
    const { config, bump } = setup(t);
    // A teammate's commit, pushed by a git wrapper just before our first push.
    const dir = tempDir(t, 'orb-race-');
    const other = path.join(dir, 'other');
    git(dir, ['clone', '--quiet', config.bare, other]);
    writeFileSync(path.join(other, 'overlays/production/kustomization.yaml'), 'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 0.9.0\n');
    git(other, ['commit', '--quiet', '-am', 'teammate: production 0.9.0']);
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(
      path.join(bin, 'git'),
      `#!/bin/bash\nif [[ "$1" == push && ! -e ${dir}/raced ]]; then\n  touch ${dir}/raced\n  ${realGit} -C ${other} push --quiet origin HEAD:main >&2\nfi\nexec ${realGit} "$@"\n`,
    );
    chmodSync(path.join(bin, 'git'), 0o755);
    const r = await bump({ repository: config.url, targets: 'overlays/dev', images: 'ghcr.io/acme/api:2.0.0', retries: 4 }, { jobEnv: { PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(r.exitCode, 0, r.output);
    assert.ok(existsSync(path.join(dir, 'raced')), 'the concurrent push happened');
    assert.deepEqual(config.log().slice(1), ['teammate: production 0.9.0', 'seed'], 'our commit on top of the teammate\'s');
    assert.match(config.show('main', 'overlays/dev/kustomization.yaml'), /newTag: 2\.0\.0/);
    assert.match(config.show('main', 'overlays/production/kustomization.yaml'), /newTag: 0\.9\.0/, 'the teammate\'s change is kept');
    assert.equal(git(config.bare, ['rev-list', '--merges', '--count', 'main']), '0', 'linear history');
    assert.match(r.output, /pushed after 2 attempts/);
    assert.equal(artifactReport(r).attempts, 2);
  });

  test('pull_request mode opens a pull request through the GitHub API; the token never shows', async (t) => {
    const { config, bump } = setup(t);
    const token = 'ghp_orbTestToken0123456789abcdefXYZ';
    const server = await startGitHubServer({ repos: { 'acme/config': config.bare }, token });
    t.after(() => server.close());
    const marker = path.join(tempDir(t, 'orb-marker-'), 'pwned');
    const title = `Deploy api 3.1.0 $(touch ${marker}) \`touch ${marker}\`; "quoted" 'single'`;
    const r = await bump(
      {
        repository: server.gitUrl('acme/config'),
        targets: 'overlays/production',
        images: 'ghcr.io/acme/api:3.1.0',
        mode: 'pull_request',
        token_env: 'GITOPS_TOKEN',
        pr_title: title,
        pr_body: hostile(marker),
        pr_labels: 'deploy, production',
        pr_branch: 'deploy/api-production',
        pr_draft: true,
      },
      { jobEnv: { GITOPS_TOKEN: token, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/config' } },
    );
    assert.equal(r.exitCode, 0, r.output);
    assert.deepEqual(server.mismatches, []);
    const pulls = server.pulls('acme/config');
    assert.equal(pulls.length, 1);
    assert.equal(pulls[0].title, title);
    assert.equal(pulls[0].body, hostile(marker));
    assert.equal(pulls[0].head?.ref ?? pulls[0].head, 'deploy/api-production');
    assert.equal(pulls[0].draft, true);
    assert.deepEqual(server.labelsOf('acme/config', pulls[0].number), ['deploy', 'production']);
    assert.equal(existsSync(marker), false, 'a parameter value was run as shell');
    assert.match(config.show('deploy/api-production', 'overlays/production/kustomization.yaml'), /newTag: 3\.1\.0/);
    assert.match(config.show('main', 'overlays/production/kustomization.yaml'), /newTag: 1\.0\.0/, 'main is untouched');
    const out = stepOf(r, 'Bump the config repository with gitops-bump').output;
    assert.match(out, new RegExp(`pull request #${pulls[0].number} opened: \\S+`));
    assert.equal(artifactReport(r).pullRequest.number, pulls[0].number);
    const b64 = Buffer.from(`x-access-token:${token}`).toString('base64');
    for (const text of [r.output, readFileSync(path.join(r.artifacts, 'gitops-bump'), 'utf8')]) {
      assert.ok(!text.includes(token) && !text.includes(b64), 'the token leaked into the output');
    }
  });

  test("pull_request: reviewers, team reviewers, assignees and a milestone (a refusal is a warning); a person's commit on the branch stops the job unless pr_overwrite", async (t) => {
    const { config, bump } = setup(t);
    const token = 'ghp_orbPeopleToken0123456789abcdefXYZ';
    const server = await startGitHubServer({ repos: { 'acme/config': config.bare }, token, behaviour: { collaborators: ['alice', 'bob'], teamsForbidden: true, milestones: [3] } });
    t.after(() => server.close());
    const jobEnv = { GITHUB_TOKEN: token, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/config' };
    const job = (tag, extra = {}) => bump({ repository: server.gitUrl('acme/config'), targets: 'overlays/production', images: `ghcr.io/acme/api:${tag}`, mode: 'pull_request', pr_branch: 'deploy/api', ...extra }, { jobEnv });
    const first = await job('4.0.0', { pr_reviewers: 'alice,\n bob', pr_team_reviewers: 'platform', pr_assignees: 'alice', pr_milestone: '3' });
    assert.equal(first.exitCode, 0, first.output);
    assert.deepEqual(server.mismatches, []);
    const [pr] = server.pulls('acme/config');
    assert.deepEqual([pr.reviewers, pr.assignees, pr.milestone], [['alice', 'bob'], ['alice'], 3]);
    assert.match(first.output, /could not request reviews from team platform on pull request #1 \(403/, 'the refused team request is a warning in the log');
    // the Action's pr-branch and pr-head-sha outputs: in the log and the report
    const head = config.head('deploy/api');
    assert.match(stepOf(first, 'Bump the config repository with gitops-bump').output, new RegExp(`branch {4}deploy/api at ${head}`));
    assert.deepEqual(artifactReport(first).pr, { number: 1, url: pr.html_url ?? artifactReport(first).pr.url, operation: 'created', branch: 'deploy/api', headSha: head });

    config.competingCommit({ 'base/deployment.yaml': (text) => `${text}# reviewed\n` }, 'review: note on the deployment', 'deploy/api');
    const human = config.head('deploy/api');
    const refused = await job('4.0.1');
    const step = stepOf(refused, 'Bump the config repository with gitops-bump');
    assert.equal(step.exitCode, 3, refused.output);
    assert.match(step.output, new RegExp(`holds a commit that gitops-bump did not make \\(${human.slice(0, 12)} by Fixture <fixture@example\\.com>\\).*the \`pr_overwrite\` parameter`));
    assert.equal(config.head('deploy/api'), human, 'the branch was replaced');
    const forced = await job('4.0.1', { pr_overwrite: true });
    assert.equal(forced.exitCode, 0, forced.output);
    assert.notEqual(config.head('deploy/api'), human);
    assert.equal(artifactReport(forced).pr.operation, 'updated');
    assert.deepEqual(server.mismatches, []);
  });

  test("CircleCI's checkout rewrites https to SSH: a token still pushes over https, to another repository and to the project's own", async (t) => {
    const { config } = setup(t);
    const token = 'ghp_orbInsteadOfToken0123456789abcdef';
    const server = await startGitHubServer({ repos: { 'acme/config': config.bare }, token });
    t.after(() => server.close());
    const jobEnv = { GITHUB_TOKEN: token, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/app' };
    // the project's checkout writes the rule for the server standing in for github.com
    const { runner } = setup(t, { project: { url: config.url, sha: config.head(), branch: 'main', vcsUrl: server.url } });
    const cross = await runner.runJob('bump', { repository: server.remoteUrl('acme/config'), targets: 'overlays/dev', images: 'ghcr.io/acme/api:7.0.0' }, { jobEnv });
    t.after(() => rmSync(cross.root, { recursive: true, force: true }));
    assert.match(readFileSync(path.join(cross.home, '.gitconfig'), 'utf8'), /\[url "ssh:\/\/git@github\.com"\]\n\tinsteadOf = https:\/\/github\.com\n/, "the checkout wrote CircleCI's rule");
    assert.equal(cross.exitCode, 0, cross.output);
    assert.match(config.show('main', 'overlays/dev/kustomization.yaml'), /newTag: 7\.0\.0/);
    assert.ok(server.gitRequests.length > 0, 'git went over https to the server');
    const dry = await runner.runJob('bump', { repository: server.remoteUrl('acme/config'), targets: 'overlays/dev', images: 'ghcr.io/acme/api:7.1.0', mode: 'dry_run' }, { jobEnv });
    t.after(() => rmSync(dry.root, { recursive: true, force: true }));
    assert.equal(dry.exitCode, 0, dry.output);
    assert.match(dry.output, /-    newTag: 7\.0\.0 # set by gitops-bump\n\+    newTag: 7\.1\.0 # set by gitops-bump/);

    // the project is the config repository itself, its origin an https URL of the server
    const own = new Runner(runnerOptions({ project: { url: config.url, originUrl: server.remoteUrl('acme/config'), sha: config.head(), branch: 'main', vcsUrl: server.url } }));
    const same = await own.runJob('bump', { targets: 'overlays/production', images: 'ghcr.io/acme/api:7.0.1' }, { jobEnv });
    t.after(() => rmSync(same.root, { recursive: true, force: true }));
    assert.equal(same.exitCode, 0, same.output);
    assert.match(config.show('main', 'overlays/production/kustomization.yaml'), /newTag: 7\.0\.1/);
    assert.ok(!cross.output.includes(token) && !same.output.includes(token), 'the token leaked into the output');

    // a rule for this very URL cannot be cancelled: a clear stop before anything is cloned
    const pinned = await runner.runJob('bump', { repository: server.remoteUrl('acme/config'), targets: 'overlays/dev', images: 'ghcr.io/acme/api:7.0.2' }, { jobEnv: { ...jobEnv, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.ssh://git@127.0.0.1:1/acme/config.git.insteadOf`, GIT_CONFIG_VALUE_0: server.remoteUrl('acme/config') } });
    t.after(() => rmSync(pinned.root, { recursive: true, force: true }));
    assert.equal(stepOf(pinned, 'Bump the config repository with gitops-bump').exitCode, 3, pinned.output);
    assert.match(pinned.output, /git would not use http:\/\/127\.0\.0\.1:\d+\/acme\/config\.git as given but ssh:\/\/git@127\.0\.0\.1:1\/acme\/config\.git: a url\.<base>\.insteadOf/);
    assert.match(config.show('main', 'overlays/dev/kustomization.yaml'), /newTag: 7\.0\.0/);
  });

  test('an image without bash: the first orb step stops with one clear line, nothing runs after it', async (t) => {
    const { config } = setup(t);
    const { runner } = setup(t, { shell: '/bin/sh -e' });
    const head = config.head();
    const r = await runner.runJob('bump', { repository: config.url, targets: 'overlays/dev', images: 'ghcr.io/acme/api:8.0.0' });
    t.after(() => rmSync(r.root, { recursive: true, force: true }));
    assert.equal(r.exitCode, 1);
    const failed = r.steps.filter((s) => s.exitCode !== 0);
    assert.equal(failed.length, 1, r.output);
    assert.equal(failed[0].exitCode, 2);
    assert.equal(failed[0].output, "gitops-bump: this step needs bash, and the job's shell is not bash (the image has none?): use an image with bash, such as the orb's executor (cimg/node), or install bash first\n");
    assert.equal(config.head(), head);
  });

  test('a promotion opens a pull request that changes only the target overlay; its body is the before/after table', async (t) => {
    const { config, bump } = setup(t);
    config.competingCommit({ 'overlays/dev/kustomization.yaml': (text) => text.replace('newTag: 1.0.0', 'newTag: "1.10"') }, 'dev runs 1.10');
    const devBefore = config.show('main', 'overlays/dev/kustomization.yaml');
    const token = 'ghp_orbPromoteToken0123456789abcdef';
    const server = await startGitHubServer({ repos: { 'acme/config': config.bare }, token });
    t.after(() => server.close());
    const r = await bump(
      { repository: server.gitUrl('acme/config'), promote_from: 'dev=overlays/dev', promote_to: 'production=overlays/production', promote_images: 'ghcr.io/acme/api', mode: 'pull_request' },
      { jobEnv: { GITHUB_TOKEN: token, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/config' } },
    );
    assert.equal(r.exitCode, 0, r.output);
    assert.deepEqual(server.mismatches, []);
    const [pr] = server.pulls('acme/config');
    assert.equal(pr.title, 'Promote dev=overlays/dev to production=overlays/production');
    assert.match(pr.body, /\| `ghcr\.io\/acme\/api` \| `ghcr\.io\/acme\/api:1\.10` \| `ghcr\.io\/acme\/api:1\.0\.0` \| \*\*`ghcr\.io\/acme\/api:1\.10`\*\* \|/);
    const branch = pr.head?.ref ?? pr.head;
    assert.equal(git(config.bare, ['diff', '--name-only', 'main', branch]), 'overlays/production/kustomization.yaml');
    assert.match(config.show(branch, 'overlays/production/kustomization.yaml'), /newTag: "1\.10"/);
    assert.equal(config.show('main', 'overlays/dev/kustomization.yaml'), devBefore, 'FROM is untouched');
    assert.ok(!r.output.includes(token), 'the token leaked into the output');
  });

  test('api_commit mode commits through GitHub\'s Git Data API', async (t) => {
    const { config, bump } = setup(t);
    const token = 'ghs_orbApiCommitToken0123456789';
    const server = await startGitHubServer({ repos: { 'acme/config': config.bare }, token });
    t.after(() => server.close());
    const before = config.head();
    const r = await bump(
      { repository: server.gitUrl('acme/config'), targets: 'overlays/dev', images: 'ghcr.io/acme/api:6.0.0', mode: 'api_commit', token_env: 'GITOPS_TOKEN' },
      { jobEnv: { GITOPS_TOKEN: token, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/config' } },
    );
    assert.equal(r.exitCode, 0, r.output);
    assert.deepEqual(server.mismatches, []);
    assert.ok(server.requests.some((q) => q.method === 'POST' && q.path.endsWith('/git/commits')), 'no commit through the API');
    assert.match(config.show('main', 'overlays/dev/kustomization.yaml'), /newTag: 6\.0\.0/);
    assert.equal(git(config.bare, ['rev-parse', 'main^']), before);
    assert.equal(artifactReport(r).commit, config.head());
    assert.ok(!r.output.includes(token));
  });

  test('an example\'s own job runs as written: checkout, install, set_image on the project, git diff', async (t) => {
    const { runner, sha } = setup(t);
    const r = await runner.runConfigJob(releasedOrb().examples.drift_check.usage, 'local-edit');
    t.after(() => rmSync(r.root, { recursive: true, force: true }));
    assert.equal(r.exitCode, 0, r.output);
    assert.match(stepOf(r, 'Set images with gitops-bump').output, /gitops-bump · edit · /);
    assert.match(stepOf(r, 'Show the change').output, new RegExp(`-    newTag: 1\\.0\\.0 # set by gitops-bump\n\\+    newTag: "?${sha}"? # set by gitops-bump`));
  });


  /** Waits until something accepts connections on port. */
  async function waitForPort(port, ms = 30_000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const ok = await new Promise((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => {
          c.end();
          resolve(true);
        });
        c.on('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nothing listens on 127.0.0.1:${port}`);
  }

  test('SSH: a deploy key picked by fingerprint pushes to a local sshd; only that key, strict host keys', async (t) => {
    const sshd = '/usr/sbin/sshd';
    assert.ok(existsSync(sshd), 'openssh-server is not installed (scripts/setup-test installs it)');
    const dir = tempDir(t, 'orb-sshd-');
    const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy', '-f', path.join(dir, 'deploy_key')]);
    // a second project key, offered first if the script did not pin the deploy key
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'other', '-f', path.join(dir, 'other_key')]);
    writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'deploy_key.pub')));
    const port = await freePort();
    writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${dir}/host_key`,
        `PidFile ${dir}/sshd.pid`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        `AllowUsers ${user}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'MaxAuthTries 1',
        '',
      ].join('\n'),
    );
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const daemon = spawn(sshd, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let sshdLog = '';
    daemon.stderr.on('data', (d) => (sshdLog += d));
    t.after(() => daemon.kill('SIGTERM'));
    await waitForPort(port);

    const fp = (file, hash) => execFileSync('ssh-keygen', ['-l', '-E', hash, '-f', file], { encoding: 'utf8' }).split(' ')[1];
    const md5 = (file) => fp(file, 'md5').replace(/^MD5:/, '');
    const { config } = setup(t);
    const { runner } = setup(t, {
      sshKeys: {
        [md5(path.join(dir, 'other_key'))]: readFileSync(path.join(dir, 'other_key'), 'utf8'),
        [md5(path.join(dir, 'deploy_key'))]: readFileSync(path.join(dir, 'deploy_key'), 'utf8'),
      },
    });
    const hostKey = readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const r = await runner.runJob('bump', {
      repository: `ssh://${user}@127.0.0.1:${port}${config.bare}`,
      ssh_key_fingerprint: fp(path.join(dir, 'deploy_key.pub'), 'sha256'),
      ssh_known_hosts: `[127.0.0.1]:${port} ${hostKey}`,
      targets: 'overlays/dev',
      images: 'ghcr.io/acme/api:4.0.0',
      verify: 'false',
    });
    t.after(() => rmSync(r.root, { recursive: true, force: true }));
    assert.equal(r.exitCode, 0, `${r.output}\n--- sshd:\n${sshdLog}`);
    assert.match(config.show('main', 'overlays/dev/kustomization.yaml'), /newTag: 4\.0\.0/);
    assert.match(stepOf(r, 'Configure git credentials for the config repository').output, /over SSH with the key \S+id_rsa_[0-9a-f]{32} only/);
    assert.match(sshdLog, /Accepted publickey/);
    assert.doesNotMatch(sshdLog, /Failed publickey/, 'another key was offered first');
    // only the deploy key was added to the job, and only the bump step used it
    assert.deepEqual(readdirSync(path.join(r.home, '.ssh')).filter((f) => f.startsWith('id_rsa')), [`id_rsa_${md5(path.join(dir, 'deploy_key')).replace(/:/g, '')}`]);
    assert.doesNotMatch(readFileSync(path.join(r.root, 'bash_env'), 'utf8'), /GIT_SSH_COMMAND/, 'later steps would push with the deploy key');

    // token mode: no key of the project is added to the job at all
    const token = await runner.runJob('bump', { repository: config.url, targets: 'overlays/dev', images: 'ghcr.io/acme/api:4.0.0', mode: 'check' });
    t.after(() => rmSync(token.root, { recursive: true, force: true }));
    assert.equal(token.exitCode, 0, token.output);
    assert.ok(!token.steps.some((st) => st.name === 'Add SSH keys'), 'add_ssh_keys ran without a fingerprint');
    assert.deepEqual(existsSync(path.join(token.home, '.ssh')) ? readdirSync(path.join(token.home, '.ssh')) : [], []);

    // a wrong host key is refused, not learned
    const bad = await runner.runJob('bump', {
      repository: `ssh://${user}@127.0.0.1:${port}${config.bare}`,
      ssh_key_fingerprint: fp(path.join(dir, 'deploy_key.pub'), 'md5'),
      ssh_known_hosts: `[127.0.0.1]:${port} ${readFileSync(path.join(dir, 'other_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`,
      targets: 'overlays/dev',
      images: 'ghcr.io/acme/api:4.0.1',
      verify: 'false',
    });
    t.after(() => rmSync(bad.root, { recursive: true, force: true }));
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.output, /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    assert.match(config.show('main', 'overlays/dev/kustomization.yaml'), /newTag: 4\.0\.0/);
  });

  test('dry_run shows the diff; check fails on drift and passes without; nothing is pushed', async (t) => {
    const { config, bump } = setup(t);
    const head = config.head();
    const dry = await bump({ repository: config.url, targets: 'overlays/production', images: 'ghcr.io/acme/api:5.0.0', mode: 'dry_run' });
    assert.equal(dry.exitCode, 0, dry.output);
    assert.match(dry.output, /-    newTag: 1\.0\.0\n\+    newTag: 5\.0\.0/);
    const drift = await bump({ repository: config.url, targets: 'overlays/production', images: 'ghcr.io/acme/api:5.0.0', mode: 'check' });
    assert.equal(drift.exitCode, 1);
    assert.match(drift.output, /DRIFT: the config repository differs/);
    assert.equal(stepOf(drift, 'Bump the config repository with gitops-bump').exitCode, 1);
    assert.equal(config.head(), head, 'nothing pushed');
    const clean = await bump({ repository: config.url, targets: 'overlays/production', images: 'ghcr.io/acme/api:1.0.0', mode: 'check', fail_if_unchanged: false });
    assert.equal(clean.exitCode, 0, clean.output);
    assert.match(clean.output, /no drift/);
    const strict = await bump({ repository: config.url, targets: 'overlays/production', images: 'ghcr.io/acme/api:1.0.0', fail_if_unchanged: true });
    assert.equal(strict.exitCode, 1);
    assert.match(strict.output, /nothing had to change and fail_if_unchanged is set/);
  });

  test('a plan file from the project checkout is applied to the config repository', async (t) => {
    const { config, bump } = setup(t);
    const r = await bump({ repository: config.url, plan: 'deploy/plan.yaml' });
    assert.equal(r.exitCode, 0, r.output);
    assert.equal(parseYaml(config.show('main', 'charts/api/values.yaml')).image.tag, '2.0');
    const both = await bump({ repository: config.url, plan: 'deploy/plan.yaml', images: 'ghcr.io/acme/api:1.0.0' });
    assert.equal(both.exitCode, 1);
    assert.match(both.output, /either "plan" or the edits/);
  });

  test('install: a cached installation of the version is restored and used without npm', async (t) => {
    const cacheDir = tempDir(t, 'orb-cache-');
    const { config, runner } = setup(t, { cacheDir });
    const first = await runner.runJob('bump', { package: packedPackage(), repository: config.url, images: 'ghcr.io/acme/api:1.0.0', targets: 'overlays/dev', mode: 'check', verify: 'false' });
    t.after(() => rmSync(first.root, { recursive: true, force: true }));
    assert.equal(first.exitCode, 0, first.output);
    // What an earlier `gitops-bump/install` of version 0.1.0 saved under its key.
    const seed = tempDir(t, 'orb-seed-');
    cpSync(path.join(first.home, '.gitops-bump', 'custom'), path.join(seed, '.gitops-bump', '0.1.0'), { recursive: true, verbatimSymlinks: true });
    execFileSync('tar', ['-cf', path.join(cacheDir, `${encodeURIComponent(CACHE_KEY)}.tar`), '-C', seed, '.gitops-bump']);
    const second = await runner.runJob('bump', { repository: config.url, images: 'ghcr.io/acme/api:1.0.0', targets: 'overlays/dev', mode: 'check', verify: 'false' }, { jobEnv: { npm_config_registry: 'http://127.0.0.1:9/' } });
    t.after(() => rmSync(second.root, { recursive: true, force: true }));
    assert.equal(second.exitCode, 0, second.output);
    assert.match(stepOf(second, 'Restore the gitops-bump 0.1.0 installation').output, /Found a cache/);
    assert.match(stepOf(second, 'Install gitops-bump').output, /gitops-bump 0\.1\.0 is already installed .* \(restored from the cache, checked against sha512-/);
    assert.match(stepOf(second, 'Cache the gitops-bump 0.1.0 installation').output, /cache already exists/);

    // The same cache with one file of the CLI changed (whoever can write the project's
    // caches): the step refuses it, and nothing of it runs.
    const cli = path.join(seed, '.gitops-bump', '0.1.0', 'lib', 'node_modules', 'gitops-bump', 'bin', 'gitops-bump.js');
    writeFileSync(cli, readFileSync(cli, 'utf8').replace('#!/usr/bin/env node\n', '#!/usr/bin/env node\nconsole.log("from the cache");\n'));
    execFileSync('tar', ['-cf', path.join(cacheDir, `${encodeURIComponent(CACHE_KEY)}.tar`), '-C', seed, '.gitops-bump']);
    const third = await runner.runJob('bump', { repository: config.url, images: 'ghcr.io/acme/api:1.0.0', targets: 'overlays/dev', mode: 'check', verify: 'false' }, { jobEnv: { npm_config_registry: 'http://127.0.0.1:9/' } });
    t.after(() => rmSync(third.root, { recursive: true, force: true }));
    assert.notEqual(third.exitCode, 0, third.output);
    assert.match(stepOf(third, 'Install gitops-bump').output, /differs from its verified tarball \(a tampered cache\)[\s\S]*refusing the restored cache/);
    assert.ok(!third.output.includes('from the cache\n'), 'the tampered CLI never ran');
  });

  test('the runner binds parameters as CircleCI does: types, enums, env_var_name, unknown names', async () => {
    const runner = new Runner({ orb: loadPackedOrb(), project: { url: 'file:///nonexistent' } });
    const cases = [
      [{ mode: 'merge' }, /mode.*one of push, pull_request, api_commit, dry_run, check/],
      [{ retries: '5' }, /retries.*an integer/],
      [{ scan: 'yes' }, /scan.*a boolean/],
      [{ token_env: 'MY TOKEN' }, /token_env.*environment variable name/],
      [{ token: 'x' }, /unknown parameter `token`/],
      [{ node_tag: 22 }, /node_tag.*a string/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(runner.runJob('bump', args), (e) => e instanceof ConfigError && message.test(e.message));
    }
    // a whole-value reference keeps its type; substitution happens once
    const values = { parameters: { n: 5, on: false, s: '<< parameters.n >>' }, pipeline: { 'git.tag': 'v1' } };
    assert.deepEqual(substitute({ a: '<< parameters.n >>', b: 'x-<< parameters.n >>', c: '<< parameters.s >>', d: '<<parameters.on>>', e: '<< pipeline.git.tag >>' }, values, 't'), { a: 5, b: 'x-5', c: '<< parameters.n >>', d: false, e: 'v1' });
    assert.throws(() => substitute('<< parameters.missing >>', values, 't'), /unknown reference/);
    assert.deepEqual([evaluate({ not: '' }), evaluate({ and: [true, 'x'] }), evaluate({ or: [false, 0] }), evaluate({ equal: ['a', 'a'] }), evaluate({ equal: ['a', 'b'] })], [true, true, false, true, false]);
  });
});
