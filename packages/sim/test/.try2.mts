import { loadSpec } from "@nines/planner";
import { simulate } from "../src/index.js";

const spec = loadSpec("examples/clicktravel/nines.yaml");
const admission = process.argv[2] === "none" ? false : "tuned";
const outlier = process.argv[3] === "nooutlier" ? { outlier: false as const } : {};
const t0 = performance.now();
const r = await simulate(
  spec,
  { kind: "zone-loss", zone: "us-central1-a", afterMs: 10000 },
  { durationMs: Number(process.argv[4] ?? 60000), admission, health: outlier },
);
console.log("wall", Math.round(performance.now() - t0));
const j = r.series.journeys["book-trip"];
console.log("journey goodput", j.goodput.join(" "));
for (const name of ["web", "inventory", "orders"]) {
  const s = r.series.services[name];
  console.log(name, "goodput", s.goodput.join(" "));
  console.log(name, "late", s.late.join(" "));
  console.log(name, "shed", s.shed.join(" "));
  console.log(name, "calls", s.calls.join(" "));
  console.log(name, "q", s.queued.join(" "));
}
