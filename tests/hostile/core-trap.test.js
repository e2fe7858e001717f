// One bad input never breaks the next call: after any trap of the wasm core (a stack
// overflow, an out-of-bounds access, a panic) the JS layer drops the instance and the
// next call gets a fresh one. Run in one process, through the package's API.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BIN } from './harness.js';
import { GitopsBumpError, getValue, setValue } from '../../pkg/src/index.js';
import { instanceCount } from '../../pkg/src/core.js';

const GOOD = 'image:\n  tag: "1.0" # pinned\n';
const good = () => assert.equal(setValue(GOOD, 'image.tag', '2.0').text, 'image:\n  tag: "2.0" # pinned\n');

test('deep inputs are clean errors, and every later call in the process still works', () => {
  good();
  const bad = [
    () => getValue(`${'- '.repeat(10_000)}x\n`, '[0]'),
    () => setValue(`${Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} x\n`, 'k', 'v'),
    () => setValue(GOOD, Array.from({ length: 3000 }, (_, i) => `k${i}`).join('.'), 'v', { create: true }),
  ];
  for (const call of bad) {
    assert.throws(call, (e) => e instanceof GitopsBumpError && /deep|depth|nest|recursion|limit/i.test(e.message), 'a clean error');
    good();
  }
});

/**
 * Calls `fn` with only a little native stack left, so the core runs out of stack in the
 * middle of its work whatever its own depth limit is: a real trap, on any input.
 * @param {number} spare frames left unused below the limit
 * @param {() => void} fn
 */
function withLittleStack(spare, fn) {
  let max = 0;
  const probe = (n) => {
    max = n;
    probe(n + 1);
  };
  try {
    probe(0);
  } catch {
    // max is now about the deepest this stack allows
  }
  const descend = (n) => (n >= max - spare ? fn() : descend(n + 1));
  return descend(0);
}

test('a trap in the middle of a call (stack exhausted) is reported, and the instance is replaced', () => {
  good();
  const before = instanceCount();
  const nested = `${'- '.repeat(100)}x\n`; // well under any depth limit
  let trapped = 0;
  // one frame at a time: the window in which the overflow lands inside the core is only
  // a few JS frames wide, and a coarser step can jump over it
  for (let spare = 5; spare <= 4000 && trapped === 0; spare += 1) {
    try {
      withLittleStack(spare, () => getValue(nested, '[0]'));
    } catch (e) {
      if (e instanceof GitopsBumpError && e.kind === 'internal' && /the core stopped/.test(e.message)) trapped += 1;
      else if (!(e instanceof RangeError)) throw e; // the overflow hit JS before the core: try again
    }
  }
  assert.ok(trapped > 0, 'some call trapped inside the core');
  good();
  assert.equal(getValue(nested, '[0]').length, 1);
  assert.ok(instanceCount() > before, 'a fresh instance was loaded after the trap');
});

test('under a low memory limit the CLI shows the real load error, not "not built"', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bump-hostile-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'v.yaml'), 'a: 1\n');
  const r = spawnSync('bash', ['-c', 'ulimit -v 1000000 && exec "$0" "$1" get v.yaml a', process.execPath, BIN], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^error\[internal\]: gitops-bump: cannot load the wasm core: .*(memory|allocate).*\n {2}= help: .*ulimit -v/);
  assert.doesNotMatch(r.stderr, /not built/);
  assert.equal(fs.readFileSync(path.join(dir, 'v.yaml'), 'utf8'), 'a: 1\n');
});
