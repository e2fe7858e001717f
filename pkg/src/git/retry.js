// Bounded retries with jittered exponential backoff (guarantee 5 in docs/ARCHITECTURE.md).

/**
 * Default backoff: 1 s doubling per retry, capped at 20 s, jittered over [d/8, d]. With the
 * default 5 retries a pipeline waits at most 31 s in all: 16 pipelines pushing to one
 * repository at once all land on a loaded 2-core machine (benches/load.sh).
 */
export const DEFAULT_BACKOFF = Object.freeze({ baseMs: 1000, capMs: 20000 });

/**
 * Delay before retry number `retry` (1 = first retry): a random value in [d/8, d] where
 * d = min(cap, base * 2^(retry-1)). Writers that collided spread over almost the whole
 * interval, so each round lets more of them through one at a time; the small fixed part
 * keeps a retry from coming back at once.
 */
export function backoffDelay(retry, { baseMs = DEFAULT_BACKOFF.baseMs, capMs = DEFAULT_BACKOFF.capMs } = {}, random = Math.random) {
  const d = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(d / 8 + random() * ((7 * d) / 8));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
