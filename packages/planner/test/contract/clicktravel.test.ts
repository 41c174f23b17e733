// The ClickTravel example end to end, through the CLI, against figures worked out by hand,
// and the JSON shape of spec.md "Output" (names, units, null objective, asOf).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { atLeastK, close, I, nines, R, ROOT, Z } from "./helpers.js";

const FILE = "examples/clicktravel/nines.yaml";

interface Plan {
  name: string;
  asOf: string;
  journeys: Record<string, unknown>[];
  components: Record<string, unknown>[];
  findings: { rule: string; severity: string; subject: string; message: string; [k: string]: unknown }[];
  disasters: Record<string, unknown>[];
  costs: {
    currency: string;
    alternatives: {
      name: string;
      monthly: number;
      availability: number;
      downtimeCostPerYear: number;
      cheapest: boolean;
    }[];
  };
}

// book-trip = lb, web, orders, orders-db, inventory, inventory-db.
// Managed: lb 99.99%, orders-db cloud-sql HA 99.95%, inventory-db firestore multi-region 99.999%.
const MANAGED = 0.9999 * 0.9995 * 0.99999;
// A region with two used zones: how many are up.
const zonesUp = [1 - R + R * (1 - Z) ** 2, R * 2 * Z * (1 - Z), R * Z * Z];
// inventory (2 x 2 in us-a, us-b, k = ceil(900 / 400) = 3) needs both us zones;
// orders (k = 2) then P(Bin(4) >= 2); web (2 per zone in us-a, us-b, eu-a, eu-b, k = 4) P(Bin(2 (2 + m_eu)) >= 4).
const webGivenUs2 = [0, 1, 2].reduce((s, mEu) => s + zonesUp[mEu]! * atLeastK(2 * (2 + mEu), 4, I), 0);
const BOOK_TRIP = MANAGED * zonesUp[2]! * atLeastK(4, 2, I) * atLeastK(4, 3, I) * webGivenUs2;

describe("contract: ClickTravel end to end (nines plan --json --as-of 2026-11-29)", async () => {
  const { status, out } = await nines("plan", FILE, "--json", "--as-of", "2026-11-29");
  const plan = JSON.parse(out) as Plan;

  it("exits 1 (it has error findings)", () => {
    assert.equal(status, 1);
  });

  it("book-trip: availability, objective, downtime, components", () => {
    const j = plan.journeys[0]!;
    assert.equal(j["name"], "book-trip");
    close(j["availability"] as number, BOOK_TRIP); // 0.997141...
    assert.equal(j["objective"], 0.9995);
    close(j["downtimeMinutesPerYear"] as number, (1 - BOOK_TRIP) * 525_960, 0.001); // about 1503.5
    close(j["downtimeMinutesPerMonth"] as number, (1 - BOOK_TRIP) * 43_200, 0.001);
    assert.deepEqual(j["components"], ["lb", "web", "orders", "orders-db", "inventory", "inventory-db"]);
    assert.equal(j["method"], "exact");
  });

  it("component figures", () => {
    const a = (name: string) => plan.components.find((c) => c["name"] === name)!["availability"] as number;
    close(a("lb"), 0.9999);
    close(a("orders-db"), 0.9995);
    close(a("inventory-db"), 0.99999);
    close(a("analytics-dw"), 0.9999);
    close(a("analytics"), R * Z * I); // one instance in us-central1-a
    close(a("inventory"), R * Z * Z * atLeastK(4, 3, I));
    // orders: both zones up P(Bin(4) >= 2), one up I^2
    close(a("orders"), R * (Z * Z * atLeastK(4, 2, I) + 2 * Z * (1 - Z) * I * I));
    assert.deepEqual(
      plan.components.map((c) => [c["name"], c["kind"]]),
      [
        ["lb", "edge"],
        ["web", "service"],
        ["orders", "service"],
        ["inventory", "service"],
        ["analytics", "service"],
        ["orders-db", "store"],
        ["inventory-db", "store"],
        ["analytics-dw", "store"],
      ],
    );
  });

  it("findings: exactly the ones the rules give by hand", () => {
    const got = plan.findings.map((f) => `${f.rule} ${f.severity} ${f.subject}`).sort();
    assert.deepEqual(
      got,
      [
        "availability-objective error book-trip", // 0.99714 < 0.9995
        "n-plus-2 error analytics", // 1 x 200 - 2 instances = 0 < 100
        "n-plus-2 error inventory", // 4 x 400 - 800 = 800 < 900 (orders: 1200 - 600 = 600 = load passes)
        "spof error inventory", // one zone out leaves 2 < k = 3
        "zone-loss-overload error inventory", // 900 / 800 = 1.125
        "no-lazy-deletion warning orders-db",
        "restore-untested warning inventory-db", // orders-db tested 2026-09-15, 75 days before
        "shallow-health-check warning analytics",
        "spof warning orders", // us-central1 only
        "spof warning orders-db", // cloud-sql HA in one region
        "no-autoscale info analytics",
        "no-autoscale info inventory",
      ].sort(),
    );
    const overload = plan.findings.find((f) => f.rule === "zone-loss-overload")!;
    assert.equal(overload["ratio"], 1.125);
    // inventory-db deletes lazily (trash 30d, restore 15m): the deletion scenario is met without its backups.
    assert.equal(
      plan.findings.find((f) => f.rule === "dr-rpo"),
      undefined,
    );
  });

  it("disasters: mechanisms, seconds, met", () => {
    assert.deepEqual(
      plan.disasters.map((d) => [d["subject"], d["scenario"], d["kind"], d["rpo"], d["rto"], d["mechanism"], d["met"]]),
      [
        [
          "inventory-db",
          "Programmer deleted all inventory accidentally",
          "deletion",
          { objective: 3600, achieved: 0 },
          { objective: 3600, achieved: 900 },
          "lazy-deletion",
          true,
        ],
        [
          "orders-db",
          "Orders database crashed",
          "crash",
          { objective: 0, achieved: 0 },
          { objective: 300, achieved: 60 },
          "sync-replica",
          true,
        ],
        [
          "analytics-dw",
          "User deletes tables",
          "deletion",
          { objective: 0, achieved: 0 },
          { objective: 86_400, achieved: 86_400 },
          "rebuild",
          true,
        ],
      ],
    );
  });

  it("costs: as-written 17 x 50 + 600 + 300 + 200 = 1950 a month; single-zone and multi-zone by hand", () => {
    assert.equal(plan.costs.currency, "USD");
    const row = (name: string) => plan.costs.alternatives.find((a) => a.name === name)!;
    assert.equal(row("as-written").monthly, 1950);
    close(row("as-written").availability, BOOK_TRIP);
    close(row("as-written").downtimeCostPerYear, (1 - BOOK_TRIP) * 8766 * 20_000, 1e-6);
    // Derived rows are sized as the plan's capacity rules recommend: per zone
    // max(instances, ceil((k + 2) / zones) for N+2, ceil(load / ((zones - 1) x capacity)) for a zone loss).
    // single-zone: all in us-central1-a, web 6 (k 4), orders 4 (k 2), inventory 5 (k 3), analytics 3 = 18
    assert.equal(row("single-zone").monthly, 18 * 50 + 1100);
    close(row("single-zone").availability, MANAGED * R * Z * atLeastK(6, 4, I) * atLeastK(4, 2, I) * atLeastK(5, 3, I));
    // multi-zone: web 2 x 4, orders 2 x 2, inventory 2 x 3, analytics 2 x 2 = 22 instances; with one zone
    // down each service keeps exactly what it needs (4, 2, 3 instances), all of which must be up
    assert.equal(row("multi-zone").monthly, 22 * 50 + 1100);
    close(
      row("multi-zone").availability,
      MANAGED * R * (Z * Z * atLeastK(8, 4, I) * atLeastK(4, 2, I) * atLeastK(6, 3, I) + 2 * Z * (1 - Z) * I ** 9),
    );
    // multi-region: 4 zones each: web 8, orders 8, inventory 8, analytics 4 = 28
    assert.equal(row("multi-region").monthly, 28 * 50 + 1100);
    const totals = plan.costs.alternatives.map((a) => 12 * a.monthly + a.downtimeCostPerYear);
    const cheapest = totals.indexOf(Math.min(...totals));
    assert.deepEqual(
      plan.costs.alternatives.map((a) => [a.name, a.cheapest]),
      plan.costs.alternatives.map((a, i) => [a.name, i === cheapest]),
    );
  });

  it("JSON: top-level fields and asOf", () => {
    for (const key of ["name", "journeys", "components", "findings", "disasters", "costs", "asOf"])
      assert.ok(key in plan, key);
    assert.equal(plan.name, "ClickTravel");
    assert.equal(plan.asOf, "2026-11-29");
  });
});

describe("contract: the CLI as a real process", () => {
  it("node packages/cli/bin/nines.js plan --json: the process exits 1 and prints the same JSON", () => {
    const bin = "packages/cli/bin/nines.js";
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", bin, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
    const ok = run("plan", FILE, "--json", "--as-of", "2026-11-29");
    assert.equal(ok.status, 1, ok.stderr);
    close((JSON.parse(ok.stdout) as Plan).journeys[0]!["availability"] as number, BOOK_TRIP);
  });

  it("the report for people exits as --json does, and asOf defaults to today (UTC)", async () => {
    const text = await nines("plan", FILE, "--as-of", "2026-11-29");
    assert.equal(text.status, 1);
    assert.match(text.out, /book-trip/);
    const today = await nines("plan", "packages/planner/test/contract/specs/minimal-ok.nines.yaml", "--json");
    const minimal = JSON.parse(today.out) as Plan;
    assert.equal(minimal.asOf, new Date().toISOString().slice(0, 10));
    assert.equal(minimal.journeys[0]!["objective"], null); // no objective anywhere: null, not absent
    assert.equal(today.status, 0);
  });
});
