// The shared integration suite: the same behaviour from the node:http
// adapter, the Fastify plugin and the Express middleware, on real servers
// on 127.0.0.1 port 0. The guard runs on a ManualClock so the drain
// timeline is stepped exactly.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, describe, it } from "node:test";
import { ManualClock } from "@nines/core";
import { type Admission, createGuard, fixedLimitGate, type Guard } from "../src/index.js";
import { get, SUBJECT_KINDS, type Subject, sample, startSubject, until } from "./subjects.js";

for (const kind of SUBJECT_KINDS) {
  describe(`guard via ${kind}`, () => {
    const open: Subject[] = [];
    after(async () => {
      for (const s of open) await s.close();
    });
    async function start(guard: Guard): Promise<Subject> {
      const subject = await startSubject(kind, guard);
      open.push(subject);
      return subject;
    }

    it("serves liveness, readiness (with each check), startup and metrics", async () => {
      let cacheOk = true;
      const guard = createGuard({
        clock: new ManualClock(),
        startup: "manual",
        readiness: [
          { name: "db", check: () => undefined },
          {
            name: "cache",
            critical: false,
            cacheMs: 0,
            failureThreshold: 1,
            check: () => {
              if (!cacheOk) throw new Error("cache unreachable");
            },
            breaker: { state: "closed" },
          },
        ],
      });
      const { port } = await start(guard);
      const live = await get(port, "/livez");
      assert.equal(live.status, 200);
      assert.equal(JSON.parse(live.body).status, "live");
      assert.equal((await get(port, "/startupz")).status, 503);
      const starting = await get(port, "/readyz");
      assert.equal(starting.status, 503);
      assert.equal(JSON.parse(starting.body).status, "starting");
      guard.markStarted();
      assert.equal((await get(port, "/startupz")).status, 200);
      const ready = await get(port, "/readyz");
      assert.equal(ready.status, 200);
      assert.match(String(ready.headers["content-type"]), /application\/json/);
      const body = JSON.parse(ready.body);
      assert.equal(body.status, "ready");
      assert.equal(body.checks.db.status, "up");
      assert.equal(body.checks.cache.breaker, "closed");
      assert.equal(typeof body.checks.db.latencyMs, "number");
      cacheOk = false;
      const degraded = await get(port, "/readyz");
      assert.equal(degraded.status, 200);
      assert.equal(JSON.parse(degraded.body).status, "degraded");
      assert.equal(JSON.parse(degraded.body).checks.cache.error, "cache unreachable");
      const head = await get(port, "/livez", { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.body, "");
      const metrics = await get(port, "/metrics");
      assert.equal(metrics.status, 200);
      assert.match(String(metrics.headers["content-type"]), /text\/plain/);
      assert.equal(
        sample(metrics.body, "nines_health_check_up", 'probe="readiness",check="cache",critical="false"'),
        0,
      );
    });

    it("counts requests by route template, method and outcome; health probes are not counted", async () => {
      const guard = createGuard({ clock: new ManualClock() });
      const { port } = await start(guard);
      assert.equal((await get(port, "/hello")).body, "hello");
      assert.equal(JSON.parse((await get(port, "/users/7")).body).id, "7");
      await get(port, "/users/8");
      assert.equal((await get(port, "/boom")).status, 500);
      assert.equal((await get(port, "/nowhere")).status, 404);
      await get(port, "/readyz");
      await until(() => guard.inflight === 0, "requests to end");
      const { body } = await get(port, "/metrics");
      assert.equal(sample(body, "nines_http_requests_total", 'route="/hello",method="GET",outcome="success"'), 1);
      assert.equal(sample(body, "nines_http_requests_total", 'route="/users/:id",method="GET",outcome="success"'), 2);
      assert.equal(sample(body, "nines_http_requests_total", 'route="/boom",method="GET",outcome="server_error"'), 1);
      assert.ok(!body.includes('route="/readyz"'), "probes are not application traffic");
      assert.ok(!body.includes('route="/users/8"'), "the template, not the path");
    });

    it("answers a full gate with a fast 503 (Retry-After, x-nines-rejected) while probes still answer fast", async () => {
      const guard = createGuard({
        clock: new ManualClock(),
        gate: fixedLimitGate({ limit: 2, retryAfterMs: 2500 }),
        readiness: [{ name: "db", check: () => undefined }],
      });
      const subject = await start(guard);
      const held = [get(subject.port, "/slow"), get(subject.port, "/slow")];
      await until(() => subject.held() === 2, "two requests in the handler");
      const shed = await get(subject.port, "/hello");
      assert.equal(shed.status, 503);
      assert.equal(shed.headers["retry-after"], "3");
      assert.equal(shed.headers["x-nines-rejected"], "shed");
      assert.deepEqual(JSON.parse(shed.body), { error: "NINES_GUARD_REJECTED", reason: "shed", retryAfterMs: 2500 });
      // Through the gate a probe would be refused (the held requests never end on their own): 200 proves the bypass.
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const probe = await get(subject.port, i % 2 ? "/readyz" : "/livez");
        assert.equal(probe.status, 200);
        times.push(probe.ms);
      }
      times.sort((a, b) => a - b);
      // Median, not max: on a shared 2-core machine one probe can lose the CPU to another process.
      assert.ok((times[10] as number) < 100, `median probe took ${times[10]} ms`);
      subject.releaseSlow();
      for (const r of await Promise.all(held)) assert.equal(r.body, "slow done");
      await until(() => guard.inflight === 0, "requests to end");
      const { body } = await get(subject.port, "/metrics");
      assert.equal(sample(body, "nines_http_requests_total", 'route="/hello",method="GET",outcome="shed"'), 1);
      assert.equal(sample(body, "nines_http_requests_total", 'route="/slow",method="GET",outcome="success"'), 2);
      assert.equal(sample(body, "nines_admission_concurrency_limit", ""), 2);
    });

    it("tells the gate the route, priority, deadline and headers of each request", async () => {
      const clock = new ManualClock(1000);
      const seen: string[] = [];
      const guard = createGuard({
        clock,
        priorityOf: (r) => (r.header("x-priority") === "critical" ? "critical" : "normal"),
        deadlineOf: (r) => r.receivedAt + Number(r.header("x-timeout-ms") ?? 0),
        gate: {
          admit: (r) => {
            seen.push(`${r.method} ${r.route} ${r.priority} ${r.deadlineAt}`);
            return { admitted: true, release() {} };
          },
          snapshot: () => ({ inflight: 0, queueLength: 0, limit: 1 }),
          needsSignal: false,
        },
      });
      const { port } = await start(guard);
      await get(port, "/users/3", { headers: { "x-priority": "critical", "x-timeout-ms": "250" } });
      // Express only learns the template while routing, after admission: the gate sees the path.
      assert.deepEqual(seen, [`GET ${kind === "express" ? "/users/3" : "/users/:id"} critical 1250`]);
    });

    it("waits for an asynchronous gate, and tells it when a waiting client goes away", async () => {
      const waiting: { resolve: (a: Admission) => void; signal: AbortSignal | undefined }[] = [];
      let released = 0;
      const ticket = (): Admission => ({ admitted: true, release: () => void released++ });
      const guard = createGuard({
        clock: new ManualClock(),
        gate: {
          admit: (_r, signal) => new Promise<Admission>((resolve) => waiting.push({ resolve, signal })),
          snapshot: () => ({ inflight: 0, queueLength: waiting.length, limit: 1 }),
        },
      });
      const { port } = await start(guard);
      const queued = get(port, "/hello");
      await until(() => waiting.length === 1, "the request to wait for admission");
      waiting[0]?.resolve(ticket());
      assert.equal((await queued).body, "hello");
      const leaving = connect(port, "127.0.0.1");
      leaving.on("error", () => {});
      leaving.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
      await until(() => waiting.length === 2, "the second request to wait");
      leaving.destroy();
      await until(() => waiting[1]?.signal?.aborted === true, "the gate to hear that the client left");
      waiting[1]?.resolve(ticket());
      await until(() => released === 2 && guard.inflight === 0, "both tickets to be released");
      const { body } = await guard.metrics.scrape();
      assert.equal(sample(body, "nines_http_requests_total", 'route="/hello",method="GET",outcome="client_error"'), 1);
    });

    it("answers 500 when the gate throws, and keeps serving", async () => {
      let broken = true;
      const guard = createGuard({
        clock: new ManualClock(),
        gate: {
          admit: () => {
            if (broken) throw new Error("gate bug");
            return { admitted: true, release() {} };
          },
          snapshot: () => ({ inflight: 0, queueLength: 0, limit: 1 }),
          needsSignal: false,
        },
      });
      const { port } = await start(guard);
      assert.equal((await get(port, "/hello")).status, 500);
      broken = false;
      assert.equal((await get(port, "/hello")).body, "hello");
      await until(() => guard.inflight === 0, "requests to end");
    });

    it("refuses a body larger than maxBodyBytes with 413 before the handler runs", async () => {
      const guard = createGuard({ clock: new ManualClock(), maxBodyBytes: 1000 });
      const { port } = await start(guard);
      const big = await get(port, "/hello", {
        method: "POST",
        body: "x".repeat(5000),
        headers: { "content-type": "text/plain" },
      });
      assert.equal(big.status, 413);
      assert.equal(JSON.parse(big.body).error, "NINES_GUARD_BODY_TOO_LARGE");
    });

    it("answers a handler that does not start its response within handlerTimeoutMs with 503 and counts timed_out", async () => {
      const clock = new ManualClock();
      const guard = createGuard({ clock, handlerTimeoutMs: 1000 });
      const subject = await start(guard);
      const stuck = get(subject.port, "/slow");
      await until(() => subject.held() === 1, "the request in the handler");
      await clock.advance(1000);
      const answer = await stuck;
      assert.equal(answer.status, 503);
      assert.equal(JSON.parse(answer.body).error, "NINES_GUARD_TIMEOUT");
      subject.releaseSlow(); // the late answer must not crash anything
      assert.equal((await get(subject.port, "/hello")).body, "hello");
      await until(() => guard.inflight === 0, "requests to end");
      const { body } = await guard.metrics.scrape();
      assert.equal(sample(body, "nines_http_requests_total", 'route="/slow",method="GET",outcome="timed_out"'), 1);
    });

    it("drains: readiness fails at once, liveness stays up, in-flight work finishes, then the server is closed", async () => {
      const clock = new ManualClock();
      const guard = createGuard({ clock, drain: { delayMs: 5000, graceMs: 10_000 } });
      const cleaned: string[] = [];
      guard.onCleanup("db", () => cleaned.push("db"));
      const subject = await start(guard);
      const inflight = get(subject.port, "/slow");
      await until(() => subject.held() === 1, "the request in the handler");
      const report = guard.drain("test");
      assert.equal(guard.drain("again"), report);
      const ready = await get(subject.port, "/readyz");
      assert.equal(ready.status, 503);
      assert.equal(JSON.parse(ready.body).status, "draining");
      assert.equal((await get(subject.port, "/livez")).status, 200);
      assert.equal((await get(subject.port, "/hello")).status, 200, "still serving while load balancers notice");
      await clock.advance(5000);
      await assert.rejects(get(subject.port, "/hello"), { code: "ECONNREFUSED" });
      subject.releaseSlow();
      const done = await inflight;
      assert.equal(done.body, "slow done");
      assert.equal(done.headers.connection, "close");
      const result = await report;
      assert.equal(result.ok, true);
      assert.equal(result.inflightAtStop, 1);
      assert.equal(result.abandoned, 0);
      assert.deepEqual(cleaned, ["db"]);
    });

    it("cuts off requests that outlive the grace period and counts them as timed_out", async () => {
      const clock = new ManualClock();
      const guard = createGuard({ clock, drain: { delayMs: 0, graceMs: 1000 } });
      const subject = await start(guard);
      const inflight = get(subject.port, "/slow").then(
        () => "answered",
        (e: NodeJS.ErrnoException) => e.code,
      );
      await until(() => subject.held() === 1, "the request in the handler");
      const report = guard.drain();
      await clock.advance(1000);
      const result = await report;
      assert.equal(result.abandoned, 1);
      assert.equal(await inflight, "ECONNRESET");
      await until(() => guard.inflight === 0, "the cut-off request to end");
      const { body } = await guard.metrics.scrape();
      assert.equal(sample(body, "nines_http_requests_total", 'route="/slow",method="GET",outcome="timed_out"'), 1);
    });
  });
}
