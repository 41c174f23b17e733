import { scaleSpec, simulate } from "../src/index.js";
import { clicktravel } from "./support/specs.js";

const spec = scaleSpec(clicktravel, { scale: 20, timeScale: 10 });
const r = await simulate(
  spec,
  { kind: "zone-loss", zone: "us-central1-a", afterMs: 10000, durationMs: 20000 },
  { durationMs: 40000 },
);
console.log(JSON.stringify(r.journeys), r.series.journeys["book-trip"].goodput.join(" "));
console.log(r.timeline);
