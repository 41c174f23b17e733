// Benchmark of continuous replication (issue 12). Prints, with --json, one
// object per line:
//   {"scenario":"rpo","rpoP99Ms":n}          a writer at 1,000 tx/s for 60 s replicating every 1 s; the age of
//                                            the newest transaction in restores taken at random instants
//   {"scenario":"overhead","throughputRatio":n,"p99Ratio":n}  the writer with replication (the library in its
//                                            process) against without: as-fast-as-it-can throughput (pairs of runs,
//                                            median of the pairs' ratios), p99 commit latency at 1,000 tx/s; the
//                                            writer without keeps SQLite's defaults, the one with replication turns
//                                            SQLite's auto-checkpoint off as docs/replicate.md recommends (the
//                                            replicator checkpoints); --writer-config default keeps it on both
//   {"scenario":"restore","speedRatio":n,"check":s,"uncheckedSpeedRatio":n}  a point-in-time restore of a 1 GB
//                                            database with its log, checked before it is reported good, against
//                                            copying the snapshot, letting SQLite replay the log and running the
//                                            same check on the result (like for like: what a checked copy costs);
//                                            uncheckedSpeedRatio: against the copy and replay alone
//   {"scenario":"full-backup","vsSqlite3":n} createBackup against sqlite3 .backup (bench/backup.ts, same run)
//   {"scenario":"full-restore","vsSqlite3":n} restoreBackup against sqlite3 .restore (bench/backup.ts, same run)
//   {"scenario":"crash","kills":n,"torn":n,"gaps":n}  kill -9 of the replicator (100 times) and of the writer
//                                            (100 times) at random points, each followed by a restore
//   npm run bench:replicate -- --json [--quick] [--scenario NAME]... [--size MB] [--seconds S] [--rounds N]
//                               [--kills N] [--compression deflate|brotli|none]  (the replica's; the library's default otherwise)
//                               [--check integrity|quick]  (restore: SQLite's check of the restored database;
//                                                           integrity, the library's default)
//                               [--replicator worker|caller|process]  (rpo and overhead: where the replicator runs;
//                                                                      worker, the library's default)
//                               [--writer-config recommended|default]  (rpo and overhead: the replicated writer's
//                                                                      connection as docs/replicate.md recommends,
//                                                                      or SQLite's defaults as without replication)
// Details go to stderr with --json (stdout otherwise). --quick runs every scenario small (seconds, not minutes);
// --seconds, --size, --rounds and --kills shorten one dimension.
// Benchmark glue: wall-clock timing through performance.now() and Date.now() is the point here.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SeededRandom } from "@nines/core";
import Database from "better-sqlite3";
import { syncPath } from "../src/backup/sync-path.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import type { ReplicaCompression } from "../src/replicate/codec/compression.js";
import { replicate } from "../src/replicate/replicate.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { runCrashRounds } from "../test/support/replica-crash.js";
import { benchBackup } from "./backup.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean" },
    quick: { type: "boolean" },
    scenario: { type: "string", multiple: true },
    size: { type: "string" },
    seconds: { type: "string" },
    rounds: { type: "string" },
    kills: { type: "string" },
    compression: { type: "string" },
    replicator: { type: "string" },
    "writer-config": { type: "string" },
    check: { type: "string" },
  },
});
const quick = values.quick ?? false;
const ALL = ["rpo", "overhead", "restore", "full-backup", "full-restore", "crash"];
const scenarios = values.scenario ?? ALL;
for (const name of scenarios) if (!ALL.includes(name)) throw new Error(`unknown scenario ${name} (${ALL.join(", ")})`);
/** Seconds of each timed writer run, when given (otherwise 10 quick, 60 full; 5 and 20 as fast as it can). */
const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
const say = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);
const emit = (object: Record<string, unknown>) => {
  if (values.json) process.stdout.write(`${JSON.stringify(object)}\n`);
  else say(JSON.stringify(object));
};
/** The replica's compression in every scenario (the library's default when not given). */
const compression = values.compression as ReplicaCompression | undefined;
const where = values.replicator ?? "worker";
if (!["worker", "caller", "process"].includes(where))
  throw new Error(`--replicator ${where}: worker, caller or process`);
const inProcess = where !== "process";
const writerConfig = values["writer-config"] ?? "recommended";
if (!["recommended", "default"].includes(writerConfig))
  throw new Error(`--writer-config ${writerConfig}: recommended or default`);
/**
 * The replicated writer's connection settings: docs/replicate.md recommends
 * turning SQLite's auto-checkpoint off beside a replicator, which checkpoints
 * the log itself; the writer without replication keeps SQLite's default.
 */
const replicatedWriter = writerConfig === "recommended" ? { autocheckpoint: 0 } : {};
/** The restore scenario's check of the restored database (restoreReplica's `check`). */
const check = (values.check ?? "integrity") as "integrity" | "quick";
if (!["integrity", "quick"].includes(check)) throw new Error(`--check ${check}: integrity or quick`);
const withCompression = {
  ...(compression ? { compression } : {}),
  ...(inProcess ? { thread: where as "worker" | "caller" } : { process: true }),
};
const describeWhere =
  where === "process"
    ? "in a process of its own"
    : where === "caller"
      ? "in the writer's thread"
      : "in a worker thread";
const WRITER = fileURLToPath(new URL("replicate-writer.ts", import.meta.url));
const MB = 1024 * 1024;

interface WriterResult {
  committed: number;
  seconds: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  writeLockMaxMs: number;
  writeLockTotalMs: number;
  restarts: number;
  largestLogBytes: number;
}

/** Runs the writer child; `whileRunning` runs once it is ready. */
async function runWriter(
  args: {
    db: string;
    rate: number;
    seconds: number;
    autocheckpoint?: number;
    replicate?: {
      dir: string;
      intervalMs: number;
      compression?: ReplicaCompression;
      process?: boolean;
      thread?: "worker" | "caller";
    };
  },
  whileRunning: () => Promise<void> = async () => undefined,
): Promise<WriterResult> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", WRITER, JSON.stringify(args)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  let result: WriterResult | undefined;
  const ready = new Promise<void>((resolve) => {
    lines.on("line", (line) => {
      if (line === "ready") resolve();
      else if (line.startsWith("{")) result = JSON.parse(line) as WriterResult;
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await Promise.race([ready, exited]);
  await whileRunning();
  const code = await exited;
  if (!result) throw new Error(`the writer failed (exit ${code})`);
  return result;
}

function folder(name: string): string {
  return mkdtempSync(join(tmpdir(), `nines-bench-${name}-`));
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RPO under load. */
async function rpo(): Promise<void> {
  const dir = folder("rpo");
  try {
    const runSeconds = seconds ?? (quick ? 10 : 60);
    const random = new SeededRandom(12);
    const samples: number[] = [];
    const replicaDir = join(dir, "replica");
    const db = join(dir, "app.db");
    const result = await runWriter(
      {
        db,
        rate: 1000,
        seconds: runSeconds,
        ...replicatedWriter,
        replicate: { dir: replicaDir, intervalMs: 1000, ...withCompression },
      },
      async () => {
        const until = Date.now() + runSeconds * 1000 - 1500;
        // Steady state first: the first segment is at most one interval away.
        await sleep(2000);
        let i = 0;
        for (;;) {
          await sleep(500 + random.next() * (quick ? 1500 : 2500));
          if (Date.now() > until) break;
          const instant = Date.now();
          const to = join(dir, `rpo-${i++}.db`);
          await restoreReplica({ from: new LocalDirTarget(replicaDir), to });
          const check = new Database(to, { readonly: true });
          const { newest } = check.prepare("SELECT MAX(at) AS newest FROM events").get() as { newest: number };
          check.close();
          rmSync(to, { force: true });
          samples.push(instant - newest);
        }
      },
    );
    samples.sort((a, b) => a - b);
    say(
      `rpo: ${samples.length} restores at random instants over ${runSeconds} s (replicator ${describeWhere}) at ${result.throughput.toFixed(0)} tx/s: ` +
        `p50 ${percentile(samples, 0.5).toFixed(0)} ms, p99 ${percentile(samples, 0.99).toFixed(0)} ms, ` +
        `max ${samples.at(-1)?.toFixed(0)} ms; writer p99 ${result.p99Ms.toFixed(2)} ms, longest write lock ${result.writeLockMaxMs.toFixed(2)} ms`,
    );
    emit({ scenario: "rpo", rpoP99Ms: Math.round(percentile(samples, 0.99)) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes a run's files (the database, its log, its replica) and waits for the disk, so the next run starts on a quiet one. */
function forget(dir: string, names: string[]): void {
  for (const name of names) {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(join(dir, `${name}${suffix}`), { recursive: true, force: true });
  }
  spawnSync("sync");
}

async function overhead(): Promise<void> {
  const dir = folder("overhead");
  try {
    const flatSeconds = seconds ?? (quick ? 5 : 20);
    const pacedSeconds = seconds ?? (quick ? 10 : 60);
    // Pairs of runs, without then with, so that a machine getting busier or quieter moves both sides of a ratio.
    const ratios: number[] = [];
    const flat: string[] = [];
    /** What the replicator did to the log in each run with it, and the largest log of each pair. */
    const logs: string[] = [];
    // The paced pairs first, on a quiet disk (a writer at full speed leaves gigabytes of log to write back); a
    // p99 of a fraction of a millisecond moves with the machine, so pairs, as for the throughput.
    const p99Ratios: number[] = [];
    const pacedPairs: { with: WriterResult; without: WriterResult }[] = [];
    for (let round = 0; round < rounds; round++) {
      const pacedWithout = await runWriter({ db: join(dir, "c.db"), rate: 1000, seconds: pacedSeconds });
      forget(dir, ["c.db"]);
      // Its own run: the rpo scenario's writer shares the machine with the restores it measures.
      const paced = await runWriter({
        db: join(dir, "d.db"),
        rate: 1000,
        seconds: pacedSeconds,
        ...replicatedWriter,
        replicate: { dir: join(dir, "rd"), intervalMs: 1000, ...withCompression },
      });
      forget(dir, ["d.db", "rd"]);
      p99Ratios.push(paced.p99Ms / pacedWithout.p99Ms);
      pacedPairs.push({ with: paced, without: pacedWithout });
    }
    for (let round = 0; round < rounds; round++) {
      const without = await runWriter({ db: join(dir, `a${round}.db`), rate: 0, seconds: flatSeconds });
      forget(dir, [`a${round}.db`]);
      const withIt = await runWriter({
        db: join(dir, `b${round}.db`),
        rate: 0,
        seconds: flatSeconds,
        ...replicatedWriter,
        replicate: { dir: join(dir, `rb${round}`), intervalMs: 1000, ...withCompression },
      });
      forget(dir, [`b${round}.db`, `rb${round}`]);
      ratios.push(withIt.throughput / without.throughput);
      flat.push(`${withIt.throughput.toFixed(0)} vs ${without.throughput.toFixed(0)}`);
      logs.push(
        `${withIt.restarts} log restarts, write lock ${withIt.writeLockTotalMs.toFixed(0)} ms in all (longest ` +
          `${withIt.writeLockMaxMs.toFixed(1)}), log up to ${(withIt.largestLogBytes / MB).toFixed(0)} MB vs ` +
          `${(without.largestLogBytes / MB).toFixed(0)} MB`,
      );
    }
    const throughputRatio = median(ratios);
    const p99Ratio = median(p99Ratios);
    say(
      `overhead (replicator ${describeWhere}; both writers: WAL, synchronous NORMAL, a busy timeout, one 100-byte ` +
        `row per transaction; SQLite's auto-checkpoint at 1,000 frames ${
          writerConfig === "recommended"
            ? "without replication, off with it (as docs/replicate.md recommends: the replicator checkpoints)"
            : "on both (--writer-config default)"
        }): as fast as it can, ${flat.join(", ")} tx/s with vs without ` +
        `(${flatSeconds} s each, ratios ${ratios.map((r) => r.toFixed(2)).join(", ")}; ${logs.join("; ")}); ` +
        `p99 commit at 1,000 tx/s ${pacedPairs
          .map(
            (pair) =>
              `${pair.with.p99Ms.toFixed(2)} vs ${pair.without.p99Ms.toFixed(2)} ms (p50 ${pair.with.p50Ms.toFixed(2)} ` +
              `vs ${pair.without.p50Ms.toFixed(2)}, max ${pair.with.maxMs.toFixed(1)} vs ${pair.without.maxMs.toFixed(1)}; ` +
              `${pair.with.restarts} log restarts, the longest write lock ${pair.with.writeLockMaxMs.toFixed(2)} ms)`,
          )
          .join(
            ", ",
          )} with vs without (${pacedSeconds} s each, ratios ${p99Ratios.map((r) => r.toFixed(2)).join(", ")})`,
    );
    emit({ scenario: "overhead", throughputRatio: +throughputRatio.toFixed(3), p99Ratio: +p99Ratio.toFixed(3) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A database of about `sizeMb` MB (rows with a 1000-byte blob and an index). */
function generate(file: string, sizeMb: number): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount INTEGER, payload BLOB)");
  db.exec("CREATE INDEX orders_customer ON orders (customer)");
  const rows = Math.ceil((sizeMb * MB) / 1400);
  const insert = db.prepare("INSERT INTO orders (customer, amount, payload) VALUES (?, ?, randomblob(1000))");
  const random = new SeededRandom(1);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(`customer-${random.int(0, 100_000)}`, random.int(1, 10_000));
  });
  for (let i = 0; i < rows; i += 50_000) batch(i, Math.min(rows, i + 50_000));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** The log's history: transactions updating random rows, the same for every copy (seeded). */
function history(db: Database.Database, transactions: number, rows: number): void {
  const random = new SeededRandom(99);
  const update = db.prepare("UPDATE orders SET amount = ?, payload = randomblob(1000) WHERE id = ?");
  for (let t = 0; t < transactions; t++) {
    db.transaction(() => {
      for (let i = 0; i < 10; i++) update.run(random.int(1, 10_000), random.int(1, rows));
    })();
  }
}

async function restoreSpeed(): Promise<void> {
  const dir = folder("restore");
  try {
    const sizeMb = Number(values.size ?? (quick ? 64 : 1024));
    const start = join(dir, "start.db");
    generate(start, sizeMb);
    const rows = Math.ceil((sizeMb * MB) / 1400);
    // About a fifth of the database's size in log frames: a day of a busy service's writes.
    const transactions = Math.max(200, Math.round((sizeMb * MB) / 5 / (12 * 4120)));

    // The reference: the snapshot file and one log holding the whole history, replayed by SQLite.
    const refDb = join(dir, "ref.db");
    copyFileSync(start, refDb);
    const ref = new Database(refDb);
    ref.pragma("journal_mode = WAL");
    ref.pragma("wal_autocheckpoint = 0");
    history(ref, transactions, rows);
    copyFileSync(`${refDb}-wal`, join(dir, "ref.wal"));
    ref.close();
    const walMb = statSync(join(dir, "ref.wal")).size / MB;

    // The replica of the same history.
    const appDb = join(dir, "app.db");
    copyFileSync(start, appDb);
    const replicaDir = join(dir, "replica");
    const app = new Database(appDb);
    app.pragma("journal_mode = WAL");
    const replicator = await replicate({
      db: appDb,
      targets: [new LocalDirTarget(replicaDir)],
      intervalMs: 1000,
      ...withCompression,
    });
    await replicator.sync();
    history(app, transactions, rows);
    await replicator.sync();
    const lastAt = Date.now();
    await replicator.stop({ timeoutMs: 600_000 });
    app.close();
    // The setup wrote gigabytes; written to disk now, they would otherwise be written back (and throttle
    // every writer past the kernel's dirty limit) during the first rounds of both sides.
    spawnSync("sync");

    const base: number[] = [];
    /** The baseline's result checked as ours is (the same pragma), timed apart: what a checked copy would cost. */
    const baseCheck: number[] = [];
    const ours: number[] = [];
    /** Where our restore's time went, per round: the snapshot, the segments' replay, SQLite's check and row counts, then the rest of the fsync and the rename. */
    const phases = { snapshot: [] as number[], replay: [] as number[], check: [] as number[], sync: [] as number[] };
    const pragma = check === "quick" ? "quick_check" : "integrity_check";
    for (let round = 0; round < rounds; round++) {
      const baseDb = join(dir, `base-${round}.db`);
      let started = performance.now();
      copyFileSync(start, baseDb);
      copyFileSync(join(dir, "ref.wal"), `${baseDb}-wal`);
      const replay = new Database(baseDb);
      replay.pragma("wal_checkpoint(TRUNCATE)");
      replay.close();
      await syncPath(baseDb);
      base.push(performance.now() - started);
      started = performance.now();
      const checked = new Database(baseDb, { readonly: true });
      checked.pragma(pragma);
      checked.close();
      baseCheck.push(performance.now() - started);
      rmSync(baseDb, { force: true });

      const ourDb = join(dir, `ours-${round}.db`);
      started = performance.now();
      const spent = { snapshot: 0, replay: 0, check: 0, sync: 0 };
      let phase: keyof typeof spent = "snapshot";
      let phaseStarted = started;
      const enter = (next: keyof typeof spent) => {
        const now = performance.now();
        spent[phase] += now - phaseStarted;
        phase = next;
        phaseStarted = now;
      };
      await restoreReplica({
        from: new LocalDirTarget(replicaDir),
        to: ourDb,
        at: new Date(lastAt),
        check,
        // Time goes to the phase of the latest report: from a local folder the segments are read first and the
        // snapshot is written after them (with their pages laid over it).
        onProgress: (p) => {
          const next = p.phase === "download" ? "snapshot" : p.phase;
          if (next !== phase && next in spent) enter(next as keyof typeof spent);
        },
      });
      enter("sync");
      for (const key of Object.keys(spent) as (keyof typeof spent)[]) phases[key].push(spent[key]);
      ours.push(performance.now() - started);
      rmSync(ourDb, { force: true });
    }
    // Like for like: ours is reported good only once SQLite's check passed, so the baseline runs the same check.
    const speedRatio = (median(base) + median(baseCheck)) / median(ours);
    const uncheckedSpeedRatio = median(base) / median(ours);
    const inSeconds = (xs: number[]) => `${(median(xs) / 1000).toFixed(2)} s`;
    say(
      `restore: ${sizeMb} MB database, ${walMb.toFixed(0)} MB of log (${transactions} transactions), ` +
        `compression ${values.compression ?? "deflate"}, check ${pragma}, point in time (medians of ${rounds}): ` +
        `nines ${inSeconds(ours)} (snapshot ${inSeconds(phases.snapshot)}, replay ${inSeconds(phases.replay)}, ` +
        `${pragma} and row counts ${inSeconds(phases.check)}, rest of the fsync and rename ${inSeconds(phases.sync)}) ` +
        `vs copy + SQLite replay ${inSeconds(base)} + ${pragma} of its result ${inSeconds(baseCheck)}: ` +
        `${speedRatio.toFixed(3)} (against the copy and replay alone, unchecked: ${uncheckedSpeedRatio.toFixed(3)})`,
    );
    emit({
      scenario: "restore",
      speedRatio: +speedRatio.toFixed(3),
      check,
      uncheckedSpeedRatio: +uncheckedSpeedRatio.toFixed(3),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function crash(): Promise<void> {
  const killsEach = Number(values.kills ?? (quick ? 5 : 100));
  let kills = 0;
  let torn = 0;
  let gaps = 0;
  for (const kind of ["replicator", "writer"] as const) {
    const dir = folder(`crash-${kind}`);
    try {
      const result = await runCrashRounds({
        kind,
        rounds: killsEach,
        seed: kind === "writer" ? 7 : 3,
        intervalMs: 1000,
        dir,
        rate: 500,
      });
      kills += result.kills;
      torn += result.torn;
      gaps += result.gaps;
      say(
        `crash (${kind}): ${result.kills} kills, ${result.restores} restores, torn ${result.torn}, gaps ${result.gaps}` +
          (kind === "writer"
            ? `, late ${result.late}, longest catch-up ${result.maxCatchUpMs.toFixed(0)} ms (interval 1000 ms, longest upload ${result.maxUploadMs} ms)`
            : "") +
          (result.errors.length > 0 ? `; replicator errors: ${result.errors.join(" | ")}` : ""),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  emit({ scenario: "crash", kills, torn, gaps });
}

/** Full backups and restores: the backup benchmark's two lines, in the same run. */
async function full(): Promise<void> {
  const sizeMb = Number(values.size ?? (quick ? 64 : 1024));
  const { scenarios: lines } = await benchBackup({ sizeMb, rounds, log: say });
  for (const line of lines)
    if (scenarios.includes(line.scenario)) emit({ ...line, vsSqlite3: +line.vsSqlite3.toFixed(3) });
}

if (scenarios.includes("rpo")) await rpo();
if (scenarios.includes("overhead")) await overhead();
if (scenarios.includes("restore")) await restoreSpeed();
if (scenarios.includes("full-backup") || scenarios.includes("full-restore")) await full();
if (scenarios.includes("crash")) await crash();
