import { loadSpec } from "@nines/planner";
import { simulate } from "@nines/sim";

const spec = loadSpec("examples/clicktravel/nines.yaml");
const kind = process.argv[2] ?? "zone-loss";
const t0 = performance.now();
const scenario: any = kind === "steady" ? { kind } : { kind: "zone-loss", zone: "us-central1-a", afterMs: 3000 };
const r = await simulate(spec, scenario, { durationMs: Number(process.argv[3] ?? 20000) });
console.log("wall", Math.round(performance.now() - t0), "ms");
console.log(JSON.stringify(r.journeys));
const j = r.series.journeys["book-trip"];
console.log("offered", j.offered.join(" "));
console.log("goodput", j.goodput.join(" "));
console.log("errors ", j.errors.join(" "));
console.log("p99 ", j.p99Ms.join(" "));
for (const [name, s] of Object.entries(r.series.services)) {
  console.log(name, "goodput", s.goodput.join(" "));
  console.log(name, "errors", s.errors.join(" "), "late", s.late.join(" "), "shed", s.shed.join(" "));
  console.log(
    name,
    "up",
    s.instancesUp.join(" "),
    "n",
    s.instances.join(" "),
    "open",
    s.breakersOpen.join(" "),
    "q",
    s.queued.join(" "),
    "amp",
    s.retryAmplification.join(" "),
  );
}
console.log(r.timeline);
