import { type Clock, type OnProgress, requireKnownOptions, requireOption } from "@nines/core";
import { type Actor, requireAdmin } from "../lifecycle/actor.js";
import { nameGroupRows, setAuditRows, writeAudit } from "../lifecycle/audit.js";
import type { DeclaredTable } from "../lifecycle/declaration.js";
import { lifecycleError } from "../lifecycle/errors.js";
import type { LifecycleStore } from "../lifecycle/lifecycle-store.js";
import { META } from "../lifecycle/phase.js";
import { StatementCache } from "../lifecycle/statements.js";
import { candidateGroups, countRows, heldDueGroups } from "./census.js";
import { countExpiredAudit, expireAudit } from "./expire-audit.js";
import { recordKept } from "./record-kept.js";

/**
 * When a purge is unusual enough to stop and ask for confirmation.
 *
 * @example
 * await purge(store, { actor: ops, guard: { maxShare: 0.05, maxRows: 10_000 } });
 */
export interface PurgeGuard {
  /** Stop when more than this share of all declared rows would go (default 0.1). */
  maxShare?: number;
  /** Stop when more than this many rows would go, whatever the share (default 100,000). */
  maxRows?: number;
  /** The share check applies only from this many rows on, so small databases can be kept (default 1,000). */
  minRows?: number;
}

/**
 * How a purge runs. Progress is reported as core's `Progress`: phase
 * `purge` (done/total in rows, after each batch), then phase `audit`
 * (expired audit records removed).
 *
 * @example
 * const options: PurgeOptions = { actor: { id: "ops", admin: true }, rowsPerSecond: 50_000, onProgress: (p) => log(p) };
 */
export interface PurgeOptions {
  /** Who runs it (an administrator); named in the audit records. */
  actor: Actor;
  /** Groups per transaction (default 500). A group is never split across transactions. */
  batchGroups?: number;
  /** Upper bound on rows purged per second, on the clock (default: no limit). */
  rowsPerSecond?: number;
  /** Count only; change nothing. */
  dryRun?: boolean;
  /** Go on even when the guard finds the run unusual. */
  confirm?: boolean;
  guard?: PurgeGuard;
  signal?: AbortSignal;
  onProgress?: OnProgress;
  /** The clock that decides what is due and paces the rate (default: the store's). */
  clock?: Clock;
}

/**
 * What a purge found and did.
 *
 * @example
 * const { purgedRows, heldRows, keptGroups }: PurgeResult = await purge(store, { actor: ops });
 */
export interface PurgeResult {
  dryRun: boolean;
  /** Rows past their soft-delete period and not under a legal hold, when the run started. */
  eligibleRows: number;
  /** Rows past their period but kept by a legal hold on their group. */
  heldRows: number;
  /** Groups past their period kept by a legal hold (each got a `purge-kept` audit record; a dry run only counts). */
  keptGroups: number;
  /** All rows of the declared tables, live or deleted. */
  totalRows: number;
  /** Whether the guard found the run unusual (a dry run reports it; a real run stops unless confirmed). */
  unusual: boolean;
  purgedRows: number;
  purgedGroups: number;
  batches: number;
  /** Audit records older than the declaration's `auditDays` removed (a dry run: that would be removed). */
  expiredAuditRecords: number;
  /** True when the signal stopped the run between batches. */
  aborted: boolean;
}

const CHUNK = 500;
const OPTIONS = [
  "actor",
  "batchGroups",
  "rowsPerSecond",
  "dryRun",
  "confirm",
  "guard",
  "signal",
  "onProgress",
  "clock",
];

/**
 * The purge worker: removes, for good, the rows whose soft-delete period
 * has ended, in batches of whole groups, one transaction per batch (with
 * its audit record naming every purged row), so killing it at any moment
 * leaves no half-purged group and a rerun simply carries on (idempotent).
 * Groups under a legal hold stay, and each run records that it kept them.
 * Audit records older than the declaration's `auditDays` go last.
 * Rate-limited on the clock. A run that would purge an unusual share of
 * the data stops with NINES_DATA_PURGE_UNUSUAL unless `confirm` is set.
 *
 * @example
 * const dry = await purge(store, { actor: { id: "ops", admin: true }, dryRun: true });
 * console.log(`${dry.eligibleRows} rows would go`);
 * await purge(store, { actor: { id: "ops", admin: true }, rowsPerSecond: 50_000 });
 */
export async function purge(store: LifecycleStore, options: PurgeOptions): Promise<PurgeResult> {
  requireKnownOptions("purge", options ?? {}, OPTIONS);
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
  requireOption(typeof rate === "number" && rate > 0, "purge", "rowsPerSecond", rate, "a number > 0");
  requireKnownOptions("purge guard", options.guard ?? {}, ["maxShare", "maxRows", "minRows"]);
  const guard = { maxShare: 0.1, maxRows: 100_000, minRows: 1_000, ...options.guard };
  requireOption(guard.maxShare >= 0 && guard.maxShare <= 1, "purge", "guard.maxShare", guard.maxShare, "in [0, 1]");
  requireOption(guard.maxRows >= 0, "purge", "guard.maxRows", guard.maxRows, "a number >= 0");
  requireOption(guard.minRows >= 0, "purge", "guard.minRows", guard.minRows, "a number >= 0");

  const clock = options.clock ?? store.clock;
  const { declaration } = store;
  const { executor, kysely } = store.connection;
  const cache = new StatementCache();
  const startedAt = clock.now();
  const census = await countRows(executor, kysely, declaration, startedAt);
  const kept = await heldDueGroups(executor, kysely, declaration, startedAt);
  const auditBefore = startedAt - declaration.auditMs;
  const unusual =
    census.eligible > guard.maxRows ||
    (census.eligible >= guard.minRows && census.eligible > guard.maxShare * census.total);
  const result: PurgeResult = {
    dryRun: options.dryRun === true,
    eligibleRows: census.eligible,
    heldRows: census.held,
    keptGroups: kept.length,
    totalRows: census.total,
    unusual,
    purgedRows: 0,
    purgedGroups: 0,
    batches: 0,
    expiredAuditRecords: 0,
    aborted: false,
  };
  if (options.dryRun) {
    result.expiredAuditRecords = await countExpiredAudit(executor, kysely, auditBefore);
    return result;
  }
  if (unusual && !options.confirm) {
    const share = census.total === 0 ? 0 : census.eligible / census.total;
    throw lifecycleError(
      "purgeUnusual",
      `purge stopped before starting: ${census.eligible} of ${census.total} rows (${(share * 100).toFixed(1)}%) would be purged, more than the guard allows (${(guard.maxShare * 100).toFixed(0)}% from ${guard.minRows} rows, or ${guard.maxRows} rows)`,
      {
        hint: "check with a dry run (dryRun: true, --dry-run) that this is expected (a mass deletion?), then confirm (confirm: true, --confirm)",
        details: { eligibleRows: census.eligible, totalRows: census.total, guard },
      },
    );
  }
  await recordKept(executor, kysely, cache, declaration, kept, options.actor.id, startedAt);
  // Children before parents, so that the application's own foreign keys are never violated.
  const tables = [...declaration.order].reverse().map((name) => declaration.tables.get(name) as DeclaredTable);
  for (;;) {
    if (options.signal?.aborted) {
      result.aborted = true;
      break;
    }
    const batch = await executor.transaction(async (tx) => {
      const now = clock.now();
      const groups = await candidateGroups(tx, kysely, declaration, now, batchGroups);
      if (groups.length === 0) return { rows: 0, groups: 0 };
      const id = await writeAudit(tx, kysely, cache, {
        actor: options.actor.id,
        action: "purge",
        at: now,
        rows: 0,
        detail: { groups: groups.length },
      });
      let rows = 0;
      for (const t of tables) {
        for (let i = 0; i < groups.length; i += CHUNK) {
          const chunk = groups.slice(i, i + CHUNK);
          // Naming the rows first counts them: a table without any needs no DELETE.
          if ((await nameGroupRows(tx, kysely, cache, id, t, chunk, now)) === 0) continue;
          rows += await tx.run(
            cache.statement(`purge:${t.name}:${chunk.length}`, [...chunk, now], () =>
              kysely.deleteFrom(t.name).where(META.group, "in", chunk).where(META.purgeAt, "<=", now),
            ),
          );
        }
      }
      await setAuditRows(tx, kysely, cache, id, rows);
      return { rows, groups: groups.length };
    });
    if (batch.groups === 0) break;
    result.batches++;
    result.purgedRows += batch.rows;
    result.purgedGroups += batch.groups;
    options.onProgress?.({
      phase: "purge",
      done: result.purgedRows,
      total: census.eligible,
      unit: "rows",
    });
    if (Number.isFinite(rate)) {
      const wait = startedAt + (result.purgedRows * 1000) / rate - clock.now();
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
  if (!result.aborted) {
    result.expiredAuditRecords = await expireAudit(executor, kysely, auditBefore, options.signal);
    if (result.expiredAuditRecords > 0) {
      options.onProgress?.({ phase: "audit", done: result.expiredAuditRecords, total: null, unit: "records" });
    }
  }
  return result;
}
