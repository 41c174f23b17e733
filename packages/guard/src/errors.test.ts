import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { GUARD_ERRORS } from "./errors.js";

const src = fileURLToPath(new URL(".", import.meta.url));
const docs = readFileSync(fileURLToPath(new URL("../../../docs/guard.md", import.meta.url)), "utf8");

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("guard error codes", () => {
  it("lists every code in docs/guard.md's error table", () => {
    const table = docs.slice(docs.indexOf("## Error codes"));
    for (const code of Object.values(GUARD_ERRORS))
      assert.ok(table.includes(`| \`${code}\` |`), `${code} missing from docs`);
  });

  it("documents every NINES_GUARD_ code the sources use, and GUARD_ERRORS holds each", () => {
    const used = new Set<string>();
    for (const file of sources(src))
      for (const m of readFileSync(file, "utf8").matchAll(/NINES_GUARD_[A-Z_]+/g)) used.add(m[0]);
    const known = new Set<string>(Object.values(GUARD_ERRORS));
    for (const code of used) {
      assert.ok(docs.includes(`\`${code}\``), `${code} is used but not documented`);
      assert.ok(known.has(code), `${code} is used but not in GUARD_ERRORS`);
    }
  });
});
