import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";

const fixture = new URL("./fixtures/crashing-server.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "nines-qod-crash-"));
const journal = join(dir, "qod.journal");
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  port: number;
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function start(args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", fixture, journal, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    return { port: (JSON.parse(line) as { port: number }).port, child, stderr: () => stderr, exited };
  }
  throw new Error(`the server exited before listening: ${stderr}`);
}

function get(
  port: number,
  doc: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string } | "reset"> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/docs", headers: { "x-doc": doc } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", () => resolve("reset"));
    req.end();
  });
}

describe("query-of-death quarantine across real crashes", () => {
  it("refuses a request that killed the process twice on its third try, and serves the rest", async () => {
    for (let crash = 1; crash <= 2; crash++) {
      const server = await start();
      const fine = await get(server.port, "fine");
      assert.ok(fine !== "reset" && fine.status === 200, `crash ${crash}: a normal request is served`);
      assert.equal(await get(server.port, "poison"), "reset", `crash ${crash}: the poison request kills the process`);
      assert.notEqual(await server.exited, 0);
      // The second start found the first crash in the journal; without a `log` option it says nothing.
      assert.doesNotMatch(server.stderr(), /nines guard:/, `crash ${crash}: the library prints nothing by default`);
    }
    const server = await start(["--log"]);
    const refused = await get(server.port, "poison");
    assert.ok(refused !== "reset", "the third try is answered, not crashed");
    assert.equal(refused.status, 503);
    assert.equal(refused.headers["x-nines-rejected"], "quarantined");
    assert.ok(Number(refused.headers["retry-after"]) > 0);
    assert.match(refused.body, /GET \/docs\|doc=poison/);
    const fine = await get(server.port, "fine");
    assert.ok(fine !== "reset" && fine.status === 200, "other requests are still served");
    assert.match(server.stderr(), /request "GET \/docs\|doc=poison" was running when the process died/);
    assert.match(server.stderr(), /quarantined query of death "GET \/docs\|doc=poison"/);
    server.child.kill("SIGTERM");
  });
});
