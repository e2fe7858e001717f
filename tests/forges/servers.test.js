// The local GitLab and Bitbucket servers themselves: they must refuse what the real forges
// refuse and record every request or response that does not follow the published
// description, or the scenario tests would prove nothing.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startGitLabServer } from '../forge-servers/gitlab.js';
import { startBitbucketServer } from '../forge-servers/bitbucket.js';
import { makeRemote } from '../pipeline/helpers.js';

const json = async (url, { method = 'GET', headers = {}, body } = {}) => {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, data: await res.json().catch(() => null), headers: res.headers };
};

test('the vendored descriptions name their source', async () => {
  const { readFileSync } = await import('node:fs');
  for (const f of ['gitlab', 'bitbucket']) {
    const spec = JSON.parse(readFileSync(new URL(`../forge-servers/spec/${f}.json`, import.meta.url), 'utf8'));
    assert.equal(spec.swagger, '2.0');
    assert.ok(spec['x-source'].repository, `${f}: repository`);
    assert.match(JSON.stringify(spec['x-source']), /[0-9a-f]{40}/, `${f}: a commit`);
    assert.match(spec['x-source'].regenerate, /regenerate\.mjs/);
  }
});

test('GitLab server: records what does not follow the description, and answers as GitLab', async (t) => {
  const remote = makeRemote(t, { 'a.yaml': 'a: 1\n' });
  const token = 'glpat-selftest0000000000';
  const s = await startGitLabServer({ repos: { 'grp/cfg': remote.bare }, token });
  t.after(() => s.close());
  const H = { 'PRIVATE-TOKEN': token };
  const api = s.apiUrl;
  // a project path with literal slashes matches no route: GitLab's 404
  assert.equal((await json(`${api}/projects/grp/cfg/merge_requests`, { headers: H })).status, 404);
  assert.match(s.mismatches.pop().errors[0], /no operation in gitlab\.json for GET \/api\/v4\/projects\/grp\/cfg\/merge_requests/);
  // no token, a wrong one, a token in the wrong header
  assert.equal((await json(`${api}/projects/grp%2Fcfg/merge_requests`)).status, 401);
  assert.equal((await json(`${api}/projects/grp%2Fcfg/merge_requests`, { headers: { Authorization: `Bearer ${token}` } })).status, 401);
  const cases = [
    ['POST', '/projects/grp%2Fcfg/merge_requests', { source_branch: 'main', target_branch: 'main' }, /missing required property title/],
    ['POST', '/projects/grp%2Fcfg/merge_requests', { title: 't', source_branch: 'main', target_branch: 'main', body: 'x' }, /body: body is not a property the description names/],
    ['GET', '/projects/grp%2Fcfg/merge_requests?state=open', undefined, /query\.state: "open" is not one of/],
    ['GET', '/projects/grp%2Fcfg/merge_requests?head=x', undefined, /unknown query parameter head/],
    ['PUT', '/projects/grp%2Fcfg/merge_requests/one', { title: 't' }, /path\.merge_request_iid: expected integer/],
    ['PUT', '/projects/grp%2Fcfg/merge_requests/1', { state_event: 'closed' }, /state_event: "closed" is not one of/],
    ['PUT', '/projects/grp%2Fcfg/merge_requests/1', { add_labels: 'a,b' }, /add_labels: expected array/],
  ];
  for (const [method, p, body, want] of cases) {
    const r = await json(`${api}${p}`, { method, headers: H, body });
    assert.equal(r.status, 400, `${method} ${p}`);
    const last = s.mismatches.pop();
    assert.match(last.errors.join('\n'), want, `${method} ${p}: ${last.errors}`);
  }
  // GitLab's own refusals, which do follow the description
  let r = await json(`${api}/projects/grp%2Fcfg/merge_requests`, { method: 'POST', headers: H, body: { title: 't', source_branch: 'nope', target_branch: 'main' } });
  assert.deepEqual([r.status, r.data.message], [422, ['Source branch "nope" does not exist']]);
  const { execFileSync } = await import('node:child_process');
  execFileSync('git', ['--git-dir', remote.bare, 'branch', 'feature', 'main']);
  r = await json(`${api}/projects/grp%2Fcfg/merge_requests`, { method: 'POST', headers: H, body: { title: 'Draft: t', source_branch: 'feature', target_branch: 'main' } });
  assert.equal(r.status, 201);
  assert.equal(r.data.draft, true, 'the Draft: prefix makes a draft');
  assert.equal(r.data.source_project_id, r.data.target_project_id);
  r = await json(`${api}/projects/grp%2Fcfg/merge_requests`, { method: 'POST', headers: H, body: { title: 't2', source_branch: 'feature', target_branch: 'main' } });
  assert.deepEqual([r.status, r.data.message], [409, ['Another open merge request already exists for this source branch: !1']]);
  assert.deepEqual(s.mismatches, []);
});

test('GitLab server: pages with x-next-page; OAuth and job tokens', async (t) => {
  const remote = makeRemote(t, { 'a.yaml': 'a: 1\n' });
  const { execFileSync } = await import('node:child_process');
  for (let i = 0; i < 3; i += 1) execFileSync('git', ['--git-dir', remote.bare, 'branch', `b${i}`, 'main']);
  const s = await startGitLabServer({ repos: { 'grp/cfg': remote.bare }, token: 'glpat-x000000000', oauthToken: 'oauth-y00000000', jobToken: 'job-z000000000' });
  t.after(() => s.close());
  for (let i = 0; i < 3; i += 1) {
    const r = await json(`${s.apiUrl}/projects/grp%2Fcfg/merge_requests`, { method: 'POST', headers: { Authorization: 'Bearer oauth-y00000000' }, body: { title: `m${i}`, source_branch: `b${i}`, target_branch: 'main' } });
    assert.equal(r.status, 201);
  }
  const p1 = await json(`${s.apiUrl}/projects/grp%2Fcfg/merge_requests?state=opened&per_page=2`, { headers: { 'JOB-TOKEN': 'job-z000000000' } });
  assert.deepEqual([p1.data.length, p1.headers.get('x-next-page')], [2, '2']);
  const p2 = await json(`${s.apiUrl}/projects/grp%2Fcfg/merge_requests?state=opened&per_page=2&page=2`, { headers: { 'JOB-TOKEN': 'job-z000000000' } });
  assert.deepEqual([p2.data.length, p2.headers.get('x-next-page')], [1, '']);
  assert.deepEqual(s.mismatches, []);
});

test('Bitbucket server: records what does not follow the description, and answers as Bitbucket', async (t) => {
  const remote = makeRemote(t, { 'a.yaml': 'a: 1\n' });
  const { execFileSync } = await import('node:child_process');
  execFileSync('git', ['--git-dir', remote.bare, 'branch', 'feature', 'main']);
  const s = await startBitbucketServer({ repos: { 'ws/cfg': remote.bare }, appPassword: { username: 'robot', password: 'app-pass-0000' } });
  t.after(() => s.close());
  const H = { Authorization: `Basic ${Buffer.from('robot:app-pass-0000').toString('base64')}` };
  const api = `${s.apiUrl}/repositories/ws/cfg/pullrequests`;
  assert.equal((await json(api, { headers: { Authorization: 'Bearer app-pass-0000' } })).status, 401);
  const cases = [
    ['POST', '', { title: 't', source: { branch: { name: 'feature' } } }, /body: missing required property type/],
    ['POST', '', { type: 'pullrequest', title: 't', source: { branch: { name: 'feature' }, ref: 'x' } }, /body\.source: unknown property ref/],
    ['POST', '', { type: 'pullrequest', title: 't', body: 'x', source: { branch: { name: 'feature' } } }, /body: body is not a property the description names/],
    ['GET', '?state=open', undefined, /query\.state: "open" is not one of/],
    ['GET', '?q=source.branch.name="x"', undefined, /unknown query parameter q/],
  ];
  for (const [method, p, body, want] of cases) {
    const r = await json(`${api}${p}`, { method, headers: H, body });
    assert.equal(r.status, 400, `${method} ${p}`);
    assert.equal(r.data.type, 'error');
    const last = s.mismatches.pop();
    assert.match(last.errors.join('\n'), want, `${method} ${p}: ${last.errors}`);
  }
  let r = await json(api, { method: 'POST', headers: H, body: { type: 'pullrequest', title: 't', source: { branch: { name: 'nope' } }, destination: { branch: { name: 'main' } } } });
  assert.equal(r.status, 400);
  r = await json(api, { method: 'POST', headers: H, body: { type: 'pullrequest', title: 't', description: 'd', source: { branch: { name: 'feature' } }, destination: { branch: { name: 'main' } } } });
  assert.equal(r.status, 201);
  assert.deepEqual([r.data.type, r.data.state, r.data.description, r.data.source.branch.name], ['pullrequest', 'OPEN', 'd', 'feature']);
  r = await json(`${api}/${r.data.id}/decline`, { method: 'POST', headers: H });
  assert.equal(r.data.state, 'DECLINED');
  r = await json(`${api}/1`, { method: 'PUT', headers: H, body: { type: 'pullrequest', title: 'x' } });
  assert.equal(r.status, 400, 'only open pull requests can be updated');
  assert.deepEqual(s.mismatches, []);
});
