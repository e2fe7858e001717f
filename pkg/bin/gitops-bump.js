#!/usr/bin/env node
// The gitops-bump command line: see `gitops-bump --help` and pkg/src/cli.js.
// Installed from npm it runs the bundle prepack builds (dist/cli.js: one file, the parts
// only some commands need loaded on first use); in a checkout it runs the sources, so a
// change to pkg/src/ is never hidden behind a stale bundle. Node's compile cache (22.1+)
// keeps the compiled code between runs. Built-ins come from process.getBuiltinModule
// (Node 20.16+), not an ES import, which would build node:fs's whole namespace.
const builtin = (name) => process.getBuiltinModule?.(name);
builtin('node:module')?.enableCompileCache?.();
const fs = builtin('node:fs');
const bundled = import.meta.url.includes('/node_modules/') && (fs ? fs.existsSync(new URL('../dist/cli.js', import.meta.url)) : false);
const [{ main }, { tuneWasmTieringForOneShot }] = bundled
  ? await Promise.all([import('../dist/cli.js'), import('../dist/tiering.js')])
  : await Promise.all([import('../src/cli.js'), import('../src/tiering.js')]);

tuneWasmTieringForOneShot();
process.exitCode = await main(process.argv.slice(2));
