import { parseSpec } from "@nines/planner";
import { simulate } from "../src/index.js";

const yaml = `
name: Metastable
platform:
  regions:
    r1: [r1-a, r1-b]
services:
  api:
    zones: [r1-a, r1-b]
    instances: 2
    capacity: 1000
    load: 600
    calls:
      backend: { retries: 2, backoff: exponential, jitter: true, budget: 10%, breaker: true, timeout: 500ms }
  backend:
    zones: [r1-a, r1-b]
    instances: 2
    capacity: 200
    load: 600
journeys:
  main: { entry: api }
`;
const parsed = parseSpec(yaml, "m.yaml");
if (!parsed.ok) {
  console.log(parsed.errors);
  process.exit(1);
}
const spec = parsed.spec;
const admission = process.argv[2] === "none" ? false : "tuned";
for (const kind of ["latency-spike", "retry-storm"] as const) {
  const r = await simulate(
    spec,
    { kind, target: "backend", factor: Number(process.argv[3] ?? 3), afterMs: 10000, durationMs: 10000 },
    { durationMs: 60000, admission },
  );
  const j = r.series.journeys.main;
  console.log(kind, "goodput", j.goodput.join(" "));
  const b = r.series.services.backend;
  console.log(kind, "backend goodput", b.goodput.join(" "));
  console.log(kind, "backend late", b.late.join(" "));
  console.log(kind, "amp", b.retryAmplification.join(" "));
  console.log(kind, "q", b.queued.join(" "));
}
