import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSpec } from "../../test/support/build-spec.js";
import { clicktravelFixture } from "../../test/support/clicktravel-fixture.js";
import { analyze } from "../analysis/analyze.js";
import { renderHtmlReport } from "./html-report.js";
import { renderTerminalReport } from "./terminal-report.js";

describe("renderHtmlReport", () => {
  const { spec, result } = clicktravelFixture();
  const html = renderHtmlReport(spec, result);

  it("is one self-contained page: no scripts, links or external resources", () => {
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|<link|<img|@import|url\(http/i);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
    assert.match(html, /<style>/);
  });

  it("holds the diagram, the findings and every table", () => {
    assert.equal(html.match(/<svg /g)?.length, 1);
    for (const id of ["diagram", "findings", "journeys", "components", "dr", "scalability", "costs"]) {
      assert.match(html, new RegExp(`<h2 id="${id}">`), id);
    }
    assert.match(
      html,
      /<th>Service<\/th><th>Scenario<\/th><th class="num">RPO<\/th><th class="num">RTO<\/th><th>Priority<\/th>/,
    );
    assert.match(
      html,
      /<th>Resource<\/th><th>Backup strategy<\/th><th>Backup location<\/th><th>Recovery procedure<\/th>/,
    );
    assert.match(
      html,
      /<th>Deployment<\/th><th class="num">Estimated cost<\/th><th class="num">Availability<\/th><th class="num">Cost of being down<\/th>/,
    );
    assert.match(html, /<tr class="cheapest"><td>multi-zone \(cheapest\)<\/td>/);
    assert.equal(html.match(/class="sev sev-error"/g)?.length, 3);
    assert.match(html, /<td class="missed">missed<\/td>/);
  });

  it("escapes text from the spec", () => {
    const hostile = {
      ...result,
      name: "<b>Evil & Co</b>",
      findings: [{ ...result.findings[0]!, message: "<script>x</script>" }],
    };
    const page = renderHtmlReport(spec, hostile);
    assert.doesNotMatch(page, /<script>|<b>Evil/);
    assert.match(page, /&lt;b&gt;Evil &amp; Co&lt;\/b&gt;/);
  });

  it("renders a minimal spec: no edge, stores, journeys or disasters", () => {
    const minimal = buildSpec({ regions: { r: ["a"] }, services: [{ name: "api", zones: ["a"] }] });
    const plan = analyze(minimal, { asOf: "2026-11-29" });
    const page = renderHtmlReport(minimal, plan);
    assert.match(page, /<g class="node service" data-id="api@a">/);
    assert.doesNotMatch(page, /NaN|undefined/);
    const text = renderTerminalReport(minimal, plan);
    assert.match(text, /no disaster scenarios in the spec/);
    assert.match(text, /no stores in the spec/);
    assert.doesNotMatch(text, /NaN|undefined/);
  });
});
