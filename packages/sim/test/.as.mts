import { simulate } from "../src/index.js";
import { clicktravel } from "./support/specs.js";

const r = await simulate(
  clicktravel,
  { kind: "zone-loss", zone: "us-central1-a", afterMs: 2000 },
  { durationMs: 40_000, health: { outlier: false } },
);
const w = r.series.services.web;
console.log("n", w.instances.join(" "));
console.log("up", w.instancesUp.join(" "));
console.log("shed", w.shed.join(" "));
console.log("goodput", r.series.journeys["book-trip"].goodput.join(" "));
