import { NinesError } from "@nines/core";
import type { Call, Journey, Service } from "../../model.js";
import type { Finding } from "../../result.js";
import type { Topology } from "../topology/topology.js";
import { finding } from "./findings.js";
import { decimals3 } from "./format.js";

/**
 * `retry-without-backoff` (error: retries without exponential backoff and
 * jitter) and `retry-without-breaker` (warning: retries with neither a
 * circuit breaker nor a retry budget), for every call of a service. The
 * subject is `caller -> callee`.
 *
 * @example
 * callRetryRules(web).map((f) => f.subject); // ["web -> orders"]
 */
export function callRetryRules(service: Service): Finding[] {
  const out: Finding[] = [];
  for (const call of service.calls) {
    if (call.retries <= 0) continue;
    const subject = `${service.name} -> ${call.target}`;
    if (call.backoff !== "exponential" || !call.jitter) {
      const has = call.backoff === null || call.backoff === "none" ? "no backoff" : `${call.backoff} backoff`;
      out.push(
        finding(
          "retry-without-backoff",
          "error",
          subject,
          `${subject} retries ${call.retries} times with ${has}${call.jitter ? "" : " and no jitter"}: set backoff: exponential and jitter: true so that retries spread out instead of arriving together`,
        ),
      );
    }
    if (!call.breaker && call.budget === null) {
      out.push(
        finding(
          "retry-without-breaker",
          "warning",
          subject,
          `${subject} retries with neither a circuit breaker nor a retry budget, so retries continue while ${call.target} is down: set breaker: true or budget: 10%`,
        ),
      );
    }
  }
  return out;
}

interface PathBest {
  factor: number;
  /** Component names from the path's first caller. */
  path: string[];
  calls: Call[];
}

/**
 * `retry-amplification`: follows every call path from the journey's entry
 * (optional calls included); a path's factor is the product of
 * (1 + retries). A path is flagged when more than one of its calls retries
 * or its factor exceeds `maxRetryAmplification`; error above the maximum,
 * else warning. One finding per journey, for its worst flagged path.
 *
 * Paths are not enumerated (a call graph can hold exponentially many): for
 * each component a memoised pass keeps the largest factor of the paths
 * starting there with 0, 1 and 2+ retrying calls, which is all the rule
 * needs. Ties keep the first path in file order.
 *
 * @example
 * retryAmplification(topology, journey)[0]?.factor; // 9 for two layers of 2 retries
 */
export function retryAmplification(topology: Topology, journey: Journey): Finding[] {
  const max = topology.spec.objectives.maxRetryAmplification;
  const memo = new Map<string, (PathBest | null)[]>();
  const visiting = new Set<string>();
  const best = (name: string): (PathBest | null)[] => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) {
      throw new NinesError("NINES_PLANNER_CALL_CYCLE", `planner: the calls of ${name} form a cycle`, {
        hint: "remove a call so that calls form no cycle (loadSpec reports the cycle)",
      });
    }
    visiting.add(name);
    const out: (PathBest | null)[] = [{ factor: 1, path: [name], calls: [] }, null, null];
    const service = topology.service(name);
    for (const call of service?.calls ?? []) {
      const child = best(call.target);
      const retrying = call.retries > 0 ? 1 : 0;
      for (let c = 0; c < 3; c++) {
        const sub = child[c];
        if (sub === null || sub === undefined) continue;
        const at = Math.min(2, c + retrying);
        const factor = (1 + call.retries) * sub.factor;
        const current = out[at];
        if (current === null || current === undefined || factor > current.factor) {
          out[at] = { factor, path: [name, ...sub.path], calls: [call, ...sub.calls] };
        }
      }
    }
    visiting.delete(name);
    memo.set(name, out);
    return out;
  };
  const [, one, twoOrMore] = best(journey.entry);
  const flagged = [twoOrMore, one && one.factor > max ? one : null].filter((p): p is PathBest => p != null);
  if (flagged.length === 0) return [];
  const worst = flagged.reduce((a, b) => (b.factor > a.factor ? b : a));
  const layers = worst.calls.filter((c) => c.retries > 0).length;
  const factor = decimals3(worst.factor);
  const over = worst.factor > max;
  const route = worst.path.join(" -> ");
  const change =
    layers > 1
      ? "retry at one layer only (usually the one nearest the user) and let the others fail fast"
      : "lower the retries of this call";
  return [
    finding(
      "retry-amplification",
      over ? "error" : "warning",
      journey.name,
      `${journey.name}: ${route} retries at ${layers} ${layers === 1 ? "layer" : "layers"}, so one failing request at the end can become ${factor} requests (factor ${factor}${over ? `, above maxRetryAmplification ${max}` : `, maximum ${max}`}): ${change}`,
      { factor, path: worst.path },
    ),
  ];
}
