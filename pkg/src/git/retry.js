// Bounded retries with jittered exponential backoff (guarantee 5 in docs/ARCHITECTURE.md).

/** Default backoff: 200 ms doubling per attempt, capped at 3 s, "equal jitter". */
export const DEFAULT_BACKOFF = Object.freeze({ baseMs: 200, capMs: 3000 });

/**
 * Delay before retry number `retry` (1 = first retry): a random value in
 * [d/2, d] where d = min(cap, base * 2^(retry-1)). Half is fixed so retries keep
 * their order of magnitude; half is random so colliding writers spread out.
 */
export function backoffDelay(retry, { baseMs = DEFAULT_BACKOFF.baseMs, capMs = DEFAULT_BACKOFF.capMs } = {}, random = Math.random) {
  const d = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
