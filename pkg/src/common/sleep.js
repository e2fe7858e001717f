// The one timer the git and forge layers wait on (retries, rate limits, a branch GitHub
// does not know yet); tests pass their own instead.

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
