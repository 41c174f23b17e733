// docs/replicate.md and the replication sources in step: every code of
// REPLICA_ERRORS documented, the family named in stack traces, no code
// written inline in the sources.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNinesError } from "@nines/core";
import { REPLICA_ERRORS, ReplicaError, replicaError } from "../src/replicate/errors.js";

const docs = readFileSync(new URL("../../../docs/replicate.md", import.meta.url), "utf8");

it("documents every replica error code, and data.md links the page", () => {
  for (const code of Object.values(REPLICA_ERRORS))
    assert.ok(docs.includes(`\`${code}\``), `${code} is not in replicate.md`);
  const data = readFileSync(new URL("../../../docs/data.md", import.meta.url), "utf8");
  assert.match(data, /\[replicate\.md\]\(replicate\.md\)/);
});

it("names its family in a stack trace and keeps the code", () => {
  const error = replicaError("segmentMissing", "x");
  assert.ok(error instanceof ReplicaError);
  assert.equal(error.name, "ReplicaError");
  assert.match(String(error.stack), /^ReplicaError: x/);
  assert.ok(isNinesError(error, REPLICA_ERRORS.segmentMissing));
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

it("writes no error code inline and reads no wall clock: errors.ts is the one list, time comes from the clock", () => {
  for (const file of sources(fileURLToPath(new URL("../src/replicate/", import.meta.url)))) {
    // The key's environment variable shares the prefix and is not a code.
    const text = readFileSync(file, "utf8").replace('REPLICA_KEY_ENV = "NINES_REPLICA_KEY"', "");
    if (!file.endsWith("errors.ts")) assert.doesNotMatch(text, /["']NINES_[A-Z_]+["']/, `${file} writes a code inline`);
    assert.doesNotMatch(text, /new NinesError\(/, `${file} throws a NinesError outside its family`);
    assert.doesNotMatch(
      text,
      /Date\.now\(\)|Math\.random\(\)|\bsetTimeout\(|\bsetInterval\(/,
      `${file} reads time or randomness directly`,
    );
  }
});
