import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { clicktravelSpec } from "../../test/support/clicktravel.js";
import { loadSpec } from "../spec/load-spec.js";
import { analyze } from "./analyze.js";

const example = fileURLToPath(new URL("../../../../examples/clicktravel/nines.yaml", import.meta.url));

test("end to end: the shipped ClickTravel example parses to the hand-built model", () => {
  const parsed = loadSpec(example);
  const { file: _f, locations: _l, ...fromYaml } = parsed;
  const { file: _g, locations: _m, ...byHand } = clicktravelSpec();
  assert.deepEqual(fromYaml, byHand);
});

test("end to end: loadSpec -> analyze gives the figures and findings of the hand-built model", () => {
  const parsed = analyze(loadSpec(example), { asOf: "2026-11-29" });
  const byHand = analyze(clicktravelSpec(), { asOf: "2026-11-29" });
  assert.equal(parsed.file, example);
  assert.deepEqual({ ...parsed, file: "" }, { ...byHand, file: "" });
  // The headline figures of the example, for the README and the reports.
  assert.equal(parsed.journeys[0]?.method, "exact");
  assert.ok(Math.abs(parsed.journeys[0]!.availability - 0.99714144) < 1e-8);
  assert.equal(parsed.findings.filter((f) => f.severity === "error").length, 5);
  assert.equal(parsed.costs.alternatives.find((a) => a.cheapest)?.name, "multi-region");
});
