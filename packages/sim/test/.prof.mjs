import { loadSpec } from "@nines/planner";
import { simulate } from "@nines/sim";

const spec = loadSpec("/work/main/examples/clicktravel/nines.yaml");
const opts = JSON.parse(process.argv[2] ?? "{}");
const secs = Number(process.argv[3] ?? 30);
await simulate(spec, { kind: "steady" }, { durationMs: 5000, ...opts });
const c0 = process.cpuUsage();
const t0 = performance.now();
const r = await simulate(spec, { kind: "steady" }, { durationMs: secs * 1000, ...opts });
const wall = performance.now() - t0;
const c = process.cpuUsage(c0);
const cpu = (c.user + c.system) / 1000;
console.log(
  process.argv[2],
  "cpu",
  Math.round(cpu),
  "ms wall",
  Math.round(wall),
  "req/cpu-s",
  Math.round((r.journeys[0].requests / cpu) * 1000),
  "ev/req",
  (r.events / r.journeys[0].requests).toFixed(2),
  "ns/hop(cpu)",
  Math.round((cpu * 1e6) / r.hops),
);
