import assert from "node:assert/strict";
import { it } from "node:test";
import { describeScenario } from "./describe-scenario.js";

it("says how often instances crash in plain words, one crash included", () => {
  const at = (failuresPerHour: number) =>
    describeScenario({ kind: "instance-failures", failuresPerHour, afterMs: 20_000, durationMs: null });
  assert.match(at(1), /every instance crashes once an hour on average/);
  assert.match(at(2), /every instance crashes twice an hour on average/);
  assert.match(at(6), /every instance crashes 6 times an hour on average/);
  assert.match(at(0.5), /every instance crashes 0.5 times an hour on average/);
  assert.doesNotMatch(at(1), /1 times/);
});
