// Bad input against a real guarded node:http server on 127.0.0.1, driven by
// raw `net` sockets: every case gets a clear, bounded answer and the server
// keeps serving everyone else.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { BODY_TOO_LARGE, createGuard, type Guard, guardHttpServer, readBody } from "../src/index.js";
import { get, sample } from "./subjects.js";

/** Sends `parts` on a fresh socket and collects everything until the server closes it (or `limitMs`). */
function exchange(
  port: number,
  parts: (string | Buffer)[],
  limitMs = 3000,
): Promise<{ text: string; closed: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => finish(false), limitMs);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closed, ms: performance.now() - started });
    };
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => finish(true));
    socket.on("error", () => {});
    socket.on("connect", () => {
      for (const part of parts) socket.write(part);
    });
  });
}

function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

describe("bad input", () => {
  let guard: Guard;
  let server: Server;
  let port: number;
  let checkRuns = 0;
  let releaseCheck: (() => void) | undefined;

  before(async () => {
    guard = createGuard({
      maxBodyBytes: 1024 * 1024,
      server: { headersTimeoutMs: 400, requestTimeoutMs: 800, connectionsCheckingIntervalMs: 50, maxHeaderSize: 8192 },
      readiness: [
        {
          name: "db",
          cacheMs: 60_000,
          check: () => {
            checkRuns++;
            return new Promise<void>((resolve) => (releaseCheck = resolve));
          },
        },
      ],
    });
    server = guardHttpServer(async (req, res) => {
      if (req.url === "/upload") {
        try {
          const body = await readBody(req, { limitBytes: 64 * 1024 });
          res.end(`got ${body.length}`);
        } catch (e) {
          if (!isNinesError(e, BODY_TOO_LARGE)) throw e;
          res.writeHead(413, { connection: "close", "content-type": "application/json" });
          res.end(JSON.stringify({ error: e.code, message: e.message }));
        }
        return;
      }
      res.end("hello");
    }, guard);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers a malformed request with 400 and a JSON error, then closes", async () => {
    const { text, closed } = await exchange(port, ["HELLO THERE\r\n\r\n"]);
    assert.equal(statusOf(text), 400);
    assert.match(text, /"error":"NINES_GUARD_BAD_REQUEST"/);
    assert.ok(closed);
    const bad = await exchange(port, ["GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"]);
    assert.equal(statusOf(bad.text), 400);
  });

  it("answers headers beyond maxHeaderSize with 431", async () => {
    const { text, closed } = await exchange(port, [
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    ]);
    assert.equal(statusOf(text), 431);
    assert.match(text, /NINES_GUARD_HEADERS_TOO_LARGE/);
    assert.ok(closed);
  });

  it("refuses a huge declared body with 413 before reading it, and a huge chunked body once it passes the limit", async () => {
    const declared = await exchange(port, [
      "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n",
      "x".repeat(1000),
    ]);
    assert.equal(statusOf(declared.text), 413);
    assert.match(declared.text, /NINES_GUARD_BODY_TOO_LARGE/);
    assert.ok(declared.closed, "the connection is closed instead of reading 50 MB");
    const chunk = `${(16 * 1024).toString(16)}\r\n${"y".repeat(16 * 1024)}\r\n`;
    const chunked = await exchange(port, [
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      ...Array.from({ length: 10 }, () => chunk),
    ]);
    assert.equal(statusOf(chunked.text), 413);
    assert.match(chunked.text, /larger than 65536 bytes/);
    const small = await get(port, "/upload", { method: "POST", body: "z".repeat(100) });
    assert.equal(small.body, "got 100");
  });

  it("survives a probe flood: 300 concurrent readiness probes run the dependency check once, others are still served", async () => {
    const probes = Array.from({ length: 300 }, () =>
      exchange(port, ["GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]),
    );
    const hello = await get(port, "/hello");
    assert.equal(hello.body, "hello", "an ordinary client is served during the flood");
    while (releaseCheck === undefined) await new Promise((resolve) => setImmediate(resolve));
    releaseCheck();
    const answers = await Promise.all(probes);
    assert.equal(answers.filter((a) => statusOf(a.text) === 200).length, 300);
    assert.equal(checkRuns, 1);
  });

  it("cuts off slowloris clients with 408 within the headers timeout while serving others", async () => {
    const attackers = Array.from({ length: 30 }, () => exchange(port, ["GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "], 5000));
    const during = await get(port, "/hello");
    assert.equal(during.body, "hello");
    const results = await Promise.all(attackers);
    for (const r of results) {
      assert.equal(statusOf(r.text), 408);
      assert.ok(r.closed);
      assert.ok(r.ms < 2000, `held for ${r.ms} ms`);
    }
    const { body } = await get(port, "/metrics");
    assert.ok((sample(body, "nines_http_bad_requests_total", 'reason="timeout"') ?? 0) >= 30);
    assert.ok((sample(body, "nines_http_bad_requests_total", 'reason="headers_too_large"') ?? 0) >= 1);
  });
});
