import type { DisasterResult } from "../../result.js";

export type MechanismName = NonNullable<DisasterResult["mechanism"]>;

/** One way to recover a scenario, with the RPO and RTO it achieves. */
export interface Mechanism {
  mechanism: MechanismName;
  rpoMs: number;
  rtoMs: number;
}

/**
 * The choice rule of docs/planner-model.md: the first mechanism (in preference order)
 * that meets both objectives; else the first that applies, missed; else
 * none (unrecoverable).
 *
 * @example
 * chooseMechanism([{ mechanism: "backups", rpoMs: 86_400_000, rtoMs: 1_800_000 }], { rpoMs: 0, rtoMs: 300_000 });
 * // { chosen: { mechanism: "backups", ... }, met: false }
 */
export function chooseMechanism(
  candidates: readonly Mechanism[],
  objective: { rpoMs: number; rtoMs: number },
): { chosen: Mechanism | null; met: boolean } {
  const meeting = candidates.find((m) => m.rpoMs <= objective.rpoMs && m.rtoMs <= objective.rtoMs);
  if (meeting !== undefined) return { chosen: meeting, met: true };
  return { chosen: candidates[0] ?? null, met: false };
}
