import { simulate } from "../src/index.js";
import { twoTier } from "./support/specs.js";

const r = await simulate(
  twoTier("{ retries: 2, backoff: exponential, jitter: true }", "capacity: 400"),
  { kind: "error-burst", target: "backend", errorRate: 0.5, afterMs: 2000, durationMs: 4000 },
  { durationMs: 10_000, admission: false },
);
const b = r.series.services.backend;
const m = r.series.journeys.main;
console.log(b.retryAmplification.join(" "));
console.log(b.errors.join(" "));
console.log(b.goodput.join(" "));
console.log(m.errors.join(" "), m.offered.join(" "));
console.log(r.series.services.api.errors.join(" "), r.series.services.api.shed.join(" "));
