// Bad input against a real guarded node:http server on 127.0.0.1, driven by
// raw `net` sockets: every case gets a clear, bounded answer and the server
// keeps serving everyone else.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { createGuard, GUARD_ERRORS, type Guard, guardHttpServer, readBody } from "../src/index.js";
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

/**
 * Sends a request head and a body of `bytes` (chunked, or with its
 * content-length) and reads the answer only once everything is written, as
 * many clients do: an answer the server sent early is lost if the server
 * resets the connection before the client reads it.
 */
function uploadThenRead(port: number, path: string, bytes: number, chunked: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let error = "";
    socket.pause();
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? "error";
    });
    socket.on("close", () => {
      const status = statusOf(Buffer.concat(chunks).toString("latin1"));
      resolve(status === 0 ? `no answer (${error || "closed"})` : String(status));
    });
    socket.on("connect", () => {
      const piece = 64 * 1024;
      const length = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${bytes}`;
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n${length}\r\n\r\n`);
      const data = "y".repeat(piece);
      for (let sent = 0; sent < bytes; sent += piece)
        socket.write(chunked ? `${piece.toString(16)}\r\n${data}\r\n` : data);
      socket.write(chunked ? "0\r\n\r\n" : "", () => socket.resume());
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
          if (!isNinesError(e, GUARD_ERRORS.bodyTooLarge)) throw e;
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

  it("lets a client that is still uploading read the 413 instead of a reset, every time", async () => {
    const answers: Record<string, number> = {};
    const count = (answer: string) => {
      answers[answer] = (answers[answer] ?? 0) + 1;
    };
    for (let i = 0; i < 20; i++)
      count(`2 MiB chunked to readBody: ${await uploadThenRead(port, "/upload", 2 << 20, true)}`);
    for (let i = 0; i < 5; i++)
      count(`8 MiB chunked to readBody: ${await uploadThenRead(port, "/upload", 8 << 20, true)}`);
    for (let i = 0; i < 5; i++)
      count(`8 MiB over maxBodyBytes: ${await uploadThenRead(port, "/hello", 8 << 20, false)}`);
    assert.deepEqual(answers, {
      "2 MiB chunked to readBody: 413": 20,
      "8 MiB chunked to readBody: 413": 5,
      "8 MiB over maxBodyBytes: 413": 5,
    });
    assert.equal((await get(port, "/hello")).body, "hello");
  });

  it("applies maxHeaderSize as Node counts it: names, values and the URL, not separators or blanks", async () => {
    const oneHeader = await exchange(port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(9000)}\r\n\r\n`]);
    assert.equal(statusOf(oneHeader.text), 431, "9,000 counted bytes > 8,192");
    const longUrl = await exchange(port, [`GET /${"u".repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    assert.equal(statusOf(longUrl.text), 431, "the URL counts");
    // 5,000 headers "a:" are a 20,000-byte head on the wire but 5,000 counted bytes (docs/guard.md says so).
    const manyShort = `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${"a:\r\n".repeat(5000)}\r\n`;
    assert.ok(Buffer.byteLength(manyShort) > 2 * 8192);
    assert.equal(statusOf((await exchange(port, [manyShort])).text), 200);
    const blanks = `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-A: ${" ".repeat(30_000)}v\r\n\r\n`;
    assert.equal(statusOf((await exchange(port, [blanks])).text), 200, "blanks before a value are not counted");
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
