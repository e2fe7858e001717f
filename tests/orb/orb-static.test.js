// The orb as data: the packer, CircleCI's config schema, @circleci/circleci-config-parser,
// the orb-tools `review` checks, and the rules that keep parameters out of shell text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PackError, packOrb, packTree } from '../../orb/tools/pack.mjs';
import { PACKED, SRC, eachStep, loadConfigSchema, loadPackedOrb, orbScripts, parseYaml, requirePkg, sourceComponents } from './orb.js';

const orb = loadPackedOrb();
const components = sourceComponents();
const Ajv = requirePkg('ajv');
const parser = requirePkg('@circleci/circleci-config-parser');

function tempTree(t, files) {
  const dir = mkdtempSync(path.join(tmpdir(), 'orb-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

test('the committed orb/orb.yml is what the packer makes of orb/src', () => {
  assert.equal(readFileSync(PACKED, 'utf8'), packOrb(SRC), 'orb/orb.yml is stale: run node orb/tools/pack.mjs');
});

test('packing: directories become maps, files become entries, includes become block scalars', (t) => {
  const script = '#!/usr/bin/env bash\nset -x\nif true; then\n  echo "a: b" # not YAML\n\tprintf \'%s\\n\' "$HOME"\nfi\n\n';
  const dir = tempTree(t, {
    '@orb.yml': 'version: 2.1\ndescription: a test orb\n',
    'commands/say_hi.yml': 'description: hi\nsteps:\n  - run:\n      name: hi\n      command: <<include(scripts/hi.sh)>>\n',
    'jobs/greet.yml': 'description: greet\ndocker: [{image: cimg/base:current}]\nsteps: [say_hi]\n',
    'scripts/hi.sh': script,
    'scripts/README.md': 'not yaml\n',
  });
  const text = packOrb(dir);
  const packed = parseYaml(text);
  assert.deepEqual(Object.keys(packed), ['version', 'description', 'commands', 'jobs']);
  assert.equal(packed.commands.say_hi.steps[0].run.command, script, 'the script arrives byte for byte');
  assert.match(text, /command: \|/, 'written as a literal block scalar');
  assert.equal(packed.jobs.greet.steps[0], 'say_hi');
});

test('packing refuses an include mixed with other text, a missing file and a path outside the tree', (t) => {
  const base = { '@orb.yml': 'version: 2.1\n', 'scripts/a.sh': 'echo a\n' };
  const mixed = tempTree(t, { ...base, 'commands/c.yml': 'steps:\n  - run:\n      command: echo; <<include(scripts/a.sh)>>\n' });
  assert.throws(() => packTree(mixed), (e) => e instanceof PackError && /must be the whole value/.test(e.message) && /commands\/c\.yml/.test(e.message));
  const missing = tempTree(t, { ...base, 'commands/c.yml': 'steps:\n  - run:\n      command: <<include(scripts/nope.sh)>>\n' });
  assert.throws(() => packTree(missing), (e) => e instanceof PackError && /no such file/.test(e.message));
  const outside = tempTree(t, { ...base, 'commands/c.yml': 'steps:\n  - run:\n      command: <<include(../../etc/passwd)>>\n' });
  assert.throws(() => packTree(outside), (e) => e instanceof PackError && /(outside|no such file)/.test(e.message));
});

test('the packed orb, each component and each example usage validate against CircleCI\'s config schema', () => {
  const { schema } = loadConfigSchema();
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  const check = (doc, what) => assert.ok(validate(doc), `${what}: ${JSON.stringify(validate.errors?.slice(0, 3), null, 1)}`);
  check(orb, 'orb/orb.yml');
  let n = 0;
  for (const kind of ['commands', 'jobs', 'executors']) {
    for (const [name, body] of Object.entries(orb[kind])) {
      check({ version: 2.1, [kind]: { [name]: body } }, `${kind}/${name}`);
      n += 1;
    }
  }
  for (const [name, example] of Object.entries(orb.examples)) {
    check(example.usage, `examples/${name}.usage`);
    n += 1;
  }
  assert.equal(n, 7 + 1 + 1 + Object.keys(orb.examples).length);
  // the schema is not a rubber stamp: a mistyped parameter type and a step without a body fail
  const broken = structuredClone(orb);
  broken.commands.install.parameters.version.type = 'strng';
  assert.equal(validate(broken), false);
  const broken2 = structuredClone(orb);
  broken2.jobs.bump.steps = [];
  assert.equal(validate(broken2), false);
});

/**
 * `steps` with each `when`/`unless` step replaced by its inner steps. The config parser
 * (0.10.0-alpha.3) knows no conditional steps, which CircleCI runs in commands and jobs
 * and its config schema (checked above) describes; the steps inside are still parsed.
 */
function unconditional(steps) {
  return (steps ?? []).flatMap((step) => {
    const key = step && typeof step === 'object' ? Object.keys(step)[0] : null;
    return key === 'when' || key === 'unless' ? unconditional(step[key].steps) : [step];
  });
}

test('@circleci/circleci-config-parser loads every executor, command, job and example', () => {
  const executors = parser.parseReusableExecutors(orb.executors);
  assert.deepEqual(executors.map((e) => e.name), Object.keys(orb.executors));
  // commands in dependency order (bump uses install and configure_git)
  const commands = [];
  const pending = new Map(Object.entries(orb.commands));
  while (pending.size > 0) {
    const ready = [...pending].find(([, body]) => JSON.stringify(body.steps).match(/"(\w+)"/g).every((k) => !pending.has(k.slice(1, -1)) || k.slice(1, -1) === 'run'));
    assert.ok(ready, `a cycle among ${[...pending.keys()]}`);
    commands.push(parser.parseReusableCommand(ready[0], { ...ready[1], steps: unconditional(ready[1].steps) }, commands));
    pending.delete(ready[0]);
  }
  assert.deepEqual(commands.map((c) => c.name).sort(), Object.keys(orb.commands).sort());
  const jobs = parser.parseJobList(orb.jobs, commands, executors);
  assert.deepEqual(jobs.map((j) => j.name), ['bump']);
  const parameters = (group) => Object.fromEntries(Object.entries(group).map(([k, v]) => [k, v.parameters ?? {}]));
  const manifest = parser.parseOrbManifest({ commands: parameters(orb.commands), jobs: parameters(orb.jobs), executors: parameters(orb.executors) });
  for (const [name, example] of Object.entries(orb.examples)) {
    // the parser needs a `jobs` map even when every job comes from the orb
    const config = parser.parseConfig({ jobs: {}, ...example.usage }, { 'gitops-bump': manifest });
    assert.ok(config.workflows.length > 0, `examples/${name}: no workflow`);
  }
  assert.throws(() => parser.parseJobList({ broken: { docker: [{ image: 'x' }], steps: [{ no_such_command: {} }] } }, commands, executors));
});

// ---- orb-tools review checks (RC001-RC011), on the source tree as orb-tools reads it ------

const atOrb = parseYaml(readFileSync(path.join(SRC, '@orb.yml'), 'utf8'));

test('RC001/RC006/RC007: display.source_url and home_url are set to the project\'s https URL', () => {
  // orb-tools fetches both URLs; this machine has no network, so the form is checked
  assert.equal(atOrb.display.source_url, 'https://github.com/gitops-bump/gitops-bump');
  assert.match(atOrb.display.home_url, /^https:\/\/github\.com\/gitops-bump\/gitops-bump/);
});

test('RC002: every command, job, executor and example has a description', () => {
  assert.ok(components.length >= 14);
  for (const c of components) assert.ok(typeof c.data.description === 'string' && c.data.description.trim().length > 20, `${c.file}: no description`);
});

test('RC003/RC004: there are examples and no example file name contains "example"', () => {
  const examples = components.filter((c) => c.kind === 'examples');
  assert.ok(examples.length >= 6);
  for (const e of examples) {
    assert.doesNotMatch(path.basename(e.file), /example/i);
    assert.ok(e.data.usage && typeof e.data.usage === 'object', `${e.file}: no usage`);
  }
});

test('RC005: the orb description is detailed (64+ characters)', () => {
  assert.ok(atOrb.description.length >= 64, `${atOrb.description.length} characters`);
});

/** Every run step of the source components (also inside when/unless): [{run, where}]. */
function runSteps() {
  const out = [];
  for (const c of components.filter((x) => x.kind === 'commands' || x.kind === 'jobs')) {
    eachStep(c.data.steps, path.relative(SRC, c.file), (step, where) => {
      if (step && typeof step === 'object' && 'run' in step) out.push({ run: step.run, where });
    });
  }
  return out;
}

test('RC008: every run step is a map with a name', () => {
  const runs = runSteps();
  assert.ok(runs.length >= 6);
  for (const { run, where } of runs) {
    assert.equal(typeof run, 'object', `${where}: a run step in string form`);
    assert.ok(run.name && run.name.trim(), `${where}: a run step without a name`);
  }
});

test('RC009: a command longer than 64 characters comes from <<include(...)>>; here every one does', () => {
  for (const { run, where } of runSteps()) {
    assert.match(run.command, /^<<include\(scripts\/[a-z_]+\.sh\)>>$/, `${where}: inline command`);
  }
});

test('RC010: components, files and parameters are snake_case', () => {
  for (const c of components.filter((x) => x.kind !== 'examples')) {
    assert.match(c.name, /^[a-z][a-z0-9_]*$/, c.file);
    for (const p of Object.keys(c.data.parameters ?? {})) assert.match(p, /^[a-z][a-z0-9_]*$/, `${c.file}: parameter ${p}`);
  }
  for (const script of orbScripts()) assert.match(path.basename(script), /^[a-z][a-z0-9_]*\.sh$/);
});

test('RC011: no parameter whose default references an environment variable is used as a key', () => {
  for (const c of components.filter((x) => x.kind !== 'examples')) {
    const envDefaults = Object.entries(c.data.parameters ?? {}).filter(([, p]) => typeof p.default === 'string' && /\$\{?[A-Za-z_]/.test(p.default));
    const keysOf = (node, out = []) => {
      if (Array.isArray(node)) node.forEach((v) => keysOf(v, out));
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) out.push(k) && keysOf(v, out);
      return out;
    };
    const keys = keysOf(c.data.steps ?? []).concat(keysOf(c.data.environment ?? {}));
    for (const [name] of envDefaults) {
      assert.ok(!keys.some((k) => k.includes(`parameters.${name}`)), `${c.file}: parameter ${name} (default from an env var) used as a key`);
    }
    // and no key at all is built from a parameter
    assert.ok(!keys.some((k) => k.includes('<<')), `${c.file}: a key built from a parameter`);
  }
});

// ---- parameters reach scripts as environment variables only --------------------------------

test('no run command of the packed orb contains a parameter: parameters travel in environment: only', () => {
  let runs = 0;
  for (const kind of ['commands', 'jobs']) {
    for (const [name, body] of Object.entries(orb[kind])) {
      eachStep(body.steps, `${kind}/${name}`, (step, where) => {
        if (!step?.run) return;
        runs += 1;
        assert.doesNotMatch(step.run.command, /<<\s*(parameters|pipeline)\./, `${where}: a parameter inside shell text`);
        for (const [k, v] of Object.entries(step.run.environment ?? {})) {
          assert.match(k, /^PARAM_[A-Z_]+$/, `${where}: environment ${k}`);
          assert.match(String(v), /^(<< parameters\.[a-z_]+ >>|edit)$/, `${where}: environment ${k} is ${v}`);
        }
      });
    }
  }
  assert.ok(runs >= 6);
});

test('each step gives its script exactly the PARAM_* variables the script reads', () => {
  for (const c of components.filter((x) => x.kind === 'commands')) {
    eachStep(c.data.steps, c.file, (step, where) => {
      if (!step?.run) return;
      const script = readFileSync(path.join(SRC, /\((.*)\)/.exec(step.run.command)[1]), 'utf8');
      const read = new Set(script.match(/PARAM_[A-Z_]+/g));
      for (const k of Object.keys(step.run.environment ?? {})) assert.ok(read.has(k), `${where}: ${k} is set but the script never reads it`);
      // the full command (bump) sets every variable its script reads
      if (c.name === 'bump') for (const k of read) assert.ok(k in step.run.environment, `${where}: the script reads ${k}, the step does not set it`);
    });
  }
});

test('the parameter names are the ones the Action, playground and docs share', () => {
  const names = (kind, name) => Object.keys(orb[kind][name].parameters ?? {}).sort();
  assert.deepEqual(names('commands', 'install'), ['integrity', 'package', 'version']);
  const registry = ['allow_downgrade', 'pin_digest', 'policy', 'registry_password', 'registry_username', 'require_platforms', 'require_signature', 'skip_unresolved', 'tag_filter', 'verify'];
  assert.deepEqual(names('commands', 'set_image'), ['check_overlay', 'fetch_remote_bases', 'images', 'remote_base_hosts', 'scan', 'targets', 'working_directory', ...registry].sort());
  assert.deepEqual(names('commands', 'set_value'), ['all', 'create', 'file', 'path', 'select', 'type', 'value', 'working_directory']);
  assert.deepEqual(names('commands', 'apply_plan'), ['fetch_remote_bases', 'plan', 'remote_base_hosts', 'working_directory', ...registry].sort());
  const bump = names('commands', 'bump');
  for (const n of ['version', 'integrity', 'package', 'images', 'targets', 'scan', 'check_overlay', 'fetch_remote_bases', 'remote_base_hosts', 'file', 'path', 'value', 'type', 'create', 'select', 'all', 'plan', 'working_directory', 'repository', 'branch', 'mode', 'token_env', 'commit_message', 'author_name', 'author_email', 'pr_title', 'pr_body', 'pr_labels', 'pr_base', 'pr_draft', 'pr_branch', 'retries', 'fail_if_unchanged', 'report_file', ...registry]) {
    assert.ok(bump.includes(n), `bump lacks ${n}`);
  }
  // the Action's spellings (pull-request, api-commit, dry-run) are taken too
  assert.deepEqual(orb.commands.bump.parameters.mode.enum, ['push', 'pull_request', 'api_commit', 'dry_run', 'check', 'pull-request', 'api-commit', 'dry-run']);
  assert.equal(orb.commands.bump.parameters.token_env.type, 'env_var_name');
  assert.equal(orb.commands.bump.parameters.token_env.default, 'GITHUB_TOKEN');
  // registry secrets travel by variable name; the pipeline step verifies by default, the
  // one-by-one commands (like the CLI) only when asked
  for (const n of ['registry_username', 'registry_password']) assert.equal(orb.commands.bump.parameters[n].type, 'env_var_name');
  assert.deepEqual([orb.commands.bump.parameters.verify.default, orb.jobs.bump.parameters.verify.default, orb.commands.set_image.parameters.verify.default], ['auto', 'auto', 'false']);
  // never backwards by default in every orb component that writes images (the CLI: when asked)
  assert.deepEqual(['bump', 'set_image', 'apply_plan'].map((c) => orb.commands[c].parameters.allow_downgrade.default).concat(orb.jobs.bump.parameters.allow_downgrade.default), [false, false, false, false]);
  assert.deepEqual(names('jobs', 'bump').filter((n) => n !== 'node_tag'), bump, 'the job exposes the command\'s parameters');
  assert.deepEqual(names('executors', 'default'), ['tag']);
  assert.match(orb.executors.default.docker[0].image, /^cimg\/node:<< parameters\.tag >>$/);
  for (const example of Object.values(orb.examples)) assert.equal(example.usage.orbs['gitops-bump'], 'gitops-bump/gitops-bump@0.1.0');
});

test('no text the registry page shows has a sentence broken off (a dangling word before a new sentence)', () => {
  // "… check for drift. With\n  The JSON report …" once reached the job's description
  const broken = /\b(with|With|and|or|the|a|an|of|to|when)\s+(The|A|An|It|Every|This)\b/;
  const found = [];
  const walk = (value, at) => {
    if (typeof value === 'string') {
      if (broken.test(value)) found.push(`${at}: ${value.match(broken)[0]}`);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
    }
  };
  walk(orb, 'orb');
  assert.deepEqual(found, []);
});

test('an example\'s status job reads the repository its bump changes', () => {
  // a job that runs `status` on the project's checkout shows the config repository only
  // when no bump of the same workflow works on another `repository`
  for (const [name, example] of Object.entries(orb.examples)) {
    const jobs = example.usage.jobs ?? {};
    const readsCheckout = (job) => {
      const steps = (jobs[job]?.steps ?? []).map((s) => (typeof s === 'string' ? s : Object.keys(s)[0]));
      return steps.includes('checkout') && steps.includes('gitops-bump/status');
    };
    for (const [wf, { jobs: list }] of Object.entries(example.usage.workflows ?? {})) {
      const entries = list.map((j) => (typeof j === 'string' ? [j, {}] : Object.entries(j)[0]));
      const statusJobs = entries.filter(([j]) => readsCheckout(j)).map(([j]) => j);
      const elsewhere = entries.filter(([j, p]) => j.startsWith('gitops-bump/') && p?.repository).map(([j, p]) => `${j} (repository: ${p.repository})`);
      assert.ok(!(statusJobs.length && elsewhere.length), `examples/${name}, workflow ${wf}: ${statusJobs.join(', ')} shows the project's checkout while ${elsewhere.join(', ')} changes another repository`);
    }
  }
});

test('orb/README.md shows each example\'s usage exactly as the orb registry will', () => {
  const readme = readFileSync(path.join(SRC, '..', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]));
  for (const [name, example] of Object.entries(orb.examples)) {
    assert.ok(blocks.some((b) => JSON.stringify(b) === JSON.stringify(example.usage)), `orb/README.md lacks the usage of examples/${name}`);
    assert.ok(readme.includes(`examples/${name}.yml`), `orb/README.md does not name examples/${name}.yml`);
  }
});
