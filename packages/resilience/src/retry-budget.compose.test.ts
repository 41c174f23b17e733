import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "@nines/core";
import { constantBackoff } from "./backoff.js";
import { retry } from "./retry.js";
import { retryBudget } from "./retry-budget.js";

test("one budget shared by two retry policies caps their retries together at ratio * requests", async () => {
  const clock = new ManualClock(0);
  const budget = retryBudget({ clock, ratio: 0.1, minRetriesPerSecond: 0 });
  const options = { clock, maxAttempts: 3, backoff: constantBackoff(0), idempotent: true, budget } as const;
  const search = retry(options);
  const suggest = retry(options);
  const reasons: string[] = [];
  for (const policy of [search, suggest]) policy.on("giveUp", (e) => reasons.push(e.reason));
  let attempts = 0;
  const failing = () => {
    attempts++;
    throw new Error("down");
  };
  for (let i = 0; i < 20; i++) await assert.rejects((i % 2 === 0 ? search : suggest).execute(failing));
  // 20 requests deposit 20 * 1000 units; a retry costs 10000: the 10th and the 20th execution get one retry each.
  assert.equal(attempts, 22);
  assert.equal(reasons.filter((r) => r === "budgetExhausted").length, 20);
  assert.equal(budget.balance, 0);
});

test("without a shared budget the same traffic would make 60 attempts (the budget's effect)", async () => {
  const clock = new ManualClock(0);
  const policy = retry({ clock, maxAttempts: 3, backoff: constantBackoff(0), idempotent: true });
  let attempts = 0;
  for (let i = 0; i < 20; i++)
    await assert.rejects(
      policy.execute(() => {
        attempts++;
        throw new Error("down");
      }),
    );
  assert.equal(attempts, 60);
});
