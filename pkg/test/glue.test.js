// Texts crossing into the wasm core: the build rewrites how the generated glue copies a
// string into wasm memory (pkg/scripts/patch-glue.mjs), so every kind of text must still
// arrive byte for byte: ASCII, multi-byte characters at the start, in the middle and at
// the end of the first allocation, and surrogate pairs.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { getValue, setValue } from 'gitops-bump';
import { PKG } from './helpers.js';

const LONG_ASCII = `# ${'x'.repeat(70_000)}\n`;
const TEXTS = {
  ascii: 'name: api\nimage: ghcr.io/acme/api:1.0.0\n',
  'multi-byte first': '名前: 日本語\nimage: ghcr.io/acme/api:1.0.0\n',
  'multi-byte after a long ASCII prefix': `${LONG_ASCII}note: é\nimage: ghcr.io/acme/api:1.0.0\n`,
  'multi-byte last': 'image: ghcr.io/acme/api:1.0.0\nnote: ü\n',
  'surrogate pairs': 'emoji: "😀😀"\nimage: ghcr.io/acme/api:1.0.0 # 🚀\n',
};

for (const [name, text] of Object.entries(TEXTS)) {
  test(`a text that is ${name} reaches the core byte for byte`, () => {
    const [found] = getValue(text, 'image');
    assert.equal(found.value, 'ghcr.io/acme/api:1.0.0');
    // start and end are UTF-8 byte offsets into the text the core received
    const bytes = Buffer.from(text, 'utf8');
    assert.equal(bytes.subarray(found.start, found.end).toString('utf8'), 'ghcr.io/acme/api:1.0.0');
    const out = setValue(text, 'image', 'ghcr.io/acme/api:1.1.0');
    assert.equal(out.text, text.replace('api:1.0.0', 'api:1.1.0'));
  });
}

test('a multi-byte key and value at any position are read back as given', () => {
  let checked = 0;
  for (const text of Object.values(TEXTS)) {
    for (const [key, value] of [['名前', '日本語'], ['note', 'é'], ['note', 'ü'], ['emoji', '😀😀']]) {
      if (!text.includes(`${key}: ${value}`) && !text.includes(`${key}: "${value}"`)) continue;
      assert.equal(getValue(text, key)[0].value, value);
      checked += 1;
    }
  }
  assert.equal(checked, 4);
});

test('both builds carry the patched string copy', () => {
  for (const target of ['node', 'web']) {
    const glue = fs.readFileSync(path.join(PKG, 'wasm', target, 'gitops_bump.js'), 'utf8');
    assert.match(glue, /patched by pkg\/scripts\/patch-glue\.mjs/, `${target} glue was not patched: run bash scripts/build`);
  }
});
