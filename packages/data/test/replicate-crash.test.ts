// kill -9 of the replicator, and separately of the writing application, at
// random points (seeded), each followed by a restore on real files and real
// processes: always a prefix of the committed transactions (no torn
// transaction, no gap), and with the replicator alive, never older than the
// interval plus one upload. The benchmark (`npm run bench:replicate`) runs
// the same harness with at least 100 kills of each.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { describe, it } from "node:test";
import { runCrashRounds } from "./support/replica-crash.js";
import { tempDir } from "./support/replica-fixtures.js";

const ROUNDS = Number(process.env["NINES_CRASH_ROUNDS"] ?? 10);

describe("crash safety of continuous replication", () => {
  for (const kind of ["replicator", "writer"] as const) {
    it(`kill -9 of the ${kind} ${ROUNDS} times: every restore is a prefix of the committed transactions`, async () => {
      const dir = tempDir(`replica-crash-${kind}`);
      try {
        const result = await runCrashRounds({
          kind,
          rounds: ROUNDS,
          seed: kind === "writer" ? 7 : 3,
          intervalMs: 200,
          dir,
        });
        assert.equal(result.kills, ROUNDS);
        assert.ok(result.restores >= ROUNDS - 1, `restores: ${result.restores}`);
        assert.equal(result.torn, 0, "no torn transaction");
        assert.equal(result.gaps, 0, "no gap, nothing that was not committed");
        assert.equal(
          result.late,
          0,
          `caught up within the interval and one upload (longest ${result.maxCatchUpMs} ms)`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
