import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SIM_ERRORS } from "./errors.js";

const src = fileURLToPath(new URL(".", import.meta.url));
const docs = readFileSync(fileURLToPath(new URL("../../../docs/simulate.md", import.meta.url)), "utf8");

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("sim error codes", () => {
  it("lists every code in docs/simulate.md's error table", () => {
    const table = docs.slice(docs.indexOf("## Error codes"));
    for (const code of Object.values(SIM_ERRORS)) assert.ok(table.includes(`| \`${code}\` |`), `${code} missing`);
  });

  it("writes no code inline: every NINES_ string of the sources is in errors.ts", () => {
    for (const file of sources(src)) {
      if (file.endsWith("errors.ts")) continue;
      assert.deepEqual(
        [...readFileSync(file, "utf8").matchAll(/"NINES_[A-Z_]+"/g)].map((m) => m[0]),
        [],
        file,
      );
    }
  });
});
