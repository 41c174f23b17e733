import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SIM_ERRORS } from "@nines/sim";
import { runMain } from "../../test/support/run-main.js";
import { simulate } from "./simulate.js";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));
const SPEC = "examples/clicktravel/nines.yaml";
const run = (...argv: string[]) => runMain(["simulate", ...argv], { cwd: ROOT, commands: [simulate] });

describe("nines simulate", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "nines-simulate-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the same JSON for the same spec, scenario and seed, and exits 1 when a journey misses", async () => {
    const argv = [SPEC, "--scenario", "zone-loss", "--duration", "3s", "--at", "1s", "--json"];
    const first = await run(...argv);
    const second = await run(...argv);
    assert.equal(first.status, 1, first.err);
    assert.equal(first.out, second.out);
    const result = JSON.parse(first.out);
    assert.deepEqual(result.scenario, { kind: "zone-loss", zone: "us-central1-a", afterMs: 1000, durationMs: null });
    const [trip] = result.journeys;
    for (const key of ["journey", "availability", "ci95", "objective"]) assert.ok(key in trip, key);
    assert.equal(trip.objective, 0.9995);
    assert.match(first.err, /nines simulate: simulate 3\/3 s/);
  });

  it("prints the summary, writes the page, and exits 0 when every journey meets its objective", async () => {
    const page = join(dir, "steady.html");
    const { status, out, err } = await run(SPEC, "--scenario", "steady", "--duration", "2s", "--html", page);
    assert.equal(status, 0, err);
    assert.match(out, /^ClickTravel: steady: the spec's load, no fault; 2 s simulated, seed 1\n/);
    assert.match(out, /book-trip +100\.0000% .* met /);
    assert.match(await readFile(page, "utf8"), /<title>ClickTravel: steady<\/title>/);
    assert.match(err, /nines simulate: wrote .*steady\.html\n$/);
  });

  it("runs a year beside the plan's exact figure", async () => {
    const { out, err } = await run(SPEC, "--scenario", "year", "--years", "3", "--recovery", "instant", "--json");
    const result = JSON.parse(out);
    assert.deepEqual(result.scenario, { kind: "year", years: 3, recovery: "instant" });
    assert.ok(Math.abs(result.journeys[0].plan - 0.99714) < 1e-5);
    assert.match(err, /nines simulate: year 3\/3 years\n/);
  });

  it("refuses runs that would take hours at once, naming the flag, its range and the longest run", async () => {
    const cases: [string[], RegExp, RegExp][] = [
      [
        ["year", "--years", "1000000000000"],
        /--years must be a whole number from 1 to 10000, got '1000000000000'/,
        /10000 years take about/,
      ],
      [
        ["instance-failures", "--rate", "1e12"],
        /--rate must be .* at most 3600 crashes per instance per hour/,
        /a minute simulated at --rate 3600 takes about 10 s/,
      ],
      [
        ["surge", "--factor", "1e9"],
        /--factor must be .* at most 100 for --scenario surge/,
        /100 times the README's load/,
      ],
      [["error-burst", "--rate", "2"], /--rate must be a share of requests from 0 to 1/, /--rate 0.5/],
    ];
    for (const [[scenario, ...rest], message, hint] of cases) {
      const started = Date.now();
      const { status, out } = await run(SPEC, "--scenario", scenario as string, ...rest, "--json");
      assert.equal(status, 2, `${scenario} ${rest.join(" ")}`);
      assert.ok(Date.now() - started < 10_000, "refused before running");
      const { error } = JSON.parse(out);
      assert.match(error.message, message);
      assert.match(error.hint, hint);
    }
    // The limit itself runs, showing its progress.
    const { err } = await run(SPEC, "--scenario", "instance-failures", "--rate", "3600", "--duration", "2s");
    assert.match(err, /nines simulate: simulate 2\/2 s/);
  });

  it("refuses a misspelt scenario, an option of the other family, and a bad target (exit 2)", async () => {
    const misspelt = await run(SPEC, "--scenario", "zone-los");
    assert.equal(misspelt.status, 2);
    assert.match(misspelt.err, /--scenario must be .*got 'zone-los'/);
    assert.match(misspelt.err, /did you mean --scenario zone-loss\?/);
    const foreign = await run(SPEC, "--scenario", "year", "--duration", "1m");
    assert.equal(foreign.status, 2);
    assert.match(foreign.err, /--duration does not apply to --scenario year/);
    const target = await run(SPEC, "--scenario", "zone-loss", "--target", "mars-1a", "--json");
    assert.equal(target.status, 2);
    const error = JSON.parse(target.out).error;
    assert.equal(error.code, SIM_ERRORS.scenarioInvalid);
    assert.match(error.hint, /us-central1-a/);
    const missing = await run(SPEC);
    assert.equal(missing.status, 2);
    assert.match(missing.err, /--scenario NAME is required/);
  });
});
