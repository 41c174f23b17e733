import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { SIM_ERRORS } from "../errors.js";
import { SimClock } from "./sim-clock.js";

/** An async chain `depth` awaits deep that records the time it ends at. */
async function deepChain(depth: number, clock: SimClock, ends: number[]): Promise<void> {
  for (let i = 0; i < depth; i++) await null;
  await Promise.resolve().then(() => Promise.resolve(0));
  ends.push(clock.now());
}

describe("SimClock", () => {
  it("fires events in time order, ties in scheduling order", async () => {
    const clock = new SimClock();
    const order: string[] = [];
    clock.schedule(20, () => order.push("b"));
    clock.schedule(10, () => order.push("a"));
    clock.schedule(20, () => order.push("c"));
    clock.schedule(-5, () => order.push("now"));
    clock.schedule(30, () => order.push("cancelled")).cancel();
    assert.equal(clock.pending, 4);
    await clock.advance(25);
    assert.deepEqual(order, ["now", "a", "b", "c"]);
    assert.equal(clock.now(), 25);
    assert.equal(clock.pending, 0);
  });

  it("runs every continuation an event releases before the next event, however deep its chain", async () => {
    const clock = new SimClock();
    const ends: number[] = [];
    // Each event starts a chain 200 microtasks deep; the next event is 1 ms later.
    for (let t = 1; t <= 50; t++) clock.schedule(t, () => void deepChain(200, clock, ends));
    await clock.runAll();
    assert.deepEqual(
      ends,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  it("fires sync events back to back and still drains after every other event", async () => {
    const clock = new SimClock();
    const seen: string[] = [];
    for (let t = 1; t <= 30; t++) {
      if (t % 3 === 0) clock.scheduleSync(t, () => seen.push(`sync ${t} at ${clock.now()}`));
      else
        clock.schedule(t, () => {
          void (async () => {
            for (let i = 0; i < 50; i++) await null;
            seen.push(`chain ${t} at ${clock.now()}`);
          })();
        });
    }
    await clock.runAll();
    const expected = Array.from(
      { length: 30 },
      (_, i) => `${(i + 1) % 3 === 0 ? "sync" : "chain"} ${i + 1} at ${i + 1}`,
    );
    assert.deepEqual(seen, expected);
  });

  it("calls one callback with each event's own argument, drained or back to back", async () => {
    const clock = new SimClock();
    const seen: string[] = [];
    const record = (name: string) => {
      seen.push(`${name} at ${clock.now()}`);
      void Promise.resolve().then(() => seen.push(`${name} drained`));
    };
    clock.scheduleWith(2, record, "b");
    clock.scheduleWith(1, record, "a", true);
    clock.scheduleWith(3, record, "c").cancel();
    await clock.runAll();
    // "a" is sync: its continuation runs after "b" fired, at b's time; "b"'s drains before the next event.
    assert.deepEqual(seen, ["a at 1", "b at 2", "a drained", "b drained"]);
  });

  it("lets a sleeping loop see the times it asked for", async () => {
    const clock = new SimClock({ startAt: 1000 });
    const woke: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(100 * (i + 1));
        woke.push(clock.now());
      }
    })();
    await clock.runAll();
    await loop;
    assert.deepEqual(woke, [1100, 1300, 1600, 2000, 2500]);
  });

  it("rejects a sleep at once when its signal aborts and leaves no event behind", async () => {
    const clock = new SimClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(10_000, controller.signal);
    assert.equal(clock.pending, 1);
    controller.abort(new Error("stop"));
    await assert.rejects(sleeping, /stop/);
    assert.equal(clock.pending, 0);
    await assert.rejects(clock.sleep(5, controller.signal), /stop/);
  });

  it("ignores a cancel after the event fired", async () => {
    const clock = new SimClock();
    const fired = clock.schedule(1, () => {});
    clock.schedule(5, () => {});
    await clock.advance(2);
    fired.cancel();
    assert.equal(clock.pending, 1);
    assert.equal(await clock.runAll(), 1);
  });

  it("keeps memory to the live events when most timers are cancelled", async () => {
    const clock = new SimClock();
    for (let i = 0; i < 100_000; i++) clock.schedule(1000 + i, () => {}).cancel();
    clock.schedule(5, () => {});
    assert.equal(clock.pending, 1);
    assert.equal(await clock.runAll(), 1);
  });

  it("yields to the event loop now and then without changing the results", async () => {
    const run = async (yieldEvery: number) => {
      const clock = new SimClock({ yieldEvery });
      const ends: number[] = [];
      for (let t = 0; t < 300; t++) clock.schedule(t % 7, () => void deepChain(t % 5, clock, ends));
      await clock.runAll();
      return ends;
    };
    assert.deepEqual(await run(3), await run(65_536));
  });

  it("stops a run whose event throws, naming the instant", async () => {
    const clock = new SimClock();
    clock.schedule(7, () => {
      throw new Error("boom");
    });
    await assert.rejects(clock.runAll(), (error: unknown) => {
      assert.ok(isNinesError(error, SIM_ERRORS.eventFailed));
      assert.equal(error.details["at"], 7);
      return true;
    });
  });

  it("stops a loop that reschedules itself at one instant", async () => {
    const clock = new SimClock({ maxEventsPerInstant: 1000 });
    const again = (): void => {
      clock.schedule(0, again);
    };
    clock.schedule(3, again);
    await assert.rejects(clock.runAll(), (error: unknown) => isNinesError(error, SIM_ERRORS.runaway));
  });

  it("refuses a second run while one is going", async () => {
    const clock = new SimClock();
    clock.schedule(1, () => {});
    const first = clock.runAll();
    await assert.rejects(clock.advance(5), (error: unknown) => isNinesError(error, SIM_ERRORS.running));
    assert.equal(await first, 1);
  });

  it("rejects unknown and invalid options", () => {
    assert.throws(
      () => new SimClock({ yieldEvry: 5 } as never),
      (error: unknown) => isNinesError(error, SIM_ERRORS.optionInvalid) && error.hint === "did you mean yieldEvery?",
    );
    assert.throws(() => new SimClock({ startAt: Number.NaN }), /startAt/);
    assert.throws(
      () => new SimClock({ start: 1000 } as never),
      (error: unknown) => isNinesError(error, SIM_ERRORS.optionInvalid) && error.hint === "did you mean startAt?",
    );
  });
});
