import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { it } from "node:test";
import { isEngineName } from "./engine-name.js";

const src = new URL("..", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

// Code outside the dialects asks `Dialect` (its `lifecycle` SQL, `newLocationHint`...) what differs
// between the engines; a comparison with an engine's name is a second place that must learn each engine.
const ENGINE_CHECK =
  /(?:\.name|\.engine)\s*[!=]==?\s*["'](?:postgres|sqlite)["']|["'](?:postgres|sqlite)["']\s*[!=]==?/;

it("no code outside src/dialect checks which engine it runs on", () => {
  const found: string[] = [];
  for (const file of sources(src)) {
    const where = relative(src, file);
    if (where.startsWith("dialect/")) continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (ENGINE_CHECK.test(line)) found.push(`${where}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, []);
});

it("the search finds the checks it forbids", () => {
  assert.ok(ENGINE_CHECK.test(`connection.dialect.name === "postgres" ? q.forUpdate() : q`));
  assert.ok(ENGINE_CHECK.test(`first.engine === "postgres" ? "a" : "b"`));
  assert.ok(!ENGINE_CHECK.test(`dialect.name !== first.engine`));
});

it("tells an engine's name from any other value", () => {
  assert.ok(isEngineName("sqlite") && isEngineName("postgres"));
  for (const value of ["mysql", "Postgres", "", 1, null, undefined]) assert.ok(!isEngineName(value), String(value));
});
