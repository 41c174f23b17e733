import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { parseArgs, resolveDatabase } from "./args.js";
import { CLI_ERRORS } from "./errors.js";

const OPTIONS = {
  db: { type: "string" },
  to: { type: "string", multiple: true },
  json: { type: "boolean" },
  "keep-last": { type: "string" },
} as const;

function refused(argv: string[], code: string, message: RegExp): void {
  assert.throws(
    () => parseArgs("nines data backup", argv, OPTIONS),
    (e: unknown) => isNinesError(e, code) && message.test(e.message),
    argv.join(" "),
  );
}

describe("parseArgs", () => {
  it("reads --name value, --name=value, flags, repeated options and positionals", () => {
    const args = parseArgs(
      "nines x",
      ["a", "--db", "app.db", "--to=b1", "--to", "b2", "--json", "-", "--", "--c"],
      OPTIONS,
    );
    assert.deepEqual(args.values, { db: "app.db", to: ["b1", "b2"], json: true });
    assert.deepEqual(args.positionals, ["a", "-", "--c"]);
  });

  it("refuses an unknown option with the closest known one", () => {
    refused(
      ["--jsn"],
      CLI_ERRORS.unknownOption,
      /^nines data backup: unknown option '--jsn'; did you mean '--json'\?$/,
    );
    refused(["-db", "x"], CLI_ERRORS.unknownOption, /unknown option '-db'; did you mean '--db'\?/);
    refused(["--keeplast", "3"], CLI_ERRORS.unknownOption, /did you mean '--keep-last'\?/);
    refused(["--frobnicate"], CLI_ERRORS.unknownOption, /^nines data backup: unknown option '--frobnicate'$/);
  });

  it("refuses a missing value and a value given to a flag", () => {
    refused(["--db"], CLI_ERRORS.usage, /^nines data backup: --db needs a value$/);
    refused(["--db", "--json"], CLI_ERRORS.usage, /--db needs a value/);
    refused(["--json=yes"], CLI_ERRORS.usage, /--json takes no value/);
  });

  it("checks values with messages that name the option", () => {
    const args = parseArgs("nines x", ["--keep-last", "1.5", "--db", "fast"], OPTIONS);
    assert.throws(() => args.wholeNumber("keep-last"), /--keep-last must be a whole number >= 0, got '1\.5'/);
    assert.throws(
      () => args.oneOf("db", ["first", "last"]),
      (e: unknown) => {
        return (
          isNinesError(e) &&
          /--db must be first or last, got 'fast'/.test(e.message) &&
          e.hint === "did you mean --db last?"
        );
      },
    );
    assert.throws(() => args.expect("FILE"), /expected FILE, got none/);
    assert.throws(() => parseArgs("nines x", [], OPTIONS).required("db"), /--db VALUE is required/);
  });

  it("reads durations in the spec format's units, weeks included, and names the units when one is wrong", () => {
    const ages = (value: string) => parseArgs("nines x", ["--keep-last", value], OPTIONS).durationMs("keep-last");
    assert.equal(ages("2w"), 14 * 86_400_000);
    assert.equal(ages("36h"), 36 * 3_600_000);
    assert.throws(
      () => ages("3mo"),
      (e: unknown) =>
        isNinesError(e) &&
        e.message === "nines x: --keep-last must be a duration above zero such as 7d, 36h or 2w, got '3mo'" &&
        /250ms, 30s, 5m, 1h, 24h, 30d, 2w/.test(e.hint ?? ""),
    );
    assert.throws(
      () => ages("0"),
      (e: unknown) => isNinesError(e) && /above zero, such as 7d/.test(e.hint ?? ""),
    );
  });

  it("resolves a database path against the command's cwd and keeps a URL of any case", () => {
    assert.equal(resolveDatabase("app.db", "/srv"), "/srv/app.db");
    assert.equal(resolveDatabase("/var/app.db", "/srv"), "/var/app.db");
    assert.equal(resolveDatabase("POSTGRES://db/app", "/srv"), "POSTGRES://db/app");
  });
});
