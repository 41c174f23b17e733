import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadSpec } from "@nines/planner";
import { simulate } from "../run/simulate.js";
import { simulateYear } from "../year/simulate-year.js";
import { renderSimulationPage } from "./simulation-page.js";
import { renderSimulationSummary } from "./simulation-summary.js";

const clicktravel = loadSpec(fileURLToPath(new URL("../../../../examples/clicktravel/nines.yaml", import.meta.url)));

/** The panels a page embeds for its charts. */
function panelsOf(
  html: string,
): { xLabel: string; unit: string; series: { label: string }[]; marks: unknown[]; x: number[] }[] {
  const match = /<script type="application\/json" id="nines-timeline-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match);
  return JSON.parse(match[1] as string);
}

describe("reports of a run", () => {
  it("summarises a zone loss: the verdict, what happened, every service", async () => {
    const result = await simulate(
      clicktravel,
      { kind: "zone-loss", zone: "us-central1-a", afterMs: 1000 },
      { durationMs: 3000 },
    );
    const text = renderSimulationSummary(result);
    assert.match(text, /^ClickTravel: zone-loss: us-central1-a lost at 1 s; 3 s simulated, seed 1\n/);
    assert.match(text, /\n {2}book-trip +\d+\.\d{4}% +.*99\.9500% +missed /);
    assert.match(text, /\n +1 s {2}orders-db fails over to us-central1-f\n/);
    for (const service of ["web", "orders", "inventory", "analytics"])
      assert.match(text, new RegExp(`\\n {4}${service} `));

    const panels = panelsOf(renderSimulationPage(result));
    assert.equal(panels.length, 2 + 6);
    assert.deepEqual(
      panels[0]?.series.map((s) => s.label),
      ["offered", "goodput", "errors"],
    );
    assert.deepEqual(panels[0]?.x, [1, 2, 3]);
    assert.deepEqual(panels[0]?.marks, [{ at: 1, label: "us-central1-a lost" }]);
    assert.deepEqual(
      panels[2]?.series.map((s) => s.label),
      ["web", "orders", "inventory", "analytics"],
    );
  });

  it("summarises a year: the plan's figure beside the simulated one, and the downtime by cause", async () => {
    const result = await simulateYear(clicktravel, {
      years: 5,
      plan: { journeys: [{ name: "book-trip", availability: 0.9971 }] },
    });
    const text = renderSimulationSummary(result);
    assert.match(text, /year: 5 simulated years, with the spec's detection, failover and start-up times, seed 1/);
    assert.match(text, /book-trip +99\.\d{4}% +99\.\d{4}% - 99\.\d{4}% +99\.7100% +99\.9500% +missed/);
    assert.match(text, /\n {4}zone-outage +[\d,]+\.\d+\n/);
    const panels = panelsOf(renderSimulationPage(result));
    assert.deepEqual(
      panels[0]?.series.map((s) => s.label),
      ["simulated year", "mean", "nines plan", "objective"],
    );
    assert.deepEqual(panels[0]?.x, [1, 2, 3, 4, 5]);
    assert.equal(panels[0]?.xLabel, "simulated year");
  });
});
