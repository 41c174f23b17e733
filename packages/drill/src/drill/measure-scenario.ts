import { isSuccessfulRequest, perSecond } from "../load/per-second.js";
import type { RequestLog, RequestRecord } from "../load/request-log.js";
import { summarize } from "../load/summarize.js";
import { detectRto } from "../measure/detect-rto.js";
import { failoverTime } from "../measure/failover-time.js";
import { type LifeEvent, timeToReplace } from "../measure/time-to-replace.js";
import type { SystemPlan } from "../up/system-plan.js";
import type { FailureCount, Measured, ServiceGoodput, TimelinePoint } from "./drill-result.js";
import type { Prediction } from "./predict.js";
import type { Scenario } from "./scenario.js";
import { counterAt, type SystemSample } from "./system-sampler.js";

/** Everything recorded during one scenario. */
export interface ScenarioRecording {
  log: RequestLog;
  startAt: number;
  faultAt: number;
  faultEndAt: number;
  endAt: number;
  samples: readonly SystemSample[];
  events: readonly LifeEvent[];
  /** The system's failover events (promotion times). */
  failovers: readonly { at: number; promoteMs: number }[];
  /** `mark()`s of the workload: name and time. */
  marks: readonly { name: string; at: number }[];
  deletion: Measured["deletion"];
  restoredAt: number | null;
  /** p99 (ms) of the requests each service's instances admitted from the fault + 2 s to its end, by service. */
  admittedP99Ms: ReadonlyMap<string, number | null>;
}

/** Options of {@link measureScenario}. */
export interface MeasureOptions {
  /** The success ratio a second must reach to count as recovered (the journeys' objective). */
  objective: number;
  /** How long it must hold; default 5000 ms. */
  holdMs?: number;
  /** Whether a request of `step` needs `service`; null when the workload does not say. */
  needs: ((step: string, service: string) => boolean) | null;
  /** Steps that are writes (for the failover time). */
  writeSteps: readonly string[];
}

/** The settling time left out of the goodput at the start of a fault (connections to lost instances time out first). */
export const SETTLE_MS = 2000;

/**
 * The measures of one scenario from the client side (docs/drill.md,
 * "Measures"): the per-second series with instances ready per zone, the
 * success ratio and p99 over the run and while the fault lasted, RTO
 * (`detectRto` from the fault, and from the fault's end), time to replace
 * each lost instance, failover time of the writes, retry amplification at
 * the target, goodput of each service the plan predicts overloaded, and
 * the share of degraded answers.
 *
 * @example
 * const { measured, series, rtoMs } = measureScenario(scenario, prediction, plan, recording, options);
 */
export function measureScenario(
  scenario: Scenario,
  prediction: Prediction,
  plan: SystemPlan,
  recording: ScenarioRecording,
  options: MeasureOptions,
): {
  measured: Measured;
  series: TimelinePoint[];
  successRatio: number | null;
  p99Ms: number | null;
  rtoMs: number | null;
} {
  const { log, startAt, faultAt, faultEndAt, endAt } = recording;
  const holdMs = options.holdMs ?? 5000;
  // Arrivals dropped for too many journeys in flight count as offered and failed.
  const records = [...log];
  const seconds = perSecond(records, { fromAt: startAt, toAt: endAt });
  const series: TimelinePoint[] = seconds.map((s) => ({ ...s, ready: readyAt(recording.samples, s.at + 500) }));
  const whole = summarize(records, { fromAt: startAt, toAt: endAt });
  const during = summarize(records, { fromAt: faultAt, toAt: faultEndAt });
  const rtoMs =
    scenario.kind === "deletion"
      ? recording.restoredAt === null
        ? null
        : recording.restoredAt - faultAt
      : detectRto({ series, faultAt, objective: options.objective, holdMs });
  const recoveryAfterEndMs = detectRto({ series, faultAt: faultEndAt, objective: options.objective, holdMs });
  const replaced = timeToReplace(recording.events).filter((r) => r.lostAt >= faultAt - 1);
  const times = replaced.map((r) => r.replaceMs);
  const timeToReplaceMs = times.length === 0 || times.some((t) => t === null) ? null : Math.max(...(times as number[]));
  const writes = records
    .filter((r) => options.writeSteps.includes(r.step))
    .map((r) => ({ startAt: r.startAt, endAt: r.endAt, ok: r.status >= 200 && r.status < 300 }));
  const failover = recording.failovers.find((f) => f.at >= faultAt);
  const needs = (r: RequestRecord, service: string) => (options.needs === null ? true : options.needs(r.step, service));
  const services =
    options.needs === null
      ? []
      : plan.services.map((s) => {
          const sum = summarize(records, { fromAt: faultAt, toAt: faultEndAt, filter: (r) => needs(r, s.name) });
          return { service: s.name, offered: sum.offered, successRatio: sum.successRatio, p99Ms: sum.p99Ms };
        });
  return {
    series,
    successRatio: whole.successRatio,
    p99Ms: whole.p99Ms,
    rtoMs,
    measured: {
      offered: whole.offered,
      fault: { offered: during.offered, successRatio: during.successRatio, p99Ms: during.p99Ms },
      services,
      recoveryAfterEndMs,
      acknowledgedWrites: 0,
      ambiguousWrites: 0,
      rpoChecked: true,
      replaced,
      timeToReplaceMs,
      failoverMs: writes.length === 0 ? null : failoverTime({ faultAt, writes }),
      promoteMs: failover?.promoteMs ?? null,
      amplification: amplification(scenario, recording, records, needs),
      goodput: prediction.overload.map((o) => goodput(o.service, plan, scenario, recording, records, needs)),
      degradedRatio:
        during.succeeded === 0
          ? null
          : recording.marks.filter((m) => m.name === "degraded" && m.at >= faultAt && m.at < faultEndAt).length /
            during.succeeded,
      deletion: recording.deletion,
      crashes: recording.events.filter(
        (e) =>
          e.type === "exit" &&
          e.at >= faultAt &&
          e.reason !== "stopped" &&
          e.instance.startsWith(`${scenario.target}-`),
      ).length,
      failures: failureCounts(records, startAt, endAt),
    },
  };
}

/** The failed requests sent in [fromAt, toAt), by step and outcome (status, or error kind), most first. */
function failureCounts(records: readonly RequestRecord[], fromAt: number, toAt: number): FailureCount[] {
  const counts = new Map<string, FailureCount>();
  for (const r of records) {
    if (r.startAt < fromAt || r.startAt >= toAt || isSuccessfulRequest(r)) continue;
    const outcome = r.error ?? String(r.status);
    const key = `${r.step} ${outcome}`;
    const count = counts.get(key);
    if (count === undefined)
      counts.set(key, { step: r.step, outcome, count: 1, firstAt: r.startAt, lastAt: r.startAt });
    else {
      count.count++;
      count.firstAt = Math.min(count.firstAt, r.startAt);
      count.lastAt = Math.max(count.lastAt, r.startAt);
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

function readyAt(samples: readonly SystemSample[], at: number): Record<string, number> {
  let last: SystemSample | undefined;
  for (const s of samples) {
    if (s.at > at) break;
    last = s;
  }
  return { ...(last ?? samples[0])?.ready };
}

/** Attempts the target's balancer received over the fault, per client request that needed the target. */
function amplification(
  scenario: Scenario,
  recording: ScenarioRecording,
  records: readonly RequestRecord[],
  needs: (r: RequestRecord, service: string) => boolean,
): number | null {
  if (scenario.kind !== "dependency-fault" && scenario.kind !== "retry-storm") return null;
  const read = (s: SystemSample) => s.requests[scenario.target] ?? 0;
  const attempts =
    counterAt(recording.samples, recording.faultEndAt, read) - counterAt(recording.samples, recording.faultAt, read);
  const requests = records.filter(
    (r) => r.startAt >= recording.faultAt && r.startAt < recording.faultEndAt && needs(r, scenario.target),
  ).length;
  return requests === 0 ? null : attempts / requests;
}

function goodput(
  service: string,
  plan: SystemPlan,
  scenario: Scenario,
  recording: ScenarioRecording,
  records: readonly RequestRecord[],
  needs: (r: RequestRecord, service: string) => boolean,
): ServiceGoodput {
  const planned = plan.services.find((s) => s.name === service);
  const lostZones =
    scenario.kind === "zone-loss"
      ? [scenario.target]
      : plan.zones.filter((z) => z.region === scenario.target).map((z) => z.zone);
  const remainingCapacity = planned
    ? planned.zones.filter((z) => !lostZones.includes(z)).length * planned.instancesPerZone * planned.capacity
    : 0;
  const fromAt = Math.min(recording.faultAt + SETTLE_MS, recording.faultEndAt);
  const seconds = Math.max(0.001, (recording.faultEndAt - fromAt) / 1000);
  const window = records.filter((r) => r.startAt >= fromAt && r.startAt < recording.faultEndAt && needs(r, service));
  const ok = window.filter(isSuccessfulRequest);
  const served = ok.length / seconds;
  const offered = window.length / seconds;
  const possible = Math.min(offered, remainingCapacity);
  const sorted = ok.map((r) => r.endAt - r.startAt).sort((a, b) => a - b);
  const p99Ms = sorted.length === 0 ? null : (sorted[Math.ceil(0.99 * sorted.length) - 1] as number);
  return {
    service,
    goodput: round(served),
    remainingCapacity,
    ratio: possible === 0 ? null : round(served / possible),
    p99Ms,
    admittedP99Ms: recording.admittedP99Ms.get(service) ?? null,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
