#!/usr/bin/env node
// `npm start`: the whole path on the ClickTravel example, in two or three
// minutes on 2 cores:
//   1. builds what changed (tsc -b: the CLI and ClickTravel; a no-op when up to date),
//   2. plans ClickTravel: the report, and out/clicktravel.html,
//   3. brings it up on this machine and runs a short drill, a crash of the
//      orders database primary and the loss of zone us-central1-a (about a
//      minute), printing the scorecard as each result comes,
//   4. tears everything down (nothing is left running, Ctrl-C included) and
//      writes the drill's timelines to out/clicktravel-drill.html.
// The example has findings and missed objectives on purpose (showing them
// is its job): `nines plan` and `nines drill` exit 1 for them, `npm start`
// exits 0. An invalid spec, options or a system that cannot start (2), or a
// crash, still fails. `node examples/clicktravel/plan.mjs` plans only.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const spec = "examples/clicktravel/nines.yaml";
const planPage = "out/clicktravel.html";
const drillPage = "out/clicktravel-drill.html";

const build = spawnSync(process.execPath, [tsc, "-b", "packages/cli", "examples/clicktravel"], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);
mkdirSync(`${root}/out`, { recursive: true });

// Ctrl-C reaches the running command too (same process group): it stops and tears down; we wait for it.
process.on("SIGINT", () => {});
let current;
process.on("SIGTERM", () => current?.kill("SIGTERM"));

/** Runs `nines ARGS`, resolving with its exit status. */
function nines(args) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, ["packages/cli/bin/nines.js", ...args], { cwd: root, stdio: "inherit" });
    current.on("exit", (code, signal) => resolve(signal ? 130 : (code ?? 1)));
  });
}

const banner = (text) => process.stderr.write(`\n=== ${text}\n\n`);

banner(`nines plan ${spec}`);
const plan = await nines(["plan", spec, "--html", planPage]);
if (plan > 1) process.exit(plan);

banner(`nines drill ${spec}: the orders database primary crashes, then zone us-central1-a is lost`);
const drill = await nines(["drill", spec, "--scenario", "db-crash", "--scenario", "zone-loss", "--html", drillPage]);
if (drill > 1) process.exit(drill);

process.stderr.write(
  `\nReports: ${planPage} (the plan, with the deployment diagram), ${drillPage} (the drill's timelines).\n` +
    "Findings and missed objectives are the example's point: `nines plan` and `nines drill` exit 1 for them, `npm start` exits 0.\n",
);
process.exit(0);
