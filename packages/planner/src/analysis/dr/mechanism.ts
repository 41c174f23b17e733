import type { DisasterResult } from "../../result.js";

export type MechanismName = NonNullable<DisasterResult["mechanism"]>;

/** One way to recover a scenario, with what it achieves (seconds). */
export interface Mechanism {
  mechanism: MechanismName;
  rpo: number;
  rto: number;
}

/**
 * The choice rule of `spec.md`: the first mechanism (in preference order)
 * that meets both objectives; else the first that applies, missed; else
 * none (unrecoverable).
 *
 * @example
 * chooseMechanism([{ mechanism: "backups", rpo: 86400, rto: 1800 }], { rpo: 0, rto: 300 });
 * // { chosen: { mechanism: "backups", ... }, met: false }
 */
export function chooseMechanism(
  candidates: readonly Mechanism[],
  objective: { rpo: number; rto: number },
): { chosen: Mechanism | null; met: boolean } {
  const meeting = candidates.find((m) => m.rpo <= objective.rpo && m.rto <= objective.rto);
  if (meeting !== undefined) return { chosen: meeting, met: true };
  return { chosen: candidates[0] ?? null, met: false };
}
