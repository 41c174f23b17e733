// spec.md: every invalid input is an error naming file, line, column and what
// would be valid; `--json` prints { errors: [...] } and exits 2.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorsOf, nines, OK_SERVICE, SPECS, withSpecFile } from "./helpers.js";

const svc = (extra = "") => `{ zones: [zone-a], instances: 1, capacity: 100, load: 50, ${OK_SERVICE}${extra} }`;
const head = "name: T\nplatform: { regions: { r1: [zone-a, zone-b], r2: [zone-c] } }\n";

function one(text: string) {
  const errors = errorsOf(text);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  const e = errors[0]!;
  assert.equal(e.file, "t.yaml");
  assert.ok(e.line >= 1 && e.column >= 1);
  assert.ok(e.hint.length > 0, "every error says what would be valid");
  return e;
}

describe("contract: validation errors", () => {
  it("unknown key, with the closest valid name", () => {
    const e = one(`${head}services:\n  s: { zones: [zone-a], instancs: 1, capacity: 100, load: 50, ${OK_SERVICE} }\n`);
    assert.equal(e.line, 4);
    assert.equal(e.column, 25); // "  s: { zones: [zone-a], " is 24 characters
    assert.match(`${e.message} ${e.hint}`, /instances/);
  });

  it("unknown engine, with the closest name", () => {
    const e = one(`${head}stores:\n  d: { engine: postgress, zone: zone-a }\n`);
    assert.equal(e.line, 4);
    assert.match(e.hint, /postgres\b/);
  });

  it("an undeclared zone, with the closest name", () => {
    const e = one(`${head}services:\n  s: { zones: [zone-d], instances: 1, capacity: 100, load: 50, ${OK_SERVICE} }\n`);
    assert.equal(e.line, 4);
    assert.equal(e.column, 16); // "  s: { zones: [" is 15 characters
    assert.match(e.hint, /zone-[abc]/);
  });

  it("a call to an undeclared service or store, with the closest name", () => {
    const e = one(`${head}services:\n  web: ${svc(", calls: { ordrs: {} }")}\n  orders: ${svc()}\n`);
    assert.equal(e.line, 4);
    assert.match(e.hint, /orders/);
  });

  it("a call to an undeclared store, and a scenario naming one, with the closest name", () => {
    const errors = errorsOf(
      `${head}services:\n  web: ${svc(", calls: { ordrs-db: {} }")}\nstores:\n  orders-db: { engine: postgres, zone: zone-a }\ndisasters:\n  - { store: orders-bd, scenario: X, kind: crash, rpo: 0, rto: 1m, priority: low }\n`,
    );
    assert.deepEqual(
      errors.map((e) => e.line),
      [4, 8],
    );
    for (const e of errors) assert.match(e.hint, /orders-db/);
  });

  it("a cycle in calls (through an optional call too), showing the cycle", () => {
    const e = one(
      `${head}services:\n  a: ${svc(", calls: { b: { optional: true } }")}\n  b: ${svc(", calls: { a: {} }")}\n`,
    );
    assert.match(e.message, /a -> b -> a|b -> a -> b/);
  });

  it("duplicate names across services and stores", () => {
    one(`${head}services:\n  d: ${svc()}\nstores:\n  d: { engine: postgres, zone: zone-a }\n`);
  });

  it("a duplicate key", () => {
    const errors = errorsOf(`${head}services:\n  s: ${svc()}\n  s: ${svc()}\n`);
    assert.ok(errors.length >= 1);
    assert.ok(errors.every((e) => e.line >= 4));
  });

  it("a YAML syntax error", () => {
    const errors = errorsOf(`${head}services:\n  s: { zones: [zone-a\n`);
    assert.ok(errors.length >= 1 && errors[0]!.line >= 4);
  });

  it("via names an edge component", () => {
    const e = one(`${head}services:\n  s: ${svc()}\njourneys:\n  j: { via: s, entry: s }\n`);
    assert.equal(e.line, 6);
  });

  it("an undeclared via or entry, with the closest name", () => {
    const e = one(
      `${head}edge:\n  lb: { engine: global-http-lb }\nservices:\n  s: ${svc()}\njourneys:\n  j: { via: lbb, entry: s }\n`,
    );
    assert.equal(e.line, 8);
    assert.match(e.hint, /lb/);
  });

  it("a replica in its primary's zone", () => {
    one(
      `${head}stores:\n  d: { engine: postgres, zone: zone-a, replica: { zone: zone-a, sync: true, failover: 1m } }\n`,
    );
  });

  it("a cloud-sql replica must be synchronous and in the primary's region", () => {
    one(
      `${head}stores:\n  d: { engine: cloud-sql, zone: zone-a, replica: { zone: zone-b, sync: false, lag: 1m, failover: 1m } }\n`,
    );
    one(
      `${head}stores:\n  d: { engine: cloud-sql, zone: zone-a, replica: { zone: zone-c, sync: true, failover: 1m } }\n`,
    );
  });

  it("an asynchronous replica needs lag", () => {
    one(
      `${head}stores:\n  d: { engine: postgres, zone: zone-a, replica: { zone: zone-b, sync: false, failover: 1m } }\n`,
    );
  });

  it("an engine/location pair missing from the catalog lists the valid locations", () => {
    const e = one(`${head}stores:\n  d: { engine: firestore, location: dual-region }\n`);
    assert.match(e.hint, /multi-region/);
  });

  it("a deletion scenario for a service is invalid", () => {
    one(
      `${head}services:\n  s: ${svc()}\ndisasters:\n  - { service: s, scenario: x, kind: deletion, rto: 1m, priority: low }\n`,
    );
  });

  it("an unknown name with managed: false is a self-managed engine, not an error", () => {
    assert.throws(() => errorsOf(`${head}stores:\n  d: { engine: cockroach, managed: false, zone: zone-a }\n`));
  });

  it("instances >= 1, capacity > 0, load >= 0, and all three required", () => {
    const bad = (fields: string) => errorsOf(`${head}services:\n  s: { zones: [zone-a], ${fields}, ${OK_SERVICE} }\n`);
    for (const fields of [
      "instances: 0, capacity: 100, load: 50",
      "instances: 1, capacity: 0, load: 50",
      "instances: 1, capacity: 100, load: -1",
      "capacity: 100, load: 50",
      "instances: 1, load: 50",
      "instances: 1, capacity: 100",
    ]) {
      const errors = bad(fields);
      assert.equal(errors.length, 1, `${fields}: ${JSON.stringify(errors)}`);
      assert.equal(errors[0]!.line, 4);
    }
  });

  it("an unknown edge engine, with the closest name", () => {
    const e = one(`${head}edge:\n  lb: { engine: global-http-lbb }\n`);
    assert.match(e.hint, /global-http-lb/);
  });

  it("lists every error, not just the first, in file order", () => {
    const errors = errorsOf(
      `${head}services:\n  s: { zones: [zone-x], instances: 1, capacity: 100, laod: 50, ${OK_SERVICE} }\nstores:\n  d: { engine: postgress, zone: zone-a }\n`,
    );
    assert.ok(errors.length >= 3, JSON.stringify(errors)); // zone-x, laod (and load missing), postgress
    const lines = errors.map((e) => e.line);
    assert.deepEqual(
      lines,
      [...lines].sort((a, b) => a - b),
    );
  });
});

describe("contract: nines plan exit statuses and --json errors", () => {
  it("invalid spec with --json: exit 2 and { errors: [{ file, line, column, message, hint }] } only", async () => {
    const file = `${SPECS}/invalid-many.nines.yaml`;
    const { status, out } = await nines("plan", file, "--json");
    assert.equal(status, 2);
    const json = JSON.parse(out) as { errors: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(json), ["errors"]);
    // 0.9995, zone-c, 5 minutes, ordrs, laod (and the missing load), postgress
    assert.ok(json.errors.length >= 6, out);
    for (const e of json.errors) {
      assert.deepEqual(Object.keys(e).sort(), ["column", "file", "hint", "line", "message"]);
      assert.equal(e["file"], file);
      assert.equal(typeof e["line"], "number");
      assert.equal(typeof e["column"], "number");
    }
    const at = (line: number) => json.errors.filter((e) => e["line"] === line);
    assert.match(String(at(3)[0]?.["hint"]), /99\.95%/);
    assert.equal(at(9).length, 1); // zone-c
    assert.equal(at(9)[0]!["column"], 21); // "    zones: [zone-a, " is 20 characters
    assert.match(String(at(15)[0]?.["hint"]), /orders/);
    assert.match(String(at(23)[0]?.["hint"]), /postgres/);
  });

  it("invalid spec without --json: exit 2, file:line:column on stderr, no stack trace", async () => {
    const file = `${SPECS}/invalid-many.nines.yaml`;
    const { status, err } = await nines("plan", file);
    assert.equal(status, 2);
    assert.match(err, new RegExp(`${file}:9:21: `));
    assert.doesNotMatch(err, /\n\s+at /);
  });

  it("a missing file: exit 2", async () => {
    const { status } = await nines("plan", `${SPECS}/no-such.nines.yaml`, "--json");
    assert.equal(status, 2);
  });

  it("exit 0 when no finding is an error", async () => {
    const { status, out } = await nines("plan", `${SPECS}/minimal-ok.nines.yaml`, "--json", "--as-of", "2026-11-29");
    const result = JSON.parse(out) as { findings: { severity: string }[] };
    assert.ok(
      result.findings.every((f) => f.severity !== "error"),
      out,
    );
    assert.equal(status, 0);
  });

  it("exit 1 when a finding is an error", async () => {
    const { status } = await nines("plan", "examples/clicktravel/nines.yaml", "--json", "--as-of", "2026-11-29");
    assert.equal(status, 1);
  });

  it("a tested date after --as-of is invalid input: exit 2 with the { errors } JSON", async () => {
    const text = `${head}stores:\n  d: { engine: postgres, zone: zone-a, backups: { every: 1h, at: multi-region, restore: 1m, tested: 2026-12-01 } }\n`;
    await withSpecFile(text, async (path) => {
      const { status, out } = await nines("plan", path, "--json", "--as-of", "2026-11-29");
      assert.equal(status, 2);
      const json = JSON.parse(out) as { errors: { line: number; column: number }[] };
      assert.equal(json.errors.length, 1);
      assert.equal(json.errors[0]!.line, 4);
      // the same date as --as-of is fine
      const same = await nines("plan", path, "--json", "--as-of", "2026-12-01");
      assert.notEqual(same.status, 2);
    });
  });
});
