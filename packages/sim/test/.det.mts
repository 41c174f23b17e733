import { simulate } from "../src/index.js";
import { clicktravel, meanOf, twoTier } from "./support/specs.js";

const LOSS = { kind: "zone-loss", zone: "us-central1-a", afterMs: 10_000 } as const;
if (process.argv[2] === "pre") await simulate(twoTier("{ retries: 2 }"), { kind: "steady" }, { durationMs: 5000 });
const b = await simulate(clicktravel, LOSS, { durationMs: 60_000, health: { outlier: false }, admission: false });
const inv = b.series.services.inventory!;
console.log(meanOf(inv.goodput, 45).toFixed(1), inv.queued.at(-1), JSON.stringify(b).length, b.events);
