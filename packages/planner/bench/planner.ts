// Planner benchmarks: `npm run bench:planner [-- --json]`.
// Times analyze() on generated specs (Monte Carlo path), an exact enumeration
// of 2^20 zone states, and how time grows with zones and services. Wall-clock
// timing (performance.now) is benchmark glue, not planner logic.

import { analyze } from "../src/analysis/analyze.js";
import { componentModel } from "../src/analysis/availability/component-model.js";
import { estimateAvailability, failureDomains } from "../src/analysis/availability/estimate.js";
import { Topology } from "../src/analysis/topology/topology.js";
import type { Spec } from "../src/model.js";
import { clicktravelSpec } from "../test/support/clicktravel.js";
import { generateDenseSpec, generateSpec } from "./generate-spec.js";

const json = process.argv.includes("--json");
const ASOF = "2026-11-29";

interface Row {
  case: string;
  services: number;
  zones: number;
  method: string;
  states: number;
  /** Exact: terminal states actually evaluated. */
  visited?: number;
  ms: number;
  limitMs?: number;
  ok?: boolean;
}

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  if (json) console.log(JSON.stringify(row));
}

/** Best of `runs` wall-clock timings (ms) of fn, with its last result. */
function time<T>(fn: () => T, runs = 3): { ms: number; result: T } {
  let best = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: Math.round(best * 10) / 10, result: result as T };
}

/** Availability of the spec's first journey alone. */
function firstJourney(spec: Spec) {
  const topology = new Topology(spec);
  const names = topology.journeyComponents(spec.journeys[0]!);
  const models = names.map((n) => componentModel(topology, topology.component(n)));
  return estimateAvailability(models, failureDomains(topology));
}

// 1. The headline: analyze() on 1,000 services over 50 zones in 10 regions (Monte Carlo, 1e6 samples).
{
  const spec = generateSpec({ services: 1000, regions: 10, zonesPerRegion: 5, journeys: 10 });
  const { ms, result } = time(() => analyze(spec, { asOf: ASOF }), 3);
  const j = result.journeys[0]!;
  report({
    case: "analyze 1000 svc, 10 journeys, 4 cost variants",
    services: 1000,
    zones: j.zones.length,
    method: `${j.method} (${j.samples})`,
    states: 0,
    ms,
    limitMs: 2000,
    ok: ms < 2000,
  });
}

// 2. Exact enumeration of 2^20 zone states, worst case: 40 services on random halves of
// 20 zones in 4 regions (no two alike, almost no pruning). The generated
// spec of case 1's shape, cut to 20 zones, is shown too: there a down
// component prunes most states.
{
  const spec = generateDenseSpec(40, 4, 5);
  const { ms, result } = time(() => firstJourney(spec), 3);
  report({
    case: "exact journey, 2^20 states (dense, worst case)",
    services: 41,
    zones: result.zones.length,
    method: result.method,
    states: result.states,
    visited: result.visited ?? 0,
    ms,
    limitMs: 5000,
    ok: ms < 5000 && result.states === 2 ** 20,
  });
  const tree = generateSpec({ services: 40, regions: 4, zonesPerRegion: 5, seed: 2 });
  const t = time(() => firstJourney(tree), 3);
  report({
    case: "exact journey, 2^20 states (generated tree)",
    services: 40,
    zones: t.result.zones.length,
    method: t.result.method,
    states: t.result.states,
    visited: t.result.visited ?? 0,
    ms: t.ms,
  });
}

// 3. Growth with zones and services (exact, dense worst case), and with
// services at 50 zones (Monte Carlo).
for (const [regions, perRegion] of [
  [2, 4],
  [3, 4],
  [4, 4],
  [3, 6],
  [4, 5],
] as const) {
  const spec = generateDenseSpec(40, regions, perRegion);
  const { ms, result } = time(() => firstJourney(spec), 3);
  report({
    case: "exact (dense) vs zones",
    services: 41,
    zones: result.zones.length,
    method: result.method,
    states: result.states,
    visited: result.visited ?? 0,
    ms,
  });
}
for (const services of [10, 40, 160, 640]) {
  const spec = generateDenseSpec(services, 4, 4);
  const { ms, result } = time(() => firstJourney(spec), 3);
  report({
    case: "exact (dense) vs services",
    services: services + 1,
    zones: result.zones.length,
    method: result.method,
    states: result.states,
    visited: result.visited ?? 0,
    ms,
  });
}
for (const services of [10, 100, 1000, 4000]) {
  const spec = generateSpec({ services, regions: 10, zonesPerRegion: 5 });
  const { ms, result } = time(() => firstJourney(spec), 3);
  report({
    case: "Monte Carlo journey vs services",
    services,
    zones: result.zones.length,
    method: result.method,
    states: result.states,
    ms,
  });
}
for (const services of [100, 1000, 4000]) {
  const spec = generateSpec({ services, regions: 10, zonesPerRegion: 5, journeys: 10 });
  const { ms, result } = time(() => analyze(spec, { asOf: ASOF }), 1);
  report({
    case: "analyze vs services",
    services,
    zones: result.journeys[0]!.zones.length,
    method: result.journeys[0]!.method,
    states: 0,
    ms,
  });
}
{
  const { ms } = time(() => analyze(clicktravelSpec(), { asOf: ASOF }), 5);
  report({ case: "analyze ClickTravel", services: 4, zones: 4, method: "exact", states: 16, ms });
}

if (!json) {
  console.log(`${"case".padEnd(48)}services  zones  ${"method".padEnd(24)}  states   visited      ms`);
  for (const r of rows) {
    const limit = r.limitMs === undefined ? "" : `  (limit ${r.limitMs} ms: ${r.ok ? "ok" : "OVER"})`;
    console.log(
      `${r.case.padEnd(48)}${String(r.services).padStart(8)}${String(r.zones).padStart(7)}  ${r.method.padEnd(24)}${String(r.states).padStart(8)}${String(r.visited ?? "").padStart(10)}${String(r.ms).padStart(8)}${limit}`,
    );
  }
}
if (rows.some((r) => r.ok === false)) process.exitCode = 1;
