import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runMain } from "./support/run-main.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const example = join(root, "examples/clicktravel/nines.yaml");

describe("nines drill (without running a system)", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-drill-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("--list prints each scenario with the plan's prediction, one JSON object a line with --json", async () => {
    const r = await runMain(
      ["drill", example, "--list", "--json", "--scenario", "zone-loss", "--scenario", "db-crash"],
      { cwd: root },
    );
    assert.equal(r.status, 0, r.err);
    const lines = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.scenario, l.kind, l.target]),
      [
        ["db-crash-orders-db", "db-crash", "orders-db"],
        ["zone-loss-us-central1-a", "zone-loss", "us-central1-a"],
      ],
    );
    assert.deepEqual(lines[1].predicted.overload, [{ service: "inventory", ratio: 1.125 }]);
  });

  it("refuses an unknown scenario, naming the ones there are", async () => {
    const r = await runMain(["drill", example, "--list", "--scenario", "zone-lost"], { cwd: root });
    assert.equal(r.status, 2);
    assert.match(r.err, /NINES_DRILL_UNKNOWN_NAME/);
    assert.match(r.err, /zone-loss-us-central1-a/);
  });

  it("--emit chaos-mesh --out DIR writes the scenarios as Chaos Mesh experiments; --emit needs --out", async () => {
    const out = join(dir, "chaos");
    const r = await runMain(["drill", example, "--emit", "chaos-mesh", "--out", out, "--namespace", "travel"], {
      cwd: root,
    });
    assert.equal(r.status, 0, r.err);
    const files = await readdir(out);
    assert.ok(files.includes("workflow.yaml") && files.includes("zone-loss-us-central1-a.yaml"), files.join(", "));
    const missing = await runMain(["drill", example, "--emit", "chaos-mesh"], { cwd: root });
    assert.equal(missing.status, 2);
    assert.match(missing.err, /--emit needs --out DIR/);
  });

  it("a workload module that exports no workload is refused with the file named", async () => {
    const bad = join(dir, "bad.mjs");
    await writeFile(bad, "export const nothing = 1;\n");
    const r = await runMain(["drill", example, "--workload", bad], { cwd: root });
    assert.equal(r.status, 2);
    assert.match(r.err, /NINES_DRILL_WORKLOAD_INVALID/);
    assert.match(r.err, /bad\.mjs does not export a workload/);
  });
});

describe("nines plan --evidence", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-plan-evidence-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("shows the latest drill next to the plan, and names a bad line", async () => {
    const record = {
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
    };
    const file = join(dir, "drills.jsonl");
    await writeFile(file, `${JSON.stringify(record)}\n`);
    const r = await runMain(["plan", example, "--as-of", "2026-11-29", "--json", "--evidence", file], { cwd: root });
    const result = JSON.parse(r.out);
    const crash = result.disasters.find((d: { scenario: string }) => d.scenario === "Orders database crashed");
    assert.deepEqual(crash.measured, {
      date: "2026-11-20",
      scenario: "db-crash-orders-db",
      lostWrites: 0,
      rto: 2.4,
      verdict: "met",
    });
    await writeFile(file, `${JSON.stringify(record)}\n{"date": 3}\n`);
    const bad = await runMain(["plan", example, "--evidence", file], { cwd: root });
    assert.equal(bad.status, 2);
    assert.match(bad.err, /NINES_EVIDENCE_INVALID/);
    assert.match(bad.err, /drills\.jsonl:2/);
    const missing = await runMain(["plan", example, "--evidence", join(dir, "none.jsonl")], { cwd: root });
    assert.equal(missing.status, 2);
    assert.match(missing.err, /cannot read --evidence/);
  });
});
