import { generateSpec } from "../../planner/bench/generate-spec.js";
import { simulateYear } from "../src/year/simulate-year.js";

const spec = generateSpec({ services: 1000, regions: 10, zonesPerRegion: 5, journeys: 10 });
console.log(
  spec.services.reduce((n, s) => n + s.instances * s.zones.length, 0),
  "instances",
  spec.stores.length,
  "stores",
);
const years = Number(process.argv[2] ?? 1);
const c0 = process.cpuUsage();
const t0 = performance.now();
const r = await simulateYear(spec, { years });
const c = process.cpuUsage(c0);
console.log(
  years,
  "years",
  Math.round(performance.now() - t0),
  "ms wall",
  Math.round((c.user + c.system) / 1000),
  "ms cpu",
  r.events,
  "events",
  Math.round(r.events / ((c.user + c.system) / 1e6)),
  "ev/cpu-s",
);
console.log(r.journeys.slice(0, 3).map((j) => [j.journey, j.availability, j.ci95, j.incidentsPerYear.mean]));
