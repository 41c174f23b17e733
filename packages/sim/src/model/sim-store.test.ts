import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, SeededRandom } from "@nines/core";
import { RESILIENCE_ERRORS, timeout } from "@nines/resilience";
import { SimClock } from "../engine/sim-clock.js";
import { constant } from "../random/distributions.js";
import { SimStore } from "./sim-store.js";

/** When a call ended and how, as a line. */
async function outcome(clock: SimClock, call: Promise<void>): Promise<string> {
  let line = "pending";
  call.then(
    () => {
      line = `ok at ${clock.now()}`;
    },
    (error: unknown) => {
      line = `${isNinesError(error) ? `${error.code} ${JSON.stringify(error.details)}` : String(error)} at ${clock.now()}`;
    },
  );
  await clock.runAll();
  return line;
}

describe("SimStore", () => {
  it("answers after its latency when the caller's deadline allows it", async () => {
    const clock = new SimClock();
    const store = new SimStore("orders-db", clock, new SeededRandom(1), constant(5));
    assert.equal(await outcome(clock, store.call(2000, 2000)), "ok at 5");
  });

  it("gives up at the caller's deadline with the error the caller's own timeout gives", async () => {
    // A latency spike: 5 ms calls slowed 1,000 times. The deadline applied by the store and a real
    // timeout stage around the call end the same way, at the same instant.
    const clock = new SimClock();
    const store = new SimStore("orders-db", clock, new SeededRandom(1), constant(5));
    store.fault.slowdown = 1000;
    const own = await outcome(clock, store.call(clock.now() + 2000, 2000));
    // The second call starts at 2000, once the first has ended.
    const stage = timeout({ timeoutMs: 2000, clock, errorStacks: false });
    const wrapped = await outcome(
      clock,
      stage.execute(() => store.call()),
    );
    const code = RESILIENCE_ERRORS.timeout;
    assert.equal(own, `${code} {"timeoutMs":2000,"configuredMs":2000,"mode":"aggressive"} at 2000`);
    assert.equal(wrapped, `${code} {"timeoutMs":2000,"configuredMs":2000,"mode":"aggressive"} at 4000`);
  });
});
