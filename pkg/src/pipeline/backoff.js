// Bounded retries with jittered backoff scaled by the contention a pipeline saw
// (guarantee 5 in docs/ARCHITECTURE.md).
//
// Why the delay scales with the attempt length and the commits that landed: a push lands
// only if no other push landed between its fetch and its push, so the branch takes at most
// one commit per attempt length A, and M writers that retry at once need about M × A to get
// through one at a time. Writers that sleep at random over an interval D make about M × A / D
// other attempts overlap each window: D must grow with M × A, or every round collides again
// and a fixed number of retries runs out (with a fixed 1 s to 20 s schedule, 7 of 64 pipelines
// landed in one run on a loaded 2-core machine and 29 in another). Neither is known in
// advance, so each is measured:
// - A: the longest attempt of this run so far (fetch, re-apply, commit, push). The longest,
//   not the last, because an attempt gets shorter as the others go to sleep while the crowd
//   they came from is still there.
// - M: the commits that landed on the branch between the base of the previous attempt and
//   the base of the attempt that failed (a count of competitors that got through during one
//   attempt and one sleep; those still waiting are at least as many). Before the first fetch
//   it is unknown and counts as 1.
// - the retry number, doubling, for when the count says little: with one commit per attempt
//   length at most, a crowd that keeps colliding lands few commits, and only the doubling
//   spreads it out.
// With a short attempt and a quiet branch the schedule is the plain one (1 s, 2 s, 4 s, …);
// each wait is capped, so a run waits at most `retries × capMs` in all.

/**
 * Default backoff: the unit is the longer of 1 s and two attempt lengths, times the larger of
 * the commits that landed and 2^(retry-1), at most 2 minutes, jittered over [d/8, d]. With
 * the default 5 retries a run waits at most 10 minutes in all (31 s when attempts take at most
 * half a second and the counts stay below the doubling); 64 pipelines pushing to one
 * repository at once all land on a loaded 2-core machine (benches/load.sh).
 */
export const DEFAULT_BACKOFF = Object.freeze({ baseMs: 1000, capMs: 120000, factor: 2 });

/**
 * Delay in ms before retry number `retry` (1 = first retry): a random value in [d/8, d] where
 * d = min(capMs, max(baseMs, factor × attemptMs) × max(landed, 2^(retry-1))). `attemptMs` is
 * the longest attempt so far, `landed` the commits that reached the branch during the last
 * attempt and sleep (unknown: 1). The jitter spreads writers that collided over almost the
 * whole interval; its fixed eighth keeps a retry from coming back at once.
 */
export function backoffDelay(retry, { attemptMs = 0, landed = 1 } = {}, backoff = DEFAULT_BACKOFF, random = Math.random) {
  const { baseMs = DEFAULT_BACKOFF.baseMs, capMs = DEFAULT_BACKOFF.capMs, factor = DEFAULT_BACKOFF.factor } = backoff ?? {};
  const unit = Math.max(baseMs, factor * Math.max(0, attemptMs));
  const spread = Math.max(Number.isFinite(landed) ? landed : 1, 2 ** Math.max(0, retry - 1));
  const d = Math.min(capMs, unit * spread);
  return Math.round(d / 8 + random() * ((7 * d) / 8));
}

/**
 * What a run's push attempts saw, for `backoffDelay`: the longest attempt so far and the
 * commits that landed on the branch between the bases of the last two attempts.
 */
export class AttemptClock {
  /**
   * @param {{countCommits(from: string, to: string): Promise<number|null>}|null} [git] counts commits (none: every count is 1)
   * @param {string|null} [base] the commit the first attempt works on
   * @param {() => number} [now]
   */
  constructor(git = null, base = null, now = Date.now) {
    this.git = git;
    this.now = now;
    this.started = now();
    this.longestMs = 0;
    this.previousBase = null;
    this.base = base;
  }

  /** Ends the attempt that just failed; resolves to `{attemptMs, landed}` for `backoffDelay`. */
  async failed() {
    this.longestMs = Math.max(this.longestMs, this.now() - this.started);
    let landed = 1;
    if (this.git && this.previousBase && this.base) {
      landed = this.previousBase === this.base ? 0 : ((await this.git.countCommits(this.previousBase, this.base)) ?? 1);
    }
    return { attemptMs: this.longestMs, landed };
  }

  /** Starts the next attempt (its fetch included). */
  next() {
    this.started = this.now();
  }

  /** Records the commit the current attempt fetched and works on. */
  fetched(base) {
    this.previousBase = this.base;
    this.base = base ?? null;
  }
}
