/**
 * The metadata columns the store adds to each declared table. They live in
 * the application's own rows (not a side table) so that `visible()` is a
 * single `nines_deleted_at IS NULL` test that needs no join, and so that
 * unique keys can be partial indexes over live rows on both engines.
 *
 * @example
 * await db.kysely.selectFrom("notes").select(["id", META.deletedAt]).where(META.hold, "is not", null).execute();
 */
export const META = {
  deletedAt: "nines_deleted_at",
  deletedBy: "nines_deleted_by",
  group: "nines_group",
  softAt: "nines_soft_at",
  purgeAt: "nines_purge_at",
  hold: "nines_hold",
} as const;

/**
 * Where a row is in the deletion pipeline at a given instant.
 *
 * @example
 * const phase: Phase = phaseAt(stamps, clock.now()); // "live" | "trash" | "soft" | "purged"
 */
export type Phase = "live" | "trash" | "soft" | "purged";

/**
 * The timestamps that decide a row's phase (milliseconds since the epoch).
 *
 * @example
 * const stamps: PhaseStamps = { deletedAt: 0, softAt: 10, purgeAt: 20 };
 */
export interface PhaseStamps {
  deletedAt: number | null;
  softAt: number | null;
  purgeAt: number | null;
}

/**
 * A row's phase at `now`, from its timestamps alone, on half-open
 * intervals: trash is [deletedAt, softAt), soft-deleted is [softAt,
 * purgeAt), purged from purgeAt on (whether or not the purge worker has
 * removed the row yet).
 *
 * @example
 * phaseAt({ deletedAt: 0, softAt: 10, purgeAt: 20 }, 10); // "soft"
 */
export function phaseAt(stamps: PhaseStamps, now: number): Phase {
  if (stamps.deletedAt === null) return "live";
  if (stamps.softAt !== null && now < stamps.softAt) return "trash";
  if (stamps.purgeAt !== null && now < stamps.purgeAt) return "soft";
  return "purged";
}

/** PostgreSQL returns BIGINT as a string; SQLite as a number. */
export function stamp(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
