import { entriesOf, mapping, Problems, type Raw } from "./problem.js";

/**
 * Warnings, not errors: a store with `log` but no `backups`. A log without
 * backups is no recovery mechanism, so such a spec is valid: the log
 * recovers nothing (there is no base to replay it onto) and the planner
 * ignores it, which is worth saying.
 *
 * @example
 * logWarnings(raw).list; // [{ path: ["stores", "db", "log"], message: 'store "db" has a log but no backups: ...', ... }]
 */
export function logWarnings(raw: Raw): Problems {
  const warnings = new Problems();
  for (const [name, value] of entriesOf(raw["stores"])) {
    const store = mapping(value);
    if (store === undefined || store["log"] === undefined || store["backups"] !== undefined) continue;
    warnings.add(
      ["stores", name, "log"],
      `store "${name}" has a log but no backups: a log without backups recovers nothing`,
      "add backups: { every: 24h, at: multi-region, restore: 30m } for the log to replay onto, or remove log",
      "key",
    );
  }
  return warnings;
}
