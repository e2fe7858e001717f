#!/usr/bin/env bash
# Builds the Rust core for wasm32 and generates the Node and web bindings:
#   pkg/wasm/node/  (wasm-bindgen --target nodejs; loaded by pkg/src/core.js)
#   pkg/wasm/web/   (wasm-bindgen --target web; loaded by the playground)
# Each .wasm is then shrunk with npm binaryen's wasm-opt (never Debian's 108: its
# output crashes at load), and each glue's string copy is made faster
# (scripts/patch-glue.mjs). Requires scripts/setup to have run (wasm-bindgen-cli, the
# wasm32 target, pkg/node_modules).
set -euo pipefail

PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$PKG/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

cd "$ROOT"
cargo build --quiet --profile wasm --target wasm32-unknown-unknown --lib
crate="$(awk -F'"' '/^name *=/ { gsub(/-/, "_", $2); print $2; exit }' Cargo.toml)"
input="target/wasm32-unknown-unknown/wasm/${crate}.wasm"

# wasm-opt features: what rustc emits for wasm32-unknown-unknown by default
# (bulk-memory, nontrapping-float-to-int, sign-ext, reference-types, multivalue,
# mutable-globals). A feature the module uses but wasm-opt does not allow fails
# validation here, not at load time.
opt_flags=(-Oz --strip-debug --strip-producers
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-reference-types --enable-multivalue --enable-mutable-globals)
wasm_opt="$PKG/node_modules/.bin/wasm-opt"

# wasm-bindgen + wasm-opt take ~20 s: skip them when cargo's output (and this script) are what the
# current pkg/wasm/ was made from (and both builds are there)
stamp="$PKG/wasm/.source-sha256"
source_sum="$(cat "$input" "${BASH_SOURCE[0]}" "$PKG/scripts/patch-glue.mjs" | sha256sum | cut -d" " -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$source_sum" && -f "$PKG/wasm/node/gitops_bump_bg.wasm" && -f "$PKG/wasm/web/gitops_bump_bg.wasm" ]]; then
  echo "build-wasm: pkg/wasm/ is up to date"
  exit 0
fi
rm -f "$stamp"

# Build both into a staging directory, check the node build loads, then swap each into
# place: a failed build leaves the previous pkg/wasm/ intact, and readers (tests, the
# playground server) never see a half-written directory for more than a rename.
staging="$PKG/wasm/.staging.$$"
trap 'rm -rf "$staging" "$PKG"/wasm/.old.$$.*' EXIT
mkdir -p "$staging"

for target in node web; do
  out="$staging/$target"
  mkdir -p "$out"
  bindgen_target="$target"
  [[ "$target" == node ]] && bindgen_target=nodejs
  wasm-bindgen --target "$bindgen_target" --out-dir "$out" --out-name gitops_bump "$input"
  node "$PKG/scripts/patch-glue.mjs" "$out/gitops_bump.js"
  wasm="$out/gitops_bump_bg.wasm"
  "$wasm_opt" "${opt_flags[@]}" "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
  # pkg/ is "type": "module"; the nodejs glue is CommonJS, the web glue ESM.
  module_type=module
  [[ "$target" == node ]] && module_type=commonjs
  printf '{ "type": "%s" }\n' "$module_type" > "$out/package.json"
done

# The node build must load and answer after wasm-opt (a bad optimiser build
# validates but crashes at instantiation).
node -e '
  const m = require(process.argv[1]);
  if (typeof m.version !== "function") throw new Error("wasm build exports no version()");
  console.log("build-wasm: gitops-bump core " + m.version() + ", " +
    require("fs").statSync(process.argv[2]).size + " bytes wasm");
'  "$staging/node/gitops_bump.js" "$staging/node/gitops_bump_bg.wasm"

for target in node web; do
  if [[ -e "$PKG/wasm/$target" ]]; then mv "$PKG/wasm/$target" "$PKG/wasm/.old.$$.$target"; fi
  mv "$staging/$target" "$PKG/wasm/$target"
done
echo "$source_sum" > "$stamp"
