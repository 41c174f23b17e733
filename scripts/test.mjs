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
  // Examples (examples/<name>/test) run with the packages; `node scripts/test.mjs clicktravel` runs one.
  const examples = selectors.length > 0 ? selectors : readdirSync(join(root, "examples"));
  for (const example of examples) collect(join(root, "examples", example, "test"), files);
  collect(join(root, "scripts"), files);
}
files = files.map((f) => relative(root, f)).sort();
if (files.length === 0) {
  console.error("test: no test files found for", selectors.join(" ") || "the workspace");
  process.exit(1);
}

// Tests that need PostgreSQL read NINES_PG_URL. When it is unset, start a
// throwaway server for this run (and stop it after), so `npm test` alone
// runs everything; .ci/run starts its own and sets the variable.
const env = { ...process.env };
let startedPostgres = false;
const postgresScript = join(root, "scripts", "postgres.sh");
if (!env.NINES_PG_URL && existsSync(postgresScript)) {
  const wasRunning = spawnSync("bash", [postgresScript, "status"], { stdio: "ignore" }).status === 0;
  const started = spawnSync("bash", [postgresScript, "start"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = /NINES_PG_URL=(\S+)/.exec(started.stdout ?? "")?.[1];
  const dir = /NINES_PG_DIR=(\S+)/.exec(started.stdout ?? "")?.[1];
  if (started.status === 0 && url) {
    env.NINES_PG_URL = url;
    if (dir) env.NINES_PG_DIR = dir;
    startedPostgres = !wasRunning;
    console.error(`test: started PostgreSQL for this run at ${url}`);
  } else {
    console.error("test: could not start PostgreSQL; its tests fail in CI and are skipped (loudly) elsewhere");
  }
}

const result = spawnSync(
  process.execPath,
  [
    "--conditions=source",
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    // TAP as before, and the failures repeated at the end (scripts/failures-reporter.mjs).
    "--test-reporter=tap",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(root, "scripts", "failures-reporter.mjs")}`,
    "--test-reporter-destination=stdout",
    ...passthrough,
    ...files,
  ],
  { cwd: root, stdio: "inherit", env },
);
if (startedPostgres) spawnSync("bash", [postgresScript, "stop"], { stdio: ["ignore", "ignore", "inherit"], env });
process.exit(result.status ?? 1);
