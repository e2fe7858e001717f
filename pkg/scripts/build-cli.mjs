// Bundles the command line for the npm package, as the Action is bundled: pkg/src/cli.js and
// pkg/src/tiering.js into one CommonJS file, dist/cli.cjs, which bin/gitops-bump.js (itself
// CommonJS: bin/package.json) requires when the package is installed. CommonJS because
// Node's ES module loader costs more per run than the whole `set` we want to be quick:
// resolving, linking and evaluating a dozen ES modules took about 10 ms of CPU more than
// requiring the same code as one CommonJS file on Node 24, and 20 ms more on Node 20
// (measured in benches/cli-startup.mjs; docs/BENCHMARKS.md "CLI start-up").
//
// The parts only some commands need (the git and GitHub pipeline, promotion, shell
// completion, the registry client) are in the same file but behind esbuild's lazy module
// wrappers: their code is parsed (lazily, by V8) but not run, and the built-ins they need
// (node:child_process, node:crypto, HTTP) are not loaded by a plain edit
// (tests/package/pack.test.js checks that on the installed bundle).
//
// dist/ sits beside src/, so the paths the sources resolve at run time stay the same:
// ../package.json, ../wasm/node/ (the core, loaded by core.js), ../playground/ (kept out of
// the bundle: the server serves its own directory). `yaml` stays a run-time dependency
// (bundled in the tarball): a plain edit never loads it. `import.meta.url` becomes the
// bundle's own file URL.
//
// Run by prepack (npm pack / npm publish); not committed.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(PKG, 'dist');

/** The playground's server reads files beside itself: imported from its own place. */
const playgroundOutside = {
  name: 'playground-outside',
  setup(b) {
    b.onResolve({ filter: /[\\/]playground[\\/]server\.js$/ }, () => ({ path: '../playground/server.js', external: true }));
  },
};

fs.mkdirSync(OUT, { recursive: true });
// what earlier builds left: the ES module bundle and its chunks
for (const f of fs.readdirSync(OUT)) if (/^(cli|tiering|chunk-[\w-]+)\.(c?js)$/.test(f)) fs.rmSync(path.join(OUT, f));
const result = await build({
  stdin: {
    contents: "export { main } from './cli.js';\nexport { tuneWasmTieringForOneShot } from './tiering.js';\n",
    resolveDir: path.join(PKG, 'src'),
    sourcefile: 'cli-entry.js',
    loader: 'js',
  },
  outfile: path.join(OUT, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['yaml'],
  plugins: [playgroundOutside],
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: "'use strict';\nconst __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs).map(([f, o]) => `${path.basename(f)} ${o.bytes} B`);
console.log(`build-cli: dist/ ${outputs.join(', ')}`);
