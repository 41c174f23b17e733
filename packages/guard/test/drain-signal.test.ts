// Graceful drain in a real child process stopped by a real SIGTERM.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { get } from "./subjects.js";

const fixture = fileURLToPath(new URL("./fixtures/drain-child.ts", import.meta.url));

async function startChild(
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", fixture], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  let stdout = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start: ${stderr}`)), 20_000);
    child.stdout?.on("data", (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.on("exit", (code) => reject(new Error(`child exited early with ${code}: ${stderr}`)));
  });
  return { child, port, stderr: () => stderr };
}

async function exitCode(child: ChildProcess, limitMs = 10_000): Promise<number | null> {
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return code;
}

describe("drain on SIGTERM (child process)", () => {
  it("fails readiness at once, keeps liveness, finishes in-flight work, runs cleanup and exits 0", async () => {
    const { child, port, stderr } = await startChild();
    assert.equal((await get(port, "/readyz")).status, 200);
    const slow = get(port, "/slow");
    // Give the request time to reach the child before the signal (the child is another process).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalledAt = performance.now();
    child.kill("SIGTERM");
    child.kill("SIGTERM");
    let ready = await get(port, "/readyz");
    while (ready.status === 200 && performance.now() - signalledAt < 250) ready = await get(port, "/readyz");
    assert.equal(ready.status, 503, "readiness fails before the server stops accepting");
    assert.equal(JSON.parse(ready.body).status, "draining");
    assert.equal((await get(port, "/livez")).status, 200, "liveness stays OK while draining");
    const answer = await slow;
    assert.equal(answer.status, 200);
    assert.equal(answer.body, "slow done");
    await assert.rejects(get(port, "/hello"), { code: "ECONNREFUSED" });
    assert.equal(await exitCode(child), 0);
    assert.match(stderr(), /cleanup flush ran/);
    assert.match(stderr(), /report \{"ok":true,"inflightAtStop":1,"abandoned":0\}/);
    assert.doesNotMatch(stderr(), /nines guard:/, "without a log option the library prints nothing");
  });

  it("cuts off a hung cleanup hook, reports it by exit status 1 and through the app's log", async () => {
    const { child, stderr } = await startChild({ HANG: "quiet", LOG: "stderr" });
    child.kill("SIGTERM");
    assert.equal(await exitCode(child), 1);
    assert.match(stderr(), /nines guard: SIGTERM received, draining/);
    assert.match(stderr(), /cleanup hook "stuck" timed_out/);
    assert.match(stderr(), /cleanup FAILED/);
  });

  it("lets the app exit in onDrained when a hung hook holds the event loop", async () => {
    const { child, stderr } = await startChild({ HANG: "handle" });
    child.kill("SIGTERM");
    assert.equal(await exitCode(child), 1);
    assert.match(stderr(), /report \{"ok":false/);
  });
});
