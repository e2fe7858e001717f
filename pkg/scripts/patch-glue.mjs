// Rewrites how wasm-bindgen's generated glue copies a JS string into wasm memory
// (`passStringToWasm0`), in each glue file named on the command line, in place.
//
// The generated code copies the ASCII prefix of the string one character at a time in a
// JS loop, then hands the rest to TextEncoder.encodeInto. For a multi-megabyte YAML text
// that loop costs about 7 ms per MB under Node 20 (27 ms for a 4 MB text), against 1 ms
// for encodeInto over the whole text. The rewrite lets encodeInto fill the same first
// allocation (the string's length in bytes, enough for an ASCII text) and falls back to
// the generated code's own path for what does not fit: the same bytes reach the core.
//
// With --node, the nodejs glue also reads the .wasm from ../web/ (the package ships one
// .wasm, beside the web glue that fetches it by a relative URL): `WASM_PATH` below.
//
// Each block must be found exactly once per file, or the build fails: a wasm-bindgen
// upgrade that changes the glue has to be looked at, not silently left unpatched.
// Usage: node pkg/scripts/patch-glue.mjs [--node] GLUE.js...
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GENERATED_PATH = 'const wasmPath = `${__dirname}/gitops_bump_bg.wasm`;\n';
/** Where the patched nodejs glue reads the .wasm; action/build.mjs rewrites it for its bundle. */
export const WASM_PATH = "const wasmPath = require('path').join(__dirname, '..', 'web', 'gitops_bump_bg.wasm');\n";

const GENERATED = `    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }
`;

const REWRITTEN = `    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    // patched by pkg/scripts/patch-glue.mjs: one native encodeInto for what fits in the
    // first allocation (all of an ASCII text), instead of a JS loop per character
    const head = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(ptr, ptr + len));
    let offset = head.written;
    if (head.read !== arg.length) {
        arg = arg.slice(head.read);
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }
`;

/** TEXT with FROM (found exactly once) replaced by TO; exits naming WHAT otherwise. */
function replaceOnce(file, text, from, to, what) {
  const found = text.split(from).length - 1;
  if (found !== 1) {
    console.error(`patch-glue: ${file}: expected ${what} once, found it ${found} times; the generated glue changed (wasm-bindgen upgrade?): update pkg/scripts/patch-glue.mjs`);
    process.exit(1);
  }
  return text.replace(from, () => to);
}

function main(args) {
  const node = args[0] === '--node';
  const files = node ? args.slice(1) : args;
  if (files.length === 0) {
    console.error('usage: node pkg/scripts/patch-glue.mjs [--node] GLUE.js...');
    process.exit(2);
  }
  for (const file of files) {
    let text = replaceOnce(file, readFileSync(file, 'utf8'), GENERATED, REWRITTEN, "wasm-bindgen's passStringToWasm0 loop");
    if (node) text = replaceOnce(file, text, GENERATED_PATH, WASM_PATH, "the nodejs glue's wasmPath");
    writeFileSync(file, text);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
