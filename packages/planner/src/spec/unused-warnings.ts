import { entriesOf, mapping, Problems, type Raw, text } from "./problem.js";

/**
 * Warnings, not errors: components that no journey reaches (through `via`,
 * `entry` and calls, optional ones included) are planned but never counted
 * in a journey's availability, which is usually an oversight. Nothing is
 * reported when the spec has no journeys yet.
 *
 * @example
 * unusedWarnings(raw).list; // [{ path: ["stores", "old-db"], message: 'store "old-db" is in no journey', ... }]
 */
export function unusedWarnings(raw: Raw): Problems {
  const warnings = new Problems();
  const journeys = entriesOf(raw["journeys"]);
  if (journeys.length === 0) return warnings;
  const calls = new Map(
    entriesOf(raw["services"]).map(([name, s]) => [name, entriesOf(mapping(s)?.["calls"]).map(([c]) => c)]),
  );
  const reached = new Set<string>();
  const walk = (entry: string): void => {
    const stack = [entry];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (reached.has(name)) continue;
      reached.add(name);
      stack.push(...(calls.get(name) ?? []));
    }
  };
  for (const [, value] of journeys) {
    const journey = mapping(value);
    const via = text(journey?.["via"]);
    const entry = text(journey?.["entry"]);
    if (via !== undefined) reached.add(via);
    if (entry !== undefined) walk(entry);
  }
  const sections = [
    ["edge", "edge component"],
    ["services", "service"],
    ["stores", "store"],
  ] as const;
  for (const [section, what] of sections) {
    for (const [name] of entriesOf(raw[section])) {
      if (reached.has(name)) continue;
      warnings.add(
        [section, name],
        `${what} "${name}" is in no journey: no availability figure counts it`,
        section === "edge"
          ? "name it in a journey's via, or remove it"
          : "call it from a service on a journey, start a journey at it, or remove it",
        "key",
      );
    }
  }
  return warnings;
}
