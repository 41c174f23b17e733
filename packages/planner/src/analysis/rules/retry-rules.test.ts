import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec, type CallInput, type SpecInput } from "../../../test/support/build-spec.js";
import { Topology } from "../topology/topology.js";
import { callRetryRules, retryAmplification } from "./retry-rules.js";

const safe = { backoff: "exponential" as const, jitter: true, breaker: true };

function chain(calls: Record<string, CallInput[]>, extra: Partial<SpecInput> = {}) {
  const spec = buildSpec({
    regions: { r1: ["a"] },
    services: Object.entries(calls).map(([name, c]) => ({ name, zones: ["a"], calls: c })),
    journeys: [{ name: "j", entry: Object.keys(calls)[0]! }],
    ...extra,
  });
  const topology = new Topology(spec);
  return retryAmplification(topology, spec.journeys[0]!);
}

test("retry-without-backoff and retry-without-breaker per call, subject caller -> callee", () => {
  const spec = buildSpec({
    regions: { r1: ["a"] },
    services: [
      {
        name: "web",
        zones: ["a"],
        calls: [
          { target: "ok", retries: 2, ...safe },
          { target: "nobackoff", retries: 2, backoff: "constant", jitter: true, breaker: true },
          { target: "nojitter", retries: 2, backoff: "exponential", jitter: false, breaker: true },
          { target: "nobreaker", retries: 2, backoff: "exponential", jitter: true },
          { target: "budget", retries: 2, backoff: "exponential", jitter: true, budget: 0.1 },
          { target: "noretry", retries: 0 },
        ],
      },
    ],
  });
  const found = callRetryRules(spec.services[0]!).map((f) => `${f.rule}:${f.severity}:${f.subject}`);
  assert.deepEqual(found, [
    "retry-without-backoff:error:web -> nobackoff",
    "retry-without-backoff:error:web -> nojitter",
    "retry-without-breaker:warning:web -> nobreaker",
  ]);
});

test("retry-amplification: two layers of 2 retries = factor 9, a warning under the maximum", () => {
  const [f] = chain({
    web: [{ target: "api", retries: 2, ...safe }],
    api: [{ target: "db", retries: 2, ...safe }],
    db: [],
  });
  assert.equal(f?.rule, "retry-amplification");
  assert.equal(f?.severity, "warning");
  assert.equal(f?.subject, "j");
  assert.equal(f?.factor, 9);
  assert.deepEqual(f?.path, ["web", "api", "db"]);
  assert.match(f!.message, /retry at one layer only/);
});

test("retry-amplification: error above maxRetryAmplification (3 x 3 x 2 = 18 > 10)", () => {
  const [f] = chain({
    web: [{ target: "api", retries: 2, ...safe }],
    api: [{ target: "db", retries: 2, ...safe }],
    db: [{ target: "disk", retries: 1, ...safe }],
    disk: [],
  });
  assert.equal(f?.severity, "error");
  assert.equal(f?.factor, 18);
});

test("retry-amplification: one retrying layer is fine unless its factor exceeds the maximum", () => {
  assert.deepEqual(chain({ web: [{ target: "api", retries: 3, ...safe }], api: [{ target: "db" }], db: [] }), []);
  // exactly the maximum passes (factor 10 is not above 10)
  assert.deepEqual(chain({ web: [{ target: "api", retries: 9, ...safe }], api: [] }), []);
  const [f] = chain({ web: [{ target: "api", retries: 10, ...safe }], api: [] });
  assert.equal(f?.severity, "error");
  assert.equal(f?.factor, 11);
  assert.match(f!.message, /lower the retries/);
});

test("retry-amplification follows optional calls and reports the worst path once per journey", () => {
  const [f, more] = chain({
    web: [
      { target: "a", retries: 1, ...safe },
      { target: "b", retries: 3, optional: true, ...safe },
    ],
    a: [{ target: "c", retries: 1, ...safe }],
    b: [{ target: "c", retries: 1, ...safe }],
    c: [],
  });
  assert.equal(more, undefined);
  assert.equal(f?.factor, 8);
  assert.deepEqual(f?.path, ["web", "b", "c"]);
});

test("retry-amplification: the maximum comes from the spec", () => {
  const [f] = chain(
    { web: [{ target: "api", retries: 2, ...safe }], api: [{ target: "db", retries: 2, ...safe }], db: [] },
    { maxRetryAmplification: 8 },
  );
  assert.equal(f?.severity, "error");
});
