// spec.md "Findings" and "Precise rules": every rule, its severity, scope and subject.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import type { PlanResult } from "../../src/index.js";
import { analyze, parseSpec } from "../../src/index.js";
import { findings, OK_SERVICE, plan } from "./helpers.js";

const P = "platform: { regions: { r1: [a, b, c], r2: [d, e] } }";
const svc = (zones: string, instances: number, capacity: number, load: number, extra = "") =>
  `{ zones: [${zones}], instances: ${instances}, capacity: ${capacity}, load: ${load}, ${OK_SERVICE}${extra} }`;
const summary = (r: PlanResult, rule: string) => findings(r, rule).map((f) => [f.subject, f.severity]);

describe("contract: spof", () => {
  const spofs = (text: string) =>
    findings(plan(text), "spof").map((f) => ({ subject: f.subject, severity: f.severity, level: f["level"] }));

  it("one instance: error at the instance level", () => {
    assert.deepEqual(spofs(`name: T\n${P}\nservices:\n  s: ${svc("a", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`), [
      { subject: "s", severity: "error", level: "instance" },
    ]);
  });

  it("one zone (platform has several zones): error at the zone level, naming the zone", () => {
    const r = plan(`name: T\n${P}\nservices:\n  s: ${svc("a", 3, 100, 50)}\njourneys:\n  j: { entry: s }\n`);
    const [f, ...rest] = findings(r, "spof");
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, "error");
    assert.equal(f!["level"], "zone");
    assert.match(f!.message, /\ba\b/);
  });

  it("a zone counts only when the platform declares more than one zone; a region only with more than one region", () => {
    const one = `name: T\nplatform: { regions: { r1: [a] } }\nservices:\n  s: ${svc("a", 3, 100, 50)}\njourneys:\n  j: { entry: s }\n`;
    assert.deepEqual(spofs(one), []);
    const oneRegion = `name: T\nplatform: { regions: { r1: [a, b] } }\nservices:\n  s: ${svc("a, b", 1, 100, 50)}\njourneys:\n  j: { entry: s }\n`;
    assert.deepEqual(spofs(oneRegion), []);
  });

  it("a region is a warning; one finding per component however many journeys hold it", () => {
    assert.deepEqual(
      spofs(
        `name: T\n${P}\nservices:\n  s: ${svc("a, b", 2, 100, 50)}\njourneys:\n  j: { entry: s }\n  k: { entry: s }\n`,
      ),
      [{ subject: "s", severity: "warning", level: "region" }],
    );
  });

  it("smallest failing level first: k = 2 of 2 x 1 instances fails at the instance level", () => {
    assert.deepEqual(
      spofs(`name: T\n${P}\nservices:\n  s: ${svc("a, b", 1, 100, 200)}\njourneys:\n  j: { entry: s }\n`),
      [{ subject: "s", severity: "error", level: "instance" }],
    );
  });

  it("stores: one node (postgres, cloud-sql without replica) error; replica in one region and regional managed warn; multi-region none", () => {
    const r = plan(`name: T
${P}
services:
  s: ${svc("a, b, d", 2, 100, 50, ", calls: { p: {}, q: {}, f: {}, g: {}, h: {}, i: {}, x: { optional: true } }")}
stores:
  p: { engine: postgres, zone: a }
  q: { engine: postgres, zone: a, replica: { zone: b, sync: true, failover: 1m } }
  f: { engine: firestore, location: r1 }
  g: { engine: firestore, location: multi-region }
  h: { engine: cloud-sql, zone: a, replica: { zone: b, sync: true, failover: 1m } }
  i: { engine: cloud-sql, zone: c }
  x: { engine: postgres, zone: a }
journeys:
  j: { entry: s }
`);
    const got = new Map(findings(r, "spof").map((f) => [f.subject, [f.severity, f["level"]]]));
    assert.deepEqual(got.get("p"), ["error", "node"]);
    assert.deepEqual(got.get("i"), ["error", "node"]);
    assert.equal(got.get("q")?.[0], "warning");
    assert.equal(got.get("f")?.[0], "warning");
    assert.equal(got.get("h")?.[0], "warning");
    assert.equal(got.has("g"), false); // multi-region managed: never
    assert.equal(got.has("s"), false); // s spans r1 and r2
    assert.equal(got.has("x"), false); // an optional call is not a journey component
    assert.equal(got.size, 5);
  });

  it("a managed component with an explicit sla is never a spof; the global lb neither", () => {
    const r = plan(
      `name: T\n${P}\nedge:\n  lb: { engine: global-http-lb }\nservices:\n  s: ${svc("a, d", 2, 100, 50, ", calls: { db: {} }")}\nstores:\n  db: { engine: postgres, zone: a, sla: 99.9% }\njourneys:\n  j: { via: lb, entry: s }\n`,
    );
    assert.deepEqual(summary(r, "spof"), []);
  });
});

describe("contract: n-plus-2 and zone-loss-overload", () => {
  it("n-plus-2 (unit instance): remove the two largest instances; equality passes", () => {
    // 3 zones x 2 x 100 = 600; minus 2 x 100 = 400: load 400 passes, 401 fails
    const r = plan(
      `name: T\n${P}\nservices:\n  ok: ${svc("a, b, c", 2, 100, 400)}\n  bad: ${svc("a, b, c", 2, 100, 401)}\n`,
    );
    assert.deepEqual(summary(r, "n-plus-2"), [["bad", "error"]]);
  });

  it("n-plus-2 (unit zone): remove the two largest zones", () => {
    // 3 zones x 2 x 100: minus two zones (2 x 200) = 200: load 200 passes, 201 fails
    const r = plan(
      `name: T\n${P}\nservices:\n  ok: ${svc("a, b, c", 2, 100, 200, ", unit: zone")}\n  bad: ${svc("a, b, c", 2, 100, 201, ", unit: zone")}\n`,
    );
    assert.deepEqual(summary(r, "n-plus-2"), [["bad", "error"]]);
  });

  it("zone-loss-overload: the two-server example 1200 / 1000 = 1.2, with a ratio field", () => {
    // 2 zones x 2 x 500 = 2000; lose one zone: 1000 left for 1200
    const r = plan(`name: T\n${P}\nservices:\n  s: ${svc("a, b", 2, 500, 1200)}\n`);
    const [f, ...rest] = findings(r, "zone-loss-overload");
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, "error");
    assert.equal(f!.subject, "s");
    assert.equal(f!["ratio"], 1.2);
    assert.match(f!.message, /\b1\.2\b/);
  });

  it("zone-loss-overload: three decimals (900 / 800 = 1.125; 1000 / 700 = 1.429) and the largest ratio", () => {
    const r = plan(
      `name: T\n${P}\nservices:\n  s: ${svc("a, b", 2, 400, 900)}\n  t: { zones: [a, b, c], instances: 1, capacity: 350, load: 1000, ${OK_SERVICE} }\n`,
    );
    const ratio = new Map(findings(r, "zone-loss-overload").map((f) => [f.subject, f["ratio"]]));
    assert.equal(ratio.get("s"), 1.125);
    assert.equal(ratio.get("t"), 1.429); // 1000 / (2 x 350) = 1.428571...
    assert.match(findings(r, "zone-loss-overload")[1]!.message, /1\.429/);
  });

  it("zone-loss-overload only for services in two or more zones; none when remaining >= load", () => {
    const r = plan(`name: T\n${P}\nservices:\n  one: ${svc("a", 2, 500, 1200)}\n  eq: ${svc("a, b", 2, 500, 1000)}\n`);
    assert.deepEqual(summary(r, "zone-loss-overload"), []);
  });
});

describe("contract: retries", () => {
  const chain = (webCall: string, aCall: string, extra = "") => `name: T
${extra}${P}
services:
  web: ${svc("a", 3, 100, 50, `, calls: { a: ${webCall} }`)}
  a: ${svc("a", 3, 100, 50, `, calls: { b: ${aCall} }`)}
  b: ${svc("a", 3, 100, 50)}
journeys:
  j: { entry: web }
`;
  const good = (n: number) => `{ retries: ${n}, backoff: exponential, jitter: true, breaker: true }`;

  it("two retrying layers: warning, factor = (1 + 1)(1 + 1) = 4, path in JSON, journey subject", () => {
    const [f, ...rest] = findings(plan(chain(good(1), good(1))), "retry-amplification");
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, "warning");
    assert.equal(f!.subject, "j");
    assert.equal(f!["factor"], 4);
    assert.deepEqual(f!["path"], ["web", "a", "b"]);
  });

  it("factor above maxRetryAmplification (default 10): error, (1 + 2)(1 + 3) = 12", () => {
    const [f] = findings(plan(chain(good(2), good(3))), "retry-amplification");
    assert.equal(f!.severity, "error");
    assert.equal(f!["factor"], 12);
  });

  it("maxRetryAmplification is read from objectives", () => {
    const [f] = findings(
      plan(chain(good(2), good(3), "objectives: { maxRetryAmplification: 12 }\n")),
      "retry-amplification",
    );
    assert.equal(f!.severity, "warning"); // 12 is not above 12
  });

  it("one retrying call: flagged only when its factor exceeds the maximum", () => {
    assert.equal(findings(plan(chain(good(9), "{}")), "retry-amplification").length, 0); // factor 10
    const [f] = findings(plan(chain(good(10), "{}")), "retry-amplification"); // factor 11
    assert.equal(f!.severity, "error");
    assert.equal(f!["factor"], 11);
    assert.deepEqual(f!["path"], ["web", "a"]);
  });

  it("optional calls are followed; one finding per journey for the worst path", () => {
    const r = plan(`name: T
${P}
services:
  web: ${svc("a", 3, 100, 50, `, calls: { a: ${good(1)}, x: { optional: true, retries: 2, backoff: exponential, jitter: true, budget: 20% } }`)}
  a: ${svc("a", 3, 100, 50, `, calls: { b: ${good(1)} }`)}
  b: ${svc("a", 3, 100, 50)}
  x: ${svc("a", 3, 100, 50, `, calls: { db: ${good(2)} }`)}
stores:
  db: { engine: firestore, location: multi-region }
journeys:
  j: { entry: web }
`);
    const [f, ...rest] = findings(r, "retry-amplification");
    assert.equal(rest.length, 0);
    assert.equal(f!["factor"], 9); // (1 + 2)(1 + 2) via the optional x beats (1 + 1)(1 + 1)
    assert.deepEqual(f!["path"], ["web", "x", "db"]);
    assert.equal(f!.severity, "warning");
  });

  it("retry-without-backoff (error) and retry-without-breaker (warning) per call, subject 'caller -> callee'", () => {
    const r = plan(`name: T
${P}
services:
  web: ${svc("a", 3, 100, 50, ", calls: { a: { retries: 1, backoff: exponential }, b: { retries: 1, backoff: exponential, jitter: true, budget: 10% }, c: { retries: 0 }, d: { retries: 2, backoff: exponential, jitter: true } }")}
  a: ${svc("a", 3, 100, 50)}
  b: ${svc("a", 3, 100, 50)}
  c: ${svc("a", 3, 100, 50)}
  d: ${svc("a", 3, 100, 50)}
`);
    assert.deepEqual(summary(r, "retry-without-backoff"), [["web -> a", "error"]]); // no jitter
    assert.deepEqual(
      summary(r, "retry-without-breaker")
        .map((x) => x.join(" "))
        .sort(),
      ["web -> a warning", "web -> d warning"],
    ); // b has a budget, c does not retry
  });
});

describe("contract: health and autoscale", () => {
  it("the health rules are independent; shallow only with a required call", () => {
    const r = plan(`name: T
${P}
services:
  none: { zones: [a], instances: 3, capacity: 100, load: 50, autoscale: { metric: cpu, target: 60%, max: 9 } }
  shallow: { zones: [a], instances: 3, capacity: 100, load: 50, health: { check: /r, autoheal: true }, calls: { leaf: {} }, autoscale: { metric: cpu, target: 60%, max: 9 } }
  optonly: { zones: [a], instances: 3, capacity: 100, load: 50, health: { check: /r, autoheal: true }, calls: { leaf: { optional: true } }, autoscale: { metric: cpu, target: 60%, max: 9 } }
  noheal: { zones: [a], instances: 3, capacity: 100, load: 50, health: { check: /r, dependencies: true }, autoscale: { metric: cpu, target: 60%, max: 9 } }
  leaf: { zones: [a], instances: 3, capacity: 100, load: 50, health: { check: /r, dependencies: true, autoheal: true } }
`);
    assert.deepEqual(summary(r, "no-health-check"), [["none", "error"]]);
    assert.deepEqual(summary(r, "shallow-health-check"), [["shallow", "warning"]]);
    assert.deepEqual(
      summary(r, "no-autoheal")
        .map((x) => x.join(" "))
        .sort(),
      ["noheal warning", "none warning"],
    );
    assert.deepEqual(summary(r, "no-autoscale"), [["leaf", "info"]]);
  });
});

describe("contract: store rules", () => {
  const stores = (defs: string, asOf = "2026-11-29") => plan(`name: T\n${P}\nstores:\n${defs}`, { asOf });
  const b = (at: string, tested = "2026-11-01") => `backups: { every: 24h, at: ${at}, restore: 1h, tested: ${tested} }`;

  it("backup-colocated: same-zone, same-region, or the store's own region; never other-region, dual-region, multi-region", () => {
    const r = stores(`  sz: { engine: postgres, zone: a, ${b("same-zone")} }
  sr: { engine: postgres, zone: a, ${b("same-region")} }
  own: { engine: postgres, zone: a, ${b("r1")} }
  other: { engine: postgres, zone: a, ${b("r2")} }
  managed: { engine: firestore, location: r2, ${b("r2")} }
  o: { engine: postgres, zone: a, ${b("other-region")} }
  dr: { engine: postgres, zone: a, ${b("dual-region")} }
  mr: { engine: postgres, zone: a, ${b("multi-region")} }
`);
    const got = findings(r, "backup-colocated");
    assert.deepEqual(got.map((f) => f.subject).sort(), ["managed", "own", "sr", "sz"]);
    assert.ok(got.every((f) => f.severity === "error"));
    assert.match(got.find((f) => f.subject === "own")!.message, /\br1\b/);
    assert.match(got.find((f) => f.subject === "managed")!.message, /\br2\b/);
  });

  it("restore-untested: missing, or more than 365 days before --as-of (2025-11-29 is exactly 365)", () => {
    const r = stores(`  never: { engine: postgres, zone: a, backups: { every: 24h, at: multi-region, restore: 1h } }
  exactly: { engine: postgres, zone: a, ${b("multi-region", "2025-11-29")} }
  older: { engine: postgres, zone: a, ${b("multi-region", "2025-11-28")} }
  same: { engine: postgres, zone: a, ${b("multi-region", "2026-11-29")} }
  nobackups: { engine: postgres, zone: a }
`);
    assert.deepEqual(
      summary(r, "restore-untested")
        .map((x) => x.join(" "))
        .sort(),
      ["never warning", "older warning"],
    );
    assert.equal(r.asOf, "2026-11-29");
  });

  it("restore-untested moves with --as-of (a leap year: 2024-02-29 + 365 days = 2025-02-28)", () => {
    const defs = `  s: { engine: postgres, zone: a, ${b("multi-region", "2024-02-29")} }\n`;
    assert.equal(findings(stores(defs, "2025-02-28"), "restore-untested").length, 0);
    assert.equal(findings(stores(defs, "2025-03-01"), "restore-untested").length, 1);
  });

  it("a tested date after the as-of date is invalid input (file, line, column); the same day is fine", () => {
    const text = `name: T\n${P}\nstores:\n  s: { engine: postgres, zone: a, ${b("multi-region", "2026-11-30")} }\n`;
    const parsed = parseSpec(text, "t.yaml");
    assert.ok(parsed.ok);
    assert.throws(
      () => analyze(parsed.spec, { asOf: "2026-11-29" }),
      (e: unknown) => {
        assert.ok(isNinesError(e));
        const [first, ...rest] = e.details["errors"] as { file: string; line: number; column: number }[];
        assert.equal(rest.length, 0);
        assert.deepEqual([first!.file, first!.line], ["t.yaml", 4]);
        assert.ok(first!.column > 1);
        assert.equal(e.code, "NINES_SPEC_INVALID"); // the CLI exits 2 for it
        return true;
      },
    );
    assert.equal(analyze(parsed.spec, { asOf: "2026-11-30" }).asOf, "2026-11-30");
  });

  it("as-of defaults to today (UTC) from the clock", () => {
    const parsed = parseSpec(
      `name: T\n${P}\nstores:\n  s: { engine: postgres, zone: a, ${b("multi-region", "2025-06-01")} }\n`,
      "t.yaml",
    );
    assert.ok(parsed.ok);
    const at = (iso: string) => analyze(parsed.spec, { clock: new ManualClock(Date.parse(iso)) });
    const before = at("2026-06-01T23:59:59Z"); // 365 days after 2025-06-01
    assert.equal(before.asOf, "2026-06-01");
    assert.equal(findings(before, "restore-untested").length, 0);
    const after = at("2026-06-02T00:00:00Z");
    assert.equal(after.asOf, "2026-06-02");
    assert.equal(findings(after, "restore-untested").length, 1);
  });

  it("no-lazy-deletion: userData without deletion phases", () => {
    const r = stores(`  u: { engine: postgres, zone: a, userData: true }
  lazy: { engine: postgres, zone: a, userData: true, deletion: { trash: 30d, soft: 30d, restore: 15m } }
  plain: { engine: postgres, zone: a }
`);
    assert.deepEqual(summary(r, "no-lazy-deletion"), [["u", "warning"]]);
  });
});
