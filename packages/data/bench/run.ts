// `npm run bench:data`: every data benchmark that exists, one after the other,
// in child processes of their own (a crash or a leak in one leaves the others
// alone). Only --json is passed on (each file takes its own options when run
// directly); the exit status is the worst one.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benches = ["lifecycle.ts", "backup.ts"];
let status = 0;
for (const name of benches) {
  const file = fileURLToPath(new URL(name, import.meta.url));
  if (!existsSync(file)) continue;
  process.stdout.write(`\n## ${name}\n\n`);
  const run = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", file, ...process.argv.slice(2).filter((a) => a === "--json")],
    {
      stdio: "inherit",
    },
  );
  status = Math.max(status, run.status ?? 1);
}
process.exitCode = status;
