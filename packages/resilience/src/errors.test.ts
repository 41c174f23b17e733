// One error family: every error thrown at run time says "ResilienceError" in
// a stack trace. The codes, the sources and docs/resilience.md are kept in
// step by scripts/error-codes.test.ts (one mechanism for every package).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { isNinesError, NinesError } from "@nines/core";
import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";

const srcDir = new URL(".", import.meta.url);
const sources = readdirSync(srcDir)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
  .map((name) => ({ name, text: readFileSync(new URL(name, srcDir), "utf8") }));

describe("resilience errors", () => {
  test("the sources throw only the family's errors (no bare NinesError, Error or TypeError)", () => {
    const bare = sources.flatMap((file) =>
      file.text
        .split("\n")
        .filter((line) => !/^\s*(\*|\/\/)/.test(line) && /new (NinesError|Error|TypeError|RangeError)\(/.test(line))
        .map((line) => `${file.name}: ${line.trim()}`),
    );
    assert.deepEqual(bare, []);
  });

  test("a ResilienceError is a NinesError whose name says its family", () => {
    const error = new ResilienceError(RESILIENCE_ERRORS.timeout, "too slow", { details: { timeoutMs: 5 } });
    assert.equal(error.name, "ResilienceError");
    assert.ok(error instanceof NinesError);
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.timeout));
    assert.match(String(error.stack), /^ResilienceError: too slow/);
  });
});
