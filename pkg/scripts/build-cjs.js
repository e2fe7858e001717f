// Builds the CommonJS entry of the package, dist/index.cjs, from the ESM sources, so that
// `require('gitops-bump')` works on Node 20 (which cannot require an ES module). The
// bundle holds src/ (the API and runPipeline); `yaml` and the wasm glue stay outside it
// and are required at run time. dist/index.d.cts is index.d.ts, for CommonJS consumers of
// the types. Run by `npm run build` and by `prepack`.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(PKG, 'dist');

fs.mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [path.join(PKG, 'src', 'index.js')],
  outfile: path.join(dist, 'index.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // dist/ sits beside src/, so the relative path to ../wasm/node/ is the same in both
  external: ['yaml', '../wasm/*'],
  // the sources find files next to them through import.meta.url
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  legalComments: 'none',
});
for (const name of ['index', 'pipeline']) {
  const dts = fs.readFileSync(path.join(PKG, 'src', `${name}.d.ts`), 'utf8');
  // a .d.cts names its siblings as .cjs (TypeScript then reads their .d.cts)
  fs.writeFileSync(path.join(dist, `${name}.d.cts`), dts.replace(/from '\.\/(\w+)\.js'/g, "from './$1.cjs'"));
}
console.log(`build-cjs: dist/index.cjs, ${fs.statSync(path.join(dist, 'index.cjs')).size} bytes`);
