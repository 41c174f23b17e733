// One real inventory instance driven at 1.125x its capacity (what losing a
// zone does to inventory in the ClickTravel plan): the admission control
// must shed the excess so that admitted requests keep p99 < 500 ms and
// goodput >= 0.85 of capacity. Prints the figures; run it alone with
//   node scripts/test.mjs examples/clicktravel/test/overload.test.ts
// CLICKTRAVEL_OVERLOAD_CAPACITIES=20,40,120 (default 20,40: inventory at 1/20 and
// 1/10 of the spec's scale) and CLICKTRAVEL_OVERLOAD_SECONDS=10
// choose the capacities and the measured seconds.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openLoop, summarise } from "./support/open-loop.js";
import { startService, stopAll } from "./support/service-process.js";

const OVERLOAD = 1.125;
const WARMUP_MS = 2000;
const capacities = (process.env["CLICKTRAVEL_OVERLOAD_CAPACITIES"] ?? "20,40").split(",").map(Number);
const measuredMs = Number(process.env["CLICKTRAVEL_OVERLOAD_SECONDS"] ?? 10) * 1000;

describe("inventory at 1.125x its capacity", () => {
  const dir = mkdtempSync(join(tmpdir(), "clicktravel-overload-"));
  after(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const capacity of capacities) {
    test(`capacity ${capacity}/s: sheds the excess, admitted p99 < 500 ms, goodput >= 0.85`, async (t) => {
      const inventory = await startService("inventory", {
        INVENTORY_DB: join(dir, `inventory-${capacity}.db`),
        NINES_CAPACITY: String(capacity),
      });
      const offered = capacity * OVERLOAD;
      const sent = await openLoop({
        url: `${inventory.url}/trips?to=Rome`,
        rate: offered,
        durationMs: WARMUP_MS + measuredMs,
      });
      await inventory.stop();
      const result = summarise(sent, {
        capacity,
        offeredPerSecond: offered,
        fromMs: WARMUP_MS,
        toMs: WARMUP_MS + measuredMs,
      });
      t.diagnostic(JSON.stringify(result));
      console.log(
        `overload capacity=${capacity}/s offered=${offered}/s: goodput ${result.goodput.toFixed(3)} of capacity, ` +
          `admitted p50 ${result.p50Ms.toFixed(0)} ms p99 ${result.p99Ms.toFixed(0)} ms, ` +
          `${result.ok} ok, ${result.shed} shed ${JSON.stringify(result.shedBy)}, ${result.failed} failed of ${result.sent}`,
      );
      assert.ok(result.shed > 0, "the excess is shed (503 with x-nines-rejected), not queued without bound");
      assert.ok(result.p99Ms < 500, `admitted p99 ${result.p99Ms.toFixed(0)} ms must stay under 500 ms`);
      assert.ok(result.goodput >= 0.85, `goodput ${result.goodput.toFixed(3)} must be >= 0.85 of capacity`);
      assert.equal(result.failed, 0, "every request is either served or shed with a clear 503");
    });
  }
});
