import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Clock, isNinesError, ManualClock, SeededRandom } from "@nines/core";
import { retry, timeout, wrap } from "@nines/resilience";
import { exponential } from "../random/distributions.js";
import { SimClock } from "./sim-clock.js";

/**
 * Twenty executions of the real retry + per-attempt timeout pipeline,
 * started at staggered times, with attempts that take a random time and
 * fail 60% of the time. One random source feeds the jitter and the
 * attempts, so the log is equal on two clocks only if every continuation
 * ran at the same virtual time and in the same order.
 */
async function scenario(clock: Clock & { runAll(): Promise<number> }): Promise<string[]> {
  const random = new SeededRandom(5);
  const log: string[] = [];
  const policy = retry({
    maxAttempts: 4,
    backoff: { initialDelayMs: 100, maxDelayMs: 2000, jitter: "full" },
    random,
    idempotent: true,
    clock,
  });
  policy.on("retry", (event) => log.push(`retry ${event.attempt} after ${event.delayMs} at ${clock.now()}`));
  const pipeline = wrap(policy, timeout({ timeoutMs: 150, clock }));
  const work = exponential(150);
  for (let i = 0; i < 20; i++) {
    clock.schedule(i * 37, () => {
      pipeline
        .execute(async ({ attempt, signal }) => {
          log.push(`${i} attempt ${attempt} at ${clock.now()}`);
          await clock.sleep(work.sample(random), signal);
          if (random.next() < 0.6) throw new Error("flaky");
          return attempt;
        })
        .then(
          (attempts) => log.push(`${i} ok after ${attempts} attempts at ${clock.now()}`),
          (error: unknown) =>
            log.push(`${i} failed: ${isNinesError(error) ? error.code : String(error)} at ${clock.now()}`),
        );
    });
  }
  await clock.runAll();
  return log;
}

describe("SimClock and ManualClock", () => {
  it("give the real retry policy the same attempts, delays and times", async () => {
    const manual = await scenario(new ManualClock());
    const simulated = await scenario(new SimClock());
    assert.deepEqual(simulated, manual);
    // The scenario exercises every path: retries, timeouts, final failures and successes.
    const text = manual.join("\n");
    assert.ok(manual.filter((line) => line.startsWith("retry")).length >= 20, text);
    assert.match(text, /NINES_RESILIENCE_TIMEOUT/);
    assert.match(text, /failed: Error: flaky/);
    assert.match(text, /ok after [2-4] attempts/);
    assert.match(text, / attempt 4 at /);
  });

  it("replay the same run byte for byte", async () => {
    const first = (await scenario(new SimClock())).join("\n");
    const second = (await scenario(new SimClock({ yieldEvery: 7 }))).join("\n");
    assert.equal(second, first);
  });
});
