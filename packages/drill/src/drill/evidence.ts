import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { DrillEvidence } from "@nines/planner";
import type { DrillResult } from "./drill-result.js";

/**
 * The evidence records of a drill's results (`--record FILE`): one per
 * scenario run, with its date, measured RPO (lost writes) and RTO, what
 * the plan predicted, and the restore it performed (a deletion's
 * recovery). `nines plan --evidence FILE` reads them (docs/drill.md,
 * "Evidence"). Scenarios not run are left out.
 *
 * @example
 * const records = evidenceRecords(results, { system: spec.name, date: "2026-11-29" });
 */
export function evidenceRecords(
  results: readonly DrillResult[],
  options: { system: string; date: string },
): DrillEvidence[] {
  return results
    .filter((r) => r.verdict !== "not-run")
    .map((r) => {
      const deletion = r.measured?.deletion ?? null;
      return {
        date: options.date,
        system: options.system,
        scenario: r.scenario,
        kind: r.kind,
        target: r.target,
        disaster: r.disaster,
        verdict: r.verdict,
        lostWrites: r.lostWrites,
        rtoMs: r.rtoMs,
        predicted: { rpoMs: r.predicted.rpoMs, rtoMs: r.predicted.rtoMs },
        restore:
          deletion === null
            ? null
            : {
                store: r.target,
                mechanism: deletion.mechanism === "backups" ? "backups" : "lazy-deletion",
                restoreMs: deletion.restoreMs,
              },
      };
    });
}

/**
 * Appends records to an evidence file, one JSON object per line (the
 * folder is made when missing). Earlier records are kept: the file is the
 * history of the drills.
 *
 * @example
 * await appendEvidence("drills.jsonl", records);
 */
export async function appendEvidence(file: string, records: readonly DrillEvidence[]): Promise<void> {
  if (records.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
