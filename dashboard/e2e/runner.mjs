// A small sequential test runner: the scenarios share one pair of servers
// and one browser and depend on the order they run in (the chart's empty
// state needs a server with no session yet), which node:test's
// concurrency and reporters do not make simple. Each test has a timeout;
// a test may skip itself with a reason. The summary's last line is
// exactly `N passed, M failed`.

export class Skip extends Error {}

/** Ends the current test as skipped, with `reason`. */
export function skip(reason) {
  throw new Skip(reason);
}

/** Throws unless `condition`, with `message`. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Throws unless `actual` equals `expected` (deep, by JSON). */
export function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Polls `probe` (async, returning a value or null/false) until it answers, at most `timeoutMs`. */
export async function until(what, probe, { timeoutMs = 15_000, everyMs = 100 } = {}) {
  const start = Date.now();
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = null;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Thrown inside `retrying` to try again (with why). */
export class Retry extends Error {}

/** Runs `attempt(n)` until it does not throw Retry, at most `times` times. */
export async function retrying(times, attempt) {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof Retry) || n >= times) throw e;
      console.log(`     retrying (${n}/${times}): ${e.message}`);
    }
  }
}

function withTimeout(promise, ms, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: test timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `tests` ([{name, run, timeoutMs}]) in order with `context`, calling
 * `afterEach(test, error)` after each (error null when it passed or
 * skipped); returns {passed, failed, skipped}.
 */
export async function runTests(tests, context, { afterEach } = {}) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const test of tests) {
    const start = Date.now();
    let error = null;
    try {
      await withTimeout(Promise.resolve().then(() => test.run(context)), test.timeoutMs ?? 60_000, test.name);
      counts.passed += 1;
      console.log(`ok   ${test.name} (${Date.now() - start} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        counts.skipped += 1;
        console.log(`skip ${test.name}: ${e.message}`);
      } else {
        error = e;
        counts.failed += 1;
        console.log(`FAIL ${test.name} (${Date.now() - start} ms)\n     ${String(e?.stack ?? e).split("\n").join("\n     ")}`);
      }
    }
    if (afterEach) await afterEach(test, error).catch((e) => console.log(`     after ${test.name}: ${e}`));
  }
  return counts;
}
