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
const tally = new JourneyTally("x", 0);
web.journeys.push(tally);
tally.add(web);
d.start();
await clock.advanceTo(365.25 * 24 * 3.6e6);
tally.closeYear(clock.now());
console.log(tally.lostMs, tally.yearlyIncidents, tally.incidentMs);
{
  const clock = new SimClock();
  const d = new FailureDomains(spec, {
    clock,
    random: new SeededRandom(1),
    recoveryTimes: true,
    detectionMs: 2000,
    outageMs: { instance: 3.6e6, zone: 3.6e6, region: 4 * 3.6e6, managed: 3.6e6 },
  });
  const web = d.part("web")!;
  const tally = new JourneyTally("x", 0);
  web.journeys.push(tally);
  tally.add(web);
  const orig = tally.change.bind(tally);
  let n = 0;
  const log: string[] = [];
  (tally as any).change = (now: number, part: any, f: number, c: any) => {
    n++;
    if (log.length < 12) log.push(`${now} ${part.fraction}->${f} ${c} tally=${tally.fraction}`);
    orig(now, part, f, c);
  };
  d.start();
  await clock.advanceTo(365.25 * 24 * 3.6e6);
  console.log(n, log);
}
