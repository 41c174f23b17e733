// Benchmark: backup and restore of a SQLite database with nines, side by side
// with the sqlite3 command-line tool's own .backup and .restore in the same run.
//   npm run bench:backup                                  (1 GB, 3 rounds, every method)
//   npm run bench:backup -- --size 100 --rounds 1         (a quick look)
//   npm run bench:backup -- --json                        (the two scenario lines only)
// Benchmark glue: wall-clock timing through performance.now() is the point here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SeededRandom } from "@nines/core";
import Database from "better-sqlite3";
import { createBackup } from "../src/backup/create-backup.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { syncPath } from "../src/backup/sync-path.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import type { SqliteBackupMethod } from "../src/dialect/sqlite/sqlite-backup-engine.js";
import { SqliteDialect } from "../src/dialect/sqlite/sqlite-dialect.js";

const MB = 1024 * 1024;

/** A database of about `sizeMb` MB in WAL mode: rows with text, numbers and a blob, and an index. */
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
  /** Median time over the rounds. */
  ms: number;
  mbPerS: number;
  /** Speed relative to the sqlite3 tool doing the same job in the same round (1 = as fast), median over the rounds. */
  vsSqlite3?: number;
  /** The lowest and highest of those ratios. */
  vsSqlite3Range?: [number, number];
}

/**
 * The lines the replication benchmark prints for full backups and restores.
 *
 * @example
 * const line: BackupScenario = { scenario: "full-backup", vsSqlite3: 1.5 };
 */
export type BackupScenario =
  | { scenario: "full-backup"; vsSqlite3: number }
  | { scenario: "full-restore"; vsSqlite3: number };

/** Options of {@link benchBackup}. */
export interface BenchBackupOptions {
  sizeMb: number;
  rounds: number;
  /** Also time the other backup methods and better-sqlite3's bare backup (the full table); off: only what the scenarios need. */
  everyMethod?: boolean;
  log?: (line: string) => void;
}

/**
 * Runs the benchmark and returns its rows and the two scenario lines; prints
 * progress with `log`. Each round times sqlite3 and nines one after the
 * other on the same files (sqlite3 first in even rounds, nines first in odd
 * ones), and the ratios are taken round by round, so a machine that gets
 * busier or quieter during the run moves both sides.
 *
 * @example
 * const { rows, scenarios } = await benchBackup({ sizeMb: 100, rounds: 3 });
 * scenarios; // [{ scenario: "full-backup", vsSqlite3: 1.9 }, { scenario: "full-restore", vsSqlite3: 2.1 }]
 */
export async function benchBackup(
  options: BenchBackupOptions,
): Promise<{ sizeMb: number; rows: BackupBenchRow[]; scenarios: BackupScenario[] }> {
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
    const ratios = new Map<string, number[]>();
    const add = (map: Map<string, number[]>, name: string, value: number) =>
      map.set(name, [...(map.get(name) ?? []), value]);
    const target = new LocalDirTarget(join(dir, "backups"));
    const random = new SeededRandom(2);
    const backupWith = async (method: SqliteBackupMethod) => {
      const { manifest } = await createBackup({
        source,
        dialect: new SqliteDialect({ backupMethod: method }),
        targets: [target],
        random,
      });
      return manifest;
    };
    for (let round = 0; round < options.rounds; round++) {
      const cli = join(dir, `cli-${round}.db`);
      let backupId = "";
      const timed = {
        "sqlite3 .backup": () => time(() => sqlite3([source, `.backup '${cli}'`])),
        "nines backup (file copy, default)": () =>
          time(async () => {
            backupId = (await backupWith("file-copy")).id;
          }),
      };
      const order =
        round % 2 === 0
          ? (["sqlite3 .backup", "nines backup (file copy, default)"] as const)
          : (["nines backup (file copy, default)", "sqlite3 .backup"] as const);
      const backupMs: Record<string, number> = {};
      for (const name of order) backupMs[name] = await timed[name]();
      for (const [name, ms] of Object.entries(backupMs)) add(samples, name, ms);
      add(
        ratios,
        "nines backup (file copy, default)",
        (backupMs["sqlite3 .backup"] ?? 0) / (backupMs["nines backup (file copy, default)"] ?? 1),
      );
      if (options.everyMethod) {
        for (const [name, method] of [
          ["nines backup (backup API)", "backup-api"],
          ["nines backup (VACUUM INTO)", "vacuum-into"],
        ] as const) {
          const ms = await time(() => backupWith(method).then(() => undefined));
          add(samples, name, ms);
          add(ratios, name, (backupMs["sqlite3 .backup"] ?? 0) / ms);
        }
        const raw = join(dir, `raw-${round}.db`);
        const ms = await time(async () => {
          const db = new Database(source, { readonly: true });
          await db.backup(raw, { progress: () => 0x7fffffff });
          db.close();
          await syncPath(raw); // sqlite3's .backup ends with an fsync too
        });
        add(samples, "better-sqlite3 .backup() + fsync, no checks", ms);
        add(ratios, "better-sqlite3 .backup() + fsync, no checks", (backupMs["sqlite3 .backup"] ?? 0) / ms);
        rmSync(raw, { force: true });
      }
      const backupFile = join(target.location, backupId, "data.sqlite");
      const cliRestored = join(dir, `cli-restored-${round}.db`);
      const restored = join(dir, `restored-${round}.db`);
      const restoring = {
        "sqlite3 .restore": () => time(() => sqlite3([cliRestored, `.restore '${backupFile}'`])),
        "nines restore (checksum, full)": () =>
          time(async () => {
            await restoreBackup({ from: target, to: restored, id: backupId });
          }),
      };
      const restoreMs: Record<string, number> = {};
      for (const name of round % 2 === 0
        ? (["sqlite3 .restore", "nines restore (checksum, full)"] as const)
        : (["nines restore (checksum, full)", "sqlite3 .restore"] as const))
        restoreMs[name] = await restoring[name]();
      for (const [name, ms] of Object.entries(restoreMs)) add(samples, name, ms);
      add(
        ratios,
        "nines restore (checksum, full)",
        (restoreMs["sqlite3 .restore"] ?? 0) / (restoreMs["nines restore (checksum, full)"] ?? 1),
      );
      for (const f of [cli, cliRestored, restored]) rmSync(f, { force: true });
      for (const key of await target.list()) await target.delete(key);
      log(`round ${round + 1}/${options.rounds} done`);
    }
    const rows: BackupBenchRow[] = [...samples].map(([name, values]) => {
      const ms = median(values);
      const vs = ratios.get(name);
      return {
        name,
        ms,
        mbPerS: sizeMb / (ms / 1000),
        ...(vs
          ? { vsSqlite3: median(vs), vsSqlite3Range: [Math.min(...vs), Math.max(...vs)] as [number, number] }
          : {}),
      };
    });
    const scenarios: BackupScenario[] = [
      { scenario: "full-backup", vsSqlite3: median(ratios.get("nines backup (file copy, default)") ?? []) },
      { scenario: "full-restore", vsSqlite3: median(ratios.get("nines restore (checksum, full)") ?? []) },
    ];
    return { sizeMb, rows, scenarios };
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
  const json = values.json === true;
  const result = await benchBackup({
    sizeMb,
    rounds,
    everyMethod: !json,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  if (json) {
    for (const line of result.scenarios) process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    process.stdout.write(
      `SQLite backup and restore, ${result.sizeMb.toFixed(0)} MB database, median of ${rounds} rounds\n\n`,
    );
    process.stdout.write(
      "| operation | time | MB/s | vs sqlite3 (same round) | lowest-highest |\n|---|---:|---:|---:|---:|\n",
    );
    for (const r of result.rows) {
      const range = r.vsSqlite3Range ? `${r.vsSqlite3Range[0].toFixed(2)}-${r.vsSqlite3Range[1].toFixed(2)}` : "";
      process.stdout.write(
        `| ${r.name} | ${(r.ms / 1000).toFixed(2)} s | ${r.mbPerS.toFixed(0)} | ${r.vsSqlite3 === undefined ? "1.00 (baseline)" : r.vsSqlite3.toFixed(2)} | ${range} |\n`,
      );
    }
    const [backup, restore] = result.scenarios;
    process.stdout.write(
      `\nnines vs sqlite3: full backup ${backup?.vsSqlite3.toFixed(2)}x, full restore ${restore?.vsSqlite3.toFixed(2)}x (goal: at least 0.90x each)\n`,
    );
  }
}
