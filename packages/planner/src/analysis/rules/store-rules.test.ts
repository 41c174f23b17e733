import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec, type StoreInput } from "../../../test/support/build-spec.js";
import type { BackupLocation } from "../../model.js";
import { Topology } from "../topology/topology.js";
import { storeRules } from "./store-rules.js";

function rules(store: Omit<StoreInput, "name">, asOf = "2026-11-29"): string[] {
  const spec = buildSpec({ regions: { r1: ["a", "b"], r2: ["c"] }, stores: [{ name: "db", zone: "a", ...store }] });
  return storeRules(new Topology(spec), spec.stores[0]!, asOf).map((f) => `${f.rule}:${f.severity}`);
}

const backups = (at: BackupLocation, tested: string | null = "2026-11-01") => ({
  backups: { intervalMs: 86_400_000, at, restoreMs: 1_800_000, tested },
});

test("backup-colocated: same-zone, same-region and the store's own region; never elsewhere", () => {
  assert.deepEqual(rules(backups({ kind: "same-zone" })), ["backup-colocated:error"]);
  assert.deepEqual(rules(backups({ kind: "same-region" })), ["backup-colocated:error"]);
  assert.deepEqual(rules(backups({ kind: "region", region: "r1" })), ["backup-colocated:error"]);
  assert.deepEqual(rules(backups({ kind: "region", region: "r2" })), []);
  assert.deepEqual(rules(backups({ kind: "other-region" })), []);
  assert.deepEqual(rules(backups({ kind: "dual-region" })), []);
  assert.deepEqual(rules(backups({ kind: "multi-region" })), []);
  // A managed store placed in a region: backups named after that region are colocated.
  assert.deepEqual(
    rules({
      zone: null,
      managed: true,
      sla: 0.9999,
      engine: "firestore",
      location: "r2",
      ...backups({ kind: "region", region: "r2" }),
    }),
    ["backup-colocated:error"],
  );
});

test("restore-untested: missing, or more than 365 days before asOf", () => {
  assert.deepEqual(rules(backups({ kind: "multi-region" }, null)), ["restore-untested:warning"]);
  // 2025-11-29 -> 2026-11-29 is 365 days: passes; one day more fires.
  assert.deepEqual(rules(backups({ kind: "multi-region" }, "2025-11-29")), []);
  assert.deepEqual(rules(backups({ kind: "multi-region" }, "2025-11-28")), ["restore-untested:warning"]);
  assert.deepEqual(rules(backups({ kind: "multi-region" }, "2025-11-28"), "2026-11-28"), []);
  // No backups: nothing to test.
  assert.deepEqual(rules({}), []);
});

test("no-lazy-deletion: user data without deletion phases", () => {
  assert.deepEqual(rules({ userData: true }), ["no-lazy-deletion:warning"]);
  assert.deepEqual(
    rules({ userData: true, deletion: { trashMs: 86_400_000, softMs: 86_400_000, restoreMs: 900_000 } }),
    [],
  );
  assert.deepEqual(rules({ userData: false }), []);
});
