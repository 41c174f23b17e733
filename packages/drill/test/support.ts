import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@nines/core";
import { isAlive } from "../src/process/process-owner.js";

/** The fixture service every process test starts. */
export const SERVICE = new URL("./fixtures/service.mjs", import.meta.url).pathname;

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "nines-drill-"): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls `condition` every 20 ms until true or `timeoutMs` passes; returns whether it became true. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = systemClock.now() + timeoutMs;
  while (systemClock.now() < deadline) {
    if (await condition()) return true;
    await systemClock.sleep(20);
  }
  return await condition();
}

/** Waits until none of `pids` is alive. */
export async function allDead(pids: number[], timeoutMs = 8000): Promise<boolean> {
  return await eventually(() => pids.every((pid) => !isAlive(pid)), timeoutMs);
}

/** SIGKILLs what is left of `pids` (the last resort of a test's cleanup). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
}

/** GETs a JSON body (throws on a non-2xx answer). */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

/** The reduced system `nines up` is tested on (two guard services, two zones, a PostgreSQL pair). */
export const UP_SPEC = new URL("./fixtures/up/nines.yaml", import.meta.url).pathname;

/**
 * Every live process of the run in `runDir`: marked with `NINES_RUN_DIR`
 * (instances, their children, the reaper) or naming a path inside it (a
 * PostgreSQL server).
 */
export function runProcesses(runDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
      if (environ.includes(`NINES_RUN_DIR=${runDir}`) || cmdline.some((a) => a.startsWith(`${runDir}/`))) {
        pids.push(Number(entry));
      }
    } catch {}
  }
  return pids.filter(isAlive);
}

/**
 * Builds what the process fixtures run (`node x.mjs` imports the packages'
 * `dist`): an incremental `tsc -b`, a no-op when nothing changed.
 */
export function buildPackages(...projects: string[]): void {
  const root = new URL("../../../", import.meta.url).pathname;
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", ...projects], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
}
