import type { Spec } from "../../model.js";

/**
 * Services in an order where a caller comes before what it calls (file
 * order breaks ties): each service's depth is its longest chain of callers,
 * computed in one pass over a topological order (calls form no cycle), so
 * long chains and wide fan-ins cost linear time.
 *
 * @example
 * callOrder(spec); // ["web", "orders", "inventory", "analytics"]
 */
export function callOrder(spec: Spec): string[] {
  const names = spec.services.map((s) => s.name);
  const callees = new Map(
    spec.services.map((s) => [s.name, s.calls.filter((c) => c.targetKind === "service").map((c) => c.target)]),
  );
  const callers = new Map<string, number>(names.map((n) => [n, 0]));
  for (const list of callees.values()) {
    for (const callee of list) if (callers.has(callee)) callers.set(callee, callers.get(callee)! + 1);
  }
  const depth = new Map<string, number>(names.map((n) => [n, 0]));
  const ready = names.filter((n) => callers.get(n) === 0);
  while (ready.length > 0) {
    const name = ready.pop()!;
    for (const callee of callees.get(name) ?? []) {
      if (!callers.has(callee)) continue;
      depth.set(callee, Math.max(depth.get(callee)!, depth.get(name)! + 1));
      const left = callers.get(callee)! - 1;
      callers.set(callee, left);
      if (left === 0) ready.push(callee);
    }
  }
  return names
    .map((name, i) => ({ name, i }))
    .sort((a, b) => depth.get(a.name)! - depth.get(b.name)! || a.i - b.i)
    .map((s) => s.name);
}
