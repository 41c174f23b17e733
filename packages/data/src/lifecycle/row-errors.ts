import { isNinesError } from "@nines/core";
import type { DeclaredTable } from "./declaration.js";
import { lifecycleError } from "./errors.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A column the application may filter on or write: a plain identifier, not one of the store's. */
export function column(name: string): string {
  if (!IDENT.test(name) || name.toLowerCase().startsWith("nines_")) {
    throw lifecycleError("declaration", `'${name}' is not a column the application may filter or write`, {
      hint: "use a plain column name; nines_* columns belong to the store",
    });
  }
  return name;
}

/**
 * The one "not found": for a row that does not exist and for a row the
 * actor may not reach (someone else's, or past the owner's trash period)
 * alike, so that the answer tells nothing about rows the actor may not see.
 */
export function notFound(t: DeclaredTable, key: unknown, live = true) {
  return lifecycleError("notFound", `no ${live ? "live " : ""}${t.name} row with key ${String(key)}`, {
    hint: "check the table and key; the trash lists what can still be restored ('nines data trash')",
    details: { table: t.name, key },
  });
}

/** A driver's unique violation as NINES_DATA_UNIQUE_TAKEN; any other error unchanged. */
export function uniqueOrRethrow(error: unknown, t: DeclaredTable): unknown {
  if (isNinesError(error)) return error;
  const code = (error as { code?: string }).code;
  if (code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE") {
    return lifecycleError("uniqueTaken", `${t.name}: ${(error as Error).message}`, {
      cause: error,
      hint: "a live row holds that unique value; choose another",
    });
  }
  return error;
}
