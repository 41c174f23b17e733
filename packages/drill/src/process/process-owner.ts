import { readFileSync } from "node:fs";

/**
 * True when process `pid` belongs to the run directory `runDir`: its
 * environment has `NINES_RUN_DIR=<runDir>` (every instance the supervisor
 * starts) or its command line names a path inside `runDir` (a PostgreSQL
 * server whose data directory is there). Guards against killing an
 * unrelated process that reused a stale pid.
 *
 * @example
 * if (belongsToRun(pid, "/tmp/nines/run")) process.kill(-pid, "SIGKILL");
 */
export function belongsToRun(pid: number, runDir: string): boolean {
  if (markedForRun(pid, runDir)) return true;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
    return cmdline.some((arg) => arg === runDir || arg.startsWith(`${runDir}/`));
  } catch {
    return false;
  }
}

/** True when the environment of `pid` has `NINES_RUN_DIR=<runDir>` (a child started for that run, or its descendant). */
export function markedForRun(pid: number, runDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`NINES_RUN_DIR=${runDir}`);
  } catch {
    return false;
  }
}

/** True while `pid` exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The state letter follows the command name in parentheses; Z is a zombie.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
