import { analyze } from "@nines/planner";
import { simulate, simulateYear } from "../src/index.js";
import { clicktravel, meanOf, twoTier } from "./support/specs.js";

const SPEC_POLICIES = "{ retries: 2, backoff: exponential, jitter: true, budget: 10%, breaker: true, timeout: 500ms }";
const SPIKE = { target: "backend", factor: 3, afterMs: 10_000, durationMs: 10_000 } as const;
const spec = twoTier(SPEC_POLICIES);
const calm = await simulate(spec, { kind: "latency-spike", ...SPIKE }, { durationMs: 60_000, admission: false });
const storm = await simulate(spec, { kind: "retry-storm", ...SPIKE }, { durationMs: 60_000, admission: false });
const guarded = await simulate(spec, { kind: "retry-storm", ...SPIKE }, { durationMs: 60_000 });
for (const [n, r] of [
  ["calm", calm],
  ["storm", storm],
  ["storm+guard", guarded],
] as const) {
  const m = r.series.journeys.main!;
  const b = r.series.services.backend!;
  console.log(
    n,
    "goodput 2-10",
    meanOf(m.goodput, 2, 10).toFixed(0),
    "offered",
    meanOf(m.offered, 2, 10).toFixed(0),
    "during",
    meanOf(m.goodput, 10, 20).toFixed(0),
    "21-25",
    m.goodput.slice(20, 26).join(","),
    "after 25",
    meanOf(m.goodput, 25).toFixed(1),
    "amp after",
    meanOf(b.retryAmplification, 25).toFixed(2),
    "queue end",
    b.queued.at(-1),
    "late after",
    meanOf(b.late, 25).toFixed(0),
    "avail",
    r.journeys[0].availability,
  );
}
const LOSS = { kind: "zone-loss", zone: "us-central1-a", afterMs: 10_000 } as const;
const g = await simulate(clicktravel, LOSS, { durationMs: 90_000, health: { outlier: false } });
const b = await simulate(clicktravel, LOSS, { durationMs: 90_000, health: { outlier: false }, admission: false });
for (const [n, r] of [
  ["guard", g],
  ["bare", b],
] as const) {
  const inv = r.series.services.inventory!;
  console.log(
    n,
    "inventory goodput 45-90",
    meanOf(inv.goodput, 45).toFixed(1),
    "late",
    meanOf(inv.late, 45).toFixed(1),
    "shed",
    meanOf(inv.shed, 45).toFixed(1),
    "calls",
    meanOf(inv.calls, 45).toFixed(1),
    "queue end",
    inv.queued.at(-1),
    "goodput by 10s",
    [10, 15, 20, 25, 30, 35, 40].map((i) => inv.goodput[i]).join(","),
    "book-trip avail",
    r.journeys[0].availability,
  );
}
const ej = await simulate(clicktravel, LOSS, { durationMs: 30_000 });
const noej = await simulate(clicktravel, LOSS, { durationMs: 30_000, health: { outlier: false } });
console.log(
  "ejection book-trip goodput 12-30",
  meanOf(ej.series.journeys["book-trip"]!.goodput, 12).toFixed(0),
  "without",
  meanOf(noej.series.journeys["book-trip"]!.goodput, 12).toFixed(0),
  "web shed",
  meanOf(ej.series.services.web!.shed, 12).toFixed(0),
  meanOf(noej.series.services.web!.shed, 12).toFixed(0),
);
const plan = analyze(clicktravel, { asOf: "2026-11-29" });
for (const recovery of ["instant", "spec"] as const) {
  const y = await simulateYear(clicktravel, { years: 300, recovery, plan });
  const j = y.journeys[0];
  console.log(
    recovery,
    j.availability,
    j.ci95,
    "plan",
    j.plan,
    "down",
    j.downtimeMinutesPerYear,
    JSON.stringify(j.downtimeByCause),
    "inc",
    j.incidentsPerYear.mean,
    "out",
    j.outagesPerYear.mean,
    "yearly",
    JSON.stringify(j.yearly),
  );
}
