// A forward proxy for tests, as a self-hosted runner's network has one: it answers only
// HTTP CONNECT (the tunnel every https client, and git through curl, asks for), resolves
// the names it is given (`hosts`: name -> address) so that a target reachable only
// through the proxy can be modelled with a name nothing else resolves, and records every
// tunnel it opened. With `credentials` ("user:password") it answers 407 without them.

import http from 'node:http';
import net from 'node:net';

/**
 * @param {{hosts?: Record<string, string>, credentials?: string}} [options]
 * @returns {Promise<{url: string, port: number, tunnels: Array<{target: string, authorized: boolean}>, refused: string[], close: () => Promise<void>}>}
 */
export async function startConnectProxy({ hosts = {}, credentials = null } = {}) {
  const tunnels = [];
  const refused = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    // a plain request (absolute-form GET): this proxy only tunnels
    refused.push(`${req.method} ${req.url}`);
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('only CONNECT\n');
  });
  server.on('connect', (req, client, head) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const expected = credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : null;
    const authorized = !expected || req.headers['proxy-authorization'] === expected;
    if (!authorized) {
      refused.push(`CONNECT ${req.url} (no credentials)`);
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const [, name, port] = m;
    tunnels.push({ target: `${name}:${port}`, authorized: Boolean(expected) });
    const upstream = net.connect(Number(port), hosts[name] ?? name, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    refused,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
