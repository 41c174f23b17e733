// Inputs a fuzzer found to crash or mislead the parser: each must be a spec
// error (exit 2 in the CLI) with the place it stands and a hint, never a throw.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec } from "./parse-spec.js";
import type { SpecError } from "./spec-error.js";

const FILE = "t.nines.yaml";
const PLATFORM = "name: T\nplatform: { regions: { r1: [a, b] } }\n";

function errorsOf(text: string): SpecError[] {
  const result = parseSpec(text, FILE);
  assert.equal(result.ok, false, "expected the spec to be invalid");
  return result.ok ? [] : result.errors;
}

const at = (e: SpecError) => `${e.line}:${e.column} ${e.message}`;

describe("parseSpec: anchors, aliases and merges", () => {
  it("an alias inside the node its anchor marks is an error at the alias, not a crash", () => {
    const errors = errorsOf(`${PLATFORM}x-a: &a { b: *a }\n`);
    assert.deepEqual(errors.map(at), [
      "3:14 the alias *a is inside the node its anchor &a marks: it would contain itself",
    ]);
    assert.match(errors[0]!.hint, /never one that contains it/);
    // Deeper inside, in a section that matters.
    const nested = errorsOf(`${PLATFORM}services:\n  web: &w\n    calls: { x: *w }\n`);
    assert.deepEqual(nested.map(at), [
      "5:17 the alias *w is inside the node its anchor &w marks: it would contain itself",
    ]);
  });

  it("an alias with no anchor is reported where it stands", () => {
    const errors = errorsOf(`${PLATFORM}services:\n  web: *nope\n`);
    assert.deepEqual(errors.map(at), ["4:8 the alias *nope refers to no anchor"]);
    assert.match(errors[0]!.hint, /define the anchor \(&nope\) before the alias/);
  });

  it("a merge of something other than a mapping is reported at the merged value", () => {
    const errors = errorsOf(`${PLATFORM}x-a: &a [1, 2]\nservices:\n  web: { <<: *a, zones: [a] }\n`);
    assert.deepEqual(errors.map(at), ["5:14 a merge (<<) takes a mapping, got a list"]);
    const scalar = errorsOf(`${PLATFORM}services:\n  web: { <<: 3, zones: [a] }\n`);
    assert.deepEqual(scalar.map(at), ["4:14 a merge (<<) takes a mapping, got a single value"]);
  });

  it("a merge of mappings still works", () => {
    const text = `${PLATFORM}x-s: &s { instances: 2, capacity: 100, load: 100 }\nservices:\n  web: { <<: *s, zones: [a, b] }\n`;
    const result = parseSpec(text, FILE);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.spec.services[0]!.instances, 2);
  });
});

describe("parseSpec: nesting", () => {
  it("1,000 levels of flow nesting: the nesting is too deep, not a stack overflow", () => {
    const errors = errorsOf(`${PLATFORM}x-d: ${"[".repeat(1000)}${"]".repeat(1000)}\n`);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /the nesting is too deep/);
    assert.doesNotMatch(errors[0]!.message, /call stack/);
    assert.equal(errors[0]!.line, 3);
  });

  it("100 levels of block nesting is too deep, at the level where it passes the limit", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`);
    const errors = errorsOf(`${PLATFORM}x-d:\n${lines.join("\n")} 1\n`);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /the nesting is too deep \(more than 64 levels\)/);
    assert.ok(errors[0]!.line > 60 && errors[0]!.line < 70, String(errors[0]!.line));
  });
});

describe("parseSpec: numbers that overflow", () => {
  it("a 400-digit restore time and a capacity at the largest double are rejected where they are written", () => {
    const digits = "9".repeat(400);
    const text = [
      PLATFORM.trimEnd(),
      "services:",
      "  web: { zones: [a, b], instances: 2, capacity: 1.7976931348623157e308, load: 100 }",
      "stores:",
      `  db: { engine: postgres, zone: a, backups: { every: 1d, at: multi-region, restore: ${digits} } }`,
    ].join("\n");
    const errors = errorsOf(text);
    assert.deepEqual(
      errors.map((e) => `${e.line}:${e.column}`),
      ["4:49", "6:85"],
    );
    assert.match(errors[0]!.message, /capacity: must be <= 1000000000000/);
    assert.match(errors[1]!.message, /restore: duration .* is too long \(at most 100 years/);
  });

  it("a load that needs more instances than the planner models names capacity and load", () => {
    const errors = errorsOf(`${PLATFORM}services:\n  web: { zones: [a], instances: 1, capacity: 0.001, load: 1e12 }\n`);
    assert.deepEqual(errors.map(at), [
      "4:46 load 1000000000000 / capacity 0.001 needs 1.00e+15 instances; the planner models at most 1,000,000,000 per service",
    ]);
  });
});

describe("parseSpec: a chain of 5,000 services", () => {
  const chain = (n: number, cycle: boolean): string => {
    const lines = [PLATFORM.trimEnd(), "services:"];
    for (let i = 0; i < n; i++) {
      const next = i + 1 < n ? `s${i + 1}` : cycle ? "s0" : undefined;
      const calls = next === undefined ? "" : `, calls: { ${next}: {} }`;
      lines.push(`  s${i}: { zones: [a, b], instances: 2, capacity: 100, load: 100${calls} }`);
    }
    lines.push("journeys:", "  j: { entry: s0 }");
    return lines.join("\n");
  };

  it("validates without exhausting the stack", () => {
    const result = parseSpec(chain(5000, false), FILE);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors.slice(0, 3)));
    assert.equal(result.spec.services.length, 5000);
    assert.deepEqual(result.warnings, []);
  });

  it("finds the cycle that closes it", () => {
    const errors = errorsOf(chain(5000, true));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /^calls form a cycle: s0 -> s1 -> .* -> s4999 -> s0$/);
  });
});

describe("parseSpec: run, drain and replicate", () => {
  it("a command string with quotes is refused: it is split on spaces, without a shell", () => {
    const errors = errorsOf(
      `${PLATFORM}services:\n  web: { zones: [a], instances: 1, capacity: 1, load: 1, run: { command: 'node "my app.js"' } }\n`,
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /split on spaces, without a shell/);
    assert.match(errors[0]!.hint, /write the list form/);
  });

  it("run.health takes liveness and startup; readiness is health.check", () => {
    const errors = errorsOf(
      `${PLATFORM}services:\n  web: { zones: [a], instances: 1, capacity: 1, load: 1, run: { command: x, health: { readiness: /r } } }\n`,
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /unknown key "readiness" in services.web.run.health/);
    assert.match(errors[0]!.hint, /the readiness path is the service's health.check/);
  });

  it("replicate applies to embedded stores and takes backup locations", () => {
    const errors = errorsOf(
      `${PLATFORM}stores:\n  db: { engine: postgres, zone: a, replicate: { at: [multi-region, moon], restore: 1m } }\n`,
    );
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        'replicate applies to embedded stores (engine: sqlite); "postgres" is not one',
        '"moon" is not a backup location',
      ],
    );
  });

  it("drain durations are durations", () => {
    const errors = errorsOf(
      `${PLATFORM}services:\n  web: { zones: [a], instances: 1, capacity: 1, load: 1, drain: { delay: soon } }\n`,
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /services.web.drain.delay: "soon" is not a duration/);
  });
});
