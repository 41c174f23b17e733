import assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { adaptiveGate, createGuard, guardHttpServer } from "@nines/guard";
import { request } from "undici";

describe("adaptive gate on a real server", () => {
  const gate = adaptiveGate({ limit: 2, maxQueue: 2, signals: false, codel: { targetMs: 50, intervalMs: 500 } });
  const guard = createGuard({ gate });
  const releases: (() => void)[] = [];
  let started = 0;
  const server = guardHttpServer((_req, res) => {
    started++;
    releases.push(() => res.end("done"));
  }, guard);
  let origin = "";

  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const release of releases) release();
    server.closeAllConnections();
    server.close();
    gate.close?.();
  });

  it("runs two, queues two, and sheds the fifth with a fast 503, while probes are answered", async () => {
    const slow = Array.from({ length: 4 }, () => request(`${origin}/work`));
    while (gate.admission.inflight + gate.admission.queued < 4) await new Promise((r) => setTimeout(r, 5));
    assert.equal(started, 2);
    assert.equal(gate.admission.queued, 2);

    const t0 = performance.now();
    const shed = await request(`${origin}/work`);
    const shedMs = performance.now() - t0;
    assert.equal(shed.statusCode, 503);
    assert.equal(shed.headers["x-nines-rejected"], "shed");
    assert.ok(Number(shed.headers["retry-after"]) >= 1);
    const body = (await shed.body.json()) as { reason: string };
    assert.equal(body.reason, "shed");
    assert.ok(shedMs < 100, `the rejection took ${shedMs} ms`);

    const probe = await request(`${origin}/livez`);
    assert.equal(probe.statusCode, 200, "probes bypass the saturated gate");
    await probe.body.dump();

    while (releases.length > 0) releases.shift()?.();
    while (started < 4) {
      await new Promise((r) => setTimeout(r, 5));
      while (releases.length > 0) releases.shift()?.();
    }
    const statuses = await Promise.all(
      slow.map(async (p) => {
        const r = await p;
        await r.body.dump();
        return r.statusCode;
      }),
    );
    assert.deepEqual(statuses, [200, 200, 200, 200]);
  });
});
