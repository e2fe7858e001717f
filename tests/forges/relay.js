// Two HTTP stand-ins for the forge tests: a relay in front of a forge that records every
// request as it arrives (headers, URL, body), can hold one back while something else
// happens (a race), and can turn hostile (redirect the API or git to another host), and a
// recorder on a second host (127.0.0.2) that keeps what it
// receives and answers 404.

import http from 'node:http';

async function listen(server, host) {
  await new Promise((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${server.address().port}`;
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

/** A server on 127.0.0.2 that receives and records everything, and serves nothing. */
export async function startRecorder(t) {
  const seen = [];
  const server = http.createServer(async (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: (await body(req)).toString('latin1') });
    res.writeHead(404, { 'content-type': 'text/plain' }).end('nothing here\n');
  });
  const url = await listen(server, '127.0.0.2');
  t.after(() => new Promise((r) => server.close(r)));
  return { url, seen };
}

/**
 * A relay on 127.0.0.1 forwarding to `target` (an origin). `relay.redirect` = {api?: URL
 * origin, git?: URL origin} answers API (resp. git smart-HTTP) requests with a redirect to
 * that origin, same path, instead of forwarding them.
 */
export async function startRelay(t, target) {
  const seen = [];
  /** `relay.before(request)`: awaited before a request is forwarded (a race is staged here). */
  const relay = { seen, redirect: {}, before: async () => {} };
  const server = http.createServer(async (req, res) => {
    const raw = await body(req);
    const isGit = /\.git\/(info\/refs|git-upload-pack|git-receive-pack)/.test(req.url);
    seen.push({ method: req.method, url: req.url, git: isGit, headers: { ...req.headers }, body: raw.toString('latin1') });
    const away = isGit ? relay.redirect.git : relay.redirect.api;
    if (away) {
      res.writeHead(isGit ? 302 : 307, { location: `${away}${req.url}` }).end();
      return;
    }
    await relay.before(seen.at(-1));
    const headers = { ...req.headers };
    delete headers.host;
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    delete headers.connection;
    delete headers.expect;
    const up = await fetch(`${target}${req.url}`, { method: req.method, headers, body: raw.length ? raw : undefined, redirect: 'manual' });
    const out = Buffer.from(await up.arrayBuffer());
    const back = {};
    up.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) back[k] = v;
    });
    res.writeHead(up.status, back).end(out);
  });
  relay.url = await listen(server, '127.0.0.1');
  t.after(() => new Promise((r) => server.close(r)));
  return relay;
}

/** Every credential a request carries: header values, Basic passwords decoded, and the URL. */
export function carried(request) {
  const out = [request.url, request.body ?? ''];
  for (const [k, v] of Object.entries(request.headers)) {
    out.push(`${k}: ${v}`);
    const basic = /^basic\s+(\S+)/i.exec(String(v));
    if (basic) out.push(Buffer.from(basic[1], 'base64').toString('utf8'));
  }
  return out.join('\n');
}
