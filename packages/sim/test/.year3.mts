import { SeededRandom } from "@nines/core";
import { loadSpec } from "@nines/planner";
import { SimClock } from "../src/engine/sim-clock.js";
import { FailureDomains } from "../src/year/failure-domains.js";
import { JourneyTally } from "../src/year/journey-tally.js";

const spec = loadSpec("examples/clicktravel/nines.yaml");
const clock = new SimClock();
const d = new FailureDomains(spec, {
  clock,
  random: new SeededRandom(1),
  recoveryTimes: true,
  detectionMs: 2000,
  outageMs: { instance: 3.6e6, zone: 3.6e6, region: 4 * 3.6e6, managed: 3.6e6 },
});
const web = d.part("web")!;
let changes = 0;
const fr = new Map<string, number>();
const tally = new JourneyTally("x", 0);
(tally as any).change = (now: number, part: any, f: number, c: any) => {
  changes++;
  fr.set(`${f}:${c}`, (fr.get(`${f}:${c}`) ?? 0) + 1);
};
web.journeys.push(tally);
d.start();
await clock.advanceTo(365.25 * 24 * 3.6e6);
console.log(changes, fr, clock.fired);
