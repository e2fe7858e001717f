/**
 * How V8 runs the wasm core in a process that does one job and exits (the CLI, the
 * Action). V8 first runs wasm code through its baseline compiler and recompiles a
 * function with its optimising compiler once the function has run for a while (its
 * "tiering budget"). With V8's default budget a single small edit already sends dozens
 * of functions to the optimising compiler, which costs far more CPU than the edit (about
 * 100 ms for a 3 KB file, on two cores that the edit competes with) and is thrown away
 * when the process exits. A budget 100 times larger keeps small and medium edits on the
 * baseline code, while the long loops of a multi-megabyte edit still get optimised
 * early enough (measured in docs/BENCHMARKS.md, "CLI start-up").
 *
 * A library user's long-running process keeps V8's default: only the entry points of
 * one-shot processes call this.
 *
 * @module gitops-bump/tiering
 */
import { createRequire } from 'node:module';

/** V8's default `--wasm-tiering-budget` (Node 20) times 100. */
export const ONE_SHOT_TIERING_BUDGET = 180_000_000;

/**
 * Raises V8's wasm tiering budget for this process, unless the user set one in
 * NODE_OPTIONS or on the command line. Must run before the wasm core is first used (it
 * is loaded lazily, so anywhere in an entry point's start is early enough).
 */
export function tuneWasmTieringForOneShot() {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => /^--(wasm[-_]tiering[-_]budget|liftoff|no[-_]liftoff|liftoff[-_]only|wasm[-_]tier)/.test(a))) return;
  // required rather than imported: an ES import of `node:v8` loads more of Node's internals
  const v8 = /** @type {typeof import('node:v8')} */ (createRequire(import.meta.url)('node:v8'));
  v8.setFlagsFromString(`--wasm-tiering-budget=${ONE_SHOT_TIERING_BUDGET}`);
}
