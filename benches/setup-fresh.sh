#!/usr/bin/env bash
# Times the main job built from source, `bash scripts/demo --build` (setup, the wasm build
# and the Action's bundle, then the demo), on a fresh clone as a new machine of
# this kind would run it: a scratch HOME whose Rust toolchain is the machine image's
# (rustc, cargo, rustfmt, clippy) but without anything scripts/setup installs — no wasm32
# target, no wasm-bindgen-cli, an empty cargo registry and npm cache, no target/ dir.
# Everything downloads from the registries and compiles, as on a fresh machine. Prints
# setup's own step timings and a summary; the figures are recorded in docs/BENCHMARKS.md.
#
#   bash benches/setup-fresh.sh            # the main job from source (scripts/demo --build)
#   bash benches/setup-fresh.sh --test     # then also scripts/setup-test's installs, from
#                                          # nothing but the machine-wide apt packages
#   KEEP=1 bash benches/setup-fresh.sh     # keep the scratch dir (its path is printed)
#
# Needs ~3 GB in $TMPDIR (a copy of the toolchain) and the network of a fresh machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REAL_RUSTUP="${RUSTUP_HOME:-$HOME/.rustup}"
REAL_CARGO="${CARGO_HOME:-$HOME/.cargo}"
toolchain="$(rustup show active-toolchain | awk '{print $1}')"
toolchain_dir="$(cd "$REAL_RUSTUP/toolchains/$toolchain" && pwd -P)"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/gitops-bump-fresh.XXXXXX")"
if [[ -z "${KEEP:-}" ]]; then trap 'rm -rf "$scratch"' EXIT; fi
home="$scratch/home"
mkdir -p "$home/.cargo/bin" "$home/.rustup/toolchains"

# --- a machine of this kind, before scripts/setup: the image's toolchain, nothing added ---
t=$SECONDS
name="$(basename "$toolchain_dir")"
cp -a "$toolchain_dir" "$home/.rustup/toolchains/$name"
rm -rf "$home/.rustup/toolchains/$name/lib/rustlib/wasm32-unknown-unknown" \
  "$home/.rustup/toolchains/$name/lib/rustlib/manifest-rust-std-wasm32-unknown-unknown"
sed -i '/^rust-std-wasm32-unknown-unknown$/d' "$home/.rustup/toolchains/$name/lib/rustlib/components"
# rustup lists a toolchain's targets from multirust-config.toml: drop the wasm32 entry
awk 'BEGIN { RS = ""; ORS = "\n\n" } !/target = "wasm32-unknown-unknown"/' \
  "$REAL_RUSTUP/toolchains/$name/lib/rustlib/multirust-config.toml" \
  > "$home/.rustup/toolchains/$name/lib/rustlib/multirust-config.toml"
printf 'default_toolchain = "%s"\nprofile = "minimal"\nversion = "12"\n' "$name" > "$home/.rustup/settings.toml"
cp "$REAL_CARGO/bin/rustup" "$home/.cargo/bin/rustup"
for proxy in cargo rustc rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  ln -s rustup "$home/.cargo/bin/$proxy"
done
[[ -f "$HOME/.npmrc" ]] && cp "$HOME/.npmrc" "$home/.npmrc"
if env -i HOME="$home" PATH="$home/.cargo/bin:/usr/bin:/bin" RUSTUP_HOME="$home/.rustup" \
  CARGO_HOME="$home/.cargo" rustup target list --installed | grep -q wasm32; then
  echo "setup-fresh: the scratch toolchain still lists the wasm32 target" >&2
  exit 1
fi
prep=$((SECONDS - t))

# the scratch environment: nothing of this machine's HOME, CARGO_HOME or RUSTUP_HOME
# (Go's caches and module downloads included, for --test)
fresh_env=(env -i HOME="$home" PATH="$home/.cargo/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin"
  RUSTUP_HOME="$home/.rustup" CARGO_HOME="$home/.cargo" GOPATH="$home/go" GOCACHE="$home/.cache/go-build"
  TERM=dumb LANG=C.UTF-8)

git clone --quiet --no-local "$ROOT" "$scratch/repo"
echo "fresh clone of $(git -C "$scratch/repo" rev-parse --short HEAD) in $scratch/repo (machine prepared in ${prep}s)"
if "${fresh_env[@]}" bash -c 'command -v wasm-bindgen' >/dev/null 2>&1; then
  echo "setup-fresh: wasm-bindgen is visible in the scratch environment; the measurement would not be from nothing" >&2
  exit 1
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
status=0
(cd "$scratch/repo" && /usr/bin/time -f '%e s wall, %U s user + %S s sys CPU' -o "$scratch/demo.time" \
  "${fresh_env[@]}" bash scripts/demo --build) > "$scratch/demo.log" 2>&1 || status=$?
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
grep -E '^(setup|build-wasm):' "$scratch/demo.log" || true

t=$SECONDS
(cd "$scratch/repo" && "${fresh_env[@]}" bash scripts/setup) >/dev/null
again=$((SECONDS - t))

echo
echo "== summary ($(nproc) cores)"
echo "bash scripts/demo --build from nothing: $(cat "$scratch/demo.time"); load average before: $load_before, after: $load_after"
echo "bash scripts/setup again (everything installed): ${again}s"
if [[ $status -ne 0 ]] || ! grep -q 'ghcr.io/acme/api:1.10.0' "$scratch/demo.log"; then
  echo "setup-fresh: the demo failed (exit $status) or did not show the bumped image:" >&2
  tail -20 "$scratch/demo.log" >&2
  exit 1
fi

if [[ "${1:-}" == --test ]]; then
  # the test command's installs; apt packages (chromium, bats, shellcheck, openssh-server,
  # zsh, fish) are machine-wide and already there, so apt is not timed here
  (cd "$scratch/repo" && /usr/bin/time -f '%e s wall, %U s user + %S s sys CPU' -o "$scratch/setup-test.time" \
    "${fresh_env[@]}" bash scripts/setup-test) > "$scratch/setup-test.log" 2>&1 || status=$?
  grep -E '^setup-test:' "$scratch/setup-test.log" || true
  echo "bash scripts/setup-test after the main job (no apt): $(cat "$scratch/setup-test.time"); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ $status -ne 0 ]]; then tail -20 "$scratch/setup-test.log" >&2; exit 1; fi
fi
