// Keeps docs/plan.md and docs/k8s.md in step with the error codes that the
// plan and k8s commands throw.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
const codes = (text: string): string[] => [...new Set(text.match(/NINES_[A-Z0-9_]+/g) ?? [])].sort();

describe("plan and k8s docs", () => {
  for (const [command, doc] of [
    ["plan", "docs/plan.md"],
    ["k8s", "docs/k8s.md"],
  ] as const) {
    it(`${doc} lists every code nines ${command} throws`, () => {
      const thrown = codes(read(`packages/cli/src/commands/${command}.ts`));
      assert.ok(thrown.length > 0);
      const documented = codes(read(doc));
      assert.deepEqual(
        thrown.filter((c) => !documented.includes(c)),
        [],
      );
    });
  }
});
