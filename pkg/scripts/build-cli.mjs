// Bundles the command line for the npm package, as the Action is bundled: pkg/src/cli.js and
// pkg/src/tiering.js into pkg/dist/ as ES modules, the modules every run needs in one file
// (dist/cli.js) and what only some commands need (the git and GitHub pipeline, promotion,
// shell completion, the registry client's parts behind a dynamic import) in chunks loaded on
// first use. dist/ sits beside src/, so the paths the sources resolve at run time stay the
// same: ../package.json, ../wasm/node/ (the core, loaded by core.js), ../playground/ (kept
// out of the bundle: the server serves its own directory). `yaml` stays a run-time
// dependency (bundled in the tarball): a plain edit never loads it.
//
// bin/gitops-bump.js runs the bundle when the package is installed (under node_modules) and
// the sources in a checkout. Run by prepack (npm pack / npm publish); not committed.
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

/**
 * Node's built-in modules through `require`, not `import`: an ES import of a built-in
 * builds its module namespace, which reads every export, and for `node:fs` that loads its
 * streams (about 3 ms of CPU on every run, measured in benches/cli-startup.mjs); a
 * CommonJS require hands over the object, whose properties esbuild reads on use.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'require-call' ? undefined : { path: args.path, namespace: 'builtin-require' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

fs.mkdirSync(OUT, { recursive: true });
for (const f of fs.readdirSync(OUT)) if (/^(cli|tiering|chunk-[\w-]+)\.js$/.test(f)) fs.rmSync(path.join(OUT, f));
const result = await build({
  entryPoints: { cli: path.join(PKG, 'src', 'cli.js'), tiering: path.join(PKG, 'src', 'tiering.js') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['yaml'],
  plugins: [playgroundOutside, builtinsByRequire],
  chunkNames: 'chunk-[hash]',
  // a `require` for the sources' CommonJS needs (the wasm glue, yaml) and the built-ins
  banner: { js: "const require = (process.getBuiltinModule?.('node:module') ?? await import('node:module')).createRequire(import.meta.url);" },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs).map(([f, o]) => `${path.basename(f)} ${o.bytes} B`);
console.log(`build-cli: dist/ ${outputs.join(', ')}`);
