import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import type { Admission, AdmissionTicket, RequestOutcome } from "../admission-gate.js";
import { AdmissionController, type AdmissionOptions, type AdmissionRequest } from "./admission-controller.js";

const ok: RequestOutcome = { kind: "success", status: 200, latencyMs: 1 };

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

/** Tracks one admit: its ticket, or its rejection as `reason` or `reason/detail`. */
function track(answer: Admission | Promise<Admission>) {
  const state: { ticket?: AdmissionTicket; reason?: string; retryAfterMs?: number } = {};
  const settle = (admission: Admission) => {
    if (admission.admitted) state.ticket = admission;
    else {
      state.reason = admission.detail === undefined ? admission.reason : `${admission.reason}/${admission.detail}`;
      state.retryAfterMs = admission.retryAfterMs;
    }
  };
  if (answer instanceof Promise) void answer.then(settle);
  else settle(answer);
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
    a.ticket.release(ok);
    a.ticket.release(ok); // twice is harmless
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
    first.ticket?.release(ok);
    await turn(); // no time passed: no standing queue, FIFO
    assert.ok(early.ticket);
    assert.equal(late.ticket, undefined);
    const newer = track(admission.admit());
    await clock.advance(6); // the oldest has now waited 6 ms > target: a queue has formed
    const newest = track(admission.admit());
    early.ticket?.release(ok);
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
    running.ticket?.release(ok);
    await turn(); // t=90: not empty for 90 ms <= 100: not overloaded, a 90 ms wait (<= interval) is still served
    assert.equal(admission.overloaded, false);
    assert.ok(queued[4]?.ticket, "newest first once a queue has formed");
    await clock.advance(20);
    assert.equal(admission.overloaded, true, "non-empty for 110 ms > 100 ms");
    queued[4]?.ticket?.release(ok);
    await turn(); // t=110: overloaded, waits over 5 ms are cut, oldest first
    assert.deepEqual(
      queued.slice(0, 4).map((q) => q.reason),
      ["shed/queue-timeout", "shed/queue-timeout", "shed/queue-timeout", "shed/queue-timeout"],
    );
    assert.equal(admission.queued, 0);
    assert.equal(admission.overloaded, false, "an empty queue is not overloaded");
    const fresh = track(admission.admit());
    await turn();
    assert.ok(fresh.ticket, "after the queue emptied, new requests are served again");
  });

  it("sheds requests that waited too long even while newer ones are served first", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 5, intervalMs: 50 } });
    const warmUp = track(admission.admit());
    await turn();
    await clock.advance(1);
    warmUp.ticket?.release(ok); // requests take 1 ms: five can be served within the 5 ms target
    const running = track(admission.admit());
    await turn();
    const old = track(admission.admit());
    await clock.advance(60); // waited 60 > interval 50
    const young = track(admission.admit());
    running.ticket?.release(ok);
    await turn();
    assert.equal(
      old.reason,
      "shed/queue-timeout",
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
    assert.equal(sheddable.reason, "shed/queue-full");
    const another = track(admission.admit({ priority: "sheddable" })); // full, nothing lower to evict
    await turn();
    assert.equal(another.reason, "shed/queue-full");
    running.ticket?.release(ok);
    await turn();
    assert.ok(critical.ticket, "critical is served before normal");
    assert.equal(normal.ticket, undefined);
  });

  it("drops a queued request at once when its client goes away", async () => {
    const { admission, turn } = setup({ limit: 1 });
    const running = track(admission.admit());
    await turn();
    const controller = new AbortController();
    const leaving = track(admission.admit({}, controller.signal));
    assert.equal(admission.queued, 1);
    controller.abort();
    await turn();
    assert.equal(leaving.reason, "shed/gone");
    assert.equal(admission.queued, 0);
    running.ticket?.release(ok);
    await turn();
    assert.equal(admission.inflight, 0, "the departed request never ran");
  });

  it("drops requests whose deadline passed while they waited", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 50, intervalMs: 1000 } });
    const running = track(admission.admit());
    await turn();
    const late = track(admission.admit({ deadlineAt: clock.now() + 20 }));
    await clock.advance(30);
    running.ticket?.release(ok);
    await turn();
    assert.equal(late.reason, "shed/expired");
    const already = track(admission.admit({ deadlineAt: clock.now() }));
    assert.equal(already.reason, "shed/expired", "refused at once, without a promise");
  });

  it("refuses everything with a retry-after hint while draining or under pressure", async () => {
    const { admission, turn } = setup({ limit: 1 });
    const rejected: string[] = [];
    admission.on("rejected", (e) => rejected.push(`${e.priority}:${e.reason}/${e.detail ?? ""}`));
    const running = track(admission.admit());
    await turn();
    admission.setPressure(true);
    const normal = track(admission.admit());
    const critical = track(admission.admit({ priority: "critical" }));
    await turn();
    assert.equal(normal.reason, "shed/pressure");
    assert.equal(critical.reason, undefined, "critical requests still queue under pressure");
    admission.close();
    await turn();
    assert.equal(critical.reason, "draining");
    const late = admission.admit();
    assert.ok(!(late instanceof Promise) && !late.admitted, "refused at once");
    assert.equal(late.reason, "draining");
    assert.equal(late.detail, undefined);
    assert.ok(late.retryAfterMs >= 1000 && late.retryAfterMs % 1000 === 0);
    assert.deepEqual(rejected, ["normal:shed/pressure", "critical:draining/", "normal:draining/"]);
    running.ticket?.release(ok);
  });

  it("refuses at once, without queueing, what could only wait to be refused", async () => {
    const { admission, turn, clock } = setup({ limit: 1, codel: { targetMs: 5, intervalMs: 100 } });
    const running = track(admission.admit());
    await turn();
    const waiting = [1, 2, 3].map(() => admission.admit());
    assert.ok(
      waiting.every((w) => w instanceof Promise),
      "not overloaded yet: the queue may absorb a burst",
    );
    const tracked = waiting.map(track);
    await clock.advance(101); // non-empty for more than the interval: overloaded
    const refusal = admission.admit();
    assert.ok(!(refusal instanceof Promise) && !refusal.admitted);
    assert.equal(refusal.reason, "shed");
    assert.equal(refusal.detail, "overloaded");
    assert.ok(refusal.retryAfterMs >= 1000);
    const sheddable = admission.admit({ priority: "sheddable" });
    assert.ok(!(sheddable instanceof Promise) && !sheddable.admitted && sheddable.detail === "overloaded");
    const critical = track(admission.admit({ priority: "critical" }));
    assert.equal(critical.reason, undefined, "critical requests always queue");
    assert.equal(admission.queued, 4, "a refusal leaves the queue as it was");
    running.ticket?.release(ok);
    await turn();
    assert.ok(critical.ticket, "the critical request is served first");
    // They waited 101 ms > the 5 ms target of an overloaded queue: refused when reached, oldest first.
    assert.deepEqual(
      tracked.map((w) => w.reason),
      ["shed/queue-timeout", "shed/queue-timeout", "shed/queue-timeout"],
    );
    admission.close();
    const closed = admission.admit({ priority: "critical" });
    assert.ok(!(closed instanceof Promise) && !closed.admitted && closed.reason === "draining");
  });

  it("is an admission gate: its snapshot shows what runs and what waits", async () => {
    const { admission, turn, clock } = setup({ limit: 2 });
    const a = track(admission.admit());
    const b = track(admission.admit());
    const c = track(admission.admit());
    assert.deepEqual(admission.snapshot(), { inflight: 0, queueLength: 3, limit: 2 });
    await turn();
    assert.deepEqual(admission.snapshot(), { inflight: 2, queueLength: 1, limit: 2 });
    await clock.advance(5);
    a.ticket?.release(ok);
    b.ticket?.release({ kind: "timed_out", status: 503, latencyMs: 5 });
    await turn();
    c.ticket?.release(ok);
    assert.deepEqual(admission.snapshot(), { inflight: 0, queueLength: 0, limit: 2 });
  });

  it("grants through the starter's next turn even with a slot free, so requests that arrive together are ordered and cut", async () => {
    const { admission, turn } = setup({ limit: 2 });
    const first = track(admission.admit());
    const second = track(admission.admit());
    const third = track(admission.admit());
    assert.equal(admission.inflight, 0, "nothing runs before the starter's turn");
    assert.equal(admission.queued, 3);
    await turn();
    assert.ok(first.ticket && second.ticket, "two slots: the first two run");
    assert.equal(third.ticket, undefined, "no slot left: it waits");
    assert.equal(admission.queued, 1);
    first.ticket.release(ok);
    const fourth = track(admission.admit());
    await turn();
    assert.ok(third.ticket, "the request that waited takes the freed slot");
    assert.equal(fourth.ticket, undefined, "a newcomer does not jump ahead of it");
  });

  it("regression: maxQueue 0 admits on a free slot (it used to refuse every request, even on an idle controller)", async () => {
    const { admission, turn } = setup({ limit: 2, maxQueue: 0 });
    const a = track(admission.admit());
    const b = track(admission.admit());
    const c = track(admission.admit());
    assert.equal(c.reason, "shed/queue-full", "no slot and no room to wait");
    await turn();
    assert.ok(a.ticket && b.ticket, `a ${a.reason}, b ${b.reason}`);
    a.ticket.release(ok);
    const d = track(admission.admit());
    await turn();
    assert.ok(d.ticket, "the released slot is taken");
  });

  it("regression: requests that will take a free slot do not count against maxQueue", async () => {
    const { admission, turn } = setup({ limit: 2, maxQueue: 1 });
    // Before: a and b sat in the queue until the starter ran, so b was refused as queue-full with a slot free.
    const [a, b, c, d] = [1, 2, 3, 4].map(() => track(admission.admit()));
    assert.equal(d?.reason, "shed/queue-full");
    await turn();
    assert.ok(a?.ticket && b?.ticket, `b ${b?.reason}`);
    assert.equal(c?.ticket, undefined);
    assert.equal(c?.reason, undefined, "c waits for a slot");
    b.ticket.release(ok);
    await turn();
    assert.ok(c?.ticket);
  });

  it("admitThen makes admit's decisions, with the answer given to a callback instead of a promise", async () => {
    type Ask = (
      admission: AdmissionController,
      request?: AdmissionRequest,
      signal?: AbortSignal,
    ) => ReturnType<typeof track>;
    const viaPromise: Ask = (admission, request, signal) => track(admission.admit(request, signal));
    // One answer function for every request: each request object is handed back with its answer.
    const states = new Map<AdmissionRequest, ReturnType<typeof track>>();
    const answerAll = (answer: Admission, request: AdmissionRequest) =>
      Object.assign(states.get(request) ?? assert.fail("an answer for an unknown request"), track(answer));
    const viaCallback: Ask = (admission, request = {}, signal) => {
      const own = { ...request };
      const state: ReturnType<typeof track> = {};
      states.set(own, state);
      admission.admitThen(own, answerAll, signal);
      return state;
    };
    // One script of arrivals, releases, deadlines, a departed client and a full queue, run both ways.
    const script = async (ask: Ask) => {
      const { admission, turn, clock } = setup({ limit: 2, maxQueue: 2, codel: { targetMs: 5, intervalMs: 50 } });
      const gone = new AbortController();
      const asks = [ask(admission), ask(admission), ask(admission, { deadlineAt: clock.now() + 3 })];
      asks.push(ask(admission, {}, gone.signal), ask(admission, { priority: "sheddable" }), ask(admission));
      await turn();
      gone.abort();
      await clock.advance(10);
      asks[0]?.ticket?.release(ok);
      await turn();
      asks.push(ask(admission, { deadlineAt: clock.now() }), ask(admission, { priority: "critical" }));
      asks[1]?.ticket?.release(ok);
      await turn();
      return asks.map((a) => (a.ticket ? "admitted" : (a.reason ?? "waiting")));
    };
    const byPromise = await script(viaPromise);
    assert.deepEqual(await script(viaCallback), byPromise);
    assert.ok(byPromise.includes("admitted") && byPromise.some((r) => r.startsWith("shed/")), byPromise.join(", "));
    // A refusal at arrival is answered before admitThen returns.
    const { admission, clock } = setup();
    let answered: Admission | undefined;
    admission.admitThen({ deadlineAt: clock.now() }, (answer) => {
      answered = answer;
    });
    assert.equal(answered?.admitted, false);
  });

  it("validates its options", () => {
    assert.throws(() => new AdmissionController({ maxQueue: -1 }), /maxQueue must be an integer >= 0/);
    assert.throws(() => new AdmissionController({ limit: 0 }), /limit must be an integer >= 1/);
    assert.throws(
      () => new AdmissionController({ codel: { targetMs: 10, intervalMs: 5 } }),
      /intervalMs must be > targetMs/,
    );
    assert.throws(() => new AdmissionController({ maxQeue: 5 } as never), {
      message: "AdmissionController: unknown option maxQeue",
      hint: "did you mean maxQueue?",
    });
  });
});
