// Issue 8, item 16: a settled call must leave no timeout timer pending. The
// shared timer of a timeout stage used to stay armed until the old deadline,
// so a process waiting for its timers to drain lived on for timeoutMs.
import assert from "node:assert/strict";
import { createHook } from "node:async_hooks";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { retry, timeout, wrap } from "@nines/resilience";

const root = new URL("../../..", import.meta.url).pathname;
const child = join(root, "packages", "resilience", "test", "fixtures", "timer-drain-child.ts");
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("a settled call leaves no timer behind (real clock)", () => {
  test("a process whose clock keeps it alive exits as soon as its calls settle, not at the old deadline", async () => {
    const started = Date.now();
    const proc = spawn(process.execPath, ["--conditions=source", "--import", "tsx", child], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    // 15 s of patience on a busy machine; the timeouts in the child are 30 and 60 s.
    const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      proc.on("exit", (c, s) => resolve([c, s])),
    );
    clearTimeout(killer);
    assert.equal(signal, null, `the child was still running after 15 s (timers pending); stdout: ${stdout}`);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "settled after 2 attempts\n");
    assert.ok(Date.now() - started < 15_000);
  });

  test("with the system clock: no timer of the stage is alive once the calls settle", async () => {
    const live = new Set<number>();
    const hook = createHook({
      init(id, type) {
        if (type === "Timeout") live.add(id);
      },
      destroy(id) {
        live.delete(id);
      },
    }).enable();
    try {
      const policy = wrap(
        timeout({ timeoutMs: 60_000 }),
        retry({ maxAttempts: 2, backoff: { initialDelayMs: 0 }, idempotent: true }),
        timeout({ timeoutMs: 30_000 }),
      );
      let armed = 0;
      for (let i = 0; i < 5; i++) {
        const call = policy.execute(() => new Promise((resolve) => setImmediate(resolve, i)));
        await turn();
        armed = Math.max(armed, live.size);
        assert.equal(await call, i);
      }
      assert.ok(armed > 0, "a pending call is watched by a timer");
      await turn();
      await turn();
      assert.equal(live.size, 0, "every timer was cancelled when its calls settled");
    } finally {
      hook.disable();
    }
  });

  test("with the system clock: awaited calls that answer at once arm no timer, even under two timeouts", async () => {
    let created = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === "Timeout") created++;
      },
    }).enable();
    try {
      const policy = wrap(
        timeout({ timeoutMs: 60_000 }),
        retry({ maxAttempts: 2, idempotent: true }),
        timeout({ timeoutMs: 30_000 }),
      );
      for (let i = 0; i < 1000; i++) assert.equal(await policy.execute(() => i), i);
      await turn();
      assert.equal(created, 0);
    } finally {
      hook.disable();
    }
  });
});
