import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clicktravelFixture } from "../../test/support/clicktravel-fixture.js";
import { renderHtmlReport } from "./html-report.js";
import { renderTerminalReport } from "./terminal-report.js";

describe("renderTerminalReport", () => {
  const { spec, result } = clicktravelFixture();

  it("prints every section, with human durations, percentages and money", () => {
    const text = renderTerminalReport(spec, result);
    for (const heading of ["Journeys", "Components", "Findings", "Disaster recovery", "Scalability", "Risk and cost"]) {
      assert.match(text, new RegExp(`^${heading}`, "m"), heading);
    }
    assert.match(text, /book-trip\s+99\.961%\s+3h 25m\s+16m 51s\s+99\.950% met\s+exact/);
    assert.match(text, /Service\s+Scenario\s+RPO\s+RTO\s+Priority/);
    assert.match(text, /Resource\s+Backup strategy\s+Backup location\s+Recovery procedure/);
    assert.match(
      text,
      /inventory-db\s+Programmer deleted all inventory accidentally\s+1h\s+1h\s+high\s+1d\s+1h\s+backups\s+missed/,
    );
    assert.match(text, /Deployment\s+Estimated cost\s+Availability\s+Cost of being down/);
    assert.match(text, /multi-zone \(cheapest\)\s+1,800 USD\/month\s+99\.961%\s+683,800 USD\/year\s+705,400 USD\/year/);
    assert.equal(text.match(/cheapest/g)?.length, 1);
  });

  it("groups findings by severity, errors first", () => {
    const text = renderTerminalReport(spec, result);
    assert.match(text, /Findings \(3 errors, 2 warnings, 1 info\)/);
    const errors = text.indexOf("  Errors");
    const warnings = text.indexOf("  Warnings");
    const info = text.indexOf("  Info");
    assert.ok(errors > 0 && errors < warnings && warnings < info);
    const between = text.slice(errors, warnings);
    assert.match(between, /n-plus-2\s+inventory/);
    assert.match(between, /spof\s+analytics/);
    assert.doesNotMatch(between, /restore-untested/);
  });

  it("colours only when asked", () => {
    assert.ok(!renderTerminalReport(spec, result).includes("\u001b["));
    const coloured = renderTerminalReport(spec, result, { colour: true });
    assert.ok(coloured.includes("\u001b[31mmissed\u001b[39m"));
    // Columns stay aligned: the colour codes are not counted as width.
    const plainLines = renderTerminalReport(spec, result).split("\n");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI
    const strippedLines = coloured.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
    assert.deepEqual(strippedLines, plainLines);
  });

  it("says so when there are no findings", () => {
    const text = renderTerminalReport(spec, { ...result, findings: [] });
    assert.match(text, /Findings \(0 errors, 0 warnings, 0 info\)\n {2}none: the plan breaks no rule/);
  });

  it("reports a sampled journey with its interval", () => {
    const journey = {
      ...result.journeys[0]!,
      method: "monte-carlo" as const,
      samples: 1_000_000,
      ci95: [0.9995, 0.9997] as [number, number],
    };
    const text = renderTerminalReport(spec, { ...result, journeys: [journey] });
    assert.match(text, /monte-carlo 1,000,000 samples, 95% CI 99\.950%–99\.970%/);
  });

  it("without costs in the spec, shows instances and availability, no zero costs and no cheapest row", () => {
    const free = {
      ...result,
      costs: {
        currency: "USD",
        priced: false,
        alternatives: result.costs.alternatives.map((a) => ({
          ...a,
          monthly: 0,
          downtimeCostPerYear: 0,
          cheapest: false,
        })),
      },
    };
    const text = renderTerminalReport(spec, free);
    assert.match(text, /^Risk and availability/m);
    assert.match(text, /Deployment\s+Instances\s+Availability\n/);
    assert.doesNotMatch(text, /cheapest|0 USD/);
    assert.match(text, /No costs in the spec: add costs: \{ instance: 50\/month, downtime: 20000\/hour \}/);
    const html = renderHtmlReport(spec, free);
    assert.doesNotMatch(html.slice(html.indexOf('<h2 id="costs">')), /cheapest|0 USD/);
  });
});
