import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isAlive } from "../src/process/process-owner.js";
import { RunDirectory } from "../src/process/run-directory.js";
import { allDead, killAll, tempDir } from "./support.js";

const FIXTURE = new URL("./fixtures/run-supervisor.ts", import.meta.url).pathname;

/** Every pid whose environment marks it as belonging to `runDir` (instances, grandchildren, the reaper). */
function marked(runDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(`NINES_RUN_DIR=${runDir}`)) {
        pids.push(Number(entry));
      }
    } catch {}
  }
  return pids.filter(isAlive);
}

async function startSupervisor(runDir: string): Promise<{ pid: number; instances: number[] }> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", FIXTURE, runDir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0] as string);
    });
    child.once("exit", (code) => reject(new Error(`supervisor fixture exited with ${code}`)));
  });
  return { pid: child.pid as number, instances: JSON.parse(line) as number[] };
}

describe("nothing is left running when the supervisor dies", () => {
  it("SIGKILL of the supervisor: the reaper ends every instance and its children", async (t) => {
    const dir = tempDir();
    const all: number[] = [];
    t.after(() => {
      killAll([...all, ...marked(dir.path)]);
      dir.remove();
    });
    const supervisor = await startSupervisor(dir.path);
    all.push(supervisor.pid, ...supervisor.instances);
    const family = marked(dir.path);
    all.push(...family);
    // Two instances, a grandchild and the reaper.
    assert.ok(family.length >= 4, `expected instances, a grandchild and the reaper, got ${family.length}`);
    process.kill(supervisor.pid, "SIGKILL");
    assert.ok(await allDead(family, 8000), "every process of the run ended (SIGTERM, then SIGKILL after the grace)");
    assert.deepEqual(readdirSync(`${dir.path}/pids`), []);
  });

  it("when the reaper dies too, the next run on the same directory ends the leftovers", async (t) => {
    const dir = tempDir();
    const all: number[] = [];
    t.after(() => {
      killAll([...all, ...marked(dir.path)]);
      dir.remove();
    });
    const supervisor = await startSupervisor(dir.path);
    all.push(supervisor.pid, ...marked(dir.path));
    // Kill the supervisor and its reaper at once: nothing is left to clean up.
    const reaper = marked(dir.path).filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("nines-reaper"),
    );
    assert.equal(reaper.length, 1);
    process.kill(reaper[0] as number, "SIGKILL");
    process.kill(supervisor.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const leftovers = marked(dir.path);
    assert.ok(leftovers.length >= 3, "instances and the grandchild are still running");
    const next = await RunDirectory.open(dir.path, { graceMs: 500 });
    t.after(() => next.close());
    assert.deepEqual(leftovers.filter(isAlive), []);
    assert.deepEqual(next.registered(), []);
  });
});
