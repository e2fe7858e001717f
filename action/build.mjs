// Bundles the Action: action/src/index.js (and the pkg/ code it imports: the same
// runPipeline and applyPlan as the CLI) into action/dist/index.js, one ES module. The wasm
// core is not copied: the bundle reads the one committed .wasm of the package,
// pkg/wasm/web/gitops_bump_bg.wasm, which is part of every commit a `uses:` line can pin
// (GitHub fetches the whole repository for an action). The output depends only on the
// sources (no timestamps, paths relative to the repository), so scripts/checks/action-dist.sh
// can rebuild and compare. Run: node action/build.mjs [--out DIR] (or `bash scripts/build`,
// which rebuilds the wasm first).
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = createRequire(path.join(ROOT, 'pkg', 'package.json'))('esbuild');
const outFlag = process.argv.indexOf('--out');
const OUT = path.resolve(outFlag >= 0 ? process.argv[outFlag + 1] : path.join(ROOT, 'action', 'dist'));
const WASM = path.join(ROOT, 'pkg', 'wasm', 'web', 'gitops_bump_bg.wasm');
const { WASM_PATH } = await import(path.join(ROOT, 'pkg', 'scripts', 'patch-glue.mjs'));

// pkg/src/core.js loads the wasm glue with a require made by createRequire (so the package
// loads it lazily, from pkg/wasm/node/). A bundler cannot see through that; this plugin
// hands the glue to esbuild as a plain require of a literal path, so it is bundled and
// reads the .wasm from the bundle's own directory.
const LOADER = 'const require = createRequire(import.meta.url);';
const GLUE = 'require(WASM_GLUE)';
const wasmGlue = {
  name: 'gitops-bump-wasm-glue',
  setup(build) {
    build.onLoad({ filter: /[\\/]pkg[\\/]src[\\/]core\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(LOADER) || !text.includes(GLUE)) {
        throw new Error(`${args.path}: the wasm loader changed (expected \`${LOADER}\` and \`${GLUE}\`); update action/build.mjs`);
      }
      return { contents: text.replace(LOADER, '').replace(GLUE, "require('../wasm/node/gitops_bump.js')"), loader: 'js' };
    });
    // the glue reads the .wasm relative to its own directory; in the bundle that is
    // action/dist/, two levels below the repository root
    build.onLoad({ filter: /[\\/]pkg[\\/]wasm[\\/]node[\\/]gitops_bump\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (text.split(WASM_PATH).length !== 2) {
        throw new Error(`${args.path}: the glue's wasm path changed (expected ${WASM_PATH.trim()}); update action/build.mjs`);
      }
      const fromBundle = "const wasmPath = require('path').join(__dirname, '..', '..', 'pkg', 'wasm', 'web', 'gitops_bump_bg.wasm');\n";
      return { contents: text.replace(WASM_PATH, () => fromBundle), loader: 'js' };
    });
  },
};

// An ES module bundle of CommonJS code (the wasm glue, yaml's node build) needs
// `require`, `__dirname` and `__filename`; these are the bundle's own.
const banner = [
  "import { createRequire as __gbCreateRequire } from 'node:module';",
  "import { fileURLToPath as __gbFileURLToPath } from 'node:url';",
  "import { dirname as __gbDirname } from 'node:path';",
  'const require = __gbCreateRequire(import.meta.url);',
  'const __filename = __gbFileURLToPath(import.meta.url);',
  'const __dirname = __gbDirname(__filename);',
].join('\n');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: ['action/src/index.js'],
  outfile: path.join(OUT, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: banner },
  plugins: [wasmGlue],
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
  metafile: true,
});
// the licences of what the bundle holds and of the wasm core it loads
const { npmPackages, renderLicences, wasmCrates } = await import(path.join(ROOT, 'scripts', 'licenses.mjs'));
writeFileSync(path.join(OUT, 'THIRD-PARTY-LICENSES.md'), renderLicences('the gitops-bump GitHub Action (action/dist/)', [
  { title: 'npm packages bundled in index.js (from esbuild\'s metafile)', entries: npmPackages(ROOT, result.metafile) },
  { title: 'Rust crates in the wasm core it loads (pkg/wasm/web/gitops_bump_bg.wasm; cargo metadata, wasm32)', entries: wasmCrates(ROOT) },
]));
if (!existsSync(WASM)) throw new Error(`${WASM} is missing: run \`bash scripts/build\``);
console.log(`action/build.mjs: ${OUT.startsWith(ROOT) ? path.relative(ROOT, OUT) : OUT}/index.js ${statSync(path.join(OUT, 'index.js')).size} B, reading ${path.relative(ROOT, WASM)} (${statSync(WASM).size} B)`);
