import { lifecycleError } from "./errors.js";

/**
 * Who asks: a user (sees and restores only their own rows) or an
 * administrator (restores soft-deleted rows, places legal holds, purges).
 * Authentication is the application's job; the store trusts this value.
 *
 * @example
 * const alice: Actor = { id: "alice" };
 * const ops: Actor = { id: "ops@example.com", admin: true };
 */
export interface Actor {
  readonly id: string;
  readonly admin?: boolean;
}

/** Throws NINES_DATA_FORBIDDEN unless the actor is an administrator. */
export function requireAdmin(actor: Actor, what: string): void {
  if (actor.admin) return;
  throw lifecycleError("forbidden", `${actor.id} may not ${what}: administrators only`, {
    hint: "ask an administrator",
    details: { actor: actor.id },
  });
}

/** Throws on an actor without an id (every audit record names one). */
export function checkActor(actor: Actor): void {
  if (typeof actor?.id !== "string" || actor.id === "") {
    throw lifecycleError("forbidden", "no actor: every lifecycle operation names who does it", {
      hint: "pass { id: userId } (and admin: true for administrators)",
    });
  }
}
