// The size ladder on the wasm build under Node: the inputs and edits that
// `cargo bench --bench edit -- --write-ladder DIR` wrote, each edited with the package's
// wasm core (pkg/wasm/node, in-process, after one warm-up edit), `runs` times per rung.
// Usage: node benches/wasm-ladder.mjs DIR [runs] [glue]   (glue: another nodejs build's
// gitops_bump.js, to compare builds; default the package's pkg/wasm/node/)
// Prints a Markdown table: CPU ms per edit (process.cpuUsage: this process, all threads;
// steadier than wall time on a shared machine), wall ms, MB/s and time ÷ the 1 MB rung's
// (both from the CPU time).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [dir = 'target/bench-inputs', runsArg = '3', glue] = process.argv.slice(2);
const runs = Math.max(1, Number(runsArg));
const require = createRequire(import.meta.url);
const core = require(glue ? resolve(glue) : '../pkg/wasm/node/gitops_bump.js');

const rows = readFileSync(join(dir, 'ladder.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
console.log('| shape | size | CPU ms/edit (median) | CPU ms (min) | wall ms (median) | MB/s (CPU) | time ÷ 1 MB rung |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const first = new Map();
for (const [file, path, value, select, shape, mb] of rows) {
  const text = readFileSync(join(dir, file), 'utf8');
  const opts = select === '-' ? {} : { select };
  const edit = () => {
    const out = core.setValue(text, path, value, opts);
    if (out.text === text) throw new Error(`${file}: nothing changed`);
  };
  edit();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    const c = process.cpuUsage();
    edit();
    const d = process.cpuUsage(c);
    wall.push(Number(process.hrtime.bigint() - s) / 1e6);
    cpu.push((d.user + d.system) / 1e3);
  }
  const mid = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
  const median = mid(cpu);
  if (!first.has(shape)) first.set(shape, median);
  const megabytes = Buffer.byteLength(text) / 1e6;
  console.log(
    `| ${shape} | ${mb} MB | ${median.toFixed(1)} | ${Math.min(...cpu).toFixed(1)} | ${mid(wall).toFixed(1)} | ${(megabytes / (median / 1e3)).toFixed(1)} | ${(median / first.get(shape)).toFixed(1)} |`,
  );
}
