// git's smart HTTP protocol for the test servers (GitHub's, GitLab's, Bitbucket's): runs
// `git http-backend` as a CGI over one bare repository and relays its answer.

import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Answers `req` (already read into `body`) from the bare repository `bare`; `rest` is the
 * path after "<repo>.git" ("/info/refs", "/git-receive-pack" …), `user` the authenticated
 * user name. Writes the answer to `res` and resolves its status.
 * @returns {Promise<number>}
 */
export async function serveGitHttp({ bare, rest, req, res, url, body, user }) {
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: path.dirname(bare),
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${path.basename(bare)}${rest}`,
      REQUEST_METHOD: req.method,
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_USER: user,
      REMOTE_ADDR: '127.0.0.1',
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: req.headers['git-protocol'] } : {}),
    },
  });
  const out = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', () => {});
  child.stdin.on('error', () => {});
  child.stdin.end(body);
  await new Promise((resolve) => child.on('close', resolve));
  // a CGI answer: header lines ("Status: 404 …", "Content-Type: …"), a blank line, the body
  const buf = Buffer.concat(out);
  const crlf = buf.indexOf('\r\n\r\n');
  const cut = crlf >= 0 ? crlf : buf.indexOf('\n\n');
  const sep = crlf >= 0 ? 4 : 2;
  const headers = {};
  let status = 200;
  for (const line of buf.subarray(0, cut).toString('latin1').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
    else headers[k] = v;
  }
  res.writeHead(status, headers);
  res.end(buf.subarray(cut + sep));
  return status;
}
