import { closestName } from "@nines/core";

export { closestName, levenshtein } from "@nines/core";

/**
 * A hint naming the closest valid name, then the valid names (up to 12).
 *
 * @example
 * suggest("zonez", ["zones", "instances"]); // 'did you mean "zones"? valid: zones, instances'
 */
export function suggest(name: string, candidates: readonly string[], what = "valid"): string {
  const near = closestName(name, candidates);
  const list = candidates.length === 0 ? "(none declared)" : listNames(candidates);
  return `${near !== undefined ? `did you mean "${near}"? ` : ""}${what}: ${list}`;
}

/** Names joined with commas, at most 16 of them (every key of a spec section fits). */
export function listNames(names: readonly string[]): string {
  return names.length <= 16 ? names.join(", ") : `${names.slice(0, 16).join(", ")}, ... (${names.length} in all)`;
}
