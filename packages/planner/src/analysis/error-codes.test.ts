import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const docs = readFileSync(fileURLToPath(new URL("../../../../docs/planner-model.md", import.meta.url)), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

test("every error code the analysis throws is listed in docs/planner-model.md", () => {
  const codes = new Set<string>();
  for (const file of sources(here)) {
    for (const m of readFileSync(file, "utf8").matchAll(/"(NINES_[A-Z_]+)"/g)) codes.add(m[1]!);
  }
  // requireOption throws NINES_OPTION_INVALID without naming it here.
  codes.add("NINES_OPTION_INVALID");
  assert.ok(codes.size >= 4);
  for (const code of codes) assert.ok(docs.includes(`\`${code}\``), `${code} is missing from docs/planner-model.md`);
});
