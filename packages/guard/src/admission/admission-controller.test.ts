import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { ADMISSION_REJECTED, AdmissionController, type AdmissionOptions, type Ticket } from "./admission-controller.js";

/** A controller whose starter runs only when the test says so, on a manual clock. */
function setup(options: AdmissionOptions = {}) {
  const clock = new ManualClock(1_000_000);
  const deferred: (() => void)[] = [];
  const admission = new AdmissionController({ clock, defer: (run) => deferred.push(run), ...options });
  const turn = async () => {
    await clock.flush();
    while (deferred.length > 0) deferred.shift()?.();
    await clock.flush();
  };
  return { clock, admission, turn };
}

/** Tracks one admit: its ticket or its rejection reason. */
function track(promise: Promise<Ticket>) {
  const state: { ticket?: Ticket; reason?: string } = {};
  promise.then(
    (ticket) => {
      state.ticket = ticket;
    },
    (error: unknown) => {
      assert.ok(isNinesError(error, ADMISSION_REJECTED));
      state.reason = String(error.details["reason"]);
    },
  );
  return state;
}

describe("AdmissionController", () => {
  it("runs at most `limit` requests and starts the next on release", async () => {
    const { admission, turn } = setup({ limit: 2 });
    const a = track(admission.admit());
    const b = track(admission.admit());
    const c = track(admission.admit());
    await turn();
    assert.ok(a.ticket && b.ticket);
    assert.equal(c.ticket, undefined);
    assert.equal(admission.inflight, 2);
    assert.equal(admission.queued, 1);
    a.ticket.release();
    a.ticket.release(); // twice is harmless
    await turn();
    assert.ok(c.ticket);
    assert.equal(admission.inflight, 2);
  });

  it("serves the newest first once a queue has formed, the oldest first before", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 5, intervalMs: 100 } });
    const first = track(admission.admit());
    await turn();
    const early = track(admission.admit());
    const late = track(admission.admit());
    first.ticket?.release();
    await turn(); // no time passed: no standing queue, FIFO
    assert.ok(early.ticket);
    assert.equal(late.ticket, undefined);
    const newer = track(admission.admit());
    await clock.advance(6); // the oldest has now waited 6 ms > target: a queue has formed
    const newest = track(admission.admit());
    early.ticket?.release();
    await turn();
    assert.ok(newest.ticket, "the newest request goes first once a queue has formed");
    assert.equal(newer.ticket, undefined);
  });

  it("cuts waits short with CoDel once the queue has not been empty for an interval", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 5, intervalMs: 100 } });
    const running = track(admission.admit());
    await turn(); // t=0: served at once
    const queued = [1, 2, 3, 4, 5].map(() => track(admission.admit())); // the queue is non-empty from t=0
    await clock.advance(90);
    running.ticket?.release();
    await turn(); // t=90: not empty for 90 ms <= 100: not overloaded, a 90 ms wait (<= interval) is still served
    assert.equal(admission.overloaded, false);
    assert.ok(queued[4]?.ticket, "newest first once a queue has formed");
    await clock.advance(20);
    assert.equal(admission.overloaded, true, "non-empty for 110 ms > 100 ms");
    queued[4]?.ticket?.release();
    await turn(); // t=110: overloaded, waits over 5 ms are cut, oldest first
    assert.deepEqual(
      queued.slice(0, 4).map((q) => q.reason),
      ["queue-timeout", "queue-timeout", "queue-timeout", "queue-timeout"],
    );
    assert.equal(admission.queued, 0);
    assert.equal(admission.overloaded, false, "an empty queue is not overloaded");
    const fresh = track(admission.admit());
    await turn();
    assert.ok(fresh.ticket, "after the queue emptied, new requests are served again");
  });

  it("sheds requests that waited too long even while newer ones are served first", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 5, intervalMs: 50 } });
    const running = track(admission.admit());
    await turn();
    const old = track(admission.admit());
    await clock.advance(60); // waited 60 > interval 50
    const young = track(admission.admit());
    running.ticket?.release();
    await turn();
    assert.equal(
      old.reason,
      "queue-timeout",
      "the stale request gets a fast 503 instead of waiting for its client to give up",
    );
    assert.ok(young.ticket);
  });

  it("sheds lower priorities first and keeps critical requests queued", async () => {
    const { admission, turn } = setup({ limit: 1, maxQueue: 2 });
    const running = track(admission.admit());
    await turn();
    const sheddable = track(admission.admit({ priority: "sheddable" }));
    const normal = track(admission.admit({ priority: "normal" }));
    const critical = track(admission.admit({ priority: "critical" })); // queue full: evicts the sheddable one
    await turn();
    assert.equal(sheddable.reason, "shed");
    const another = track(admission.admit({ priority: "sheddable" })); // full, nothing lower to evict
    await turn();
    assert.equal(another.reason, "shed");
    running.ticket?.release();
    await turn();
    assert.ok(critical.ticket, "critical is served before normal");
    assert.equal(normal.ticket, undefined);
  });

  it("drops a queued request at once when its client goes away", async () => {
    const { admission, turn } = setup({ limit: 1 });
    const running = track(admission.admit());
    await turn();
    const controller = new AbortController();
    const leaving = track(admission.admit({ signal: controller.signal }));
    assert.equal(admission.queued, 1);
    controller.abort();
    await turn();
    assert.equal(leaving.reason, "gone");
    assert.equal(admission.queued, 0);
    running.ticket?.release();
    await turn();
    assert.equal(admission.inflight, 0, "the departed request never ran");
  });

  it("drops requests whose deadline passed while they waited", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 50, intervalMs: 1000 } });
    const running = track(admission.admit());
    await turn();
    const late = track(admission.admit({ deadline: clock.now() + 20 }));
    await clock.advance(30);
    running.ticket?.release();
    await turn();
    assert.equal(late.reason, "expired");
    const already = track(admission.admit({ deadline: clock.now() }));
    await turn();
    assert.equal(already.reason, "expired");
  });

  it("refuses everything with a retry-after hint while draining or under pressure", async () => {
    const { admission, turn } = setup({ limit: 1 });
    const running = track(admission.admit());
    await turn();
    admission.setPressure(true);
    const normal = track(admission.admit());
    const critical = track(admission.admit({ priority: "critical" }));
    await turn();
    assert.equal(normal.reason, "shed");
    assert.equal(critical.reason, undefined, "critical requests still queue under pressure");
    admission.drain();
    await turn();
    assert.equal(critical.reason, "draining");
    await assert.rejects(admission.admit(), (e: unknown) => {
      assert.ok(isNinesError(e, ADMISSION_REJECTED));
      const retryAfterMs = Number(e.details["retryAfterMs"]);
      assert.ok(retryAfterMs >= 1000 && retryAfterMs % 1000 === 0);
      return e.details["reason"] === "draining";
    });
    running.ticket?.release();
  });

  it("refuses at once, without queueing, what could only wait to be refused", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 5, intervalMs: 100 } });
    const running = track(admission.admit());
    await turn();
    assert.equal(admission.refuseNow({ deadline: clock.now() })?.reason, "expired");
    assert.equal(admission.refuseNow(), undefined, "an empty queue takes new requests");
    const waiting = [1, 2, 3].map(() => track(admission.admit()));
    assert.equal(admission.refuseNow(), undefined, "not overloaded yet: the queue may absorb a burst");
    await clock.advance(101); // non-empty for more than the interval: overloaded
    const refusal = admission.refuseNow();
    assert.equal(refusal?.reason, "shed");
    assert.ok((refusal?.retryAfterMs ?? 0) >= 1000);
    assert.equal(admission.refuseNow({ priority: "critical" }), undefined, "critical requests always queue");
    assert.equal(admission.queued, 3, "a refusal now leaves the queue as it was");
    running.ticket?.release();
    await turn();
    // They waited 101 ms > the 5 ms target of an overloaded queue: refused when reached, oldest first.
    assert.deepEqual(
      waiting.map((w) => w.reason),
      ["queue-timeout", "queue-timeout", "queue-timeout"],
    );
    admission.drain();
    assert.equal(admission.refuseNow({ priority: "critical" })?.reason, "draining");
  });

  it("validates its options", () => {
    assert.throws(() => new AdmissionController({ maxQueue: -1 }), /maxQueue must be an integer >= 0/);
    assert.throws(() => new AdmissionController({ limit: 0 }), /limit must be an integer >= 1/);
    assert.throws(
      () => new AdmissionController({ codel: { targetMs: 10, intervalMs: 5 } }),
      /intervalMs must be > targetMs/,
    );
  });
});
