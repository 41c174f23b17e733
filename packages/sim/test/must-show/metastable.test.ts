// Must show (2), metastable failure (Bronson et al., HotOS 2021): a 10 s latency spike (3x slower) on a
// dependency running at 75% of its capacity, without admission control. Callers that retry at once and
// without a budget keep it overloaded long after the spike: every attempt times out in the queue the spike
// left, and is tried again. With the spec's policies (exponential backoff, full jitter, a 10% retry budget,
// a breaker), goodput is back at the offered load within seconds. The numbers are in docs/simulate.md.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderComparisonPage } from "../../src/report/comparison-page.js";
import { simulate } from "../../src/run/simulate.js";
import { meanOf, twoTier } from "../support/specs.js";

/** The spec's call: 2 retries with backoff and jitter, a 10% budget, a breaker; 500 ms per attempt. */
const SPEC_POLICIES = "{ retries: 2, backoff: exponential, jitter: true, budget: 10%, breaker: true, timeout: 500ms }";
const SPIKE = { target: "backend", factor: 3, afterMs: 10_000, durationMs: 10_000 } as const;
const SPIKE_END = 20;

/** Seconds after the spike until the journey's goodput is back to 90% of what is offered; null if never. */
function recoverySeconds(goodput: readonly number[], offered: readonly number[]): number | null {
  for (let s = SPIKE_END; s < goodput.length; s++) {
    if ((goodput[s] as number) >= 0.9 * (offered[s] as number)) return s - SPIKE_END + 1;
  }
  return null;
}

describe("must show (2): metastable failure", () => {
  it("immediate retries without budget stay overloaded after the spike; the spec's policies recover in seconds", async () => {
    const spec = twoTier(SPEC_POLICIES);
    const options = { durationMs: 60_000, admission: false } as const;
    const calm = await simulate(spec, { kind: "latency-spike", ...SPIKE }, options);
    const storm = await simulate(spec, { kind: "retry-storm", ...SPIKE }, options);
    const main = (r: typeof calm) => r.series.journeys["main"] as NonNullable<(typeof r.series.journeys)[string]>;
    const backend = (r: typeof calm) => r.series.services["backend"] as NonNullable<(typeof r.series.services)[string]>;

    // Before the spike both serve the offered load (600/s).
    for (const run of [calm, storm])
      assert.ok(meanOf(main(run).goodput, 2, 10) > 0.95 * meanOf(main(run).offered, 2, 10));

    // The storm: after the spike, goodput stays near zero to the end of the run; every attempt is tried three
    // times and the backend's queue keeps growing, full of work nobody waits for.
    const stormAfter = meanOf(main(storm).goodput, SPIKE_END + 5) / meanOf(main(storm).offered, SPIKE_END + 5);
    assert.ok(stormAfter < 0.05, `storm goodput after the spike: ${stormAfter}`);
    assert.equal(recoverySeconds(main(storm).goodput, main(storm).offered), null);
    assert.ok(meanOf(backend(storm).retryAmplification, SPIKE_END) > 2.8);
    assert.ok((backend(storm).queued.at(-1) as number) > 20_000, `queue ${backend(storm).queued.at(-1)}`);
    assert.ok(meanOf(backend(storm).late, SPIKE_END + 5) > 700, "the backend works at capacity, all of it too late");

    // The spec's policies: back at the offered load within 5 s of the spike's end (4 s with seed 1), and stay there.
    const recovered = recoverySeconds(main(calm).goodput, main(calm).offered);
    assert.ok(recovered !== null && recovered <= 5, `recovered after ${recovered} s`);
    const calmAfter = meanOf(main(calm).goodput, SPIKE_END + 5) / meanOf(main(calm).offered, SPIKE_END + 5);
    assert.ok(calmAfter > 0.98, `goodput after the spike: ${calmAfter}`);
    assert.ok(meanOf(backend(calm).retryAmplification, SPIKE_END + 5) < 1.05);

    // Both curves on one chart.
    const page = renderComparisonPage(
      "Metastable failure",
      [
        { label: "spec policies", result: calm },
        { label: "immediate retries, no budget", result: storm },
      ],
      ["backend"],
    );
    assert.match(page, /"label":"spec policies"/);
    assert.match(page, /"label":"immediate retries, no budget"/);
  });

  it("the guard alone also breaks the loop: it drops requests whose caller gave up and asks the storm to wait", async () => {
    const storm = await simulate(twoTier(SPEC_POLICIES), { kind: "retry-storm", ...SPIKE }, { durationMs: 40_000 });
    const main = storm.series.journeys["main"];
    assert.ok(main);
    const recovered = recoverySeconds(main.goodput, main.offered);
    assert.ok(recovered !== null && recovered <= 3, `recovered after ${recovered} s`);
    assert.equal(meanOf(storm.series.services["backend"]?.late ?? [], SPIKE_END + 2), 0);
  });
});
