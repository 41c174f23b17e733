import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

// The arrows of docs/architecture.md: which @nines packages each package may import.
const allowed: Record<string, string[]> = {
  core: [],
  resilience: ["core"],
  planner: ["core"],
  data: ["core", "resilience"],
  guard: ["core", "resilience"],
  drill: ["core", "resilience", "guard", "data", "planner"],
  sim: ["core", "resilience", "guard", "planner"],
  cli: ["core", "resilience", "planner", "data", "guard", "drill", "sim"],
};

const root = new URL("..", import.meta.url).pathname;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("package arrows", () => {
  for (const [pkg, deps] of Object.entries(allowed)) {
    it(`${pkg} imports only ${deps.length > 0 ? deps.join(", ") : "nothing of nines"}`, () => {
      const violations: string[] = [];
      for (const file of sources(join(root, "packages", pkg, "src"))) {
        const text = readFileSync(file, "utf8");
        for (const match of text.matchAll(/from\s+["']@nines\/([a-z-]+)["']/g)) {
          const target = match[1] as string;
          if (!deps.includes(target)) violations.push(`${file.slice(root.length)} imports @nines/${target}`);
        }
      }
      assert.deepEqual(violations, []);
    });
  }
});
