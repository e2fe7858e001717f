// The one retry loop of the flows: a push, a ref update or a fetch that lost a race is tried
// again after a backoff scaled by what the attempts saw (backoff.js), until it lands or the
// run's retries are spent.

import { PipelineError } from '../common/errors.js';
import { sleep } from '../common/sleep.js';
import { AttemptClock, backoffDelay } from './backoff.js';

/** What an attempt returns to be tried again: why it was rejected. */
class Again {
  /** @param {string} reason */
  constructor(reason) {
    this.reason = reason;
  }
}

/**
 * @typedef {object} Tries what the attempts of one loop share
 * @property {number} attempts the pushes (or ref updates) tried so far: an attempt counts its own
 * @property {boolean} retried a rejected attempt came before this one
 * @property {AttemptClock} clock
 * @property {(reason: string) => Again} again the value an attempt returns to be tried again
 */

/**
 * Runs `attempt` until it returns anything but `tries.again(reason)`. After a rejection the
 * loop gives up with `push-retries-exhausted` once `tries.attempts` is past the run's
 * retries, else sleeps (logging how long and why) and tries again.
 * @template T
 * @param {import('./run.js').Run} run
 * @param {string} what what kept moving, for the error (`the branch main`)
 * @param {(tries: Tries) => Promise<T | Again>} attempt
 * @param {AttemptClock} [clock]
 * @returns {Promise<T>}
 */
export async function withRetries(run, what, attempt, clock = new AttemptClock()) {
  /** @type {Tries} */
  const tries = { attempts: 0, retried: false, clock, again: (reason) => new Again(reason) };
  for (;;) {
    const out = await attempt(tries);
    if (!(out instanceof Again)) return out;
    if (tries.attempts > run.o.retries) {
      throw new PipelineError(
        `push retries exhausted after ${tries.attempts} attempts: ${what} kept moving${out.reason ? ` (last rejection: ${out.reason})` : ''}`,
        { code: 'push-retries-exhausted', details: { attempts: tries.attempts } },
      );
    }
    await backoff(run, tries.attempts, await clock.failed());
    clock.next();
    tries.retried = true;
  }
}

/**
 * Sleeps before retry `attempt`, scaled by what the attempts saw (`AttemptClock.failed()`).
 * @param {import('./run.js').Run} run
 * @param {number} attempt
 * @param {{attemptMs: number, landed: number}} seen
 */
async function backoff(run, attempt, seen) {
  const ms = backoffDelay(attempt, seen, run.o.backoff, run.o.random);
  const landed = seen?.landed ?? 1;
  const why = seen ? ` (longest attempt ${seen.attemptMs} ms, ${landed} commit${landed === 1 ? '' : 's'} landed between the last two attempts)` : '';
  run.log(`retrying in ${ms} ms${why}`);
  await sleep(ms);
}
