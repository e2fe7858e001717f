// The proxy variables for the REST client. git (through curl) honours HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY; Node's fetch does not (Node 20 has no switch for it), so on a
// runner that reaches the network only through a proxy the pull request branch would be
// pushed and every API call would then fail. `proxiedFetch` reads the same variables as
// curl does and sends each request through an HTTP CONNECT tunnel to the proxy (for https
// and plain http targets alike), with TLS to the target inside the tunnel; without a proxy
// for a URL it is the global fetch.

import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

/**
 * The proxy curl would use for `url` with `env`: `https_proxy`/`HTTPS_PROXY` for https,
 * `http_proxy` (lower case only, as curl) for http, else `all_proxy`/`ALL_PROXY`; none
 * when `no_proxy`/`NO_PROXY` matches the host (`*`, a host name or a domain suffix with or
 * without a leading dot, optionally with `:port`, or an IP address).
 * @param {string} url
 * @param {NodeJS.ProcessEnv} env
 * @returns {URL | null}
 */
export function proxyFor(url, env) {
  const target = new URL(url);
  const scheme = target.protocol.replace(/:$/, '');
  const pick = (...names) => names.map((n) => env[n]).find((v) => v && v.trim());
  const raw = scheme === 'https' ? pick('https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY') : pick('http_proxy', 'all_proxy', 'ALL_PROXY');
  if (!raw || bypassed(target, pick('no_proxy', 'NO_PROXY') ?? '')) return null;
  const proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `http://${raw.trim()}`);
  if (proxy.protocol !== 'http:') throw new Error(`proxy ${proxy.protocol}// is not supported (only http:// proxies): ${proxy.host}`);
  return proxy;
}

/** True when NO_PROXY's list covers the target host. */
function bypassed(target, list) {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (let entry of list.split(/[\s,]+/).filter(Boolean)) {
    entry = entry.toLowerCase();
    if (entry === '*') return true;
    let entryPort = null;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\]$/g, ''));
    if (m && m[2] && !entry.includes('::')) {
      entry = m[1];
      entryPort = m[2];
    }
    if (entryPort && entryPort !== port) continue;
    const name = entry.replace(/^\*?\./, '');
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * A fetch that goes through the proxy `env` names for each URL (see proxyFor), else the
 * global one. Answers with a standard Response; honours `signal`.
 * @param {NodeJS.ProcessEnv} env
 * @param {typeof fetch} [direct]
 * @returns {typeof fetch}
 */
export function proxiedFetch(env, direct = globalThis.fetch) {
  return /** @type {typeof fetch} */ (
    async (input, init = {}) => {
      const url = String(input);
      const proxy = proxyFor(url, env);
      return proxy ? tunnelFetch(url, init, proxy) : direct(url, init);
    }
  );
}

/**
 * One request through a CONNECT tunnel.
 * @param {string} url
 * @param {RequestInit} init
 * @param {URL} proxy
 * @returns {Promise<Response>}
 */
function tunnelFetch(url, init, proxy) {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const signal = init.signal ?? undefined;
  return new Promise((resolve, reject) => {
    const fail = (e) => reject(e instanceof Error ? e : new Error(String(e)));
    if (signal?.aborted) return fail(signal.reason);
    const headers = { host: `${target.hostname}:${port}` };
    if (proxy.username) {
      const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(user).toString('base64')}`;
    }
    const connect = http.request({ host: proxy.hostname, port: Number(proxy.port || 80), method: 'CONNECT', path: `${target.hostname}:${port}`, headers, signal });
    connect.once('error', (e) => fail(new Error(`proxy ${proxy.host} failed: ${e.message}`, { cause: e })));
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        fail(new Error(`proxy ${proxy.host} refused the tunnel to ${target.host} (${res.statusCode} ${res.statusMessage ?? ''})`.trim()));
        return;
      }
      const stream = secure ? tls.connect({ socket, servername: target.hostname }) : socket;
      const body = init.body == null ? undefined : Buffer.from(/** @type {string} */ (init.body));
      const req = (secure ? https : http).request(url, {
        method: init.method ?? 'GET',
        headers: { ...Object.fromEntries(new Headers(init.headers ?? {})), ...(body ? { 'content-length': String(body.length) } : {}) },
        createConnection: () => stream,
        signal,
      });
      req.once('error', fail);
      req.once('response', (answer) => {
        const chunks = [];
        answer.on('data', (c) => chunks.push(c));
        answer.once('error', fail);
        answer.once('end', () => {
          stream.destroy();
          const h = new Headers();
          for (const [k, v] of Object.entries(answer.headers)) for (const one of [v ?? []].flat()) h.append(k, String(one));
          const noBody = [204, 205, 304].includes(answer.statusCode ?? 0);
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status: answer.statusCode, statusText: answer.statusMessage, headers: h }));
        });
      });
      req.end(body);
    });
    connect.end();
  });
}
