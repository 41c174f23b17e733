// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { requireOption } from "@nines/core";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import { type Actor, requireAdmin } from "../lifecycle/actor.js";
import { writeAudit } from "../lifecycle/audit.js";
import type { Declaration } from "../lifecycle/declaration.js";
import { lifecycleError } from "../lifecycle/errors.js";
import type { LifecycleStore } from "../lifecycle/lifecycle-store.js";
import { META } from "../lifecycle/phase.js";
import { StatementCache } from "../lifecycle/statements.js";

/** When a purge is unusual enough to stop and ask for confirmation. */
export interface PurgeGuard {
  /** Stop when more than this share of all declared rows would go (default 0.1). */
  maxShare?: number;
  /** Stop when more than this many rows would go, whatever the share (default 100,000). */
  maxRows?: number;
  /** The share check applies only from this many rows on, so small databases can be kept (default 1,000). */
  minRows?: number;
}

export interface PurgeProgress {
  purgedRows: number;
  purgedGroups: number;
  eligibleRows: number;
  batches: number;
}

export interface PurgeOptions {
  /** Who runs it (an administrator); named in the audit records. */
  actor: Actor;
  /** Groups per transaction (default 500). A group is never split across transactions. */
  batchGroups?: number;
  /** Upper bound on rows purged per second, on the store's clock (default: no limit). */
  rowsPerSecond?: number;
  /** Count only; change nothing. */
  dryRun?: boolean;
  /** Go on even when the guard finds the run unusual. */
  confirm?: boolean;
  guard?: PurgeGuard;
  signal?: AbortSignal;
  onProgress?: (progress: PurgeProgress) => void;
}

export interface PurgeResult {
  dryRun: boolean;
  /** Rows past their soft-delete period and not under a legal hold, when the run started. */
  eligibleRows: number;
  /** Rows past their period but kept by a legal hold on their group. */
  heldRows: number;
  /** All rows of the declared tables, live or deleted. */
  totalRows: number;
  /** Whether the guard found the run unusual (a dry run reports it; a real run stops unless confirmed). */
  unusual: boolean;
  purgedRows: number;
  purgedGroups: number;
  batches: number;
  /** True when the signal stopped the run between batches. */
  aborted: boolean;
}

const CHUNK = 500;

/**
 * The purge worker: removes, for good, the rows whose soft-delete period
 * has ended, in batches of whole groups, one transaction per batch (with
 * its audit record), so killing it at any moment leaves no half-purged
 * group and a rerun simply carries on (idempotent). Groups under a legal
 * hold stay. Rate-limited on the store's clock. A run that would purge an
 * unusual share of the data stops with NINES_DATA_PURGE_UNUSUAL unless
 * `confirm` is set.
 *
 * @example
 * const dry = await purge(store, { actor: { id: "ops", admin: true }, dryRun: true });
 * console.log(`${dry.eligibleRows} rows would go`);
 * await purge(store, { actor: { id: "ops", admin: true }, rowsPerSecond: 50_000 });
 */
export async function purge(store: LifecycleStore, options: PurgeOptions): Promise<PurgeResult> {
  requireAdmin(options.actor, "purge");
  const batchGroups = options.batchGroups ?? 500;
  requireOption(
    Number.isInteger(batchGroups) && batchGroups >= 1,
    "purge",
    "batchGroups",
    batchGroups,
    "an integer >= 1",
  );
  const rate = options.rowsPerSecond ?? Number.POSITIVE_INFINITY;
  requireOption(rate > 0, "purge", "rowsPerSecond", rate, "> 0");
  const guard = { maxShare: 0.1, maxRows: 100_000, minRows: 1_000, ...options.guard };
  requireOption(guard.maxShare >= 0 && guard.maxShare <= 1, "purge", "guard.maxShare", guard.maxShare, "in [0, 1]");

  const { clock, declaration } = store;
  const { executor, kysely } = store.connection;
  const cache = new StatementCache();
  const census = await countRows(executor, kysely, declaration, clock.now());
  const unusual =
    census.eligible > guard.maxRows ||
    (census.eligible >= guard.minRows && census.eligible > guard.maxShare * census.total);
  const result: PurgeResult = {
    dryRun: options.dryRun === true,
    eligibleRows: census.eligible,
    heldRows: census.held,
    totalRows: census.total,
    unusual,
    purgedRows: 0,
    purgedGroups: 0,
    batches: 0,
    aborted: false,
  };
  if (options.dryRun) return result;
  if (unusual && !options.confirm) {
    const share = census.total === 0 ? 0 : census.eligible / census.total;
    throw lifecycleError(
      "purgeUnusual",
      `purge stopped before starting: ${census.eligible} of ${census.total} rows (${(share * 100).toFixed(1)}%) would be purged, more than the guard allows (${(guard.maxShare * 100).toFixed(0)}% from ${guard.minRows} rows, or ${guard.maxRows} rows)`,
      {
        hint: "check with --dry-run that this is expected (a mass deletion?), then confirm (--confirm)",
        details: { eligibleRows: census.eligible, totalRows: census.total, guard },
      },
    );
  }
  const started = clock.now();
  for (;;) {
    if (options.signal?.aborted) {
      result.aborted = true;
      break;
    }
    const batch = await executor.transaction(async (tx) => {
      const now = clock.now();
      const groups = await candidateGroups(tx, kysely, declaration, now, batchGroups);
      if (groups.length === 0) return { rows: 0, groups: 0 };
      let rows = 0;
      // Children before parents, so that the application's own foreign keys are never violated.
      for (const name of [...declaration.order].reverse()) {
        for (let i = 0; i < groups.length; i += CHUNK) {
          const chunk = groups.slice(i, i + CHUNK);
          rows += await tx.run(
            cache.statement(`purge:${name}:${chunk.length}`, [...chunk, now], () =>
              kysely.deleteFrom(name).where(META.group, "in", chunk).where(META.purgeAt, "<=", now),
            ),
          );
        }
      }
      await writeAudit(tx, kysely, cache, {
        actor: options.actor.id,
        action: "purge",
        at: now,
        rows,
        detail: { groups },
      });
      return { rows, groups: groups.length };
    });
    if (batch.groups === 0) break;
    result.batches++;
    result.purgedRows += batch.rows;
    result.purgedGroups += batch.groups;
    options.onProgress?.({
      purgedRows: result.purgedRows,
      purgedGroups: result.purgedGroups,
      eligibleRows: census.eligible,
      batches: result.batches,
    });
    if (Number.isFinite(rate)) {
      const wait = started + (result.purgedRows * 1000) / rate - clock.now();
      if (wait > 0) {
        try {
          await clock.sleep(wait, options.signal);
        } catch {
          result.aborted = true;
          break;
        }
      }
    }
  }
  return result;
}

/** Up to `limit` purgeable groups with no legal hold on any of their rows, in any table. */
async function candidateGroups(
  tx: Executor,
  kysely: Kysely<any>,
  declaration: Declaration,
  now: number,
  limit: number,
): Promise<string[]> {
  const groups = new Set<string>();
  for (const name of declaration.order) {
    if (groups.size >= limit) break;
    const rows = await tx.all<{ g: string }>(
      kysely
        .selectFrom(`${name} as c`)
        .select(sql.ref(`c.${META.group}`).as("g"))
        .distinct()
        .where(`c.${META.deletedAt}`, "is not", null)
        .where(`c.${META.purgeAt}`, "<=", now)
        .where((eb: ExpressionBuilder<any, any>) => eb.and(notHeld(eb, declaration)))
        .limit(limit - groups.size)
        .compile(),
    );
    for (const row of rows) groups.add(row.g);
  }
  return [...groups];
}

function notHeld(eb: ExpressionBuilder<any, any>, declaration: Declaration) {
  return declaration.order.map((other) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom(`${other} as h`)
          .select(sql.lit(1).as("one"))
          .whereRef(`h.${META.group}`, "=", `c.${META.group}`)
          .where(`h.${META.hold}`, "is not", null),
      ),
    ),
  );
}

async function countRows(executor: Executor, kysely: Kysely<any>, declaration: Declaration, now: number) {
  let total = 0;
  let eligible = 0;
  let held = 0;
  for (const name of declaration.order) {
    const [row] = await executor.all<{ total: unknown; past: unknown; free: unknown }>(
      kysely
        .selectFrom(`${name} as c`)
        .select((eb: ExpressionBuilder<any, any>) => [
          eb.fn.countAll().as("total"),
          eb.fn
            .count(
              sql`case when ${sql.ref(`c.${META.deletedAt}`)} is not null and ${sql.ref(`c.${META.purgeAt}`)} <= ${now} then 1 end`,
            )
            .as("past"),
          eb.fn
            .count(
              sql`case when ${sql.ref(`c.${META.deletedAt}`)} is not null and ${sql.ref(`c.${META.purgeAt}`)} <= ${now} and ${eb.and(notHeld(eb, declaration))} then 1 end`,
            )
            .as("free"),
        ])
        .compile(),
    );
    total += Number(row?.total ?? 0);
    eligible += Number(row?.free ?? 0);
    held += Number(row?.past ?? 0) - Number(row?.free ?? 0);
  }
  return { total, eligible, held };
}
