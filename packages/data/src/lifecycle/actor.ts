import { lifecycleError } from "./errors.js";

/**
 * Who asks: a user (sees and changes only their own rows) or an
 * administrator (`admin: true` exactly: restores soft-deleted rows, places
 * legal holds, reads the audit trail, purges). Authentication is the
 * application's job; the store trusts this value but checks its shape.
 *
 * @example
 * const alice: Actor = { id: "alice" };
 * const ops: Actor = { id: "ops@example.com", admin: true };
 */
export interface Actor {
  readonly id: string;
  readonly admin?: boolean;
}

/**
 * Throws NINES_DATA_ACTOR_INVALID unless `actor` is `{ id: non-empty
 * string, admin?: boolean }`: a value such as `admin: "false"` or
 * `admin: 1` is refused rather than guessed at. Other fields are ignored,
 * so the application's own user object may be passed.
 *
 * @example
 * checkActor({ id: "alice" });                  // fine
 * checkActor({ id: "alice", admin: "false" });  // throws NINES_DATA_ACTOR_INVALID
 */
export function checkActor(actor: Actor): void {
  const value = actor as unknown;
  const shape = 'pass { id: "user-id" } for a user, { id: "user-id", admin: true } for an administrator';
  if (typeof value !== "object" || value === null) {
    throw lifecycleError("actorInvalid", `the actor must be an object, got ${describe(value)}`, { hint: shape });
  }
  const { id, admin } = value as Record<string, unknown>;
  if (typeof id !== "string" || id === "") {
    throw lifecycleError("actorInvalid", `actor.id must be a non-empty string, got ${describe(id)}`, {
      hint: `${shape}; every audit record names who acted`,
    });
  }
  if (admin !== undefined && typeof admin !== "boolean") {
    throw lifecycleError("actorInvalid", `actor.admin must be true, false or absent, got ${describe(admin)}`, {
      hint: `${shape}; convert admin to a boolean where the application authenticates the user`,
      details: { actor: id },
    });
  }
}

/**
 * The one administrator test: `admin === true` (after {@link checkActor}).
 *
 * @example
 * isAdmin({ id: "ops", admin: true }); // true
 */
export function isAdmin(actor: Actor): boolean {
  return actor.admin === true;
}

/**
 * Checks the actor, then throws NINES_DATA_FORBIDDEN unless it is an administrator.
 *
 * @example
 * requireAdmin(actor, "read the audit trail");
 */
export function requireAdmin(actor: Actor, what: string): void {
  checkActor(actor);
  if (isAdmin(actor)) return;
  throw lifecycleError("forbidden", `${actor.id} may not ${what}: administrators only`, {
    hint: "ask an administrator",
    details: { actor: actor.id },
  });
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value === null || typeof value !== "object") return `${String(value)} (a ${typeof value})`;
  return Array.isArray(value) ? "an array" : "an object";
}
