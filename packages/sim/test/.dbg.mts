import { SeededRandom } from "@nines/core";
import { loadSpec } from "@nines/planner";
import { timeout } from "@nines/resilience";
import { SimClock } from "../src/engine/sim-clock.js";
import { SimPlatform } from "../src/model/platform.js";
import { SimSystem } from "../src/model/sim-system.js";
import { exponential } from "../src/random/distributions.js";
import { startArrivals } from "../src/run/arrivals.js";

const spec = loadSpec("examples/clicktravel/nines.yaml");
const clock = new SimClock();
const random = new SeededRandom(1);
const system = SimSystem.build(spec, {
  clock,
  random,
  serviceTimeMs: 50,
  serviceTime: exponential,
  storeLatency: exponential(2),
  admission: "tuned",
  health: {},
  callDeadlineMs: 2000,
  storm: new Set(),
});
const platform = new SimPlatform(spec, system, clock);
const web = system.services.get("web")!;
const edge = timeout({ timeoutMs: 30000, clock });
let ok = 0,
  bad = 0;
const reasons = new Map<string, number>();
startArrivals({
  clock,
  random,
  ratePerMs: 2,
  endMs: 12000,
  factorAt: () => 1,
  peak: 1,
  flat: true,
  onArrival: () => {
    edge
      .execute((c) => web.call(null, c.deadlineAt))
      .then(
        () => ok++,
        (e) => {
          bad++;
          const k = `${e.code}:${e.details?.status ?? ""}:${e.details?.kind ?? ""}:${e.details?.rejected ?? ""}`;
          reasons.set(k, (reasons.get(k) ?? 0) + 1);
        },
      );
  },
});
clock.scheduleSync(3000, () => platform.loseZone("us-central1-a"));
for (let t = 1; t <= 12; t++) {
  clock.scheduleSync(t * 1000, () => {
    const w = web.nodes
      .filter((n) => n.instance.up)
      .map((n) => `${n.instance.admission?.limit.toFixed(0)}/${n.instance.inflight}/${n.instance.queued}`)
      .join(" ");
    console.log(t, "ok", ok, "bad", bad, "web", w, JSON.stringify([...reasons]));
    ok = 0;
    bad = 0;
    reasons.clear();
  });
}
await clock.advanceTo(12000);
