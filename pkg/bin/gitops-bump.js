#!/usr/bin/env node
// The gitops-bump command line: see `gitops-bump --help` and pkg/src/cli.js.
// CommonJS (bin/package.json), so a run never starts Node's ES module loader unless it
// needs it. Installed from npm it requires the bundle prepack builds (dist/cli.cjs: one
// CommonJS file, the parts only some commands need evaluated on first use); in a checkout
// it imports the sources, so a change to pkg/src/ is never hidden behind a stale bundle.
// Node's compile cache (22.1+) keeps the compiled code between runs.
'use strict';
const { enableCompileCache } = require('node:module');
enableCompileCache?.();
const path = require('node:path');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
const installed = __filename.split(path.sep).includes('node_modules') && require('node:fs').existsSync(bundle);
const loaded = installed
  ? Promise.resolve(require(bundle))
  : Promise.all([import('../src/cli.js'), import('../src/tiering.js')]).then(([cli, tiering]) => ({ ...cli, ...tiering }));
loaded
  .then(({ main, tuneWasmTieringForOneShot }) => {
    tuneWasmTieringForOneShot();
    return main(process.argv.slice(2));
  })
  .then((code) => {
    process.exitCode = code;
  });
