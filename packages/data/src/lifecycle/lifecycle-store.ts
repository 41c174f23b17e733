// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";
import type { Kysely } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { DataConnection } from "../dialect/dialect.js";
import { type Actor, checkActor, requireAdmin } from "./actor.js";
import { type AdminRow, type DeletedOptions, deletedRows, heldRows, inspectRow } from "./admin-rows.js";
import { type AuditAction, type AuditRecord, type AuditRow, readAudit, recordRows, rowHistory } from "./audit.js";
import type { StoreContext } from "./context.js";
import { readMeta } from "./context.js";
import type { Declaration, DeclaredTable } from "./declaration.js";
import { type DeleteResult, deleteForever, deleteRow, emptyTrash, type ForgetResult } from "./deletion.js";
import { lifecycleError } from "./errors.js";
import { setHold } from "./holds.js";
import { type AggregateFunction, type ListOptions, LiveReads, type ReadOptions, type Row } from "./live-reads.js";
import { type Phase, phaseAt } from "./phase.js";
import { type RestoreOptions, type RestoreResult, restoreRow } from "./restore.js";
import { insertRow, updateRow } from "./row-writes.js";
import { ensureSchema } from "./schema.js";
import { StatementCache } from "./statements.js";
import { type TrashGroup, type TrashOptions, trashGroups } from "./trash-groups.js";

export type { AggregateFunction, ListOptions, ReadOptions, RestoreOptions, RestoreResult, Row };

/**
 * What a store works on: the open database, the validated declaration of
 * its tables, and the clock phases are computed on (default: the system
 * clock).
 *
 * @example
 * const store = await LifecycleStore.open({ connection: db, declaration, clock: new ManualClock(0) });
 */
export interface LifecycleStoreOptions {
  connection: DataConnection;
  declaration: Declaration;
  clock?: Clock;
}

/**
 * Which audit records {@link LifecycleStore.audit} reads: the newest
 * `limit` (default 100), of one action or all.
 *
 * @example
 * await store.audit(admin, { action: "purge", limit: 10 });
 */
export interface AuditOptions {
  action?: AuditAction;
  limit?: number;
}

/**
 * Lazy deletion on the application's own tables, in phases computed from
 * timestamps at read time: trash (the owner restores) -> soft-deleted
 * (only an administrator restores; to the owner the row no longer exists)
 * -> purged (the purge worker removes the rows). Reads through the store,
 * and queries filtered with `visible()`, never see deleted rows. Every
 * change runs in one transaction and writes one audit record naming its
 * rows; a refused request changes nothing.
 *
 * @example
 * const db = await openDatabase("app.db");
 * const store = await LifecycleStore.open({ connection: db, declaration });
 * const alice = { id: "alice" };
 * const note = await store.insert(alice, "notes", { title: "plan", folder_id: 1 });
 * await store.delete(alice, "notes", note["id"]);
 * await store.trash(alice);                        // [{ table: "notes", key: 1, children: 0, ... }]
 * await store.restore(alice, "notes", note["id"]);
 */
export class LifecycleStore {
  readonly connection: DataConnection;
  readonly declaration: Declaration;
  readonly clock: Clock;
  readonly #ctx: StoreContext;
  readonly #reads: LiveReads;

  constructor(options: LifecycleStoreOptions) {
    requireKnownOptions("LifecycleStore", options, ["connection", "declaration", "clock"]);
    this.connection = options.connection;
    this.declaration = options.declaration;
    this.clock = options.clock ?? systemClock;
    const kysely: Kysely<any> = options.connection.kysely;
    const executor: Executor = options.connection.executor;
    const cache = new StatementCache();
    this.#ctx = {
      connection: this.connection,
      declaration: this.declaration,
      clock: this.clock,
      kysely,
      executor,
      cache,
      table: (name) => this.table(name),
    };
    this.#reads = new LiveReads(kysely, executor, cache);
  }

  /**
   * Builds a store and prepares the declared tables ({@link ensureSchema}).
   *
   * @example
   * const store = await LifecycleStore.open({ connection: db, declaration: loadDeclaration("nines-data.json") });
   */
  static async open(options: LifecycleStoreOptions): Promise<LifecycleStore> {
    await ensureSchema(options.connection, options.declaration);
    return new LifecycleStore(options);
  }

  /**
   * The declared table named `name`, or NINES_DATA_TABLE_UNKNOWN.
   *
   * @example
   * store.table("notes").owner; // "owner_id"
   */
  table(name: string): DeclaredTable {
    const table = this.declaration.tables.get(name);
    if (!table) {
      throw lifecycleError("unknownTable", `table '${name}' is not declared for lazy deletion`, {
        hint: `declared tables: ${[...this.declaration.tables.keys()].join(", ")}`,
      });
    }
    return table;
  }

  // ---- reads: live rows only, the actor's own unless administrator ----

  /** One live row by key, or undefined (deleted, someone else's, or missing). */
  async get(actor: Actor, tableName: string, key: unknown): Promise<Row | undefined> {
    return await this.#reads.get(actor, this.table(tableName), key);
  }

  /** Live rows matching equality filters and an optional substring search. */
  async list(actor: Actor, tableName: string, options: ListOptions = {}): Promise<Row[]> {
    return await this.#reads.list(actor, this.table(tableName), options);
  }

  /** How many live rows match. */
  async count(actor: Actor, tableName: string, options: ReadOptions = {}): Promise<number> {
    return (await this.#reads.aggregate(actor, this.table(tableName), "count", undefined, options)) ?? 0;
  }

  /** An aggregate over live rows (`count` ignores `column`); null when no row matches. */
  async aggregate(
    actor: Actor,
    tableName: string,
    fn: AggregateFunction,
    columnName: string | undefined,
    options: ReadOptions = {},
  ): Promise<number | null> {
    return await this.#reads.aggregate(actor, this.table(tableName), fn, columnName, options);
  }

  // ---- writes ----

  /**
   * Inserts a live row owned by the actor (an administrator may name another
   * owner). Parents must be live and visible to the actor; a unique value
   * held by a live row is NINES_DATA_UNIQUE_TAKEN (deleted rows do not count).
   */
  async insert(actor: Actor, tableName: string, values: Row): Promise<Row> {
    return await insertRow(this.#ctx, actor, tableName, values);
  }

  /** Updates a live row of the actor's; a deleted or someone else's row is NINES_DATA_NOT_FOUND. */
  async update(actor: Actor, tableName: string, key: unknown, values: Row): Promise<Row> {
    return await updateRow(this.#ctx, actor, tableName, key, values);
  }

  /**
   * Moves a live row and all its live descendants to the trash as one
   * group. Children deleted earlier keep their own group. A row the actor
   * may not see is NINES_DATA_NOT_FOUND.
   */
  async delete(actor: Actor, tableName: string, key: unknown): Promise<DeleteResult> {
    return await deleteRow(this.#ctx, actor, tableName, key);
  }

  // ---- the user's trash ----

  /** The groups the actor deleted that are still in the trash: the row deleted, its children counted. */
  async trash(actor: Actor, options: TrashOptions = {}): Promise<TrashGroup[]> {
    checkActor(actor);
    requireKnownOptions("trash", options, ["order", "limit"]);
    const { order, limit } = options;
    requireOption(
      order === undefined || order === "newest" || order === "oldest",
      "trash",
      "order",
      order,
      'an order, "newest" or "oldest"',
    );
    requireOption(
      limit === undefined || (Number.isInteger(limit) && limit >= 0),
      "trash",
      "limit",
      limit,
      "an integer >= 0",
    );
    return await trashGroups(this.#ctx, actor.id, this.clock.now(), options);
  }

  /**
   * Restores the group the row was deleted with: exactly the rows deleted
   * with it. The owner restores from the trash; past the trash period the
   * row is out of the owner's reach (NINES_DATA_NOT_FOUND, as for a row
   * that never existed) and only an administrator restores it; a row past
   * its soft-delete period is NINES_DATA_RESTORE_EXPIRED.
   */
  async restore(actor: Actor, tableName: string, key: unknown, options: RestoreOptions = {}): Promise<RestoreResult> {
    return await restoreRow(this.#ctx, actor, tableName, key, options);
  }

  /** Ends the trash period of all the actor's trash groups now: they leave the actor's reach. */
  async emptyTrash(actor: Actor): Promise<ForgetResult> {
    return await emptyTrash(this.#ctx, actor);
  }

  /**
   * Deletes one item of the trash forever, for its owner: the row's whole
   * group leaves the owner's reach now (soft-deleted: administrators can
   * still restore it until the purge), audited with its rows.
   */
  async deleteForever(actor: Actor, tableName: string, key: unknown): Promise<ForgetResult> {
    return await deleteForever(this.#ctx, actor, tableName, key);
  }

  // ---- administrators ----

  /** Administrators: deleted rows in the trash or soft-deleted phase, with phase, dates and content. */
  async deleted(actor: Actor, options: DeletedOptions = {}): Promise<AdminRow[]> {
    requireAdmin(actor, "list deleted rows of all users");
    requireKnownOptions("deleted", options, ["phase", "owner"]);
    const { phase } = options;
    requireOption(
      phase === undefined || phase === "trash" || phase === "soft",
      "deleted",
      "phase",
      phase,
      'a phase, "trash" or "soft"',
    );
    return await deletedRows(this.#ctx, this.clock.now(), options);
  }

  /** Administrators: every row a legal hold keeps, in any phase (live ones too), with content for legal export. */
  async held(actor: Actor, options: { owner?: string } = {}): Promise<AdminRow[]> {
    requireAdmin(actor, "list rows under legal hold");
    requireKnownOptions("held", options, ["owner"]);
    return await heldRows(this.#ctx, this.clock.now(), options.owner);
  }

  /**
   * Administrators: one row with its phase, dates and content, in any phase
   * while it is stored (past its period only when a legal hold keeps it);
   * undefined otherwise.
   */
  async inspect(actor: Actor, tableName: string, key: unknown): Promise<AdminRow | undefined> {
    requireAdmin(actor, "inspect rows of any user");
    return await inspectRow(this.#ctx, this.table(tableName), key, this.clock.now());
  }

  /** Administrators: places a legal hold on a row (and so on its group): the purge worker keeps it. */
  async hold(actor: Actor, tableName: string, key: unknown, reason: string): Promise<void> {
    await setHold(this.#ctx, actor, tableName, key, reason);
  }

  /** Administrators: lifts a legal hold. */
  async release(actor: Actor, tableName: string, key: unknown): Promise<void> {
    await setHold(this.#ctx, actor, tableName, key, null);
  }

  /** Administrators: a row's phase now, whoever owns it; undefined when the row is gone. */
  async phase(actor: Actor, tableName: string, key: unknown): Promise<Phase | undefined> {
    requireAdmin(actor, "read phases of any row");
    const row = await readMeta(this.#ctx, this.#ctx.executor, this.table(tableName), key);
    return row ? phaseAt(row, this.clock.now()) : undefined;
  }

  /** Administrators: the audit trail, newest first. */
  async audit(actor: Actor, options: AuditOptions = {}): Promise<AuditRecord[]> {
    requireAdmin(actor, "read the audit trail");
    requireKnownOptions("audit", options, ["action", "limit"]);
    return await readAudit(this.#ctx.executor, this.#ctx.kysely, options);
  }

  /**
   * Administrators: what happened to one row, oldest first: every delete,
   * restore, empty-trash, delete-forever, hold, release, purge and
   * purge-kept record that names it, with its time and actor (kept for the
   * declaration's `auditDays`).
   */
  async history(actor: Actor, tableName: string, key: unknown): Promise<AuditRecord[]> {
    requireAdmin(actor, "read the audit trail");
    return await rowHistory(this.#ctx.executor, this.#ctx.kysely, this.table(tableName).name, key);
  }

  /** Administrators: the rows one audit record names. */
  async auditRows(actor: Actor, recordId: number): Promise<AuditRow[]> {
    requireAdmin(actor, "read the audit trail");
    return await recordRows(this.#ctx.executor, this.#ctx.kysely, recordId);
  }
}
