import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runMain } from "../../test/support/run-main.js";
import type { Io } from "../command.js";
import { main } from "../main.js";
import { validate } from "./validate.js";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));

async function nines(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += String(c);
  });
  stderr.on("data", (c) => {
    err += String(c);
  });
  const io: Io = { stdout, stderr, env: {}, cwd: ROOT };
  const status = await main(argv, io, [validate]);
  return { status, out, err };
}

describe("nines validate", () => {
  it("exits 0 for the ClickTravel example", async () => {
    const { status, out } = await nines("validate", "examples/clicktravel/nines.yaml");
    assert.equal(status, 0);
    assert.equal(
      out,
      "examples/clicktravel/nines.yaml: valid (4 services, 3 stores, 1 journey, 3 disaster scenarios)\n",
    );
  });

  it("exits 2 and lists every error with file:line:column and hint", async () => {
    const file = "packages/planner/test/fixtures/many-errors.nines.yaml";
    const { status, out, err } = await nines("validate", file);
    assert.equal(status, 2);
    assert.equal(out, "");
    assert.ok(err.startsWith(`${file}:4:17: objectives.availability: 0.9995 looks like a fraction`), err);
    assert.ok(err.includes("\n  hint: write 99.95%\n"));
    assert.ok(err.includes(`${file}:27:7: calls form a cycle: web -> api -> web\n`));
    assert.ok(err.endsWith(`error NINES_SPEC_INVALID: ${file} has 14 errors\n`), err);
    assert.ok(!err.includes("    at "), "no stack trace");
  });

  it("prints { errors } with --json", async () => {
    const file = "packages/planner/test/fixtures/duplicates.nines.yaml";
    const { status, out } = await nines("validate", file, "--json");
    assert.equal(status, 2);
    const parsed = JSON.parse(out) as { errors: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(parsed), ["errors"]);
    assert.equal(parsed.errors.length, 4);
    assert.deepEqual(parsed.errors[1], {
      file,
      line: 11,
      column: 5,
      message: 'duplicate key "instances"',
      hint: "remove or rename one of them: each key appears once",
    });
  });

  it("exits 2 with a hint for a missing file", async () => {
    const { status, err } = await nines("validate", "nope.yaml");
    assert.equal(status, 2);
    assert.match(err, /^error NINES_SPEC_UNREADABLE: cannot read spec nope\.yaml: .*\n {2}hint: check the path/);
  });

  it("exits 2 for an unknown option, naming the closest one", async () => {
    const { status, out, err } = await nines("validate", "examples/clicktravel/nines.yaml", "--frob");
    assert.equal(status, 2);
    assert.equal(out, "");
    assert.equal(
      err,
      "error NINES_CLI_UNKNOWN_OPTION: nines validate: unknown option '--frob'\n" +
        "  hint: run 'nines validate --help' for the options\n",
    );
    const typo = await nines("validate", "examples/clicktravel/nines.yaml", "--jsno");
    assert.match(typo.err, /did you mean '--json'\?/);
  });

  it("reads the spec from standard input with -", async () => {
    const text = readFileSync(join(ROOT, "examples/clicktravel/nines.yaml"), "utf8");
    const r = await runMain(["validate", "-"], { cwd: ROOT, stdin: text });
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^<stdin>: valid \(4 services/);
  });
});
