/** The engines' names, for checking a name read from a file. */
const ENGINE_NAMES: readonly string[] = ["sqlite", "postgres"];

/**
 * The database engines nines speaks to.
 *
 * @example
 * const engine: EngineName = dialectFor("app.db").name; // "sqlite"
 */
export type EngineName = "sqlite" | "postgres";

/**
 * True when `value` (read from a manifest, say) names an engine nines speaks to.
 *
 * @example
 * isEngineName("postgres"); // true
 * isEngineName("mysql");    // false
 */
export function isEngineName(value: unknown): value is EngineName {
  return typeof value === "string" && ENGINE_NAMES.includes(value);
}
