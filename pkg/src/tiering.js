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
 * V8 also validates every function of a module when it compiles it, though it compiles
 * (lazily) only the functions a call reaches: a small edit reaches about a fifth of the
 * core's code. With lazy validation a function is validated when it is first compiled
 * (about 4 ms of CPU less on Node 20 and Node 24 for the core's 650 KB). The core is
 * validated whole where it is built and in the tests (pkg/test/glue.test.js); an invalid
 * function would fail its first call with a `CompileError` instead of the module's load.
 *
 * A library user's long-running process keeps V8's defaults: only the entry points of
 * one-shot processes call this.
 *
 * @module gitops-bump/tiering
 */
import { createRequire } from 'node:module';

/** V8's default `--wasm-tiering-budget` (Node 20) times 100. */
export const ONE_SHOT_TIERING_BUDGET = 180_000_000;

/**
 * Raises V8's wasm tiering budget and turns on lazy wasm validation for this process,
 * each unless the user set it (or, for the budget, any tiering flag) in NODE_OPTIONS or on
 * the command line. Must run before the wasm core is compiled (it is loaded lazily, so
 * anywhere in an entry point's start is early enough).
 */
export function tuneWasmTieringForOneShot() {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const flags = [];
  if (!given.some((a) => /^--(wasm[-_]tiering[-_]budget|liftoff|no[-_]liftoff|liftoff[-_]only|wasm[-_]tier)/.test(a))) {
    flags.push(`--wasm-tiering-budget=${ONE_SHOT_TIERING_BUDGET}`);
  }
  if (!given.some((a) => /^--(no[-_])?wasm[-_]lazy[-_]validation\b/.test(a))) flags.push('--wasm-lazy-validation');
  if (flags.length === 0) return;
  // required rather than imported: an ES import of `node:v8` loads more of Node's internals
  const v8 = /** @type {typeof import('node:v8')} */ (createRequire(import.meta.url)('node:v8'));
  for (const flag of flags) v8.setFlagsFromString(flag);
}
