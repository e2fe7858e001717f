// Registry verification: requests and wall time per verified image, on loopback, against
// distribution's `registry` with Bearer tokens (the `silly` challenge and the token service
// of the tests) and against `crane registry serve` (no auth). Workloads: 1 image; 20 images
// in 20 repositories (a monorepo bump: one token each); 20 tags of one repository (one
// token). Each run is a fresh client (a fresh CLI process would be the same), timed from
// the first request to the last answer, in-process through the same verifyPlan the CLI calls.
// Usage: node benches/registry-verify.mjs [runs]   (default 15; the median is printed)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const servers = await import(path.join(root, 'tests/registry/servers.js'));
const { verifyPlan } = await import(path.join(root, 'pkg/src/registry/verify.js'));
const { validatePlan } = await import(path.join(root, 'pkg/src/plan.js'));

if (!existsSync(servers.CRANE) || !existsSync(servers.REGISTRY)) {
  console.error('benches/registry-verify.mjs: crane and registry are not built (bash scripts/setup-test)');
  process.exit(1);
}
const runs = Math.max(1, Number(process.argv[2] ?? 15));
/** A stand-in for node:test's context: cleanups run at the end. */
const cleanups = [];
const t = { after: (fn) => cleanups.push(fn) };

const bearer = await servers.startBearerRegistry(t, { anonymousPull: true });
const plain = await servers.startCrane(t);
const pushEnv = { DOCKER_CONFIG: servers.dockerConfig(t, servers.authsFor(bearer.host)) };

/** Pushes the workload's images once: 20 repositories, and 20 tags of one. */
async function seed(host) {
  const first = await servers.pushImage(t, host, 'svc-0/api', '1.0.0', { env: pushEnv });
  const refs = { many: [first.ref], tags: [first.ref] };
  for (let i = 1; i < 20; i += 1) {
    refs.many.push(`${host}/svc-${i}/api:1.0.0`);
    await servers.crane(['copy', first.ref, `${host}/svc-${i}/api:1.0.0`], { env: pushEnv });
    refs.tags.push(`${host}/svc-0/api:1.0.${i}`);
    await servers.crane(['tag', first.ref, `1.0.${i}`], { env: pushEnv });
  }
  return refs;
}

/**
 * Verifies `refs` as one plan, fresh client; returns requests and ms. Each image goes to an
 * overlay of its own: a plan refuses the same image twice for one target, and the 20-tag
 * workload is one image at 20 tags (as in 20 environments).
 */
async function once(refs, settings) {
  const plan = { edits: refs.map((r, i) => ({ file: `overlays/env-${i}`, image: r })) };
  const started = performance.now();
  const result = await verifyPlan(plan, validatePlan(plan), settings, { env: { DOCKER_CONFIG: '/nonexistent' } });
  const ms = performance.now() - started;
  if (result.images.some((i) => !i.verified)) throw new Error('an image was not verified');
  return { requests: result.requests, ms };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const [label, host] of [['distribution + Bearer', bearer.host], ['crane, no auth', plain.host]]) {
  const refs = await seed(host);
  const workloads = [
    ['1 image', refs.many.slice(0, 1), { verify: 'on' }],
    ['20 images, 20 repositories', refs.many, { verify: 'on' }],
    ['20 tags, 1 repository', refs.tags, { verify: 'on' }],
    ['20 images, 20 repositories, --require-platforms', refs.many, { verify: 'on', requirePlatforms: ['linux/amd64', 'linux/arm64'] }],
  ];
  for (const [name, list, settings] of workloads) {
    await once(list, settings); // warm-up
    const samples = [];
    for (let i = 0; i < runs; i += 1) samples.push(await once(list, settings));
    const ms = median(samples.map((s) => s.ms));
    const requests = samples[0].requests;
    rows.push({ registry: label, workload: name, images: list.length, requests, perImage: requests / list.length, ms, msPerImage: ms / list.length });
  }
}

console.log(`registry verification, loopback, median of ${runs} runs (fresh client each)`);
console.log('| registry | workload | requests | requests / image | wall ms | ms / image |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.registry} | ${r.workload} | ${r.requests} | ${r.perImage.toFixed(2)} | ${r.ms.toFixed(1)} | ${r.msPerImage.toFixed(2)} |`);
}
for (const fn of cleanups.reverse()) await fn();
process.exit(0);
