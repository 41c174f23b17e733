import { isNinesError } from "@nines/core";
import type { Actor } from "./actor.js";
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

export function notFound(t: DeclaredTable, key: unknown, live = true) {
  return lifecycleError("notFound", `no ${live ? "live " : ""}${t.name} row with key ${String(key)}`, {
    hint: "check the table and key; deleted rows are listed by 'nines data trash list'",
    details: { table: t.name, key },
  });
}

export function forbidden(actor: Actor, what: string, t: DeclaredTable, key: unknown) {
  return lifecycleError(
    "forbidden",
    `${actor.id} may not ${what} ${t.name} ${String(key)}: it belongs to someone else`,
    {
      hint: "users act on their own rows only",
      details: { actor: actor.id, table: t.name, key },
    },
  );
}

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
