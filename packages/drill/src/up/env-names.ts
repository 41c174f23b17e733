/** A spec name as an environment variable stem: upper case, `-` and `.` become `_`. */
function stem(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * The variable that carries the address of a service an instance calls:
 * `<NAME>_URL`, the balancer listener of the caller's own zone.
 *
 * @example
 * urlVariable("orders"); // "ORDERS_URL"
 * urlVariable("orders-api"); // "ORDERS_API_URL"
 */
export function urlVariable(service: string): string {
  return `${stem(service)}_URL`;
}

/**
 * The variable that carries the PostgreSQL URLs of a store an instance
 * calls, comma-separated, primary first: `<STORE>_URLS`. An instance that
 * calls exactly one PostgreSQL store also gets them as `DATABASE_URLS`.
 *
 * @example
 * postgresVariable("orders-db"); // "ORDERS_DB_URLS"
 */
export function postgresVariable(store: string): string {
  return `${stem(store)}_URLS`;
}

/**
 * The variable that carries the path of a store's SQLite file: the store's
 * name, upper case, ending in `_DB` (added when the name does not end so).
 *
 * @example
 * sqliteVariable("inventory-db"); // "INVENTORY_DB"
 * sqliteVariable("analytics-dw"); // "ANALYTICS_DW_DB"
 */
export function sqliteVariable(store: string): string {
  const base = stem(store);
  return base.endsWith("_DB") ? base : `${base}_DB`;
}
