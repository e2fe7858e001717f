#!/usr/bin/env bash
# Builds the Rust core for wasm32 and generates its bindings into pkg/wasm/ (committed, so
# that a clone runs the CLI, the package and the Action with Node alone):
#   pkg/wasm/web/gitops_bump_bg.wasm  the one .wasm, shrunk with npm binaryen's wasm-opt
#                                     (never Debian's 108: its output crashes at load)
#   pkg/wasm/web/                     wasm-bindgen --target web (the playground, `gitops-bump/web`)
#   pkg/wasm/node/                    wasm-bindgen --target nodejs (pkg/src/core.js), its glue
#                                     patched to read the .wasm from ../web/
# wasm-bindgen emits the same .wasm for both targets; the build fails if they ever differ.
# Each glue's string copy is made faster (scripts/patch-glue.mjs).
#
# Usage: bash pkg/scripts/build-wasm.sh [--out DIR]   (DIR instead of pkg/wasm: the freshness
#        check builds into a scratch directory and compares). Most people want
#        `bash scripts/build`, which refreshes every committed build.
# Requires scripts/setup to have run (wasm-bindgen-cli, the wasm32 target, pkg/node_modules).
set -euo pipefail

PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$PKG/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

OUT="$PKG/wasm"
if [[ "${1:-}" == --out ]]; then
  [[ -n "${2:-}" ]] || { echo "build-wasm: --out needs a directory" >&2; exit 2; }
  mkdir -p "$2"
  OUT="$(cd "$2" && pwd)"
fi

cd "$ROOT"
cargo build --quiet --profile wasm --target wasm32-unknown-unknown --lib
crate="$(awk -F'"' '/^name *=/ { gsub(/-/, "_", $2); print $2; exit }' Cargo.toml)"
input="target/wasm32-unknown-unknown/wasm/${crate}.wasm"

# --converge repeats -Oz until the module stops shrinking (about 0.8 KB gzip; see
# docs/decisions/wasm-size-budget.md).
# wasm-opt features: what rustc emits for wasm32-unknown-unknown by default
# (bulk-memory, nontrapping-float-to-int, sign-ext, reference-types, multivalue,
# mutable-globals). A feature the module uses but wasm-opt does not allow fails
# validation here, not at load time.
opt_flags=(-Oz --converge --strip-debug --strip-producers
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-reference-types --enable-multivalue --enable-mutable-globals)
wasm_opt="$PKG/node_modules/.bin/wasm-opt"
[[ -x "$wasm_opt" ]] || { echo "build-wasm: $wasm_opt is missing: run bash scripts/setup" >&2; exit 1; }

# Build into a staging directory, check the node build loads, then swap each part into
# place: a failed build leaves the previous pkg/wasm/ intact, and readers (tests, the
# playground server) never see a half-written directory for more than a rename.
staging="$OUT/.staging.$$"
trap 'rm -rf "$staging" "$OUT"/.old.$$.*' EXIT
mkdir -p "$staging"

for target in node web; do
  out="$staging/$target"
  mkdir -p "$out"
  bindgen_target="$target"
  [[ "$target" == node ]] && bindgen_target=nodejs
  wasm-bindgen --target "$bindgen_target" --out-dir "$out" --out-name gitops_bump "$input"
  # pkg/ is "type": "module"; the nodejs glue is CommonJS, the web glue ESM.
  module_type=module
  [[ "$target" == node ]] && module_type=commonjs
  printf '{ "type": "%s" }\n' "$module_type" > "$out/package.json"
done
if ! cmp -s "$staging/node/gitops_bump_bg.wasm" "$staging/web/gitops_bump_bg.wasm"; then
  echo "build-wasm: wasm-bindgen made different .wasm files for nodejs and web; the package ships one: update this script" >&2
  exit 1
fi
rm "$staging/node/gitops_bump_bg.wasm" "$staging/node/gitops_bump_bg.wasm.d.ts"
wasm="$staging/web/gitops_bump_bg.wasm"
"$wasm_opt" "${opt_flags[@]}" "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
node "$PKG/scripts/patch-glue.mjs" --node "$staging/node/gitops_bump.js"
node "$PKG/scripts/patch-glue.mjs" "$staging/web/gitops_bump.js"

# The node build must load and answer after wasm-opt (a bad optimiser build
# validates but crashes at instantiation).
node -e '
  const m = require(process.argv[1]);
  if (typeof m.version !== "function") throw new Error("wasm build exports no version()");
  console.log("build-wasm: gitops-bump core " + m.version() + ", " +
    require("fs").statSync(process.argv[2]).size + " bytes wasm");
'  "$staging/node/gitops_bump.js" "$wasm"

for target in node web; do
  if [[ -e "$OUT/$target" ]]; then mv "$OUT/$target" "$OUT/.old.$$.$target"; fi
  mv "$staging/$target" "$OUT/$target"
done
