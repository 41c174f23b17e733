#!/usr/bin/env node
// `npm start`: builds the CLI if its sources changed (tsc -b is incremental),
// plans the ClickTravel example, prints the report and writes
// out/clicktravel.html. The example has error findings on purpose (showing
// them is its job), so the plan's exit status 1 becomes 0 here; an invalid
// spec (2) or a crash still fails. `nines plan` itself exits as spec.md says.
// Extra arguments go to `nines plan` (e.g. `npm start -- --json`).
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

const build = spawnSync(process.execPath, [tsc, "-b", "packages/cli"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

mkdirSync(`${root}/out`, { recursive: true });
const args = ["plan", "examples/clicktravel/nines.yaml", "--html", "out/clicktravel.html", ...process.argv.slice(2)];
const plan = spawnSync(process.execPath, ["packages/cli/bin/nines.js", ...args], { cwd: root, stdio: "inherit" });
const status = plan.status ?? 1;
if (status === 1) {
  process.stderr.write(
    "\nThe example has error findings on purpose: `nines plan` exits 1 for them, `npm start` exits 0.\n" +
      "Open out/clicktravel.html for the report with the deployment diagram.\n",
  );
}
process.exit(status === 1 ? 0 : status);
