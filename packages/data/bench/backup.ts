// Benchmark: backup and restore of a SQLite database with nines, side by side
// with the sqlite3 command-line tool's own .backup and .restore in the same run.
//   npm run bench:data                                   (1 GB, D1 wires it)
//   node --conditions=source --import tsx packages/data/bench/backup.ts --size 100 --rounds 3
// Benchmark glue: wall-clock timing through performance.now() is the point here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SeededRandom } from "@nines/core";
import Database from "better-sqlite3";
import { createBackup } from "../src/backup/create-backup.js";
import { SqliteEngine } from "../src/backup/engines/sqlite-engine.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { LocalDirTarget, syncPath } from "../src/backup/targets/local-dir-target.js";

const MB = 1024 * 1024;

/** A database of about `sizeMb` MB: rows with text, numbers and a blob, and an index. */
function generate(file: string, sizeMb: number): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.exec(
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount INTEGER, created_at INTEGER, payload BLOB)",
  );
  db.exec("CREATE INDEX orders_customer ON orders (customer)");
  const rowBytes = 1400; // 1000-byte blob plus columns, index entry and page overhead (measured)
  const rows = Math.ceil((sizeMb * MB) / rowBytes);
  const insert = db.prepare(
    "INSERT INTO orders (customer, amount, created_at, payload) VALUES (?, ?, ?, randomblob(1000))",
  );
  const random = new SeededRandom(1);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++)
      insert.run(`customer-${random.int(0, 100_000)}`, random.int(1, 10_000), 1_764_000_000_000 + i);
  });
  for (let i = 0; i < rows; i += 50_000) batch(i, Math.min(rows, i + 50_000));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

function sqlite3(args: string[]): void {
  const result = spawnSync("sqlite3", args, { stdio: ["ignore", "ignore", "pipe"] });
  if (result.error || result.status !== 0) {
    throw new Error(`sqlite3 ${args.join(" ")} failed: ${result.error?.message ?? result.stderr.toString()}`);
  }
}

async function time(fn: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One measured row of the report. */
export interface BackupBenchRow {
  name: string;
  ms: number;
  mbPerS: number;
  /** Speed relative to the sqlite3 tool doing the same job (1 = as fast). */
  vsSqlite3?: number;
}

/**
 * Runs the benchmark and returns its rows; prints progress with `log`.
 *
 * @example
 * const rows = await benchBackup({ sizeMb: 100, rounds: 3 });
 */
export async function benchBackup(options: { sizeMb: number; rounds: number; log?: (line: string) => void }): Promise<{
  sizeMb: number;
  rows: BackupBenchRow[];
}> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), "nines-bench-backup-"));
  // A benchmark stopped with Ctrl-C or `timeout` must not leave gigabytes in /tmp.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const source = join(dir, "source.db");
    log(`generating a ${options.sizeMb} MB database in ${dir} ...`);
    generate(source, options.sizeMb);
    const sizeMb = statSync(source).size / MB;
    const samples = new Map<string, number[]>();
    const add = (name: string, ms: number) => samples.set(name, [...(samples.get(name) ?? []), ms]);
    const target = new LocalDirTarget(join(dir, "backups"));
    const random = new SeededRandom(2);
    let backupFile = "";
    for (let round = 0; round < options.rounds; round++) {
      const cli = join(dir, `cli-${round}.db`);
      add("sqlite3 .backup", await time(() => sqlite3([source, `.backup '${cli}'`])));
      add(
        "nines backup (backup API, full)",
        await time(async () => {
          const { manifest } = await createBackup({
            source,
            engine: new SqliteEngine({ method: "backup-api" }),
            targets: [target],
            random,
          });
          backupFile = join(target.location, manifest.id, manifest.dataFile);
        }),
      );
      add(
        "nines backup (VACUUM INTO, full)",
        await time(async () => {
          await createBackup({
            source,
            engine: new SqliteEngine({ method: "vacuum-into" }),
            targets: [target],
            random,
          });
        }),
      );
      const raw = join(dir, `raw-${round}.db`);
      add(
        "better-sqlite3 .backup() + fsync, no checks",
        await time(async () => {
          const db = new Database(source, { readonly: true });
          await db.backup(raw, { progress: () => 0x7fffffff });
          db.close();
          await syncPath(raw); // sqlite3's .backup ends with an fsync too
        }),
      );
      const cliRestored = join(dir, `cli-restored-${round}.db`);
      add("sqlite3 .restore", await time(() => sqlite3([cliRestored, `.restore '${backupFile}'`])));
      const restored = join(dir, `restored-${round}.db`);
      const { backups } = { backups: await target.list() };
      const newestId = backups
        .filter((k) => k.endsWith("manifest.json"))
        .sort()
        .at(-2)
        ?.split("/")[0];
      add(
        "nines restore (checksum, full)",
        await time(async () => {
          await restoreBackup({ from: target, to: restored, ...(newestId ? { id: newestId } : {}) });
        }),
      );
      for (const f of [cli, raw, cliRestored, restored]) rmSync(f, { force: true });
      for (const key of await target.list()) await target.delete(key);
      log(`round ${round + 1}/${options.rounds} done`);
    }
    const base = {
      backup: median(samples.get("sqlite3 .backup") ?? []),
      restore: median(samples.get("sqlite3 .restore") ?? []),
    };
    const rows: BackupBenchRow[] = [...samples].map(([name, values]) => {
      const ms = median(values);
      const against = name.includes("restore") ? base.restore : base.backup;
      return {
        name,
        ms,
        mbPerS: sizeMb / (ms / 1000),
        ...(name.startsWith("sqlite3") ? {} : { vsSqlite3: against / ms }),
      };
    });
    return { sizeMb, rows };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const { values } = parseArgs({
    options: { size: { type: "string" }, rounds: { type: "string" }, json: { type: "boolean" } },
  });
  const sizeMb = Number(values.size ?? 1024);
  const rounds = Number(values.rounds ?? 3);
  const result = await benchBackup({ sizeMb, rounds, log: (l) => process.stderr.write(`${l}\n`) });
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `SQLite backup and restore, ${result.sizeMb.toFixed(0)} MB database, median of ${rounds} rounds\n\n`,
    );
    process.stdout.write("| operation | time | MB/s | vs sqlite3 |\n|---|---:|---:|---:|\n");
    for (const r of result.rows) {
      process.stdout.write(
        `| ${r.name} | ${(r.ms / 1000).toFixed(2)} s | ${r.mbPerS.toFixed(0)} | ${r.vsSqlite3 === undefined ? "1.00 (baseline)" : `${r.vsSqlite3.toFixed(2)}`} |\n`,
      );
    }
  }
}
