import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import {
  circuitBreaker,
  constantBackoff,
  type ExecutionContext,
  httpFetch,
  httpStatusError,
  networkErrorOfKind,
  RESILIENCE_ERRORS,
  retry,
  wrap,
} from "@nines/resilience";
import { Agent, fetch as undiciFetch } from "undici";

/** What the server saw of each request, to check that bodies were discarded and aborts passed on. */
interface Seen {
  path: string;
  /** True when the client closed the exchange before the server finished the response. */
  cutShort: Promise<boolean>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

const routes: Record<string, Route> = {
  "/ok": (_req, res) => res.end("hello"),
  "/missing": (_req, res) => {
    res.statusCode = 404;
    res.end("no such thing");
  },
  // A 500 whose body never ends unless the client goes away: only a cancelled body frees it.
  "/broken-stream": (_req, res) => {
    res.writeHead(500, { "content-type": "text/plain" });
    res.write("x".repeat(64 * 1024));
  },
  "/shed": (_req, res) => {
    res.writeHead(503, { "x-nines-rejected": "shed", "retry-after": "2" });
    res.end("shed");
  },
  "/draining": (_req, res) => {
    res.writeHead(503, { "x-nines-rejected": "draining" });
    res.end("draining");
  },
  "/rate-limited": (_req, res) => {
    res.writeHead(429, { "retry-after": "Sun, 29 Nov 2026 08:00:30 GMT" });
    res.end("slow down");
  },
  "/plain-503": (_req, res) => {
    res.writeHead(503);
    res.end("down");
  },
  "/teapot": (_req, res) => {
    res.writeHead(418);
    res.end("teapot");
  },
  "/hang": () => {},
};

let server: Server;
let base: string;
const seen: Seen[] = [];
let flaky = 0;

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    seen.push({
      path,
      cutShort: new Promise((resolve) => res.on("close", () => resolve(!res.writableFinished))),
    });
    if (path === "/flaky") {
      flaky++;
      res.writeHead(flaky % 3 === 0 ? 200 : 502);
      res.end(flaky % 3 === 0 ? "finally" : "bad gateway");
      return;
    }
    (routes[path] ?? routes["/missing"])?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function contextWith(signal: AbortSignal = new AbortController().signal): ExecutionContext {
  return { signal, attempt: 1, deadlineAt: Number.POSITIVE_INFINITY, remainingMs: () => Number.POSITIVE_INFINITY };
}

/** The server's view of the exchange, failing if the client has not closed it within 2 s (a guard, not a wait). */
async function cutShortSoon(entry: Seen | undefined): Promise<boolean> {
  assert.ok(entry, "the server saw the request");
  let guard: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    guard = setTimeout(() => resolve("late"), 2000);
  });
  try {
    const result = await Promise.race([entry.cutShort, late]);
    assert.notEqual(result, "late", "the client did not close the exchange: the body was not discarded");
    return result === true;
  } finally {
    clearTimeout(guard);
  }
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail("expected an error"),
    (error: unknown) => error,
  );
}

const implementations = [
  { name: "global fetch", fetch: globalThis.fetch },
  { name: "undici fetch", fetch: undiciFetch },
] as const;

for (const impl of implementations) {
  describe(`httpFetch over ${impl.name}`, () => {
    const clock = new ManualClock(Date.parse("2026-11-29T08:00:00Z"));
    const get = httpFetch({ fetch: impl.fetch, clock });

    test("returns 2xx and non-retryable statuses untouched, body readable", async () => {
      const ok = await get(contextWith(), `${base}/ok`);
      assert.equal(await ok.text(), "hello");
      const missing = await get(contextWith(), `${base}/missing`);
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), "no such thing");
    });

    test("a retryable status throws NINES_RESILIENCE_HTTP_STATUS and cancels the body (the server sees the exchange cut)", async () => {
      const before = seen.length;
      const error = await thrown(get(contextWith(), `${base}/broken-stream`));
      assert.ok(isNinesError(error, RESILIENCE_ERRORS.httpStatus), String(error));
      assert.equal(error.details.status, 500);
      assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/broken-stream answered 500/);
      assert.equal(await cutShortSoon(seen[before]), true);
    });

    test("503 with x-nines-rejected and Retry-After seconds is NINES_RESILIENCE_OVERLOADED with retryAfterMs", async () => {
      const error = await thrown(get(contextWith(), `${base}/shed`));
      assert.ok(isNinesError(error, RESILIENCE_ERRORS.overloaded));
      assert.deepEqual(
        { ...error.details, url: undefined },
        { status: 503, url: undefined, retryAfterMs: 2000, rejected: "shed" },
      );
      assert.match(error.message, /x-nines-rejected: shed\); retry after 2000 ms/);
      const draining = await thrown(get(contextWith(), `${base}/draining`));
      assert.ok(isNinesError(draining, RESILIENCE_ERRORS.overloaded));
      assert.equal(draining.details.rejected, "draining");
      assert.equal(draining.details.retryAfterMs, undefined);
    });

    test("429 with an HTTP-date Retry-After is overloaded, the delay read on the injected clock", async () => {
      const error = await thrown(get(contextWith(), `${base}/rate-limited`));
      assert.ok(isNinesError(error, RESILIENCE_ERRORS.overloaded));
      assert.equal(error.details.retryAfterMs, 30_000);
    });

    test("a plain 503 (no header, no Retry-After) is a dependency failure for the breaker; a shed one is not", async () => {
      const breaker = circuitBreaker({ clock, window: { kind: "consecutive", failureThreshold: 2 } });
      for (let i = 0; i < 5; i++) await thrown(breaker.execute((c) => get(c, `${base}/shed`)));
      assert.equal(breaker.state, "closed");
      await thrown(breaker.execute((c) => get(c, `${base}/plain-503`)));
      await thrown(breaker.execute((c) => get(c, `${base}/plain-503`)));
      assert.equal(breaker.state, "open");
    });

    test("retryable statuses are configurable", async () => {
      const teapots = httpFetch({ fetch: impl.fetch, retryableStatuses: [418] });
      assert.ok(isNinesError(await thrown(teapots(contextWith(), `${base}/teapot`)), RESILIENCE_ERRORS.httpStatus));
      const down = await teapots(contextWith(), `${base}/plain-503`);
      assert.equal(down.status, 503);
      await down.body?.cancel();
    });

    test("passes the context signal: an abort reaches the server", async () => {
      const before = seen.length;
      const controller = new AbortController();
      const pending = get(contextWith(controller.signal), `${base}/hang`);
      while (seen.length === before) await new Promise((resolve) => setImmediate(resolve));
      controller.abort(new Error("caller gave up"));
      await thrown(pending);
      assert.equal(await cutShortSoon(seen[before]), true);
    });

    test("with retry: 502, 502, then 200 succeeds on the third attempt", async () => {
      flaky = 0;
      const policy = wrap(retry({ maxAttempts: 3, backoff: constantBackoff(0), idempotent: true }));
      const response = await policy.execute((c) => get(c, `${base}/flaky`));
      assert.equal(await response.text(), "finally");
      assert.equal(flaky, 3);
    });
  });
}

test("undici with one connection: discarded bodies free the socket for the next request", {
  timeout: 10_000,
}, async () => {
  const dispatcher = new Agent({ connections: 1 });
  const get = httpFetch({ fetch: (input: string, init?: object) => undiciFetch(input, { ...init, dispatcher }) });
  try {
    for (let i = 0; i < 5; i++)
      assert.ok(isNinesError(await thrown(get(contextWith(), `${base}/broken-stream`)), RESILIENCE_ERRORS.httpStatus));
    const ok = await get(contextWith(), `${base}/ok`);
    assert.equal(await ok.text(), "hello");
  } finally {
    await dispatcher.close();
  }
});

test("rejects bad options", () => {
  assert.throws(
    () => httpFetch({ retryableStatuses: [700] }),
    (e) => isNinesError(e, "NINES_OPTION_INVALID") && /retryableStatuses/.test(e.message),
  );
});

test("a call without the execution context first is refused with what to pass, before fetching", async () => {
  let fetched = 0;
  const get = httpFetch({
    fetch: async () => {
      fetched++;
      return new Response("x");
    },
  });
  const call = get as unknown as (...args: unknown[]) => Promise<unknown>;
  for (const args of [["http://127.0.0.1:1/"], [undefined, "http://127.0.0.1:1/"], [{}, "http://127.0.0.1:1/"]]) {
    await assert.rejects(
      call(...args),
      (e) =>
        isNinesError(e, "NINES_OPTION_INVALID") &&
        /get\(context, url\)/.test(e.hint ?? "") &&
        /context/.test(e.message),
    );
  }
  assert.equal(fetched, 0);
});

test("docs/resilience.md lists the HTTP helper's own code and header", () => {
  const docs = readFileSync(new URL("../../../docs/resilience.md", import.meta.url), "utf8");
  assert.ok(docs.includes(`\`${RESILIENCE_ERRORS.httpStatus}\``));
  assert.ok(docs.includes("`x-nines-rejected`"));
});

describe("httpStatusError: the mapping httpFetch uses, for code that stands in for HTTP", () => {
  test("gives the error httpFetch throws for the same answer", async () => {
    const answers: [string, Parameters<typeof httpStatusError>[0]][] = [
      [
        "/shed",
        { status: 503, statusText: "Service Unavailable", url: `${base}/shed`, rejected: "shed", retryAfterMs: 2000 },
      ],
      ["/plain-503", { status: 503, statusText: "Service Unavailable", url: `${base}/plain-503` }],
    ];
    const get = httpFetch();
    for (const [path, answer] of answers) {
      const thrown = await get(contextWith(), `${base}${path}`).then(
        () => assert.fail(`${path} should fail`),
        (error: unknown) => error,
      );
      const built = httpStatusError(answer);
      assert.ok(isNinesError(thrown));
      assert.deepEqual(
        [built.code, built.message, built.hint, built.details],
        [thrown.code, thrown.message, thrown.hint, thrown.details],
      );
    }
  });

  test("networkErrorOfKind builds the network error of a refused connection, stack or not", () => {
    const refused = networkErrorOfKind("refused", "GET http://orders/", { causeCode: "ECONNREFUSED", stack: false });
    assert.ok(isNinesError(refused, RESILIENCE_ERRORS.network));
    assert.equal(refused.message, "GET http://orders/ failed: the connection was refused (ECONNREFUSED)");
    assert.deepEqual(refused.details, { kind: "refused", causeCode: "ECONNREFUSED", request: "GET http://orders/" });
    assert.doesNotMatch(String(refused.stack), /\n\s+at /);
  });
});
