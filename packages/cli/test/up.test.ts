import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runMain } from "./support/run-main.js";

const root = new URL("../../../", import.meta.url).pathname;
const NINES = join(root, "packages/cli/test/run-nines.ts");
/** The drill's reduced system: two guard services in two zones and a PostgreSQL pair. */
const SPEC = join(root, "packages/drill/test/fixtures/up/nines.yaml");

interface Started {
  child: ChildProcessWithoutNullStreams;
  up: { instances: { id: string; pid: number }[]; frontDoors: { url: string }[]; runDir: string };
  exited: Promise<number | null>;
  lines: string[];
}

/** `nines up SPEC --json` as a real process, resolved once it says the system is up. */
async function startUp(runDir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", NINES, "up", SPEC, "--run-dir", runDir, "--json", "--scale", "10"],
    { cwd: root, stdio: ["pipe", "pipe", "pipe"] },
  );
  const lines: string[] = [];
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started = await new Promise<Started["up"]>((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        lines.push(line);
        const event = JSON.parse(line) as { event: string };
        if (event.event === "up") resolve(event as unknown as Started["up"]);
        newline = buffer.indexOf("\n");
      }
    });
    void exited.then((code) => reject(new Error(`nines up exited with ${code}: ${err}`)));
  });
  return { child, up: started, exited, lines };
}

/** Live processes of the run: marked with NINES_RUN_DIR, or naming a path inside it (PostgreSQL). */
function runProcesses(runDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const zombie = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
      if (zombie) continue;
      if (environ.includes(`NINES_RUN_DIR=${runDir}`) || cmdline.some((a) => a.startsWith(`${runDir}/`))) {
        pids.push(Number(entry));
      }
    } catch {}
  }
  return pids;
}

/** True while any process of group `pgid` exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

describe("nines up as a real process", () => {
  // The fixture services run on the built packages.
  before(() => {
    execFileSync(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/guard", "packages/data"],
      {
        cwd: root,
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
  });
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "nines-up-cli-"));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) {
      for (const pid of runProcesses(dir)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves through its front door; SIGINT drains everything and leaves no process behind", async () => {
    const dir = tempDir();
    const run = await startUp(dir);
    const groups = run.up.instances.map((i) => i.pid);
    assert.equal(groups.length, 4);
    assert.ok(groups.every(groupAlive));
    const response = await fetch(`${run.up.frontDoors[0]?.url}/api/back`);
    assert.equal(response.status, 200);
    const family = runProcesses(dir);
    // 4 instances, 2 PostgreSQL servers (and their backends), the reaper.
    assert.ok(family.length >= 7, `processes of the run: ${family.length}`);
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 0);
    assert.deepEqual(JSON.parse(run.lines.at(-1) ?? "{}"), { event: "stopped" });
    assert.deepEqual(runProcesses(dir), [], "no instance, PostgreSQL server or reaper left");
    assert.deepEqual(groups.filter(groupAlive), [], "no process group of an instance left");
    assert.deepEqual(readdirSync(join(dir, "pids")), []);
  });

  it("after a SIGKILLed run, a second run on the same directory starts clean", async () => {
    const dir = tempDir();
    const first = await startUp(dir);
    const old = runProcesses(dir);
    first.child.kill("SIGKILL");
    await first.exited;
    const second = await startUp(dir);
    assert.deepEqual(
      old.filter((pid) => runProcesses(dir).includes(pid)),
      [],
      "nothing of the first run is reused or left",
    );
    const response = await fetch(`${second.up.frontDoors[0]?.url}/api/back`);
    assert.equal(response.status, 200);
    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0);
    assert.ok(await until(() => runProcesses(dir).length === 0, 5000));
  });
});

describe("nines up: bad input", () => {
  it("refuses a scale below 1 and a service it cannot start, before starting anything", async () => {
    const scale = await runMain(["up", SPEC, "--scale", "0.5"]);
    assert.equal(scale.status, 2);
    assert.match(scale.err, /--scale must be >= 1/);
    const dir = mkdtempSync(join(tmpdir(), "nines-up-bad-"));
    try {
      writeFileSync(
        join(dir, "nines.yaml"),
        "name: T\nplatform: { regions: { r1: [a] } }\nservices:\n  api: { zones: [a], instances: 1, capacity: 10, load: 5 }\n",
      );
      const norun = await runMain(["up", "nines.yaml", "--json"], { cwd: dir });
      assert.equal(norun.status, 2);
      const error = JSON.parse(norun.out) as { error: { code: string; hint: string } };
      assert.equal(error.error.code, "NINES_DRILL_NOT_RUNNABLE");
      assert.match(error.error.hint, /run: \{ command/);
      assert.deepEqual(readdirSync(dir), ["nines.yaml"], "no run directory was made");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
