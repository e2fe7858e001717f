// Hostile file kinds, sizes, encodings, depths, values, key paths and plans: each one
// is a clear error (or a correct edit) in bounded time, and nothing else changes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { expectCases, hostile } from './harness.js';

const VALUES = 'image:\n  repository: ghcr.io/acme/api\n  tag: "1.0" # pinned\n';

// ---- file kinds: only regular files are read -------------------------------------------

hostile('a FIFO as FILE is refused at once instead of blocking forever', {
  files: { 'root/values.yaml': { fifo: true } },
  args: ['set', 'values.yaml', 'image.tag', '2.0'],
  code: 1,
  message: /error\[io\]: values\.yaml: is a FIFO, not a regular file/,
});

hostile('get on a FIFO is refused', {
  files: { 'root/values.yaml': { fifo: true } },
  args: ['get', 'values.yaml', 'image.tag'],
  code: 1,
  message: /values\.yaml: is a FIFO, not a regular file/,
});

hostile('get /dev/zero is refused instead of reading forever', {
  args: ['get', '/dev/zero', 'a'],
  code: 1,
  message: /\/dev\/zero: is a character device, not a regular file/,
});

hostile('a symlink to /dev/zero is refused', {
  files: { 'root/values.yaml': { link: '/dev/zero' } },
  args: ['set', 'values.yaml', 'a', 'b'],
  code: 1,
  // refused before it is opened: the link leads out of the working directory
  message: /values\.yaml: (is a character device|is outside .* \(a symlink leads to \/dev\/zero\))/,
});

hostile('a directory as FILE is refused', {
  files: { 'root/values.yaml/x': 'a: 1\n' },
  args: ['set', 'values.yaml', 'a', 'b'],
  code: 1,
  message: /values\.yaml: is a directory, not a file/,
});

hostile('a plan that is a FIFO is refused', {
  files: { 'root/plan.yaml': { fifo: true } },
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /plan\.yaml: is a FIFO/,
});

hostile('a plan entry naming /dev/zero is refused (with --allow-outside-plan-dir)', {
  files: { 'root/plan.yaml': 'edits:\n  - file: /dev/zero\n    set: a\n    value: b\n' },
  args: ['apply', 'plan.yaml', '--allow-outside-plan-dir'],
  code: 1,
  message: /\/dev\/zero: is a character device/,
});

// ---- sizes -------------------------------------------------------------------------------

const big = `a: 1\n${'# padding\n'.repeat(20_000)}`;
hostile('a file over --max-file-size is refused with the size and the limit', {
  files: { 'root/big.yaml': big },
  args: ['set', 'big.yaml', 'a', '2', '--max-file-size', '64K'],
  code: 1,
  message: /big\.yaml: is 200005 bytes, over the limit of 65536 bytes.*\n[^]*--max-file-size/,
});

hostile('--max-file-size raises the limit', {
  files: { 'root/big.yaml': big },
  args: ['set', 'big.yaml', 'a', '2', '--max-file-size', '1M', '--type', 'int'],
  code: 0,
  message: /big\.yaml:1:4: a: 1 -> 2/,
  changes: { 'root/big.yaml': big.replace('a: 1', 'a: 2') },
});

hostile('get honours --max-file-size', {
  files: { 'root/big.yaml': big },
  args: ['get', 'big.yaml', 'a', '--max-file-size', '1000'],
  code: 1,
  message: /over the limit of 1000 bytes/,
});

hostile('a malformed --max-file-size is a usage error', {
  files: { 'root/values.yaml': VALUES },
  args: ['set', 'values.yaml', 'image.tag', '2', '--max-file-size', '12X'],
  code: 2,
  message: /--max-file-size: expected a number of bytes/,
});

hostile('a plan file over the limit is refused', {
  files: { 'root/plan.yaml': `edits: []\n${'#\n'.repeat(1000)}` },
  args: ['apply', 'plan.yaml', '--max-file-size', '100'],
  code: 1,
  message: /plan\.yaml: is 2010 bytes, over the limit of 100 bytes/,
});

hostile('an empty file is an error for a path, not a crash', {
  files: { 'root/empty.yaml': '' },
  args: ['set', 'empty.yaml', 'image.tag', '2.0'],
  code: 1,
  message: /error\[not-found\]/,
});

// ---- encodings -------------------------------------------------------------------------

hostile('invalid UTF-8 on stdin is refused like a plan file, never replaced by U+FFFD', {
  files: { 'root/values.yaml': VALUES },
  args: ['apply', '-'],
  input: Buffer.concat([Buffer.from('edits:\n  - file: values.yaml\n    set: image.tag\n    value: "'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]),
  code: 1,
  message: /<stdin>: not valid UTF-8; refusing/,
});

hostile('a plan file with invalid UTF-8 is refused', {
  files: { 'root/values.yaml': VALUES, 'root/plan.yaml': Buffer.from([0x65, 0x64, 0x69, 0x74, 0x73, 0x3a, 0x20, 0xc3, 0x28, 0x0a]) },
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /plan\.yaml: not valid UTF-8/,
});

hostile('a target with invalid UTF-8 is refused', {
  files: { 'root/values.yaml': Buffer.concat([Buffer.from(VALUES), Buffer.from([0x80, 0x0a])]) },
  args: ['set', 'values.yaml', 'image.tag', '2.0'],
  code: 1,
  message: /values\.yaml: not valid UTF-8; refusing to edit it/,
});

hostile('a UTF-16 file is refused', {
  files: { 'root/values.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 1\n', 'utf16le')]) },
  args: ['set', 'values.yaml', 'a', '2'],
  code: 1,
  message: /values\.yaml: not valid UTF-8/,
});

hostile('a binary file with NUL bytes is an error, not an edit', {
  files: { 'root/values.yaml': Buffer.from([0x61, 0x3a, 0x20, 0x00, 0x01, 0x02, 0x0a]) },
  args: ['set', 'values.yaml', 'a', '2'],
  code: 1,
  message: /error\[(yaml-syntax|invalid-value)\]/,
});

// ---- depths (the core's limit, or a recovered trap: never a JS stack trace) -------------

const deepList = `${'- '.repeat(10_000)}x\n`;
const deepMap = `${Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} x\n`;
hostile('10,000 levels of "- " are a clean error', {
  timeout: 120_000, // slow on a loaded machine; a hang is still caught
  files: { 'root/deep.yaml': deepList },
  args: ['get', 'deep.yaml', '[0]'],
  code: 1,
  message: /error\[[a-z-]+\]: .*(deep|depth|nest|recursion|limit)/i,
});

hostile('10,000 levels of block mappings are a clean error', {
  timeout: 120_000, // slow on a loaded machine; a hang is still caught
  files: { 'root/deep.yaml': deepMap },
  args: ['set', 'deep.yaml', 'k', 'v'],
  code: 1,
  message: /error\[[a-z-]+\]: .*(deep|depth|nest|recursion|limit)/i,
});

hostile('a --create path of 3,000 segments is a clean error', {
  timeout: 120_000, // slow on a loaded machine; a hang is still caught
  files: { 'root/values.yaml': VALUES },
  args: ['set', 'values.yaml', Array.from({ length: 3000 }, (_, i) => `k${i}`).join('.'), 'v', '--create'],
  code: 1,
  message: /error\[[a-z-]+\]: .*(deep|depth|nest|recursion|limit|segments)/i,
});

hostile('10,000 nested flow sequences are a clean error', {
  timeout: 120_000, // slow on a loaded machine; a hang is still caught
  files: { 'root/deep.yaml': `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` },
  args: ['set', 'deep.yaml', 'b', 'v', '--create'],
  code: 1,
  message: /error\[[a-z-]+\]: .*(deep|depth|nest|recursion|limit)/i,
});

// ---- values and key paths -----------------------------------------------------------------

hostile('a value with a newline and a key cannot inject structure', {
  files: { 'root/values.yaml': VALUES },
  args: ['set', 'values.yaml', 'image.tag', '2.0\nevil: true'],
  code: 0,
  message: /image\.tag: 1\.0 -> \(block\)/,
  changes: { 'root/values.yaml': /^image:\n {2}repository: ghcr\.io\/acme\/api\n {2}tag: "2\.0\\nevil: true" # pinned\n$/ },
});

hostile('a value of YAML type that would add a sibling key is refused', {
  files: { 'root/values.yaml': VALUES },
  args: ['set', 'values.yaml', 'image.tag', '"2.0"\nevil: true', '--type', 'yaml'],
  code: 1,
  message: /error\[/,
});

hostile('a value starting with an indicator is quoted', {
  files: { 'root/values.yaml': 'a: x\n' },
  args: ['set', 'values.yaml', 'a', '*alias'],
  code: 0,
  message: /a: x -> \*alias/,
  changes: { 'root/values.yaml': /^a: ["']\*alias["']\n$/ },
});

hostile('an alias bomb is read in bounded time', {
  files: { 'root/bomb.yaml': `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\nz: 1\n` },
  args: ['set', 'bomb.yaml', 'z', '2', '--type', 'int'],
  code: 1,
  message: /error\[[a-z-]+\]/,
});

hostile('an unterminated key path is a path-syntax error with a code frame', {
  files: { 'root/values.yaml': VALUES },
  args: ['set', 'values.yaml', 'image[name=api', 'x'],
  code: 1,
  message: /error\[path-syntax\]: expected `\]`\n {2}--> values\.yaml\n[^]*\^/,
});

hostile('a key path of 10,000 segments without --create is "not found"', {
  files: { 'root/values.yaml': VALUES },
  args: ['get', 'values.yaml', Array.from({ length: 10_000 }, () => 'image').join('.')],
  code: 1,
  message: /error\[[a-z-]+\]/,
});

hostile('a 100 KB value is written exactly', {
  files: { 'root/values.yaml': 'a: x\n' },
  args: ['set', 'values.yaml', 'a', 'v'.repeat(100_000)],
  code: 0,
  message: /a: x -> v+/,
  changes: { 'root/values.yaml': `a: ${'v'.repeat(100_000)}\n` },
});

// ---- plans ------------------------------------------------------------------------------

hostile('a plan with __proto__ entries cannot pollute anything', {
  files: { 'root/values.yaml': VALUES, 'root/plan.json': '{"edits":[{"file":"values.yaml","set":"image.tag","value":"2.0","__proto__":{"polluted":true}}]}' },
  args: ['apply', 'plan.json'],
  code: 2,
  message: /edits\[0\]\.__proto__: unknown field/,
});

hostile('a plan with an unknown field is a usage error naming it', {
  files: { 'root/values.yaml': VALUES, 'root/plan.yaml': 'edits:\n  - file: values.yaml\n    set: image.tag\n    valeu: "2.0"\n' },
  args: ['apply', 'plan.yaml'],
  code: 2,
  message: /edits\[0\]\.valeu: unknown field/,
});

hostile('a plan that is not YAML is a usage error', {
  files: { 'root/plan.yaml': 'edits: [\n' },
  args: ['apply', 'plan.yaml'],
  code: 2,
  message: /not a valid YAML plan/,
});

hostile('a plan with duplicate keys is refused', {
  files: { 'root/values.yaml': VALUES, 'root/plan.yaml': 'edits:\n  - file: values.yaml\n    file: ../outside/x.yaml\n    set: a\n    value: b\n' },
  args: ['apply', 'plan.yaml'],
  code: 2,
  message: /not a valid YAML plan.*(unique|duplicate)/i,
});

hostile('a plan whose value is a mapping is refused', {
  files: { 'root/values.yaml': VALUES, 'root/plan.yaml': 'edits:\n  - file: values.yaml\n    set: image.tag\n    value: {a: 1}\n' },
  args: ['apply', 'plan.yaml'],
  code: 2,
  message: /edits\[0\]\.value: expected a scalar/,
});

hostile('hard links: the edited name gets the new text, other names keep the old one', {
  files: { 'root/values.yaml': VALUES },
  setup: (s) => fs.linkSync(path.join(s.root, 'values.yaml'), path.join(s.dir, 'outside', 'hard.yaml')),
  args: ['set', 'values.yaml', 'image.tag', '2.0'],
  code: 0,
  message: /image\.tag: 1\.0 -> 2\.0/,
  changes: { 'root/values.yaml': VALUES.replace('"1.0"', '"2.0"') },
  check: (s) => assert.equal(fs.readFileSync(path.join(s.outside, 'hard.yaml'), 'utf8'), VALUES),
});

expectCases(35);
