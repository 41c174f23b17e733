import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "@nines/core";
import { LoadBalancer } from "../src/balancer/load-balancer.js";
import { ZoneNetwork } from "../src/fault/zone-network.js";
import type { Journey } from "../src/load/journey.js";
import { LoadGenerator } from "../src/load/load-generator.js";
import { perSecond } from "../src/load/per-second.js";
import { summarize } from "../src/load/summarize.js";
import { detectRto } from "../src/measure/detect-rto.js";
import { RunDirectory } from "../src/process/run-directory.js";
import { Supervisor } from "../src/process/supervisor.js";
import { killAll, SERVICE, tempDir } from "./support.js";

describe("losing a zone, end to end on real processes", () => {
  it("kill + partition of zone a: writes hang, then the balancer moves them to zone b; RTO is measured", async (t) => {
    const dir = tempDir();
    const run = await RunDirectory.open(dir.path, { graceMs: 1000 });
    const supervisor = new Supervisor({
      run,
      services: [
        {
          service: "web",
          command: process.execPath,
          args: [SERVICE],
          placement: [
            { zone: "zone-a", region: "r1", instances: 1 },
            { zone: "zone-b", region: "r1", instances: 2 },
          ],
          replaceDelayMs: 200,
          stopGraceMs: 1000,
        },
      ],
    });
    const network = new ZoneNetwork();
    const pids: number[] = [];
    supervisor.on("starting", (e) => pids.push(e.pid));
    let lb: LoadBalancer | undefined;
    t.after(async () => {
      await lb?.close();
      await network.close();
      await supervisor.stop();
      await run.close();
      killAll(pids);
      dir.remove();
    });
    await supervisor.start();
    const backends = [];
    for (const i of supervisor.instances()) backends.push({ id: i.id, zone: i.zone, url: await network.add(i) });
    lb = new LoadBalancer({
      service: "web",
      backends,
      timeoutMs: 1000,
      healthCheck: { intervalMs: 250, timeoutMs: 500, failureThreshold: 2 },
      random: new SeededRandom(4),
    });
    const front = await lb.listen({ zone: "zone-a" });
    const book: Journey = {
      name: "book",
      async run(context) {
        await context.request("book", { path: "/echo", method: "POST", body: { booking: context.index } });
      },
    };
    const generator = new LoadGenerator({
      baseUrl: front.url,
      journeys: [book],
      rate: 40,
      arrivals: "fixed",
      durationMs: 8000,
      timeoutMs: 2000,
      random: new SeededRandom(5),
    });
    const load = generator.run();
    await new Promise((r) => setTimeout(r, 2000));
    const faultAt = Date.now();
    network.partition("zone-a");
    await supervisor.killZone("zone-a");
    const result = await load;
    const series = perSecond(result.log, { fromAt: result.startedAt });
    const before = summarize(result.log, { toAt: faultAt });
    const during = summarize(result.log, { fromAt: faultAt, toAt: faultAt + 1000 });
    const after = summarize(result.log, { fromAt: faultAt + 3500 });
    // A lone client timeout on a loaded machine is not what this test is about: allow one in twenty.
    assert.ok(
      (before.successRatio ?? 0) >= 0.95,
      `all served before the fault: ${JSON.stringify(before.statuses)} ${JSON.stringify(before.errors)}`,
    );
    assert.ok(
      (during.statuses[504] ?? 0) > 0,
      `writes to the partitioned zone hung until the balancer's timeout: ${JSON.stringify(during.statuses)}`,
    );
    assert.ok(
      (after.successRatio ?? 0) >= 0.95,
      `zone b serves everything once zone a is out: ${JSON.stringify(after.statuses)}`,
    );
    const rtoMs = detectRto({ series, faultAt, objective: 0.95, holdMs: 2000 });
    assert.ok(rtoMs !== null && rtoMs <= 3500, `RTO ${rtoMs} ms`);
    assert.equal(lb.snapshot().backends.find((b) => b.zone === "zone-a")?.healthy, false);
    // The zone comes back: its instance is replaced and traffic returns to it.
    network.heal("zone-a");
    await supervisor.restoreZone("zone-a");
    const deadline = Date.now() + 5000;
    let local = "";
    while (Date.now() < deadline && local !== "web-zone-a-0") {
      const response = await fetch(`${front.url}/whoami`);
      local = ((await response.json()) as { instance: string }).instance;
      if (local !== "web-zone-a-0") await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(local, "web-zone-a-0");
  });
});
