// kill -9 at random points, followed each time by a restore: the harness
// shared by the crash test (a CI-sized count) and the replication benchmark
// (the full count). The writer and the replicator are real processes; the
// live database is the truth about what was committed.
// Benchmark-like glue: wall-clock waits and timings are the point here.
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { isNinesError, SeededRandom } from "@nines/core";
import Database from "better-sqlite3";
import { LocalDirTarget } from "../../src/backup/targets/local-dir-target.js";
import { REPLICA_ERRORS } from "../../src/replicate/errors.js";
import { restoreReplica } from "../../src/replicate/restore/restore-replica.js";
import { ledgerOf, openAppDb, prefixCheck } from "./replica-fixtures.js";

const WRITER = fileURLToPath(new URL("replica-writer.ts", import.meta.url));
const REPLICATOR = fileURLToPath(new URL("replica-child.ts", import.meta.url));

export interface CrashOptions {
  /** Whose process is killed: the replicator's or the writing application's. */
  kind: "replicator" | "writer";
  rounds: number;
  seed: number;
  intervalMs: number;
  /** A folder of its own (the database, the replica and restores go there). */
  dir: string;
  /** Transactions per second of the writer (0: as fast as it can). */
  rate?: number;
}

export interface CrashResult {
  kills: number;
  restores: number;
  /** Restores with a transaction cut in two (totals that disagree with the rows). */
  torn: number;
  /** Restores that were not a prefix: a missing transaction, or one that was never committed. */
  gaps: number;
  /** Writer kills: restores, taken once the replicator had an interval and an upload to ship, that missed a committed transaction. */
  late: number;
  /** Writer kills: the longest time from the kill until a restore held every committed transaction (ms). */
  maxCatchUpMs: number;
  /** The longest upload the replicator reported (ms). */
  maxUploadMs: number;
  /** The first errors the replicator reported (retried uploads, snapshots tried again), for the record. */
  errors: string[];
}

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
}

function start(script: string, args: string[], onLine: (line: string) => void = () => undefined): Child {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line === "ready") resolve();
      onLine(line);
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready: ${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  return { process: child, ready };
}

async function kill9(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once("exit", resolve));
  child.process.kill("SIGKILL");
  await exited;
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once("exit", resolve));
  child.process.kill("SIGTERM");
  await exited;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Transactions committed in the live database now (its totals row). */
function committedCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT rows FROM totals WHERE id = 1").get() as { rows: number }).rows;
  } finally {
    db.close();
  }
}

/** The sum of the amounts of the first `k` transactions in the live database. */
function liveSumUpTo(file: string, k: number): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COALESCE(SUM(amount), 0) AS s FROM ledger WHERE id <= ?").get(k) as { s: number }).s;
  } finally {
    db.close();
  }
}

/**
 * Runs `rounds` kills of one process at random moments (seeded), each
 * followed by a restore of the latest point, and counts what the restores
 * got wrong: torn transactions, gaps (not a prefix of what was committed),
 * and, when the writer is killed while the replicator runs, restores that
 * were still missing a committed transaction after an interval and an
 * upload.
 */
export async function runCrashRounds(options: CrashOptions): Promise<CrashResult> {
  const { dir, intervalMs } = options;
  const random = new SeededRandom(options.seed);
  const file = join(dir, "app.db");
  openAppDb(file).close();
  const replicaDir = join(dir, "replica");
  const target = new LocalDirTarget(replicaDir);
  const result: CrashResult = {
    kills: 0,
    restores: 0,
    torn: 0,
    gaps: 0,
    late: 0,
    maxCatchUpMs: 0,
    maxUploadMs: 0,
    errors: [],
  };
  const onReplicatorLine = (line: string) => {
    if (!line.startsWith("{")) return;
    const event = JSON.parse(line) as { stored?: string; durationMs?: number };
    if (event.stored && event.durationMs !== undefined)
      result.maxUploadMs = Math.max(result.maxUploadMs, event.durationMs);
  };
  const startWriter = () => start(WRITER, [file, String(options.rate ?? 500)]);
  const startReplicator = () => start(REPLICATOR, [file, replicaDir, String(intervalMs)], onReplicatorLine);
  let writer = startWriter();
  let replicator = startReplicator();
  let restoreNo = 0;
  /** Restores the latest point and checks it against the committed transactions; undefined when there is no replica yet. */
  const restoreAndCheck = async (): Promise<number | undefined> => {
    const committedBefore = committedCount(file);
    const to = join(dir, `restore-${restoreNo++}.db`);
    try {
      await restoreReplica({ from: target, to });
    } catch (error) {
      if (isNinesError(error, REPLICA_ERRORS.none)) return undefined;
      throw error;
    }
    const restored = ledgerOf(to);
    rmSync(to, { force: true });
    const check = prefixCheck(restored, Math.max(committedBefore, committedCount(file)));
    result.restores++;
    if (check.torn) result.torn++;
    if (check.gap || (check.k > 0 && liveSumUpTo(file, check.k) !== restored.ledgerSum)) result.gaps++;
    return check.k;
  };
  try {
    await writer.ready;
    await replicator.ready;
    for (let round = 0; round < options.rounds; round++) {
      await sleep(100 + random.next() * 900);
      if (options.kind === "replicator") {
        await kill9(replicator);
        result.kills++;
        await restoreAndCheck();
        replicator = startReplicator();
        await replicator.ready;
      } else {
        await kill9(writer);
        result.kills++;
        const killedAt = performance.now();
        const committed = committedCount(file);
        // With the replicator alive, every committed transaction is restorable after an interval and one upload
        // (plus one look at the log, and slack for a busy machine scheduling three processes).
        let caughtUpMs: number | undefined;
        while (caughtUpMs === undefined && performance.now() - killedAt < 20_000) {
          const startedAt = performance.now();
          if ((await restoreAndCheck()) === committed) caughtUpMs = startedAt - killedAt;
          else await sleep(50);
        }
        const bound = intervalMs + result.maxUploadMs + 100 + 1000;
        if (caughtUpMs === undefined || caughtUpMs > bound) result.late++;
        result.maxCatchUpMs = Math.max(result.maxCatchUpMs, caughtUpMs ?? Number.POSITIVE_INFINITY);
        writer = startWriter();
        await writer.ready;
      }
    }
    await kill9(writer);
    await stop(replicator);
    const final = await restoreAndCheck();
    if (final !== committedCount(file)) result.late++;
  } finally {
    await kill9(writer);
    await kill9(replicator);
  }
  return result;
}
