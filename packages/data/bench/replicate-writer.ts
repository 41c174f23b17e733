// The application of the replication benchmark, in a process of its own:
// commits one event row per transaction (its commit time in `at`) for
// SECONDS, at RATE per second (0: as fast as it can, yielding every 100),
// optionally replicating its own database in-process to DIR (the library
// use: "an application starts it beside its database"). Its connection:
// WAL, synchronous NORMAL, a busy timeout, and SQLite's auto-checkpoint
// (1,000 frames) unless AUTOCHECKPOINT is given (0: off, what
// docs/replicate.md recommends beside a replicator, which checkpoints).
// Prints one JSON line: { committed, seconds, throughput, p50Ms, p99Ms,
// maxMs, writeLockMaxMs, writeLockTotalMs, restarts, largestLogBytes }
// (the replicator's log restarts, and the largest the log file was seen).
// A commit's latency is from when it was due (its slot in the schedule), or from when it started if earlier,
// until it returned, so a stall of the event loop counts.
//   replicate-writer.ts '{"db":"app.db","rate":1000,"seconds":60,"autocheckpoint":0,"replicate":{"dir":"replica","intervalMs":1000}}'
// Benchmark glue: wall-clock timing through performance.now() is the point here.
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { replicate } from "../src/replicate/replicate.js";

interface Args {
  db: string;
  rate: number;
  seconds: number;
  /** `PRAGMA wal_autocheckpoint` of the writer's connection; SQLite's default (1,000 frames) when not given. */
  autocheckpoint?: number;
  replicate?: {
    dir: string;
    intervalMs: number;
    compression?: "deflate" | "brotli" | "none";
    /** Run the replicator in a process of its own (as `nines data replicate` does) rather than in this one. */
    process?: boolean;
    /** In this process: in a worker thread (the library's default) or in this thread. */
    thread?: "worker" | "caller";
  };
}

const args = JSON.parse(process.argv[2] ?? "{}") as Args;
const db = new Database(args.db);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 10000");
if (args.autocheckpoint !== undefined) db.pragma(`wal_autocheckpoint = ${args.autocheckpoint}`);
db.exec("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, payload BLOB NOT NULL)");
const insert = db.prepare("INSERT INTO events (at, payload) VALUES (?, randomblob(100))");
const replicator =
  args.replicate && !args.replicate.process
    ? await replicate({
        db: args.db,
        targets: [new LocalDirTarget(args.replicate.dir)],
        intervalMs: args.replicate.intervalMs,
        ...(args.replicate.compression ? { compression: args.replicate.compression } : {}),
        ...(args.replicate.thread ? { thread: args.replicate.thread } : {}),
      })
    : undefined;
let writeLockMaxMs = 0;
let writeLockTotalMs = 0;
let restarts = 0;
replicator?.on("checkpoint", (e) => {
  if (e.writeLockMs === undefined) return;
  writeLockMaxMs = Math.max(writeLockMaxMs, e.writeLockMs);
  writeLockTotalMs += e.writeLockMs;
  restarts++;
});
let largestLogBytes = 0;
const lookAtLog = () => {
  largestLogBytes = Math.max(largestLogBytes, statSync(`${args.db}-wal`, { throwIfNoEntry: false })?.size ?? 0);
};
await replicator?.sync();
// The replicator as a process of its own: the crash tests' child, started here and stopped with SIGTERM at the end.
const child =
  args.replicate?.process === true
    ? spawn(
        process.execPath,
        [
          "--conditions=source",
          "--import",
          "tsx",
          fileURLToPath(new URL("../test/support/replica-child.ts", import.meta.url)),
          args.db,
          args.replicate.dir,
          String(args.replicate.intervalMs),
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      )
    : undefined;
if (child) {
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line === "ready") resolve();
    });
    child.once("exit", (code) => reject(new Error(`the replicator exited (${code})`)));
  });
}
process.stdout.write("ready\n");

const latencies: number[] = [];
const started = performance.now();
const end = started + args.seconds * 1000;
let committed = 0;
while (performance.now() < end) {
  if (args.rate > 0) {
    const due = started + (committed * 1000) / args.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (committed % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    // From when it was due, or from when it started if it started early (a wait under 1 ms is not slept).
    const from = Math.min(due, performance.now());
    insert.run(Date.now());
    latencies.push(performance.now() - from);
    if (committed % 1000 === 999) lookAtLog();
  } else {
    insert.run(Date.now());
    if (committed % 100 === 99) {
      if (committed % 2000 === 1999) lookAtLog();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  committed++;
}
const seconds = (performance.now() - started) / 1000;
lookAtLog();
await replicator?.stop({ timeoutMs: 120_000 });
if (child) {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
db.close();
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    committed,
    seconds,
    throughput: committed / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? 0,
    writeLockMaxMs,
    writeLockTotalMs,
    restarts,
    largestLogBytes,
  })}\n`,
);
