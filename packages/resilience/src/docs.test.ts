import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { RESILIENCE_ERRORS } from "./errors.js";

const docs = readFileSync(new URL("../../../docs/resilience.md", import.meta.url), "utf8");

test("docs/resilience.md lists every error code of the package", () => {
  const missing = Object.values(RESILIENCE_ERRORS).filter((code) => !docs.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});
