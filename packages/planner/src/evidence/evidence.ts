import { PLANNER_ERRORS, PlannerError } from "../errors.js";
import type { Disaster, Spec } from "../model.js";

/**
 * One result a drill recorded (`nines drill --record FILE`, one JSON object
 * per line; docs/drill.md, "Evidence"). Durations in ms, dates ISO
 * (YYYY-MM-DD, UTC).
 *
 * @example
 * const record: DrillEvidence = { date: "2026-11-29", system: "ClickTravel", scenario: "db-crash-orders-db",
 *   kind: "db-crash", target: "orders-db", disaster: "Orders database crashed", verdict: "met",
 *   lostWrites: 0, rtoMs: 2400, predicted: { rpoMs: 0, rtoMs: 60000 }, restore: null };
 */
export interface DrillEvidence {
  date: string;
  /** The spec's `name`. */
  system: string;
  scenario: string;
  kind: string;
  target: string;
  /** The spec disaster's `scenario` text it drilled, null for a standard scenario. */
  disaster: string | null;
  verdict: "met" | "missed" | "not-run";
  /** Acknowledged writes lost (the measured RPO, in writes). */
  lostWrites: number;
  /** Measured RTO, null when it did not recover within the drill. */
  rtoMs: number | null;
  predicted: { rpoMs: number | null; rtoMs: number | null };
  /** A restore the drill performed, and how: `backups` (a verified backup restored) or `lazy-deletion` (from the trash). */
  restore: { store: string; mechanism: "backups" | "lazy-deletion"; restoreMs: number } | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses an evidence file (JSON lines; blank lines ignored). A line that is
 * not a record is `NINES_EVIDENCE_INVALID` naming the file and the line.
 *
 * @example
 * const evidence = parseEvidence(readFileSync("drills.jsonl", "utf8"), "drills.jsonl");
 */
export function parseEvidence(text: string, file: string): DrillEvidence[] {
  const out: DrillEvidence[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw invalid(where, `is not JSON (${(error as Error).message})`);
    }
    const r = value as Partial<DrillEvidence> | null;
    if (r === null || typeof r !== "object") throw invalid(where, "is not an object");
    if (typeof r.date !== "string" || !DATE.test(r.date) || Number.isNaN(Date.parse(r.date))) {
      throw invalid(where, `has no ISO date ("date": ${JSON.stringify(r.date)})`);
    }
    for (const key of ["system", "scenario", "kind", "target", "verdict"] as const) {
      if (typeof r[key] !== "string") throw invalid(where, `has no "${key}"`);
    }
    if (typeof r.lostWrites !== "number" || !Number.isInteger(r.lostWrites) || r.lostWrites < 0) {
      throw invalid(where, `has no whole "lostWrites"`);
    }
    if (r.rtoMs !== null && typeof r.rtoMs !== "number") throw invalid(where, `"rtoMs" is neither a number nor null`);
    const restore = r.restore ?? null;
    if (restore !== null && (typeof restore.store !== "string" || typeof restore.restoreMs !== "number")) {
      throw invalid(where, `"restore" needs "store" and "restoreMs"`);
    }
    out.push({
      date: r.date,
      system: r.system as string,
      scenario: r.scenario as string,
      kind: r.kind as string,
      target: r.target as string,
      disaster: typeof r.disaster === "string" ? r.disaster : null,
      verdict: r.verdict as DrillEvidence["verdict"],
      lostWrites: r.lostWrites,
      rtoMs: r.rtoMs ?? null,
      predicted: { rpoMs: r.predicted?.rpoMs ?? null, rtoMs: r.predicted?.rtoMs ?? null },
      restore,
    });
  }
  return out;
}

function invalid(where: string, what: string): PlannerError {
  return new PlannerError(PLANNER_ERRORS.evidenceInvalid, `planner: evidence ${where} ${what}`, {
    hint: 'pass the file nines drill --record wrote (one JSON object per line, docs/drill.md "Evidence")',
  });
}

/**
 * The spec as the drills left it: a restore from backups that a drill
 * performed on a store counts as a restore test on that date (`backups.tested`
 * becomes the later of the two), so `restore-untested` reads it. Records of
 * other systems, drills not run and restores from the trash (which test no
 * backup) change nothing.
 *
 * @example
 * analyze(withEvidence(spec, evidence)).findings.some((f) => f.rule === "restore-untested"); // false after a drill restored
 */
export function withEvidence(spec: Spec, evidence: readonly DrillEvidence[]): Spec {
  const tested = new Map<string, string>();
  for (const r of evidence) {
    if (r.system !== spec.name || r.verdict === "not-run" || r.restore?.mechanism !== "backups") continue;
    const previous = tested.get(r.restore.store);
    if (previous === undefined || r.date > previous) tested.set(r.restore.store, r.date);
  }
  if (tested.size === 0) return spec;
  return {
    ...spec,
    stores: spec.stores.map((store) => {
      const date = tested.get(store.name);
      if (store.backups === null || date === undefined) return store;
      if (store.backups.tested !== null && store.backups.tested >= date) return store;
      return { ...store, backups: { ...store.backups, tested: date } };
    }),
  };
}

/** The drill kinds that exercise each disaster kind of the spec. */
const KINDS: Record<Disaster["kind"], readonly string[]> = {
  crash: ["db-crash", "instance-loss"],
  deletion: ["deletion"],
  "zone-outage": ["zone-loss"],
  "region-outage": ["region-loss"],
};

/**
 * The latest drill result of a spec disaster: the record that names its
 * scenario text, else one of a matching kind aimed at its subject (the
 * store, or an instance of the service); records not run are skipped.
 *
 * @example
 * latestDrill(spec, disaster, evidence)?.rtoMs; // 2400
 */
export function latestDrill(spec: Spec, disaster: Disaster, evidence: readonly DrillEvidence[]): DrillEvidence | null {
  let latest: DrillEvidence | null = null;
  for (const r of evidence) {
    if (r.system !== spec.name || r.verdict === "not-run") continue;
    const named = r.disaster === disaster.scenario;
    const aimed =
      KINDS[disaster.kind].includes(r.kind) &&
      (r.target === disaster.subject || r.target.startsWith(`${disaster.subject}-`));
    if (!named && !aimed) continue;
    if (latest === null || r.date >= latest.date) latest = r;
  }
  return latest;
}
