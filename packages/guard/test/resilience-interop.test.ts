// The contract with @nines/resilience's HTTP helper: a guard's fast 503
// (Retry-After + x-nines-rejected) reads as overload with a retry hint,
// never as a failure of the dependency.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNinesError, ManualClock } from "@nines/core";
import { httpFetch, timeout } from "@nines/resilience";
import { createGuard, fixedLimitGate } from "../src/index.js";
import { startSubject, until } from "./subjects.js";

describe("guard rejections seen through @nines/resilience", () => {
  it("a shed request is NINES_RESILIENCE_OVERLOADED with retryAfterMs, not an HTTP failure", async () => {
    const guard = createGuard({ clock: new ManualClock(), gate: fixedLimitGate({ limit: 1, retryAfterMs: 2000 }) });
    const subject = await startSubject("node", guard);
    try {
      const call = httpFetch();
      const policy = timeout({ timeoutMs: 5000 });
      const held = fetch(`http://127.0.0.1:${subject.port}/slow`).then((r) => r.text());
      await until(() => subject.held() === 1, "the slow request to hold the only slot");
      const error = await policy
        .execute((context) => call(context, `http://127.0.0.1:${subject.port}/hello`))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(isNinesError(error, "NINES_RESILIENCE_OVERLOADED"), `got ${String(error)}`);
      assert.equal(error.details["retryAfterMs"], 2000);
      subject.releaseSlow();
      assert.equal(await held, "slow done");
      const ok = await policy.execute((context) => call(context, `http://127.0.0.1:${subject.port}/hello`));
      assert.equal(await ok.text(), "hello");
    } finally {
      await subject.close();
    }
  });
});
