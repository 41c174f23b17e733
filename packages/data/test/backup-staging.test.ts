import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { systemClock } from "@nines/core";
import { listBackups } from "../src/backup/catalog.js";
import { createBackup } from "../src/backup/create-backup.js";
import { restoreBackup } from "../src/backup/restore-backup.js";
import { applyRetention } from "../src/backup/retention/apply-retention.js";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import { checkBank, createBank } from "./support/backup-fixtures.js";

const CHILD = fileURLToPath(new URL("./support/backup-child.ts", import.meta.url));

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, ...args], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** The staging folders in `dir` (hidden, `.nines-staging-*`). */
function stagingIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith(".nines-staging-")) : [];
}

/** Waits until `dir` holds a staging folder with a data file of at least `bytes`, then freezes the child (SIGSTOP). */
async function freezeMidway(child: ChildProcess, dir: string, file: string, bytes: number): Promise<string> {
  const deadline = systemClock.now() + 60_000;
  for (;;) {
    for (const name of stagingIn(dir)) {
      const path = join(dir, name, file);
      if (existsSync(path) && statSync(path).size >= bytes) {
        child.kill("SIGSTOP");
        return name;
      }
    }
    if (child.exitCode !== null) throw new Error("the child finished before it could be caught midway");
    if (systemClock.now() > deadline) throw new Error(`no staging file in ${dir} within 60 s`);
    await systemClock.sleep(2);
  }
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

const MB = 1024 * 1024;

describe("what killed backups and restores leave behind", () => {
  let root = "";
  let db = "";
  before(() => {
    root = mkdtempSync(join(tmpdir(), "nines-backup-kill-"));
    db = join(root, "bank.db");
    createBank(db, { paddingMb: 96 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("a backup killed with SIGKILL leaves its staging folder; a live one's is never touched; the next backup removes it", async () => {
    const dir = join(root, "backups");
    const target = new LocalDirTarget(dir);
    const child = start(["backup", db, dir]);
    try {
      const name = await freezeMidway(child, dir, "data.sqlite", 4 * MB);
      // Stopped, not dead: its lease is live, and neither listing nor retention may remove its files.
      const live = await listBackups(target);
      assert.deepEqual(
        live.staging.map((s) => [s.name, s.state, s.operation, s.owner?.pid]),
        [[name, "live", "backup", child.pid]],
      );
      const retained = await applyRetention(target, { keepLast: 1, keepDaily: 0, keepWeekly: 0 });
      assert.deepEqual(retained.staging, []);
      assert.deepEqual(stagingIn(dir), [name]);

      await kill(child);
      const dead = await listBackups(target);
      assert.equal(dead.staging.length, 1);
      const left = dead.staging[0];
      assert.equal(left?.state, "abandoned");
      assert.ok((left?.bytes ?? 0) >= 4 * MB, `the leftover holds the partial copy (${left?.bytes} bytes)`);
      assert.equal(dead.backups.length, 0, "nothing that looks like a backup");

      const { manifest, removed } = await createBackup({ source: db, targets: [target] });
      assert.deepEqual(
        removed.map((r) => r.name),
        [name],
      );
      assert.deepEqual(stagingIn(dir), [], "the leftover and this backup's own staging are gone");
      assert.deepEqual(
        (await listBackups(target)).backups.map((b) => b.id),
        [manifest.id],
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) await kill(child);
    }
  });

  it("retention removes what a killed backup left and says so", async () => {
    const dir = join(root, "backups");
    const child = start(["backup", db, dir]);
    const name = await freezeMidway(child, dir, "data.sqlite", MB);
    await kill(child);
    const result = await applyRetention(new LocalDirTarget(dir), { keepLast: 1, keepDaily: 0, keepWeekly: 0 });
    assert.deepEqual(
      result.staging.map((s) => [s.name, s.state]),
      [[name, "abandoned"]],
    );
    assert.deepEqual(stagingIn(dir), []);
  });

  it("a restore killed with SIGKILL leaves its download beside the destination; the next restore there removes it", async () => {
    const dir = join(root, "backups");
    const destination = join(root, "restore-here");
    const to = join(destination, "restored.db");
    const child = start(["restore", dir, to]);
    try {
      const name = await freezeMidway(child, destination, "data.sqlite", 4 * MB);
      await kill(child);
      assert.deepEqual(stagingIn(destination), [name]);
      assert.equal(existsSync(to), false, "the destination was never written");

      const result = await restoreBackup({ from: new LocalDirTarget(dir), to });
      assert.deepEqual(
        result.removed.map((r) => [r.name, r.operation, r.state]),
        [[name, "restore", "abandoned"]],
      );
      assert.deepEqual(stagingIn(destination), []);
      assert.equal(checkBank(to).integrity, "ok");
    } finally {
      if (child.exitCode === null && child.signalCode === null) await kill(child);
    }
  });
});
