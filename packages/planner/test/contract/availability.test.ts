// spec.md "The availability model (exact)" and the catalog, with hand-computed figures.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { atLeastK, close, component, I, journey, OK_SERVICE, plan, R, Z } from "./helpers.js";

const platform = "platform: { regions: { r1: [a, b, c], r2: [d, e] } }";
const svc = (zones: string, instances: number, capacity: number, load: number, extra = "") =>
  `{ zones: [${zones}], instances: ${instances}, capacity: ${capacity}, load: ${load}, ${OK_SERVICE}${extra} }`;

describe("contract: services (k of n over zones)", () => {
  it("k = ceil(load / capacity); instances in down zones do not count", () => {
    // 2 zones x 2 instances, k = ceil(250 / 100) = 3: needs both zones up and >= 3 of 4 instances.
    const result = plan(
      `name: T\n${platform}\nservices:\n  s: ${svc("a, b", 2, 100, 250)}\njourneys:\n  j: { entry: s }\n`,
    );
    const expected = R * Z * Z * (I ** 4 + 4 * I ** 3 * (1 - I));
    close(journey(result, "j").availability, expected);
    close(component(result, "s").availability, expected);
    assert.equal(component(result, "s").needed, 3);
  });

  it("k = max(1, ...) when load is 0", () => {
    const result = plan(`name: T\n${platform}\nservices:\n  s: ${svc("a", 1, 100, 0)}\njourneys:\n  j: { entry: s }\n`);
    close(journey(result, "j").availability, R * Z * I);
  });

  it("a sum of binomials over the up zones, zones conditioned on their region", () => {
    // 3 zones x 2, k = 3: all zones up: P(B(6) >= 3); exactly two up (3 ways): P(B(4) >= 3); one up: 0.
    const result = plan(
      `name: T\n${platform}\nservices:\n  s: ${svc("a, b, c", 2, 100, 300)}\njourneys:\n  j: { entry: s }\n`,
    );
    const expected = R * (Z ** 3 * atLeastK(6, 3, I) + 3 * Z ** 2 * (1 - Z) * atLeastK(4, 3, I));
    close(journey(result, "j").availability, expected);
  });

  it("regions: zones of one region fail with it; zones of two regions are independent", () => {
    // k = 1, one instance in each of a and b (same region): R x (1 - (1 - Z I)^2).
    const same = plan(
      `name: T\n${platform}\nservices:\n  s: ${svc("a, b", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`,
    );
    close(journey(same, "j").availability, R * (1 - (1 - Z * I) ** 2));
    // a (r1) and d (r2): 1 - (1 - R Z I)^2.
    const two = plan(
      `name: T\n${platform}\nservices:\n  s: ${svc("a, d", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`,
    );
    close(journey(two, "j").availability, 1 - (1 - R * Z * I) ** 2);
  });
});

describe("contract: journeys (correlated failure)", () => {
  it("components sharing a zone fail together: R Z I^2, not (R Z I)^2", () => {
    const result = plan(
      `name: T\n${platform}\nservices:\n  s: ${svc("a", 1, 100, 50, ", calls: { t: {} }")}\n  t: ${svc("a", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`,
    );
    close(journey(result, "j").availability, R * Z * I * I);
    close(component(result, "s").availability, R * Z * I);
  });

  it("components in two zones of one region share the region: R Z^2 I^2", () => {
    const result = plan(
      `name: T\n${platform}\nservices:\n  s: ${svc("a", 1, 100, 50, ", calls: { t: {} }")}\n  t: ${svc("b", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`,
    );
    close(journey(result, "j").availability, R * Z * Z * I * I);
  });

  it("optional calls are not journey components", () => {
    const result = plan(
      `name: T\n${platform}\nservices:\n  s: ${svc("a", 1, 100, 50, ", calls: { t: { optional: true } }")}\n  t: ${svc("d", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`,
    );
    close(journey(result, "j").availability, R * Z * I);
    assert.deepEqual(journey(result, "j").components, ["s"]);
  });

  it("components: via, then DFS pre-order of required calls in file order (each once)", () => {
    const result = plan(`name: T
${platform}
edge:
  lb: { engine: global-http-lb }
services:
  web: ${svc("a", 1, 100, 50, ", calls: { b: {}, x: { optional: true }, c: {} }")}
  c: ${svc("a", 1, 100, 50, ", calls: { db: {}, d: {} }")}
  b: ${svc("a", 1, 100, 50, ", calls: { d: {} }")}
  d: ${svc("a", 1, 100, 50)}
  x: ${svc("a", 1, 100, 50)}
stores:
  db: { engine: firestore, location: multi-region }
journeys:
  j: { via: lb, entry: web }
`);
    assert.deepEqual(journey(result, "j").components, ["lb", "web", "b", "d", "c", "db"]);
  });
});

describe("contract: stores and the catalog", () => {
  const store = (def: string, zones = "a") =>
    plan(
      `name: T\n${platform}\nservices:\n  s: ${svc(zones, 1, 100, 50, ", calls: { db: {} }")}\nstores:\n  db: ${def}\njourneys:\n  j: { entry: s }\n`,
    );

  it("a managed engine is independent of zone and region states (regional firestore 99.99%)", () => {
    const result = store("{ engine: firestore, location: r1 }");
    close(component(result, "db").availability, 0.9999);
    close(journey(result, "j").availability, 0.9999 * R * Z * I);
  });

  for (const [def, figure] of [
    ["{ engine: firestore, location: multi-region }", 0.99999],
    ["{ engine: spanner, location: r2 }", 0.9999],
    ["{ engine: spanner, location: multi-region }", 0.99999],
    ["{ engine: bigquery, location: multi-region }", 0.9999],
    ["{ engine: cloud-storage, location: r1 }", 0.999],
    ["{ engine: cloud-storage, location: dual-region }", 0.9995],
    ["{ engine: cloud-storage, location: multi-region }", 0.9995],
    ["{ engine: cloud-sql, zone: a, replica: { zone: b, sync: true, failover: 60s } }", 0.9995],
    ["{ engine: postgres, zone: a, sla: 99.9% }", 0.999],
    ["{ engine: firestore, location: r1, sla: 99.5% }", 0.995],
  ] as const) {
    it(`catalog: ${def} is ${figure}`, () => {
      const result = store(def);
      close(component(result, "db").availability, figure);
      close(journey(result, "j").availability, figure * R * Z * I);
    });
  }

  it("cloud-sql without a replica is one self-managed node in its zone", () => {
    const result = store("{ engine: cloud-sql, zone: a }");
    close(component(result, "db").availability, R * Z * I);
    close(journey(result, "j").availability, R * Z * I * I); // shares zone a with s
  });

  it("a self-managed node is up with I given its zone", () => {
    const result = store("{ engine: postgres, zone: b }");
    close(component(result, "db").availability, R * Z * I);
    close(journey(result, "j").availability, R * Z * Z * I * I);
  });

  it("a replica: up when the primary or the replica node is up", () => {
    // primary a, replica b (same region): R x (1 - (1 - Z I)^2); with s in a: R Z I (I + (1 - I) Z I).
    const result = store("{ engine: postgres, zone: a, replica: { zone: b, sync: true, failover: 1m } }");
    close(component(result, "db").availability, R * (1 - (1 - Z * I) ** 2));
    close(journey(result, "j").availability, R * Z * I * (I + (1 - I) * Z * I));
  });

  it("a cross-region replica", () => {
    const result = store("{ engine: mysql, zone: a, replica: { zone: d, sync: false, lag: 5m, failover: 1m } }");
    close(component(result, "db").availability, 1 - (1 - R * Z * I) ** 2);
  });

  it("edge: global-http-lb 99.99%, or its sla", () => {
    const result = plan(
      `name: T\n${platform}\nedge:\n  lb: { engine: global-http-lb }\n  lb2: { engine: global-http-lb, sla: 99.9% }\nservices:\n  s: ${svc("a", 1, 100, 50)}\njourneys:\n  j: { via: lb, entry: s }\n  k: { via: lb2, entry: s }\n`,
    );
    close(journey(result, "j").availability, 0.9999 * R * Z * I);
    close(journey(result, "k").availability, 0.999 * R * Z * I);
  });

  it("the platform's failure model overrides the defaults", () => {
    const result = plan(
      `name: T\nplatform:\n  regions: { r1: [a] }\n  availability: { region: 99%, zone: 98%, instance: 97% }\nservices:\n  s: ${svc("a", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`,
    );
    close(journey(result, "j").availability, 0.99 * 0.98 * 0.97);
  });
});

describe("contract: downtime and objectives", () => {
  const result = plan(
    `name: T\nobjectives: { availability: 99% }\n${platform}\nservices:\n  s: ${svc("a", 1, 100, 50)}\n  t: ${svc("a", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n  k: { entry: t, availability: 99.9% }\n`,
  );
  const a = R * Z * I; // 0.99390...

  it("downtime per year = (1 - a) x 525,960 min, per 30-day month = (1 - a) x 43,200 min", () => {
    const j = journey(result, "j");
    close(j.downtimeMinutesPerYear, (1 - a) * 525_960, 0.001);
    close(j.downtimeMinutesPerMonth, (1 - a) * 43_200, 0.001);
  });

  it("a journey's own objective overrides the spec's; the rule fires only strictly below", () => {
    assert.equal(journey(result, "j").objective, 0.99);
    assert.equal(journey(result, "k").objective, 0.999);
    const fired = result.findings.filter((f) => f.rule === "availability-objective");
    assert.deepEqual(
      fired.map((f) => [f.subject, f.severity]),
      [["k", "error"]],
    ); // a = 0.9939 >= 0.99, < 0.999
  });

  it("no objective: JSON objective is null and the rule is not evaluated", () => {
    const none = plan(`name: T\n${platform}\nservices:\n  s: ${svc("a", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`);
    assert.equal(journey(none, "j").objective, null);
    assert.equal(none.findings.filter((f) => f.rule === "availability-objective").length, 0);
  });

  it("availability equal to the objective passes (strictly below fires)", () => {
    // platform figures of 100% make the service certain; the journey is then exactly the lb's 99.9%
    const spec = (objective: string) =>
      `name: T\nobjectives: { availability: ${objective} }\nplatform:\n  regions: { r1: [a] }\n  availability: { region: 100%, zone: 100%, instance: 100% }\nedge:\n  lb: { engine: global-http-lb, sla: 99.9% }\nservices:\n  s: ${svc("a", 1, 100, 50)}\njourneys:\n  j: { via: lb, entry: s }\n`;
    const equal = plan(spec("99.9%"));
    assert.equal(journey(equal, "j").availability, 0.999);
    assert.equal(equal.findings.filter((f) => f.rule === "availability-objective").length, 0);
    const above = plan(spec("99.91%"));
    assert.equal(above.findings.filter((f) => f.rule === "availability-objective").length, 1);
  });
});

describe("contract: a mixed journey against an independent enumeration of zone states", () => {
  it("services and a cross-region replica store sharing zones", () => {
    const result = plan(`name: T
${platform}
edge:
  lb: { engine: global-http-lb }
services:
  s: ${svc("a, b, d", 2, 100, 250, ", calls: { t: {}, db: {} }")}
  t: ${svc("a", 2, 100, 50)}
stores:
  db: { engine: postgres, zone: b, replica: { zone: d, sync: false, lag: 1m, failover: 1m } }
journeys:
  j: { via: lb, entry: s }
`);
    // States of regions r1 (zones a, b) and r2 (zone d); a zone in a down region is down.
    let sum = 0;
    for (const r1 of [true, false])
      for (const r2 of [true, false])
        for (const a of [true, false])
          for (const b of [true, false])
            for (const d of [true, false]) {
              if ((!r1 && (a || b)) || (!r2 && d)) continue;
              const pr = (r1 ? R : 1 - R) * (r2 ? R : 1 - R);
              const pz = (r1 ? (a ? Z : 1 - Z) * (b ? Z : 1 - Z) : 1) * (r2 ? (d ? Z : 1 - Z) : 1);
              const up = [a, b, d].filter(Boolean).length;
              const s = atLeastK(2 * up, 3, I); // k = ceil(250 / 100)
              const t = a ? 1 - (1 - I) ** 2 : 0;
              const db = 1 - (b ? 1 - I : 1) * (d ? 1 - I : 1); // primary in b or replica in d
              sum += pr * pz * s * t * db;
            }
    close(journey(result, "j").availability, 0.9999 * sum);
    assert.deepEqual(journey(result, "j").components, ["lb", "s", "t", "db"]);
  });
});
