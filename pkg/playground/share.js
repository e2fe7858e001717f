// The page state in the URL hash, so a link restores it: `#s=` and the state as JSON,
// deflated (CompressionStream 'deflate-raw') and base64url-encoded. An unchanged example
// travels as its id only. Writing is debounced: typing does not rewrite the URL per key.
// Links of the older `#mode=set&path=…&yaml=…` form are still read.

const SAVE_DELAY_MS = 400;

function toBase64Url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** The hash for `state` (a plain JSON-able object). */
export async function encodeState(state) {
  const json = new TextEncoder().encode(JSON.stringify(state));
  return `#s=${toBase64Url(await pipe(json, new CompressionStream('deflate-raw')))}`;
}

/**
 * The state a hash holds, or null when it holds none. Older links (`#key=value&…`)
 * come back as `{legacy: {key: value}}`.
 * @param {string} hash
 */
export async function decodeState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (params.has('s')) {
    const bytes = await pipe(fromBase64Url(params.get('s')), new DecompressionStream('deflate-raw'));
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  if ([...params.keys()].length === 0) return null;
  return { legacy: Object.fromEntries(params) };
}

/**
 * A saver that writes the latest state to the URL once typing pauses.
 * @param {() => object} snapshot the state to save, read when the save runs
 */
export function urlSaver(snapshot) {
  let timer = null;
  let written = location.hash;
  let pending = Promise.resolve();
  const save = async () => {
    timer = null;
    const hash = await encodeState(snapshot());
    if (hash !== written && timer === null) {
      history.replaceState(null, '', hash);
      written = hash;
    }
  };
  return {
    /** Saves after a pause in the changes. */
    schedule() {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => { pending = save(); }, SAVE_DELAY_MS);
    },
    /** Saves now (before the link is copied); resolves to the URL. */
    async flush() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await pending;
      await save();
      return location.href;
    },
    /** The hash this saver wrote last (a `hashchange` to it is the page's own). */
    written: () => written,
  };
}
