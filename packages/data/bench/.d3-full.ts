import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createBackup } from "../src/backup/create-backup.js";
import { SqliteEngine } from "../src/backup/engines/sqlite-engine.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
const target = new LocalDirTarget("/tmp/d3/backups");
for (let r = 0; r < 3; r++) {
  rmSync("/tmp/d3/cli.db", { force: true });
  let s = performance.now(); spawnSync("sqlite3", ["/tmp/d3/src.db", ".backup '/tmp/d3/cli.db'"]); const cli = performance.now() - s;
  s = performance.now(); const seen = new Map<string, number>();
  await createBackup({ source: "/tmp/d3/src.db", engine: new SqliteEngine(), targets: [target], onProgress: (p) => { if (!seen.has(p.phase)) seen.set(p.phase, performance.now() - s); } });
  const full = performance.now() - s;
  console.log(`cli ${cli.toFixed(0)} nines ${full.toFixed(0)} ratio ${(cli / full).toFixed(2)}`, [...seen].map(([k, v]) => `${k}@${v.toFixed(0)}`).join(" "));
}
rmSync("/tmp/d3/backups", { recursive: true, force: true });
