// httpFetch against real loopback sockets that fail in each way a network
// fails: a closed port, a server that resets the connection, one that closes
// it without answering, one that never answers, and a name that does not
// resolve. Each must become NINES_RESILIENCE_NETWORK with its kind (not a
// bare "TypeError: fetch failed"), count for the breaker and be retried.
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { isNinesError, ManualClock, type NinesError } from "@nines/core";
import {
  circuitBreaker,
  constantBackoff,
  type ExecutionContext,
  httpFetch,
  RESILIENCE_ERRORS,
  retry,
  timeout,
  wrap,
} from "@nines/resilience";
import { Agent, fetch as undiciFetch } from "undici";

const NETWORK = RESILIENCE_ERRORS.network;

/** A context for calling the helper without a policy. */
function bare(): ExecutionContext {
  return {
    signal: new AbortController().signal,
    attempt: 1,
    deadlineAt: Number.POSITIVE_INFINITY,
    remainingMs: () => Number.POSITIVE_INFINITY,
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => assert.fail(`expected a failure, got ${String(value)}`),
    (error: unknown) => error,
  );
}

function assertNetwork(error: unknown, kind: string, codes: string[]): asserts error is NinesError {
  assert.ok(isNinesError(error, NETWORK), `expected ${NETWORK}, got ${String(error)}`);
  assert.equal(error.name, "ResilienceError");
  assert.equal(error.details.kind, kind);
  assert.ok(codes.includes(String(error.details.causeCode)), `causeCode ${String(error.details.causeCode)}`);
  assert.ok(error.cause instanceof Error, "the fetch error is the cause");
  assert.ok(error.hint, "a hint says what to check");
}

describe("httpFetch: network failures on real sockets", () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  /** A TCP server on loopback port 0 doing `onSocket` with each connection. */
  async function listen(onSocket: (socket: Socket) => void): Promise<string> {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
      onSocket(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }
  let closedPort: string;

  before(async () => {
    // A port that was just free: bound, then closed, so nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    closedPort = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  test("a closed port is refused (global fetch and undici's)", async () => {
    for (const get of [httpFetch(), httpFetch({ fetch: undiciFetch })]) {
      const error = await failure(get(bare(), `${closedPort}/items`));
      assertNetwork(error, "refused", ["ECONNREFUSED"]);
      assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/items failed: the connection was refused/);
      assert.equal(error.details.request, `GET ${closedPort}/items`);
    }
  });

  test("a server that resets the connection is reset", async () => {
    const origin = await listen((socket) => socket.once("data", () => socket.resetAndDestroy()));
    assertNetwork(await failure(httpFetch()(bare(), `${origin}/`)), "reset", ["ECONNRESET"]);
  });

  test("a server that closes the connection without answering is reset", async () => {
    const origin = await listen((socket) => socket.once("data", () => socket.destroy()));
    const error = await failure(httpFetch()(bare(), `${origin}/`, { method: "POST", body: "x" }));
    assertNetwork(error, "reset", ["UND_ERR_SOCKET", "ECONNRESET"]);
    assert.match(error.message, /^POST /);
  });

  test("a hanging server: the fetch's own headers timeout is a network timeout", async () => {
    const origin = await listen(() => {});
    const dispatcher = new Agent({ headersTimeout: 100, bodyTimeout: 100 });
    try {
      const get = httpFetch({ fetch: undiciFetch });
      assertNetwork(await failure(get(bare(), `${origin}/`, { dispatcher })), "timeout", ["UND_ERR_HEADERS_TIMEOUT"]);
    } finally {
      await dispatcher.close();
    }
  });

  test("a hanging server under a timeout stage: the stage's NINES_RESILIENCE_TIMEOUT, not a network error", async () => {
    const origin = await listen(() => {});
    const get = httpFetch();
    const error = await failure(timeout({ timeoutMs: 100 }).execute((context) => get(context, `${origin}/`)));
    assert.ok(isNinesError(error, RESILIENCE_ERRORS.timeout), String(error));
  });

  test("a host name that does not resolve is a dns error", async () => {
    const error = await failure(httpFetch()(bare(), "http://nonexistent.invalid/"));
    assertNetwork(error, "dns", ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA"]);
  });

  test("an invalid URL is not a network error: thrown unchanged", async () => {
    const error = await failure(httpFetch()(bare(), "not a url"));
    assert.ok(error instanceof TypeError && !isNinesError(error), String(error));
  });

  test("retried by default and counted by the breaker", async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold: 3 } });
    const policy = wrap(retry({ clock, maxAttempts: 3, backoff: constantBackoff(0), idempotent: true }), breaker);
    const get = httpFetch();
    let attempts = 0;
    const error = await failure(
      policy.execute((context) => {
        attempts++;
        return get(context, `${closedPort}/`);
      }),
    );
    assertNetwork(error, "refused", ["ECONNREFUSED"]);
    assert.equal(attempts, 3);
    assert.equal(breaker.state, "open");
  });

  test("not retried when not idempotent: the error keeps NINES_RESILIENCE_NETWORK and its kind, and says why", async () => {
    const clock = new ManualClock();
    const get = httpFetch();
    let attempts = 0;
    const error = await failure(
      retry({ clock }).execute((context) => {
        attempts++;
        return get(context, `${closedPort}/`);
      }),
    );
    assertNetwork(error, "refused", ["ECONNREFUSED"]);
    assert.equal(attempts, 1);
    assert.equal(error.details.notRetried, "notIdempotent");
    assert.match(error.message, /not retried: the operation is not marked idempotent/);
    assert.ok(isNinesError(error.cause, NETWORK), "the original is the cause");
  });
});
