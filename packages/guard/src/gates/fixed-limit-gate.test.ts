import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AdmissionTicket, GuardRequestInfo } from "../admission-gate.js";
import { fixedLimitGate } from "./fixed-limit-gate.js";
import { passThroughGate } from "./pass-through-gate.js";

const info: GuardRequestInfo = {
  method: "GET",
  path: "/",
  route: "/",
  receivedAt: 0,
  priority: "normal",
  deadlineAt: undefined,
  header: () => undefined,
};
const done = { kind: "success", status: 200, latencyMs: 1 } as const;

describe("fixedLimitGate", () => {
  it("admits up to the limit, sheds the next at once, and frees a slot on release (once)", () => {
    const gate = fixedLimitGate({ limit: 2, retryAfterMs: 1500 });
    const a = gate.admit(info, undefined) as AdmissionTicket;
    const b = gate.admit(info, undefined) as AdmissionTicket;
    assert.equal(a.admitted && b.admitted, true);
    assert.deepEqual(gate.admit(info, undefined), { admitted: false, reason: "shed", retryAfterMs: 1500 });
    assert.deepEqual(gate.snapshot(), { inflight: 2, queueLength: 0, limit: 2 });
    a.release(done);
    a.release(done);
    assert.equal(gate.snapshot().inflight, 1);
    assert.equal((gate.admit(info, undefined) as AdmissionTicket).admitted, true);
    gate.close?.();
    assert.deepEqual(gate.admit(info, undefined), { admitted: false, reason: "draining", retryAfterMs: 1500 });
  });

  it("validates the limit", () => {
    assert.throws(() => fixedLimitGate({ limit: 0 }), { code: "NINES_OPTION_INVALID" });
    assert.throws(() => fixedLimitGate({ limit: 1.5 }), /integer/);
    assert.throws(() => fixedLimitGate({ limit: 2, retryAfter: 5 } as never), /unknown option retryAfter/);
  });
});

describe("passThroughGate", () => {
  it("admits everything and counts what runs", () => {
    const gate = passThroughGate();
    const tickets = [gate.admit(info, undefined), gate.admit(info, undefined)] as AdmissionTicket[];
    assert.equal(gate.snapshot().inflight, 2);
    for (const t of tickets) t.release(done);
    assert.equal(gate.snapshot().inflight, 0);
    assert.equal(gate.snapshot().limit, Number.POSITIVE_INFINITY);
  });
});
