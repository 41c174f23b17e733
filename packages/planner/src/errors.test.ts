import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError, OPTION_INVALID } from "@nines/core";
import { PLANNER_ERRORS, PlannerError } from "./errors.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const docs = readFileSync(fileURLToPath(new URL("../../../docs/planner-model.md", import.meta.url)), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The codes of the docs' error table: rows that start with a code in backticks. */
function documentedCodes(): string[] {
  const section = docs.slice(docs.indexOf("## Errors"));
  return [...section.matchAll(/^\| `(NINES_[A-Z_]+)`/gm)].map((m) => m[1]!);
}

describe("the planner's error codes", () => {
  it("are written in errors.ts only, never as string literals elsewhere in src", () => {
    for (const file of sources(here)) {
      if (file.endsWith("errors.ts")) continue;
      assert.doesNotMatch(readFileSync(file, "utf8"), /"NINES_[A-Z_]+"/, file);
    }
  });

  it("are the ones docs/planner-model.md lists, with core's NINES_OPTION_INVALID", () => {
    assert.deepEqual(documentedCodes().sort(), [...Object.values(PLANNER_ERRORS), OPTION_INVALID].sort());
  });

  it("are thrown as PlannerError, named in stack traces", () => {
    const error = new PlannerError(PLANNER_ERRORS.tooLarge, "planner: too large");
    assert.ok(isNinesError(error, PLANNER_ERRORS.tooLarge));
    assert.equal(error.name, "PlannerError");
    assert.match(String(error.stack), /^PlannerError: planner: too large/);
  });
});
