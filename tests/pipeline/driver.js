// Runs runPipeline in its own process (so tests can control PATH, env and capture output):
// `node driver.js '<json {cwd, plan, git}>'`. Uses the fake apply of helpers.js.
// Prints the result as JSON; on failure prints `error: <message>` and exits with exitCode.

import { runPipeline } from '../../pkg/src/pipeline.js';
import { fakeApply } from './helpers.js';

const { cwd, plan, git = {} } = JSON.parse(process.argv[2]);
try {
  const res = await runPipeline({
    cwd,
    plan,
    apply: fakeApply(plan),
    git: { ...git, env: process.env, log: (l) => process.stderr.write(`${l}\n`) },
  });
  process.stdout.write(`${JSON.stringify({ ...res, changed: res.changed.length })}\n`);
} catch (e) {
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = e.exitCode ?? 1;
}
