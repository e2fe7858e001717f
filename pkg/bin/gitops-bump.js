#!/usr/bin/env node
// The gitops-bump command line: see `gitops-bump --help` and pkg/src/cli.js.
// CommonJS (bin/package.json), so a run never starts Node's ES module loader unless it
// needs it. Installed from npm it requires the bundle prepack builds (dist/cli.cjs: one
// CommonJS file, the parts only some commands need evaluated on first use); in a checkout
// it imports the sources, so a change to pkg/src/ is never hidden behind a stale bundle.
// Node's compile cache (22.1+) keeps the compiled code between runs. What each step saves
// is measured in docs/BENCHMARKS.md ("CLI start-up").
'use strict';
const { enableCompileCache } = require('node:module');
enableCompileCache?.();
const path = require('node:path');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
const installed = __filename.split(path.sep).includes('node_modules') && require('node:fs').existsSync(bundle);
const loaded = installed
  ? Promise.resolve(require(bundle))
  : Promise.all([import('../src/cli.js'), import('../src/tiering.js')]).then(([cli, tiering]) => ({ ...cli, ...tiering }));

// process.stdout and process.stderr are made on first use, and making one is not free: a
// pipe or a terminal loads Node's net (and tty) modules. A successful edit never writes to
// stderr, so the streams are taken when something is written, not before.
/** @type {NodeJS.WriteStream[]} */
const opened = [];
/** @param {'stdout'|'stderr'} name */
const onFirstWrite = (name) => {
  /** @type {NodeJS.WriteStream|undefined} */
  let stream;
  return {
    /** @param {string} chunk */
    write(chunk) {
      if (!stream) opened.push((stream = process[name]));
      return stream.write(chunk);
    },
  };
};

loaded
  .then(({ main, tuneWasmTieringForOneShot }) => {
    tuneWasmTieringForOneShot();
    return main(process.argv.slice(2), { stdout: onFirstWrite('stdout'), stderr: onFirstWrite('stderr') });
  })
  .then((code) => {
    process.exitCode = code;
    setImmediate(exitWhenIdle);
  });

/**
 * Ends the process now when Node has nothing left to do but exit: no handle or request
 * but the standard streams this run opened, and nothing queued on them. Node's own exit
 * would first tear V8's heap down (and the wasm core's memory and code with it), a few ms
 * of CPU that process.exit() skips; with anything still pending (a child process, a
 * timer, output a slow pipe has not taken yet) the process ends the usual way, after it.
 */
function exitWhenIdle() {
  const active = process.getActiveResourcesInfo();
  const stdio = active.filter((r) => r === 'PipeWrap' || r === 'TTYWrap').length;
  if (active.length === stdio && stdio <= opened.length && opened.every((s) => s.writableLength === 0)) process.exit();
}
