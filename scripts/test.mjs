#!/usr/bin/env node
// Runs every test file of the workspace with node's test runner through tsx,
// resolving @nines/* packages to their TypeScript sources (the "source"
// export condition), so tests need no build. Usage:
//   node scripts/test.mjs                 all packages
//   node scripts/test.mjs planner data    only these packages
//   node scripts/test.mjs path/to/x.test.ts
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const passthrough = args.filter((a) => a.startsWith("--"));
const selectors = args.filter((a) => !a.startsWith("--"));

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

let files = [];
if (selectors.some((s) => s.endsWith(".ts"))) {
  files = selectors;
} else {
  const packages = selectors.length > 0 ? selectors : readdirSync(join(root, "packages"));
  for (const pkg of packages) {
    collect(join(root, "packages", pkg, "src"), files);
    collect(join(root, "packages", pkg, "test"), files);
  }
  collect(join(root, "scripts"), files);
}
files = files.map((f) => relative(root, f)).sort();
if (files.length === 0) {
  console.error("test: no test files found for", selectors.join(" ") || "the workspace");
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "--test", "--test-concurrency=2", ...passthrough, ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
