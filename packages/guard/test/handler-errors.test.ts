// A handler that throws or rejects, on real servers for each adapter: the
// client gets a 500 (in the framework's convention), the request counts as
// a server error and as a quarantine strike, the error reaches
// guard.on("handlerError"), and the server keeps serving. The last test
// runs the node:http adapter in a child process that must survive.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ManualClock } from "@nines/core";
import { adaptiveGate, createGuard, type Guard, type GuardEvents } from "../src/index.js";
import { get, SUBJECT_KINDS, type Subject, sample, startSubject, until } from "./subjects.js";

const ROUTE_OF_THROW = 'route="/throw",method="GET"';

for (const kind of SUBJECT_KINDS) {
  describe(`handler errors via ${kind}`, () => {
    const open: Subject[] = [];
    after(async () => {
      for (const s of open) await s.close();
    });

    async function start(): Promise<{ guard: Guard; subject: Subject; errors: GuardEvents["handlerError"][] }> {
      const clock = new ManualClock();
      const gate = adaptiveGate({ clock, signals: false, quarantine: { strikes: { error: 2 }, log: () => {} } });
      const guard = createGuard({ clock, gate });
      const errors: GuardEvents["handlerError"][] = [];
      guard.on("handlerError", (e) => errors.push(e));
      const subject = await startSubject(kind, guard);
      open.push(subject);
      return { guard, subject, errors };
    }

    it("answers 500, counts a server error, reports the error and keeps serving", async () => {
      const { guard, subject, errors } = await start();
      const thrown = await get(subject.port, "/throw");
      assert.equal(thrown.status, 500);
      const rejected = await get(subject.port, "/reject");
      assert.equal(rejected.status, 500);
      if (kind === "node") {
        assert.deepEqual(JSON.parse(thrown.body), {
          error: "NINES_GUARD_HANDLER_FAILED",
          message: "the server failed to handle the request",
        });
        assert.ok(!rejected.body.includes("secret"), "the error itself is not sent to the client");
      }
      assert.equal((await get(subject.port, "/hello")).body, "hello", "still serving");
      await until(() => guard.inflight === 0, "requests to end");
      assert.deepEqual(
        errors.map((e) => [e.method, e.path, (e.error as Error).message]),
        [
          ["GET", "/throw", "bug: secret detail"],
          ["GET", "/reject", "async bug: secret detail"],
        ],
      );
      const { body } = await guard.metrics.scrape();
      assert.equal(sample(body, "nines_http_requests_total", `${ROUTE_OF_THROW},outcome="server_error"`), 1);
      assert.equal(sample(body, "nines_http_requests_total", 'route="/reject",method="GET",outcome="server_error"'), 1);
    });

    it("counts each failure as a quarantine strike: the second quarantines the request", async () => {
      const { guard, subject } = await start();
      const strikes: string[] = [];
      const gate = guard.gate as ReturnType<typeof adaptiveGate>;
      gate.quarantine?.on("strike", (e) => strikes.push(`${e.fingerprint} ${e.reason} ${e.count}`));
      assert.equal((await get(subject.port, "/throw")).status, 500);
      assert.equal((await get(subject.port, "/throw")).status, 500);
      await until(() => strikes.length === 2, "two strikes");
      const refused = await get(subject.port, "/throw");
      assert.equal(refused.status, 503);
      assert.equal(refused.headers["x-nines-rejected"], "quarantined");
      assert.equal(JSON.parse(refused.body).detail, "GET /throw");
      assert.deepEqual(strikes, ["GET /throw error 1", "GET /throw error 2"]);
      assert.equal((await get(subject.port, "/hello")).body, "hello", "other requests are served");
    });

    it("does not count an error with a 4xx status as a failure", async () => {
      const { guard, subject, errors } = await start();
      assert.equal((await get(subject.port, "/invalid")).status, 400);
      await until(() => guard.inflight === 0, "the request to end");
      assert.deepEqual(errors, []);
      const { body } = await guard.metrics.scrape();
      assert.equal(
        sample(body, "nines_http_requests_total", 'route="/invalid",method="GET",outcome="client_error"'),
        1,
      );
    });

    if (kind === "node")
      it("cuts the connection when the handler throws after its answer started, and counts a server error", async () => {
        const { guard, subject } = await start();
        const outcome = await get(subject.port, "/half").then(
          (r) => `answered ${r.status} ${r.body}`,
          (e: NodeJS.ErrnoException) => e.code,
        );
        assert.match(String(outcome), /ECONNRESET|aborted/);
        await until(() => guard.inflight === 0, "the request to end");
        const { body } = await guard.metrics.scrape();
        assert.equal(sample(body, "nines_http_requests_total", 'route="/half",method="GET",outcome="server_error"'), 1);
      });
  });
}

describe("handler errors in a real process (node:http)", () => {
  const fixture = fileURLToPath(new URL("./fixtures/throwing-server.ts", import.meta.url));
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill("SIGKILL");
  });

  it("keeps the process serving after handlers throw and reject", async () => {
    child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", fixture], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = once(child, "exit");
    const [line] = (await Promise.race([
      once(child.stdout as NodeJS.ReadableStream, "data"),
      exited.then(() => {
        throw new Error(`the server exited before listening: ${stderr}`);
      }),
    ])) as [Buffer];
    const { port } = JSON.parse(line.toString()) as { port: number };
    for (let i = 0; i < 5; i++) {
      assert.equal((await get(port, "/throw")).status, 500);
      assert.equal((await get(port, "/reject")).status, 500);
    }
    assert.equal((await get(port, "/fine")).body, "fine");
    assert.equal(child.exitCode, null, "the process is still running");
    assert.equal(stderr.match(/handler failed: GET \/throw: bug/g)?.length, 5);
    assert.equal(stderr.match(/handler failed: GET \/reject: async bug/g)?.length, 5);
    const metrics = await get(port, "/metrics");
    assert.equal(sample(metrics.body, "nines_http_requests_total", `${ROUTE_OF_THROW},outcome="server_error"`), 5);
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, "it drains and exits cleanly on SIGTERM");
  });
});
