import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const runner = fileURLToPath(new URL("./run-nines.ts", import.meta.url));
const example = "examples/clicktravel/nines.yaml";

/** The test's environment without colour settings, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env["FORCE_COLOR"];
  return { ...env, ...extra };
}

/** Runs `nines ARGS` as a real process from the repository root. */
function nines(
  args: string[],
  env: Record<string, string> = {},
  input = "",
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--conditions=source", "--import", "tsx", runner, ...args],
      { cwd: root, env: childEnv(env), timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

const CLEAN = `name: Clean
objectives:
  availability: 99.9%
platform:
  regions:
    r1: [r1-a, r1-b, r1-c]
edge:
  lb: { engine: global-http-lb }
services:
  api:
    zones: [r1-a, r1-b, r1-c]
    instances: 2
    capacity: 100
    load: 100
    health: { check: /ready, dependencies: true, autoheal: true }
    startup: 10s
    autoscale: { metric: cpu, target: 60%, max: 12 }
journeys:
  home: { via: lb, entry: api }
costs:
  currency: EUR
  instance: 40/month
  downtime: 1000/hour
`;

const INVALID = `name: Bad
platform:
  regions:
    r1: [a]
services:
  api:
    zones: [b]
    instancez: 2
`;

describe("nines plan (a real process)", { concurrency: true }, () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-plan-"));
    await writeFile(join(dir, "clean.yaml"), CLEAN);
    await writeFile(join(dir, "invalid.yaml"), INVALID);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exits 1 on the example, whose findings include errors, and prints the report", async () => {
    assert.ok(existsSync(join(root, example)), `${example} is missing`);
    const r = await nines(["plan", example, "--as-of", "2026-11-29"]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^ClickTravel \(examples\/clicktravel\/nines\.yaml, as of 2026-11-29\)/);
    for (const section of ["Journeys", "Findings", "Disaster recovery", "Durability", "Scalability", "Risk and cost"]) {
      assert.match(r.stdout, new RegExp(`^${section}`, "m"));
    }
    assert.match(r.stdout, /^ {2}Errors$/m);
    assert.equal(r.stdout.match(/^ {2}[a-z-]+ \(cheapest\) /gm)?.length, 1);
    assert.ok(!r.stdout.includes("\u001b["), "no colour when NO_COLOR is set and stdout is a pipe");
  });

  it("prints the JSON object of spec.md with --json", async () => {
    const r = await nines(["plan", example, "--json", "--as-of", "2026-11-29", "--seed", "7", "--samples", "1000"]);
    assert.equal(r.status, 1, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.name, "ClickTravel");
    assert.equal(result.asOf, "2026-11-29");
    const journey = result.journeys[0];
    assert.equal(journey.name, "book-trip");
    assert.ok(journey.availability > 0.99 && journey.availability < 1, "availability is a fraction");
    assert.equal(journey.objective, 0.9995);
    assert.ok(Math.abs(journey.downtimeMinutesPerYear - (1 - journey.availability) * 525_960) < 0.01);
    assert.deepEqual(journey.components.slice(0, 2), ["lb", "web"]);
    assert.ok(
      result.components.some((c: { name: string; kind: string }) => c.name === "orders-db" && c.kind === "store"),
    );
    for (const f of result.findings)
      assert.deepEqual(Object.keys(f).slice(0, 4), ["rule", "severity", "subject", "message"]);
    assert.ok(result.findings.some((f: { severity: string }) => f.severity === "error"));
    const crash = result.disasters.find((d: { scenario: string }) => d.scenario === "Orders database crashed");
    // Durations in seconds: rto 5m is 300.
    assert.deepEqual(
      { rpo: crash.rpo, rto: crash.rto, mechanism: crash.mechanism, met: crash.met },
      {
        rpo: { objective: 0, achieved: 0 },
        rto: { objective: 300, achieved: 60 },
        mechanism: "sync-replica",
        met: true,
      },
    );
    const alternatives = result.costs.alternatives;
    assert.deepEqual(
      alternatives.map((a: { name: string }) => a.name),
      ["as-written", "single-zone", "multi-zone", "multi-region"],
    );
    assert.equal(alternatives.filter((a: { cheapest: boolean }) => a.cheapest).length, 1);
  });

  it("exits 0 when no finding is an error", async () => {
    const r = await nines(["plan", join(dir, "clean.yaml")]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Findings \(0 errors/);
    const json = await nines(["plan", join(dir, "clean.yaml"), "--json"]);
    assert.equal(json.status, 0);
    assert.equal(
      JSON.parse(json.stdout).findings.filter((f: { severity: string }) => f.severity === "error").length,
      0,
    );
  });

  it("exits 2 on an invalid spec: {errors} with --json, file:line:column for people", async () => {
    const file = join(dir, "invalid.yaml");
    const json = await nines(["plan", file, "--json"]);
    assert.equal(json.status, 2);
    const { errors } = JSON.parse(json.stdout);
    assert.ok(errors.length >= 2);
    for (const e of errors) assert.deepEqual(Object.keys(e).sort(), ["column", "file", "hint", "line", "message"]);
    const typo = errors.find((e: { message: string }) => e.message.includes("instancez"));
    assert.deepEqual([typo.file, typo.line, typo.column], [file, 8, 5]);
    assert.match(typo.hint, /instances/);

    const human = await nines(["plan", file]);
    assert.equal(human.status, 2);
    assert.equal(human.stdout, "");
    assert.match(
      human.stderr,
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:8:5: unknown key "instancez"`),
    );
    assert.doesNotMatch(human.stderr, /\n\s+at /, "no stack trace");
  });

  it("exits 2 for a missing file and bad options, with a hint", async () => {
    const missing = await nines(["plan", join(dir, "nope.yaml"), "--json"]);
    assert.equal(missing.status, 2);
    assert.match(JSON.parse(missing.stdout).errors[0].message, /no such file/);
    const date = await nines(["plan", join(dir, "clean.yaml"), "--as-of", "yesterday"]);
    assert.equal(date.status, 2);
    assert.match(date.stderr, /--as-of must be an ISO date.*\n {2}hint: pass e\.g\. --as-of 2026-11-29/);
    // A sample count that would run for hours is refused, naming the option and its bounds.
    for (const samples of ["1", "1000000000000"]) {
      const many = await nines(["plan", join(dir, "clean.yaml"), "--samples", samples]);
      assert.equal(many.status, 2);
      assert.match(
        many.stderr,
        /^error NINES_CLI_USAGE: nines plan: --samples must be a whole number from 2 to 10000000/,
      );
    }
    const unknown = await nines(["plan", join(dir, "clean.yaml"), "--colour"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^error NINES_CLI_UNKNOWN_OPTION: nines plan: unknown option '--colour'\n/);
  });

  it("writes the HTML report atomically with --html and colours only when forced", async () => {
    const html = join(dir, "out", "clean.html");
    const r = await nines(["plan", join(dir, "clean.yaml"), "--html", html], { FORCE_COLOR: "1" });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes("\u001b[1m"), "FORCE_COLOR forces colour on a pipe");
    const page = await readFile(html, "utf8");
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<svg /);
    const leftovers = (await import("node:fs")).readdirSync(join(dir, "out")).filter((f) => f.endsWith(".tmp"));
    assert.deepEqual(leftovers, []);
  });

  it("prints errors as JSON on stdout with --json, the options' errors included", async () => {
    const r = await nines(["plan", join(dir, "clean.yaml"), "--json", "--bogus"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "");
    assert.deepEqual(JSON.parse(r.stdout), {
      error: {
        code: "NINES_CLI_UNKNOWN_OPTION",
        message: "nines plan: unknown option '--bogus'",
        hint: "run 'nines plan --help' for the options",
      },
    });
    const typo = await nines(["plan", join(dir, "clean.yaml"), "--jsn"]);
    assert.match(typo.stderr, /unknown option '--jsn'; did you mean '--json'\?/);
  });

  it("reads the spec from standard input with -", async () => {
    const r = await nines(["plan", "-", "--json"], {}, CLEAN);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).name, "Clean");
    const bad = await nines(["plan", "-"], {}, INVALID);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^<stdin>:8:5: unknown key "instancez"/m);
    assert.match(bad.stderr, /^error NINES_SPEC_INVALID: <stdin> has \d+ errors\n$/m);
  });
});
