import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Clock, systemClock } from "@nines/core";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { belongsToRun, isAlive, markedForRun } from "./process-owner.js";
import { startReaper } from "./reaper.js";

/** Options of {@link RunDirectory.open}. */
export interface RunDirectoryOptions {
  /** How long the reaper lets processes drain (SIGTERM) before SIGKILL when the owner dies; default 5000 ms. */
  graceMs?: number;
  /** Clock for the waits after a kill. */
  clock?: Clock;
}

/**
 * The directory of one local run (`nines up`, a drill, a test): logs, data
 * directories, and one pid file per process group it started. Opening it
 * first ends whatever a previous run on the same directory left running
 * (pid files whose process still belongs to the directory, and any process
 * whose environment names it) and clears the logs, so nothing stale is
 * reused; then it starts a reaper that ends every listed group if this
 * process dies, even by SIGKILL. Children started with
 * {@link RunDirectory.env} are marked as belonging to it.
 *
 * @example
 * const run = await RunDirectory.open(".nines/run/clicktravel");
 * const child = spawn("node", ["web.js"], { detached: true, env: { ...process.env, ...run.env() } });
 * run.register("web-a-0", child.pid!);
 * // ...
 * await run.close();
 */
export class RunDirectory {
  readonly path: string;
  readonly #pidDir: string;
  readonly #reaper: ChildProcess;
  #closed = false;

  private constructor(path: string, reaper: ChildProcess) {
    this.path = path;
    this.#pidDir = join(path, "pids");
    this.#reaper = reaper;
  }

  /** Opens (creating it if needed) and cleans `path`; throws {@link DRILL_ERRORS.runDir} when another live run owns it. */
  static async open(path: string, options: RunDirectoryOptions = {}): Promise<RunDirectory> {
    const dir = resolve(path);
    const clock = options.clock ?? systemClock;
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      throw new DrillError(DRILL_ERRORS.runDir, `run directory ${dir} is a file`, {
        hint: "choose a directory path (it is created when missing)",
      });
    }
    mkdirSync(join(dir, "pids"), { recursive: true });
    mkdirSync(join(dir, "logs"), { recursive: true });
    const lock = join(dir, "owner.pid");
    if (existsSync(lock)) {
      const owner = Number(readFileSync(lock, "utf8").trim());
      if (owner !== process.pid && owner > 0 && isAlive(owner)) {
        throw new DrillError(DRILL_ERRORS.runDir, `run directory ${dir} is in use by process ${owner}`, {
          hint: `stop that run first (kill ${owner}), or use another run directory`,
        });
      }
    }
    await RunDirectory.#endLeftovers(dir, clock);
    // A log names an instance, not a run: the previous run's would read as this one's.
    rmSync(join(dir, "logs"), { recursive: true, force: true });
    mkdirSync(join(dir, "logs"));
    writeFileSync(lock, String(process.pid));
    const reaper = startReaper(join(dir, "pids"), options.graceMs ?? 5000, { NINES_RUN_DIR: dir });
    return new RunDirectory(dir, reaper);
  }

  /** The environment that marks a child as this run's (`NINES_RUN_DIR`). */
  env(): Record<string, string> {
    return { NINES_RUN_DIR: this.path };
  }

  /** A path inside the run directory (created parents are not implied). */
  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  /** Lists process group `pid` under `name` so the reaper and the next run can end it. */
  register(name: string, pid: number): void {
    if (this.#closed) throw new DrillError(DRILL_ERRORS.stopped, `run directory ${this.path} is closed`);
    writeFileSync(join(this.#pidDir, `${safe(name)}.pid`), `${pid}\n`);
  }

  /** Forgets `name` once its process group is gone. */
  unregister(name: string): void {
    rmSync(join(this.#pidDir, `${safe(name)}.pid`), { force: true });
  }

  /** The names still registered. */
  registered(): string[] {
    return readdirSync(this.#pidDir)
      .filter((f) => f.endsWith(".pid"))
      .map((f) => f.slice(0, -4));
  }

  /**
   * Releases the reaper: it ends whatever is still registered (SIGTERM,
   * then SIGKILL after the grace) and exits. Resolves when it has exited.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const reaper = this.#reaper;
    const exited =
      reaper.exitCode !== null || reaper.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((done) => reaper.once("exit", () => done()));
    // Held while we wait for it (it is unreferenced so that it never keeps a process alive by itself).
    reaper.ref();
    reaper.stdin?.end();
    await exited;
    rmSync(join(this.path, "owner.pid"), { force: true });
  }

  static async #endLeftovers(dir: string, clock: Clock): Promise<void> {
    const victims = new Set<number>();
    const pidDir = join(dir, "pids");
    for (const file of readdirSync(pidDir)) {
      const pid = Number(readFileSync(join(pidDir, file), "utf8").trim());
      if (pid > 0 && belongsToRun(pid, dir)) victims.add(pid);
      rmSync(join(pidDir, file), { force: true });
    }
    for (const entry of readdirSync("/proc")) {
      const pid = Number(entry);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && markedForRun(pid, dir)) victims.add(pid);
    }
    for (const pid of victims) killGroup(pid, "SIGKILL");
    const deadlineAt = clock.now() + 5000;
    while ([...victims].some(isAlive) && clock.now() < deadlineAt) await clock.sleep(20);
  }
}

/** Signals process group `pid` (or the process alone when it leads no group); never throws. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}
