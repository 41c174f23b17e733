import { simulate } from "../src/index.js";
import { clicktravel, meanOf } from "./support/specs.js";

const LOSS = { kind: "zone-loss", zone: "us-central1-a", afterMs: 10_000 } as const;
const noBreaker = {
  ...clicktravel,
  services: clicktravel.services.map((s) =>
    s.name !== "web" ? s : { ...s, calls: s.calls.map((c) => ({ ...c, breaker: false })) },
  ),
};
for (const [n, spec] of [
  ["as written", clicktravel],
  ["no breakers", noBreaker],
] as const) {
  const b = await simulate(spec, LOSS, { durationMs: 90_000, health: { outlier: false }, admission: false });
  const inv = b.series.services.inventory!;
  console.log(n, "goodput", meanOf(inv.goodput, 45).toFixed(0), inv.goodput.slice(30).join(" "));
  console.log(n, "late", inv.late.slice(30).join(" "));
  console.log(n, "calls", inv.calls.slice(30).join(" "));
  console.log(n, "q", inv.queued.slice(30).join(" "));
}
