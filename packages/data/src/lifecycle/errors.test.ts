import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { it } from "node:test";
import { isNinesError } from "@nines/core";
import { LIFECYCLE_ERRORS, LifecycleError, lifecycleError } from "./errors.js";

it("lists every lazy-deletion error code in docs/data.md", () => {
  const docs = readFileSync(new URL("../../../../docs/data.md", import.meta.url), "utf8");
  for (const code of Object.values(LIFECYCLE_ERRORS)) {
    assert.ok(docs.includes(`\`${code}\``), `${code} is missing from docs/data.md`);
  }
});

it("throws LifecycleErrors that say their family in a stack trace", () => {
  const error = lifecycleError("notFound", "no notes row with key 1");
  assert.ok(error instanceof LifecycleError);
  assert.equal(error.name, "LifecycleError");
  assert.match(String(error.stack), /^LifecycleError: no notes row/);
  assert.ok(isNinesError(error, LIFECYCLE_ERRORS.notFound));
});

it("writes no error code inline in lazy deletion or the purge worker: errors.ts is the one list", () => {
  const folders = [new URL("./", import.meta.url), new URL("../purge/", import.meta.url)];
  for (const folder of folders) {
    for (const name of readdirSync(folder)) {
      if (!name.endsWith(".ts") || name.endsWith(".test.ts") || name === "errors.ts") continue;
      const text = readFileSync(new URL(name, folder), "utf8");
      assert.doesNotMatch(text, /"NINES_[A-Z_]+"/, `${name} writes a code inline`);
      assert.doesNotMatch(text, /new NinesError\(/, `${name} throws a NinesError outside the family`);
    }
  }
});
