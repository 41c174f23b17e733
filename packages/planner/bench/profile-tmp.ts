import { analyze } from "../src/analysis/analyze.js";
import { costAlternatives } from "../src/analysis/costs/variants.js";
import { generateSpec } from "./generate-spec.js";
const spec = generateSpec({ services: 1000, regions: 10, zonesPerRegion: 5, journeys: 10 });
for (let i = 0; i < 2; i++) {
  let t = performance.now();
  analyze(spec, { asOf: "2026-11-29" });
  console.log("analyze", performance.now() - t);
  t = performance.now();
  const rows = costAlternatives(spec);
  console.log("costs", performance.now() - t, rows.map((r) => r.method));
}
