// The one GET-retry loop the forge REST clients (GitHub's and the shared Gitea/GitLab/
// Bitbucket one) send every request through.

/** Statuses a GET is sent again on: the gateway or the service was briefly not there. */
const TRANSIENT_STATUSES = [502, 503, 504];

/**
 * Sends `init` to `url` with `client.fetch`, abandoning it after `client.timeoutMs`, and
 * reads the body. A GET is sent again after a network error, a timeout or a 502/503/504,
 * up to `client.getRetries` times, waiting `client.retryDelayMs * 2 ** n` (via
 * `client.sleep`) before the n-th retry; a write is sent once (a POST that may have
 * arrived is not sent twice). `tries` counts the retries spent and may be carried across
 * calls for one request (a followed redirect, a rate-limit wait) so they share the budget.
 * Resolves `{res, text}` (a 502/503/504 once retries are spent); rejects with fetch's own
 * error when no retry is left, for the caller to word.
 * @param {{fetch: typeof fetch, sleep: (ms: number) => Promise<void>, timeoutMs: number, getRetries: number, retryDelayMs: number}} client
 * @param {string} url
 * @param {RequestInit & {method: string}} init
 * @param {{transient: number}} [tries]
 * @returns {Promise<{res: Response, text: string}>}
 */
export async function fetchRetrying(client, url, init, tries = { transient: 0 }) {
  for (;;) {
    const retryable = init.method === 'GET' && tries.transient < client.getRetries;
    try {
      const res = await client.fetch(url, { ...init, signal: AbortSignal.timeout(client.timeoutMs) });
      const text = await res.text();
      if (!retryable || !TRANSIENT_STATUSES.includes(res.status)) return { res, text };
    } catch (e) {
      if (!retryable) throw e;
    }
    await client.sleep(client.retryDelayMs * 2 ** tries.transient);
    tries.transient += 1;
  }
}
