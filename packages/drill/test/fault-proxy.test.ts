import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { isNinesError, SeededRandom } from "@nines/core";
import { Agent, request } from "undici";
import { DRILL_ERRORS } from "../src/errors.js";
import { FaultProxy } from "../src/fault/fault-proxy.js";

async function upstream(t: { after: (fn: () => Promise<void>) => void }, port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/big") {
      res.end(Buffer.alloc(Number(url.searchParams.get("bytes")), 97));
      return;
    }
    res.end("hello");
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  t.after(() => closeServer(server));
  return server;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function harness(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await upstream(t);
  const proxy = await FaultProxy.listen({
    target: (server.address() as AddressInfo).port,
    random: new SeededRandom(7),
  });
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 1 });
  t.after(async () => {
    await proxy.close();
    await agent.close().catch(() => {});
  });
  const get = async (path = "/", timeoutMs = 2000) => {
    const started = performance.now();
    try {
      const response = await request(`${proxy.url}${path}`, {
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await response.body.text();
      return { status: response.statusCode, body, ms: performance.now() - started, error: null as string | null };
    } catch (error) {
      return {
        status: 0,
        body: "",
        ms: performance.now() - started,
        error: (error as { code?: string }).code ?? String(error),
      };
    }
  };
  return { server, proxy, get };
}

describe("FaultProxy", () => {
  it("forwards HTTP in pass mode", async (t) => {
    const { get, proxy } = await harness(t);
    assert.deepEqual((await get()).body, "hello");
    assert.equal(proxy.stats().connections, 1);
  });

  it("blackhole: requests hang (no refusal, no answer) on open and new connections, then traffic resumes", async (t) => {
    const { get, proxy } = await harness(t);
    assert.equal((await get()).status, 200);
    proxy.setMode({ kind: "blackhole" });
    const stalled = await get("/", 400);
    assert.equal(stalled.error, "UND_ERR_HEADERS_TIMEOUT", "hung until the client's timeout, not refused");
    assert.ok(stalled.ms >= 390);
    const fresh = new Agent();
    t.after(() => fresh.close());
    await assert.rejects(
      request(proxy.url, { dispatcher: fresh, headersTimeout: 300 }),
      (e: { code?: string }) => e.code === "UND_ERR_HEADERS_TIMEOUT",
    );
    proxy.setMode({ kind: "pass" });
    assert.equal((await get()).body, "hello");
  });

  it("latency: every answer arrives delayMs later", async (t) => {
    const { get, proxy } = await harness(t);
    await get();
    proxy.setMode({ kind: "latency", delayMs: 300 });
    const slow = await get();
    assert.equal(slow.body, "hello");
    assert.ok(slow.ms >= 295, `took ${slow.ms} ms`);
    proxy.setMode({ kind: "pass" });
    const fast = await get();
    assert.ok(fast.ms < slow.ms - 150, `${fast.ms} ms without the fault, ${slow.ms} ms with it`);
  });

  it("bandwidth: a 60 kB answer at 100 kB/s takes about 0.6 s", async (t) => {
    const { get, proxy } = await harness(t);
    proxy.setMode({ kind: "bandwidth", bytesPerSecond: 100_000 });
    const big = await get("/big?bytes=60000", 5000);
    assert.equal(big.body.length, 60_000);
    assert.ok(big.ms >= 500 && big.ms < 2500, `took ${big.ms} ms`);
  });

  it("error: answers 503 itself with the injected-fault code; a ratio fails only that share", async (t) => {
    const { get, proxy } = await harness(t);
    proxy.setMode({ kind: "error", status: 503 });
    const failed = await get();
    assert.equal(failed.status, 503);
    assert.equal(JSON.parse(failed.body).error, DRILL_ERRORS.injectedFault);
    proxy.setMode({ kind: "error", status: 500, ratio: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await get()).status);
    const errors = statuses.filter((s) => s === 500).length;
    assert.ok(errors > 8 && errors < 32, `${errors} of 40 failed`);
    assert.ok(statuses.every((s) => s === 200 || s === 500));
  });

  it("reset: connections are reset", async (t) => {
    const { get, proxy } = await harness(t);
    proxy.setMode({ kind: "reset" });
    const reset = await get();
    assert.equal(reset.status, 0);
    assert.match(String(reset.error), /ECONNRESET|UND_ERR_SOCKET/);
    assert.ok(proxy.stats().resets >= 1);
  });

  it("mirrors a down instance as a refusal, and listens again when it is back", async (t) => {
    const { get, server } = await harness(t);
    const port = (server.address() as AddressInfo).port;
    await closeServer(server);
    const first = await get();
    assert.equal(first.status, 0);
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = (await get()).error === "ECONNREFUSED";
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(refused, "callers are refused while the instance is down");
    await upstream(t, port);
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      back = (await get()).body === "hello";
      if (!back) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(back, "serves again once the instance accepts");
  });

  it("rejects a wrong mode with the option's name", async (t) => {
    const { proxy } = await harness(t);
    assert.throws(
      () => proxy.setMode({ kind: "error", status: 418 as 500 }),
      (e: unknown) => isNinesError(e, "NINES_OPTION_INVALID") && /mode\.status/.test(e.message),
    );
  });
});
