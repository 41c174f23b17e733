import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { clicktravelSpec } from "../../test/support/clicktravel.js";
import { analyze } from "../analysis/analyze.js";
import { PLANNER_ERRORS } from "../errors.js";
import { renderHtmlReport } from "../report/html-report.js";
import { renderTerminalReport } from "../report/terminal-report.js";
import { type DrillEvidence, parseEvidence, withEvidence } from "./evidence.js";

const record = (over: Partial<DrillEvidence>): DrillEvidence => ({
  date: "2026-11-20",
  system: "ClickTravel",
  scenario: "db-crash-orders-db",
  kind: "db-crash",
  target: "orders-db",
  disaster: "Orders database crashed",
  verdict: "met",
  lostWrites: 0,
  rtoMs: 2400,
  predicted: { rpoMs: 0, rtoMs: 60_000 },
  restore: null,
  ...over,
});

const lines = (records: DrillEvidence[]) => records.map((r) => JSON.stringify(r)).join("\n");

describe("drill evidence", () => {
  it("parses the lines nines drill --record writes, and names the line that is not a record", () => {
    const text = `${lines([record({}), record({ scenario: "zone-loss-us-central1-a", kind: "zone-loss" })])}\n\n`;
    assert.equal(parseEvidence(text, "drills.jsonl").length, 2);
    for (const [bad, what] of [
      ["{not json", "is not JSON"],
      [JSON.stringify({ ...record({}), date: "yesterday" }), "has no ISO date"],
      [JSON.stringify({ ...record({}), lostWrites: 1.5 }), 'has no whole "lostWrites"'],
    ] as const) {
      assert.throws(
        () => parseEvidence(`${lines([record({})])}\n${bad}\n`, "drills.jsonl"),
        (e) =>
          isNinesError(e, PLANNER_ERRORS.evidenceInvalid) &&
          e.message.includes("drills.jsonl:2") &&
          e.message.includes(what),
      );
    }
  });

  it("counts a restore from backups a drill performed as a restore test on its date (restore-untested)", () => {
    const spec = clicktravelSpec();
    const untested = (s = spec, evidence?: DrillEvidence[]) =>
      analyze(s, { asOf: "2026-11-29", ...(evidence && { evidence }) })
        .findings.filter((f) => f.rule === "restore-untested")
        .map((f) => f.subject);
    assert.deepEqual(untested(), ["inventory-db"]);
    const fromTrash = record({
      scenario: "deletion-inventory-db",
      kind: "deletion",
      target: "inventory-db",
      restore: { store: "inventory-db", mechanism: "lazy-deletion", restoreMs: 90 },
    });
    assert.deepEqual(untested(spec, [fromTrash]), ["inventory-db"], "a restore from the trash tests no backup");
    const fromBackup = {
      ...fromTrash,
      restore: { store: "inventory-db", mechanism: "backups" as const, restoreMs: 4000 },
    };
    assert.deepEqual(untested(spec, [fromBackup]), []);
    assert.equal(
      withEvidence(spec, [fromBackup]).stores.find((s) => s.name === "inventory-db")?.backups?.tested,
      "2026-11-20",
    );
    assert.deepEqual(untested(spec, [{ ...fromBackup, system: "Other" }]), ["inventory-db"], "another system's drill");
  });

  it("shows the latest drill of each disaster next to the plan", () => {
    const evidence = [record({ date: "2026-10-01", rtoMs: 9000 }), record({ date: "2026-11-20", rtoMs: 2400 })];
    const result = analyze(clicktravelSpec(), { asOf: "2026-11-29", evidence });
    const crash = result.disasters.find((d) => d.scenario === "Orders database crashed");
    assert.deepEqual(crash?.measured, {
      date: "2026-11-20",
      scenario: "db-crash-orders-db",
      lostWrites: 0,
      rto: 2.4,
      verdict: "met",
    });
    assert.equal(result.disasters.find((d) => d.kind === "deletion")?.measured, undefined);
    const spec = clicktravelSpec();
    for (const report of [renderTerminalReport(spec, result, { colour: false }), renderHtmlReport(spec, result)]) {
      assert.match(report, /Drilled/);
      assert.match(report, /RTO 2s, 0 writes lost, met, 2026-11-20/);
      assert.match(report, /not drilled/);
    }
    const plain = analyze(spec, { asOf: "2026-11-29" });
    assert.doesNotMatch(renderTerminalReport(spec, plain, { colour: false }), /Drilled/);
    assert.equal(analyze(clicktravelSpec(), { asOf: "2026-11-29" }).disasters[0]?.measured, undefined);
  });
});
