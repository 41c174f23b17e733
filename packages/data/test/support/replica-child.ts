// A replicator in a process of its own, for the crash tests: replicates DB
// to the folder TARGET every INTERVAL ms, prints one JSON line per stored
// object ({ "stored": key, "durationMs": n }) and per error, "ready" once
// running, and stops cleanly on SIGTERM (printing "stopped").
//   replica-child.ts DB TARGET INTERVAL
import { LocalDirTarget } from "../../src/backup/targets/local-dir-target.js";
import { replicate } from "../../src/replicate/replicate.js";

const [db, dir, intervalText] = process.argv.slice(2) as [string, string, string];
const replicator = await replicate({ db, targets: [new LocalDirTarget(dir)], intervalMs: Number(intervalText) });
replicator.on("stored", (e) =>
  process.stdout.write(`${JSON.stringify({ stored: e.key, durationMs: e.durationMs })}\n`),
);
replicator.on("error", (e) =>
  process.stdout.write(
    `${JSON.stringify({ error: String((e.error as Error).message ?? e.error), during: e.during })}\n`,
  ),
);
process.stdout.write("ready\n");
const alive = setInterval(() => undefined, 60_000);
process.once("SIGTERM", () => {
  void replicator.stop().finally(() => {
    clearInterval(alive);
    process.stdout.write("stopped\n");
  });
});
