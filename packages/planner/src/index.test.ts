// The public API of @nines/planner, snapshotted so that it changes only on
// purpose: test fixtures (buildSpec), internals (Topology, the availability
// machinery, the palette, file writing) stay out of it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as planner from "./index.js";

describe("the public API", () => {
  it("exports these values, and only these", () => {
    assert.deepEqual(Object.keys(planner).sort(), [
      "CATALOG",
      "DRAIN_DEFAULTS",
      "EXIT_MARGIN_SECONDS",
      "HEALTH_PATHS",
      "HOURS_PER_YEAR",
      "MAX_EXACT_ZONES",
      "MINUTES_PER_MONTH",
      "MINUTES_PER_YEAR",
      "PERIOD_HOURS",
      "PLANNER_ERRORS",
      "PlannerError",
      "REGION_KEY",
      "REPLICATE_INTERVAL_MS",
      "SELF_MANAGED_ENGINES",
      "SPEC_INVALID",
      "SPEC_UNREADABLE",
      "ZONE_KEY",
      "analyze",
      "atLeast",
      "availabilityWithDown",
      "buildManifests",
      "catalogAvailability",
      "catalogEntry",
      "checkManifests",
      "costAlternatives",
      "downtime",
      "drainTimeline",
      "formatDuration",
      "formatMinutes",
      "formatMoney",
      "formatPercent",
      "formatSpecError",
      "fromSeconds",
      "hasCosts",
      "kubeName",
      "latestDrill",
      "layoutDiagram",
      "loadSpec",
      "monthlyCost",
      "neededInstances",
      "parseDuration",
      "parseEvidence",
      "parseIsoDate",
      "parseMoney",
      "parsePercent",
      "parseSpec",
      "renderDiagramSvg",
      "renderHtmlReport",
      "renderManifestFiles",
      "renderTerminalReport",
      "renderTimelinePage",
      "resourceRows",
      "scenarioRows",
      "specJsonSchema",
      "toSeconds",
      "useColour",
      "variantSpec",
      "visibleLength",
      "withEvidence",
    ]);
  });

  it("exports no test support and no internals, types included", () => {
    const index = readFileSync(new URL("./index.ts", import.meta.url), "utf8");
    for (const internal of ["testing/", "test/support", "Topology", "palette", "writeFileAtomic", "componentModel"]) {
      assert.ok(!index.includes(internal), internal);
    }
  });
});
