import { PLANNER_ERRORS, PlannerError } from "../../errors.js";
import type { Journey, Service } from "../../model.js";
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
          `${subject} retries ${call.retries === 1 ? "once" : `${call.retries} times`} with ${has}${call.jitter ? "" : " and no jitter"}: set backoff: exponential and jitter: true so that retries spread out instead of arriving together`,
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

/**
 * The best path from a component, as a linked list (`rest` is the best path
 * from its callee), so that keeping one per component costs no copying.
 */
interface PathBest {
  factor: number;
  name: string;
  rest: PathBest | null;
  /** Calls along the path that retry. */
  layers: number;
}

function pathNames(path: PathBest): string[] {
  const out: string[] = [];
  for (let p: PathBest | null = path; p !== null; p = p.rest) out.push(p.name);
  return out;
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
 * needs. Ties keep the first path in file order. The pass is iterative, so
 * a chain of thousands of services is fine.
 *
 * @example
 * retryAmplification(topology, journey)[0]?.factor; // 9 for two layers of 2 retries
 */
export function retryAmplification(topology: Topology, journey: Journey): Finding[] {
  const max = topology.spec.objectives.maxRetryAmplification;
  const memo = bestPaths(topology, journey.entry);
  const best = (name: string): (PathBest | null)[] => memo.get(name)!;
  const [, one, twoOrMore] = best(journey.entry);
  const flagged = [twoOrMore, one && one.factor > max ? one : null].filter((p): p is PathBest => p != null);
  if (flagged.length === 0) return [];
  const worst = flagged.reduce((a, b) => (b.factor > a.factor ? b : a));
  const layers = worst.layers;
  const factor = decimals3(worst.factor);
  const over = worst.factor > max;
  const path = pathNames(worst);
  const route = path.join(" -> ");
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
      { factor, path },
    ),
  ];
}

/**
 * For every component reachable from `entry`, the best path starting there
 * with 0, 1 and 2+ retrying calls: a post-order walk with an explicit
 * stack (each component is finished once all its callees are).
 */
function bestPaths(topology: Topology, entry: string): Map<string, (PathBest | null)[]> {
  const memo = new Map<string, (PathBest | null)[]>();
  const visiting = new Set<string>();
  const stack: { name: string; next: number }[] = [{ name: entry, next: 0 }];
  visiting.add(entry);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const calls = topology.service(top.name)?.calls ?? [];
    if (top.next < calls.length) {
      const callee = calls[top.next++]!.target;
      if (memo.has(callee)) continue;
      if (visiting.has(callee)) {
        throw new PlannerError(PLANNER_ERRORS.callCycle, `planner: the calls of ${callee} form a cycle`, {
          hint: "remove a call so that calls form no cycle (parseSpec reports the cycle)",
        });
      }
      visiting.add(callee);
      stack.push({ name: callee, next: 0 });
      continue;
    }
    stack.pop();
    visiting.delete(top.name);
    const out: (PathBest | null)[] = [{ factor: 1, name: top.name, rest: null, layers: 0 }, null, null];
    for (const call of calls) {
      const child = memo.get(call.target)!;
      const retrying = call.retries > 0 ? 1 : 0;
      for (let c = 0; c < 3; c++) {
        const sub = child[c];
        if (sub === null || sub === undefined) continue;
        const at = Math.min(2, c + retrying);
        const factor = (1 + call.retries) * sub.factor;
        const current = out[at];
        if (current === null || current === undefined || factor > current.factor) {
          out[at] = { factor, name: top.name, rest: sub, layers: sub.layers + retrying };
        }
      }
    }
    memo.set(top.name, out);
  }
  return memo;
}
