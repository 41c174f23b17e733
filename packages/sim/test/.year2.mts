import { loadSpec } from "@nines/planner";
import { simulateYear } from "../src/year/simulate-year.js";

const spec = loadSpec("examples/clicktravel/nines.yaml");
const r = await simulateYear(spec, { years: 20, recovery: "spec", detectionMs: Number(process.argv[2]) });
console.log(r.journeys[0].downtimeByCause, r.journeys[0].incidentsPerYear.mean);
