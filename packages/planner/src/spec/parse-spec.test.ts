import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseSpec } from "./parse-spec.js";
import type { SpecError } from "./spec-error.js";

const FILE = "t.nines.yaml";

/** A small valid spec; cases replace one line (1-based) or append lines (to the store, or new sections). */
const BASE = [
  "name: T", // 1
  "platform:", // 2
  "  regions:", // 3
  "    r1: [r1-a, r1-b]", // 4
  "    r2: [r2-a, r2-b]", // 5
  "edge:", // 6
  "  lb: { engine: global-http-lb }", // 7
  "services:", // 8
  "  web:", // 9
  "    zones: [r1-a, r1-b]", // 10
  "    instances: 2", // 11
  "    capacity: 100", // 12
  "    load: 100", // 13
  "    calls:", // 14
  "      db: {}", // 15
  "journeys:", // 16
  "  home: { via: lb, entry: web }", // 17
  "stores:", // 18
  "  db:", // 19
  "    engine: postgres", // 20
  "    zone: r1-a", // 21
];

function spec(replace: Record<number, string> = {}, append: string[] = []): string {
  return [...BASE.map((line, i) => replace[i + 1] ?? line), ...append].join("\n");
}

function errorsOf(text: string): SpecError[] {
  const result = parseSpec(text, FILE);
  assert.equal(result.ok, false, "expected the spec to be invalid");
  return result.ok ? [] : result.errors;
}

/** Exactly one error, at this place, with this message and hint. */
function expectOne(text: string, line: number, column: number, message: string, hint: string | RegExp): void {
  const errors = errorsOf(text);
  assert.equal(errors.length, 1, `expected one error, got:\n${JSON.stringify(errors, null, 2)}`);
  const [error] = errors;
  assert.deepEqual({ ...error!, hint: "" }, { file: FILE, line, column, message, hint: "" });
  if (typeof hint === "string") assert.equal(error!.hint, hint);
  else assert.match(error!.hint, hint);
}

describe("parseSpec: the base spec", () => {
  it("is valid", () => {
    const result = parseSpec(spec(), FILE);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.warnings, []);
  });
});

describe("parseSpec: unknown keys", () => {
  it("names the closest valid key, at the key", () => {
    expectOne(
      spec({ 11: "    instancs: 2" }),
      11,
      5,
      'unknown key "instancs" in services.web',
      'did you mean "instances"? valid keys: zones, instances, capacity, load, unit, health, startup, autoscale, calls, standby, cost, drain, run',
    );
  });

  it("at the top level", () => {
    expectOne(
      spec({}, ["disaster: []"]),
      22,
      1,
      'unknown key "disaster" in (the document)',
      /^did you mean "disasters"\?/,
    );
  });

  it("inside a call", () => {
    expectOne(
      spec({ 15: "      db: { retires: 2 }" }),
      15,
      13,
      'unknown key "retires" in services.web.calls.db',
      /^did you mean "retries"\?/,
    );
  });
});

describe("parseSpec: undeclared names", () => {
  it("a zone", () => {
    expectOne(
      spec({ 10: "    zones: [r1-a, r1-c]" }),
      10,
      19,
      'zone "r1-c" is not declared in platform.regions',
      'did you mean "r1-a"? declared zones: r1-a, r1-b, r2-a, r2-b',
    );
  });

  it("a callee", () => {
    expectOne(
      spec({ 15: "      dbb: {}" }),
      15,
      7,
      'service "web" calls "dbb", which is not a declared service or store',
      'did you mean "db"? declared services and stores: web, db',
    );
  });

  it("a journey's entry", () => {
    expectOne(
      spec({ 17: "  home: { via: lb, entry: wbe }" }),
      17,
      27,
      'journey "home" enters at "wbe", which is not a declared service',
      'did you mean "web"? declared services: web',
    );
  });

  it("via that names a service, not an edge component", () => {
    expectOne(
      spec({ 17: "  home: { via: web, entry: web }" }),
      17,
      16,
      'journey "home" goes via "web", which is a service, not an edge component',
      "via names an edge component: lb; the service goes in entry",
    );
  });

  it("a disaster's store", () => {
    expectOne(
      spec({}, ["disasters:", "  - { store: dbx, scenario: Crash, kind: crash, rpo: 0, rto: 5m, priority: high }"]),
      23,
      14,
      'store "dbx" is not declared in stores',
      'did you mean "db"? declared stores: db',
    );
  });

  it("a backup location", () => {
    expectOne(
      spec({}, ["    backups: { every: 24h, at: r3, restore: 1h }"]),
      22,
      32,
      '"r3" is not a backup location',
      'did you mean "r1"? valid locations (keywords and declared regions): same-zone, same-region, other-region, dual-region, multi-region, r1, r2',
    );
  });
});

describe("parseSpec: values", () => {
  it("rejects a percentage written as a fraction", () => {
    expectOne(
      spec({}, ["objectives:", "  availability: 0.9995"]),
      23,
      17,
      "objectives.availability: 0.9995 looks like a fraction; a number here is a percent in [1, 100]",
      "write 99.95%",
    );
  });

  it("rejects a fraction in the failure model, with the percent to write", () => {
    expectOne(
      spec({ 5: "    r2: [r2-a, r2-b]\n  availability: { zone: 0.999 }" }),
      6,
      25,
      "platform.availability.zone: 0.999 looks like a fraction; a number here is a percent in [1, 100]",
      "write 99.9%",
    );
  });

  it("rejects a percentage above 100%", () => {
    expectOne(
      spec({}, ["objectives:", "  availability: 120%"]),
      23,
      17,
      'objectives.availability: percentage "120%" must be above 0% and at most 100%',
      "write a percent such as 99.95%",
    );
  });

  it("rejects a bad duration", () => {
    expectOne(
      spec({ 13: "    load: 100\n    startup: 5 minutes" }),
      14,
      14,
      'services.web.startup: "5 minutes" is not a duration',
      "write seconds (30) or a number with a unit: 250ms, 30s, 5m, 1h, 24h, 30d, 2w",
    );
  });

  it("rejects a duration of the wrong type", () => {
    expectOne(
      spec({ 13: "    load: 100\n    startup: true" }),
      14,
      14,
      "services.web.startup: expected a duration, got true",
      "write seconds (30) or a number with a unit: 250ms, 30s, 5m, 1h, 24h, 30d, 2w",
    );
  });

  it("rejects bad money and names the closest period", () => {
    expectOne(
      spec({}, ["costs: { instance: 50/mnth }"]),
      22,
      20,
      'costs.instance: unknown period "mnth" in "50/mnth"',
      'did you mean "50/month"? periods: hour, day, month, year',
    );
    expectOne(
      spec({}, ["costs: { downtime: lots }"]),
      22,
      20,
      'costs.downtime: "lots" is not an amount of money',
      /per hour$/,
    );
  });

  it("rejects a date that is not ISO", () => {
    expectOne(
      spec({}, ["    backups: { every: 24h, at: multi-region, restore: 1h, tested: 15/09/2026 }"]),
      22,
      67,
      'stores.db.backups.tested: "15/09/2026" is not an ISO date',
      "write an ISO date: YYYY-MM-DD, such as 2026-09-15",
    );
  });

  it("names the valid values of an enumeration", () => {
    expectOne(
      spec({ 13: "    load: 100\n    unit: zones" }),
      14,
      11,
      'services.web.unit must be one of instance, zone, got the text "zones"',
      'did you mean "zone"? valid values: instance, zone',
    );
  });

  it("says what type a field takes", () => {
    expectOne(
      spec({ 11: "    instances: two" }),
      11,
      16,
      'services.web.instances must be a number, got the text "two"',
      "write a number, such as 2 (Instances per zone)",
    );
  });

  it("reports a missing required key at its mapping", () => {
    expectOne(
      spec({ 12: "" }),
      9,
      3,
      'services.web is missing the required key "capacity"',
      "add capacity: Requests per second one instance can take at most",
    );
  });

  it("reports a missing key of a choice, a duration or a number-or-text as missing, not as 'got undefined'", () => {
    const disaster = ["disasters:", "  - { store: db, scenario: Lost, kind: crash, rpo: 0, rto: 5m }"];
    const [priority] = errorsOf(spec({}, disaster));
    assert.equal(priority?.message, 'disasters[0] is missing the required key "priority"');
    assert.equal(priority?.line, 23);
    assert.equal(priority?.hint, "add priority: one of high, medium, low");
    const noKind = ["disasters:", "  - { store: db, scenario: Lost, priority: high, rpo: 0, rto: 5m }"];
    assert.equal(errorsOf(spec({}, noKind))[0]?.message, 'disasters[0] is missing the required key "kind"');
    const backups = ["    backups: { every: 24h, at: multi-region }"];
    assert.equal(errorsOf(spec({}, backups))[0]?.message, 'stores.db.backups is missing the required key "restore"');
    const autoscale = ["    autoscale: { metric: cpu, max: 8 }"];
    const [target] = errorsOf(spec({ 13: `    load: 100\n${autoscale[0]}` }));
    assert.equal(target?.message, 'services.web.autoscale is missing the required key "target"');
    assert.match(target?.hint ?? "", /^add target:/);
  });

  it("cuts a long value of the wrong type in the message", () => {
    const [error] = errorsOf(spec({ 11: `    instances: ${"x".repeat(5000)}` }));
    assert.equal(
      error?.message,
      'services.web.instances must be a number, got the text "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (5002 characters)',
    );
  });

  it("checks bounds", () => {
    expectOne(
      spec({ 12: "    capacity: 0" }),
      12,
      15,
      "services.web.capacity: must be > 0, got 0",
      "it must be > 0 (Requests per second one instance can take at most)",
    );
    expectOne(
      spec({ 10: "    zones: []" }),
      10,
      12,
      "services.web.zones: must list at least 1 item(s)",
      "it must list at least 1 item(s) (Declared zones the service runs in)",
    );
  });
});

describe("parseSpec: warnings", () => {
  it("warns about components no journey reaches", () => {
    const result = parseSpec(spec({}, ["  old: { engine: redis, zone: r1-b }"]), FILE);
    assert.ok(result.ok);
    assert.deepEqual(result.warnings, [
      {
        file: FILE,
        line: 22,
        column: 3,
        message: 'store "old" is in no journey: no availability figure counts it',
        hint: "call it from a service on a journey, start a journey at it, or remove it",
      },
    ]);
  });
});

describe("parseSpec: YAML conveniences", () => {
  it("reuses anchors kept under x- keys, with merge keys", () => {
    const text = [
      "name: T",
      "platform: { regions: { r: [a, b] } }",
      "x-defaults: &svc { instances: 2, capacity: 10, load: 5 }",
      "services:",
      "  web: { <<: *svc, zones: [a, b] }",
      "  api: { <<: *svc, zones: [a], instances: 3 }",
      "stores:",
    ].join("\n");
    const result = parseSpec(text, FILE);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(
      result.spec.services.map((s) => [s.name, s.zones, s.instances, s.capacity, s.load]),
      [
        ["web", ["a", "b"], 2, 10, 5],
        ["api", ["a"], 3, 10, 5],
      ],
    );
    assert.deepEqual(result.spec.stores, []);
  });

  it("says how to write a value of the wrong type", () => {
    expectOne(
      spec({ 10: "    zones: r1-a" }),
      10,
      12,
      'services.web.zones must be a list, got the text "r1-a"',
      "write a list: [a, b], or - item lines (Declared zones the service runs in)",
    );
  });
});

describe("parseSpec: calls", () => {
  it("shows a cycle through an optional call", () => {
    // web -> api -> web, the way back optional.
    const cyclic = spec({ 15: "      db: {}\n      api: {}" }).replace(
      "journeys:",
      [
        "  api:",
        "    zones: [r1-a, r1-b]",
        "    instances: 2",
        "    capacity: 100",
        "    load: 100",
        "    calls:",
        "      web: { optional: true }",
        "journeys:",
      ].join("\n"),
    );
    expectOne(
      cyclic,
      23,
      7,
      "calls form a cycle: web -> api -> web",
      "services must call each other without cycles (optional calls included); remove one of these calls",
    );
  });

  it("shows a service calling itself", () => {
    expectOne(spec({ 15: "      db: {}\n      web: {}" }), 16, 7, "calls form a cycle: web -> web", /without cycles/);
  });
});

describe("parseSpec: duplicates", () => {
  it("a duplicate YAML key", () => {
    expectOne(
      spec({ 12: "    capacity: 100\n    capacity: 200" }),
      13,
      5,
      'duplicate key "capacity"',
      "remove or rename one of them: each key appears once",
    );
  });

  it("a service and a store with one name", () => {
    expectOne(
      spec({}, ["  web:", "    engine: postgres", "    zone: r1-b"]),
      22,
      3,
      '"web" is declared both as a service and as a store',
      "rename one of them: names are unique across edge, services and stores (the other is services.web)",
    );
  });

  it("a zone declared in two regions", () => {
    expectOne(
      spec({ 5: "    r2: [r2-a, r1-b]" }),
      5,
      16,
      'zone "r1-b" is declared twice (also in region "r1")',
      "declare each zone once, under its region",
    );
  });
});

describe("parseSpec: YAML syntax", () => {
  it("gives the position of a syntax error", () => {
    const errors = errorsOf(spec({ 7: '  lb: { engine: "global-http-lb }' }));
    assert.deepEqual(errors[0], {
      file: FILE,
      line: 7,
      column: 17,
      message: 'Missing closing "quote',
      hint: "close the quote, bracket or brace that is open here",
    });
  });

  it("points at the bracket left open, past quotes and comments", () => {
    const errors = errorsOf(
      spec({
        10: "    zones: [r1-a, r1-b] # { not this one",
        13: '    load: 100\n    health: { check: "/it\'s", autoheal: true',
      }),
    );
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.hint]),
      [[14, 13, "close the flow collection with its } or ], or indent it further"]],
    );
  });

  it("rejects tabs used as indentation", () => {
    const errors = errorsOf(spec({ 11: "\tinstances: 2" }));
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.message, e.hint]),
      [[11, 1, "Tabs are not allowed as indentation", "indent with spaces, not tabs"]],
    );
  });

  it("rejects an empty file", () => {
    expectOne("# nothing here\n", 1, 1, "the spec is empty", /start with name:/);
  });
});

describe("parseSpec: stores", () => {
  it("rejects a replica in its primary's zone", () => {
    expectOne(
      spec({}, ["    replica: { zone: r1-a, sync: true, failover: 1m }"]),
      22,
      22,
      'the replica is in "r1-a", the primary\'s zone',
      "put the replica in another zone: r1-b, r2-a, r2-b",
    );
  });

  it("requires lag for an asynchronous replica", () => {
    expectOne(
      spec({}, ["    replica: { zone: r2-a, sync: false, failover: 1m }"]),
      22,
      5,
      "an asynchronous replica (sync: false) needs lag",
      "add lag: DURATION, the worst-case lag",
    );
  });

  it("rejects an asynchronous cloud-sql replica", () => {
    expectOne(
      spec({ 20: "    engine: cloud-sql" }, ["    replica: { zone: r1-b, sync: false, lag: 1m, failover: 1m }"]),
      22,
      34,
      "a cloud-sql replica (HA) is synchronous",
      /^write sync: true/,
    );
  });

  it("rejects a cloud-sql replica in another region", () => {
    expectOne(
      spec({ 20: "    engine: cloud-sql" }, ["    replica: { zone: r2-a, sync: true, failover: 1m }"]),
      22,
      22,
      'a cloud-sql replica (HA) is in the primary\'s region "r1", not "r2"',
      "use a zone of r1: r1-b",
    );
  });

  it("lists the valid locations of an engine/location pair missing from the catalog", () => {
    expectOne(
      spec({ 20: "    engine: firestore", 21: "    location: dual-region" }),
      21,
      15,
      "firestore is not offered at dual-region in the catalog",
      "valid locations for firestore: a declared region's name, multi-region",
    );
  });

  it("rejects an unknown engine with the closest name", () => {
    expectOne(
      spec({ 20: "    engine: postgress" }),
      20,
      13,
      'unknown engine "postgress"',
      /^did you mean "postgres"\? .*; for another self-managed engine add managed: false$/,
    );
  });

  it("accepts an unknown engine declared managed: false, as a placed store", () => {
    const result = parseSpec(spec({ 20: "    engine: cockroachdb\n    managed: false" }), FILE);
    assert.ok(result.ok);
    const db = result.spec.stores[0]!;
    assert.deepEqual([db.engine, db.managed, db.sla, db.zone], ["cockroachdb", false, null, "r1-a"]);
  });

  it("requires a location for a managed engine and rejects a zone", () => {
    const errors = errorsOf(spec({ 20: "    engine: spanner" }));
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.message]),
      [
        [19, 3, "spanner needs a location"],
        [21, 5, 'zone applies to placed stores; "db" (spanner) is managed by location'],
      ],
    );
  });

  // spec.md: "A log without backups is no mechanism": valid, with a warning, and no log in the model.
  it("accepts a log without backups, with a warning", () => {
    for (const line of ["    log: 5m", "    log: { every: 5m }"]) {
      const result = parseSpec(spec({}, [line]), FILE);
      assert.ok(result.ok, line);
      assert.equal(result.spec.stores[0]!.log, null);
      assert.deepEqual(
        result.warnings.map((w) => [w.line, w.column, w.message]),
        [[22, 5, 'store "db" has a log but no backups: a log without backups recovers nothing']],
      );
    }
    const located = parseSpec(spec({}, ["    log: { every: 5m, at: multi-region }"]), FILE);
    assert.ok(located.ok);
    assert.deepEqual(located.spec.stores[0]!.log, { intervalMs: 300_000, at: { kind: "multi-region" } });
  });

  it("rejects a standby in the store's own region", () => {
    expectOne(
      spec({}, ["    standby: { kind: hot, region: r1 }"]),
      22,
      35,
      'the standby is in "r1", a region the component itself runs in',
      "put the standby in another region: r2",
    );
  });
});

describe("parseSpec: disasters", () => {
  it("rejects a deletion scenario on a service", () => {
    expectOne(
      spec({}, ["disasters:", "  - { service: web, scenario: Oops, kind: deletion, rto: 5m, priority: high }"]),
      23,
      43,
      'a deletion scenario applies to stores; "web" is a service',
      "use crash, zone-outage or region-outage for a service",
    );
  });

  it("requires rpo for a store's scenario", () => {
    expectOne(
      spec({}, ["disasters:", "  - { store: db, scenario: Crash, kind: crash, rto: 5m, priority: high }"]),
      23,
      5,
      "a store's scenario needs rpo, the data it may lose",
      "add rpo: DURATION (0 for none)",
    );
  });
});

describe("parseSpec: every error at once", () => {
  it("lists all the mistakes of the fixture, in file order", () => {
    const file = "packages/planner/test/fixtures/many-errors.nines.yaml";
    const text = readFileSync(new URL("../../test/fixtures/many-errors.nines.yaml", import.meta.url), "utf8");
    const result = parseSpec(text, file);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.errors.map((e) => `${e.line}:${e.column} ${e.message}`),
      [
        "4:17 objectives.availability: 0.9995 looks like a fraction; a number here is a percent in [1, 100]",
        '13:5 unknown key "zonez" in services.web',
        '17:14 services.web.startup: "15x" is not a duration',
        '20:7 service "web" calls "analytic", which is not a declared service or store',
        '22:19 zone "r1-c" is not declared in platform.regions',
        "27:7 calls form a cycle: web -> api -> web",
        '31:13 unknown engine "postgress"',
        "33:5 an asynchronous replica (sync: false) needs lag",
        '33:22 the replica is in "r1-a", the primary\'s zone',
        '34:32 "multi-regoin" is not a backup location',
        '34:68 stores.db.backups.tested: "2026-13-01" is not a calendar date',
        '36:16 journey "home" goes via "web", which is a service, not an edge component',
        '40:11 a deletion scenario applies to stores; "api" is a service',
        '44:13 costs.instance: unknown period "mnth" in "50/mnth"',
      ],
    );
    for (const error of result.errors) {
      assert.equal(error.file, file);
      assert.ok(error.hint.length > 0, `no hint for ${error.message}`);
    }
  });
});

describe("parseSpec: every optional field reaches the model", () => {
  const text = [
    "name: Full",
    "objectives: { availability: 99.9, maxRetryAmplification: 4 }",
    "platform:",
    "  regions:",
    "    r1: [r1-a, r1-b]",
    "    r2: [r2-a, r2-b]",
    "  availability: { region: 99.95%, zone: 99.5, instance: 99% }",
    "edge:",
    "  cdn: { engine: fastly, sla: 99.99%, cost: 1/hour }",
    "  bucket: { engine: cloud-storage, location: dual-region }",
    "services:",
    "  web:",
    "    zones: [r1-a, r1-b]",
    "    instances: 3",
    "    capacity: 50.5",
    "    load: 0",
    "    unit: zone",
    "    health: { check: /healthz }",
    "    startup: 250ms",
    "    autoscale: { metric: memory, target: 75, min: 2, max: 12 }",
    "    calls:",
    "      db: { retries: 3, backoff: linear, budget: 20%, timeout: 2s }",
    "      cache:",
    "    standby: { kind: cold, region: r2, provision: 30m }",
    "    cost: 1200/year",
    "    drain: { delay: 2s, grace: 10s, cleanup: 3s }",
    "    run:",
    "      command: node web.js --port-from-env",
    "      port: HTTP_PORT",
    "      env: { MODE: prod, WORKERS: 4, DEBUG: false }",
    "      health: { liveness: /alive, startup: /started }",
    "      cwd: app",
    "stores:",
    "  db:",
    "    engine: mysql",
    "    zone: r1-a",
    "    replica: { zone: r2-b, sync: false, lag: 5m, failover: 2m }",
    "    backups: { every: 1h, at: r2, restore: 45m, tested: 2026-01-31 }",
    "    log: { every: 30s, at: other-region }",
    "    userData: true",
    "    deletion: { soft: 30d, restore: 15m }",
    "    standby: { kind: hot, region: r2 }",
    "  cache: { engine: redis, zone: r1-b, sla: 99.9%, rebuild: 10m }",
    "  files: { engine: spanner, location: r1 }",
    "  local: { engine: sqlite, zone: r1-a, replicate: { at: [same-region, multi-region], interval: 2s, restore: 5m } }",
    "  notes: { engine: sqlite, zone: r1-b, replicate: { at: other-region, restore: 1m } }",
    "journeys:",
    "  browse: { via: cdn, entry: web, availability: 99% }",
    "  buy: { entry: web }",
    "disasters:",
    "  - { service: web, scenario: Region lost, kind: region-outage, rto: 1h, priority: low }",
    "  - { store: db, scenario: Raw delete, kind: deletion, via: database, rpo: 1m, rto: 1h, priority: medium }",
    "costs: { currency: EUR, instance: 0.1/hour, downtime: 240000/day }",
  ].join("\n");
  const result = parseSpec(text, FILE);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors, null, 2));
  const spec = result.spec;

  it("reads objectives, the failure model and costs", () => {
    assert.deepEqual(spec.objectives, { availability: 0.999, maxRetryAmplification: 4 });
    assert.deepEqual(spec.platform.availability, { region: 0.9995, zone: 0.995, instance: 0.99 });
    assert.deepEqual(spec.costs, { currency: "EUR", instance: 73.05, downtimePerHour: 10_000 });
  });

  it("reads edge components: an explicit sla, a catalog location", () => {
    assert.deepEqual(spec.edge, [
      { kind: "edge", name: "cdn", engine: "fastly", availability: 0.9999, location: "global", cost: 730.5 },
      // The location as written: the diagram shows it ("dual-region", not "global").
      { kind: "edge", name: "bucket", engine: "cloud-storage", availability: 0.9995, location: "dual-region", cost: 0 },
    ]);
  });

  it("reads a service's every field", () => {
    const web = spec.services[0]!;
    assert.deepEqual(
      { ...web, calls: null },
      {
        kind: "service",
        name: "web",
        zones: ["r1-a", "r1-b"],
        instances: 3,
        capacity: 50.5,
        load: 0,
        unit: "zone",
        health: { check: "/healthz", dependencies: false, autoheal: false },
        startupMs: 250,
        autoscale: { metric: "memory", target: 0.75, max: 12, min: 2 },
        calls: null,
        standby: { kind: "cold", region: "r2", provisionMs: 1_800_000 },
        cost: 100,
        drain: { delayMs: 2000, graceMs: 10_000, cleanupTimeoutMs: 3000 },
        run: {
          command: ["node", "web.js", "--port-from-env"],
          port: "HTTP_PORT",
          env: { MODE: "prod", WORKERS: "4", DEBUG: "false" },
          // Readiness is health.check; the others as written.
          health: { liveness: "/alive", readiness: "/healthz", startup: "/started" },
          cwd: "app",
        },
      },
    );
    assert.deepEqual(web.calls, [
      {
        target: "db",
        targetKind: "store",
        optional: false,
        retries: 3,
        backoff: "linear",
        jitter: false,
        breaker: false,
        budget: 0.2,
        timeoutMs: 2000,
      },
      {
        target: "cache",
        targetKind: "store",
        optional: false,
        retries: 0,
        backoff: null,
        jitter: false,
        breaker: false,
        budget: null,
        timeoutMs: null,
      },
    ]);
  });

  it("reads stores: placed with an async replica, explicit sla, regional managed", () => {
    const [db, cache, files] = spec.stores;
    assert.deepEqual(
      { ...db!, kind: null },
      {
        kind: null,
        name: "db",
        engine: "mysql",
        managed: false,
        location: null,
        sla: null,
        zone: "r1-a",
        replica: { zone: "r2-b", sync: false, lagMs: 300_000, failoverMs: 120_000 },
        backups: {
          intervalMs: 3_600_000,
          at: { kind: "region", region: "r2" },
          restoreMs: 2_700_000,
          tested: "2026-01-31",
        },
        log: { intervalMs: 30_000, at: { kind: "other-region" } },
        userData: true,
        deletion: { trashMs: 0, softMs: 2_592_000_000, restoreMs: 900_000 },
        rebuildMs: null,
        standby: { kind: "hot", region: "r2", provisionMs: 0 },
        replicate: null,
        cost: 0,
      },
    );
    assert.deepEqual([cache!.managed, cache!.sla, cache!.zone, cache!.rebuildMs], [true, 0.999, "r1-b", 600_000]);
    assert.deepEqual([files!.managed, files!.sla, files!.location], [true, 0.9999, "r1"]);
  });

  it("reads continuous replication: one location or a list, the interval 1s by default", () => {
    const [local, notes] = spec.stores.slice(3);
    assert.deepEqual(local!.replicate, {
      at: [{ kind: "same-region" }, { kind: "multi-region" }],
      intervalMs: 2000,
      restoreMs: 300_000,
    });
    assert.deepEqual(notes!.replicate, { at: [{ kind: "other-region" }], intervalMs: 1000, restoreMs: 60_000 });
  });

  it("reads journeys with their own or the default objective, and disasters", () => {
    assert.deepEqual(spec.journeys, [
      { name: "browse", via: "cdn", entry: "web", objective: 0.99 },
      { name: "buy", via: null, entry: "web", objective: 0.999 },
    ]);
    assert.deepEqual(spec.disasters, [
      {
        subjectKind: "service",
        subject: "web",
        scenario: "Region lost",
        kind: "region-outage",
        rpoMs: 0,
        rtoMs: 3_600_000,
        priority: "low",
        via: "application",
        index: 0,
      },
      {
        subjectKind: "store",
        subject: "db",
        scenario: "Raw delete",
        kind: "deletion",
        rpoMs: 60_000,
        rtoMs: 3_600_000,
        priority: "medium",
        via: "database",
        index: 1,
      },
    ]);
  });

  it("defaults what is left out", () => {
    const minimal = parseSpec("name: M\nplatform: { regions: { r: [a] } }\n", FILE);
    assert.ok(minimal.ok);
    assert.deepEqual(minimal.spec.objectives, { availability: null, maxRetryAmplification: 10 });
    assert.deepEqual(minimal.spec.platform.availability, { region: 0.9999, zone: 0.999, instance: 0.995 });
    assert.deepEqual(minimal.spec.costs, { currency: "USD", instance: 0, downtimePerHour: 0 });
    assert.deepEqual([minimal.spec.services, minimal.spec.stores, minimal.spec.journeys], [[], [], []]);
  });
});

describe("parseSpec: the other checks", () => {
  const disaster = (fields: string) => ["disasters:", `  - { ${fields} }`];
  const cases: [string, string, [number, number, string, string]][] = [
    [
      "an unknown edge engine",
      spec({ 7: "  lb: { engine: global-http-lbb }" }),
      [
        7,
        17,
        'unknown edge engine "global-http-lbb"',
        'did you mean "global-http-lb"? catalog edge engines: global-http-lb, cloud-storage; for another component give its sla',
      ],
    ],
    [
      "a store engine at the edge",
      spec({ 7: "  lb: { engine: firestore }" }),
      [7, 17, 'engine "firestore" is a store, not an edge component', "declare it under stores"],
    ],
    [
      "an edge engine without its location",
      spec({ 7: "  lb: { engine: cloud-storage }" }),
      [
        7,
        3,
        "cloud-storage needs a location",
        "add location: one of a declared region's name, dual-region, multi-region",
      ],
    ],
    [
      "via naming nothing declared",
      spec({ 17: "  home: { via: lbb, entry: web }" }),
      [
        17,
        16,
        'journey "home" goes via "lbb", which is not a declared edge component',
        'did you mean "lb"? declared edge components: lb',
      ],
    ],
    [
      "a scenario without a subject",
      spec({}, disaster("scenario: X, kind: crash, rto: 5m, priority: high")),
      [23, 5, "a scenario must name the store or the service it strikes", "add store: NAME or service: NAME"],
    ],
    [
      "a scenario with two subjects",
      spec({}, disaster("store: db, service: web, scenario: X, kind: crash, rpo: 0, rto: 5m, priority: high")),
      [23, 18, "a scenario names either a store or a service, not both", "split it into two scenarios"],
    ],
    [
      "via on a crash",
      spec({}, disaster("store: db, scenario: X, kind: crash, via: database, rpo: 0, rto: 5m, priority: high")),
      [23, 44, "via applies to deletion scenarios only", "remove via"],
    ],
    [
      "a service named as a store",
      spec({}, disaster("store: web, scenario: X, kind: crash, rpo: 0, rto: 5m, priority: high")),
      [23, 14, 'store "web" is not declared in stores', '"web" is a service: write service: web'],
    ],
    [
      "an unknown scenario kind",
      spec({}, disaster("store: db, scenario: X, kind: crashed, rpo: 0, rto: 5m, priority: high")),
      [
        23,
        37,
        'disasters[0].kind must be one of deletion, crash, zone-outage, region-outage, got the text "crashed"',
        'did you mean "crash"? valid values: deletion, crash, zone-outage, region-outage',
      ],
    ],
    [
      "a percentage as a requests-per-second target",
      spec({ 13: "    load: 100\n    autoscale: { metric: requests-per-second, target: 60%, max: 4 }" }),
      [
        14,
        55,
        'autoscale target "60%" must be a rate above 0 for requests-per-second',
        "write the requests per second one instance should take, for example 350",
      ],
    ],
    [
      "lazy deletion without a phase",
      spec({}, ["    deletion: { restore: 5m }"]),
      [
        22,
        5,
        "deletion needs a phase: trash, soft or both longer than 0",
        "add trash: 30d (users can undo) and/or soft: 30d (operators can restore)",
      ],
    ],
    [
      "a standby in an undeclared region",
      spec({}, ["    standby: { kind: hot, region: r3 }"]),
      [
        22,
        35,
        'standby region "r3" is not declared in platform.regions',
        'did you mean "r1"? declared regions: r1, r2',
      ],
    ],
    [
      "a cold standby without provision",
      spec({}, ["    standby: { kind: cold, region: r2 }"]),
      [22, 5, "a cold standby needs provision, the time to bring it up", "add provision: DURATION (for example 30m)"],
    ],
    [
      "a location on a placed store",
      spec({}, ["    location: r1"]),
      [
        22,
        5,
        'location applies to managed engines; "db" (postgres) is placed on a zone',
        "remove location; the zone (and replica's zone) say where it runs",
      ],
    ],
    [
      "an edge engine as a store",
      spec({ 20: "    engine: global-http-lb" }),
      [20, 13, 'engine "global-http-lb" is an edge component, not a store', "declare it under edge"],
    ],
    [
      "a region named like a location keyword",
      spec({ 5: "    global: [r2-a, r2-b]" }),
      [
        5,
        5,
        'region "global" has the name of a location keyword',
        "rename the region: dual-region, multi-region and global are locations, not regions",
      ],
    ],
    [
      "a call to an edge component",
      spec({ 15: "      lb: {}" }),
      [
        15,
        7,
        'service "web" calls "lb", an edge component',
        "services call services and stores; the edge is named by a journey's via",
      ],
    ],
    [
      "an sla written as a fraction",
      spec({}, ["    sla: 0.999"]),
      [22, 10, "stores.db.sla: 0.999 looks like a fraction; a number here is a percent in [1, 100]", "write 99.9%"],
    ],
    [
      "lag on a synchronous replica",
      spec({}, ["    replica: { zone: r1-b, sync: true, lag: 1m, failover: 1m }"]),
      [22, 40, "lag applies to asynchronous replicas (sync: false)", "remove lag or set sync: false"],
    ],
    [
      "a zone listed twice",
      spec({ 10: "    zones: [r1-a, r1-a]" }),
      [10, 19, 'zone "r1-a" is listed twice', "list each zone once"],
    ],
  ];
  for (const [name, text, [line, column, message, hint]] of cases) {
    it(`rejects ${name}`, () => expectOne(text, line, column, message, hint));
  }

  it("checks autoscale min against max and a fractional cpu target together", () => {
    const errors = errorsOf(spec({ 13: "    load: 100\n    autoscale: { metric: cpu, target: 0.6, min: 5, max: 4 }" }));
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.message, e.hint]),
      [
        [14, 39, "autoscale target: 0.6 looks like a fraction; a number here is a percent in [1, 100]", "write 60%"],
        [14, 49, "autoscale min 5 is above max 4", "set min <= max"],
      ],
    );
  });
});
