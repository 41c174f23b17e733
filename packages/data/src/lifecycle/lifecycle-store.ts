// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { type Clock, systemClock } from "@nines/core";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import type { DataConnection } from "../connection/open-database.js";
import { type Actor, checkActor, requireAdmin } from "./actor.js";
import { type AuditAction, type AuditRecord, readAudit, writeAudit } from "./audit.js";
import type { Declaration, DeclaredTable } from "./declaration.js";
import { lifecycleError } from "./errors.js";
import { type DeletedRow, deletedRows } from "./list-deleted.js";
import { type AggregateFunction, type ListOptions, LiveReads, type ReadOptions, type Row } from "./live-reads.js";
import { META, type Phase, phaseAt, stamp } from "./phase.js";
import { restoreGroup } from "./restore-group.js";
import { column, forbidden, notFound, uniqueOrRethrow } from "./row-errors.js";
import { ensureSchema } from "./schema.js";
import { StatementCache } from "./statements.js";

export type { AggregateFunction, ListOptions, ReadOptions, Row };

export interface RestoreOptions {
  /** `fail` (default): a restored unique value held by a live row stops the restore; `rename`: rename the old row. */
  onConflict?: "fail" | "rename";
}

/** What a delete did: the group (the row and every live descendant) and when its phases end. */
export interface DeleteResult {
  group: string;
  rows: number;
  softAt: number;
  purgeAt: number;
}

/** What a restore did. */
export interface RestoreResult {
  group: string;
  rows: number;
  renamed: { table: string; key: unknown; column: string; from: unknown; to: string }[];
}

export interface LifecycleStoreOptions {
  connection: DataConnection;
  declaration: Declaration;
  clock?: Clock;
}

const CHUNK = 500;

/**
 * Lazy deletion on the application's own tables, in phases computed from
 * timestamps at read time: trash (owner restores) -> soft-deleted (only an
 * administrator restores) -> purged (the purge worker removes the rows).
 * Reads through the store, and queries filtered with `visible()`, never
 * see deleted rows. Every change runs in one transaction and writes one
 * audit record; a refused request changes nothing.
 *
 * @example
 * const db = await openDatabase("app.db");
 * const store = await LifecycleStore.open({ connection: db, declaration });
 * const alice = { id: "alice" };
 * const note = await store.insert(alice, "notes", { title: "plan", folder_id: 1 });
 * await store.delete(alice, "notes", note["id"]);
 * await store.trash(alice);                        // [{ table: "notes", phase: "trash", ... }]
 * await store.restore(alice, "notes", note["id"]);
 */
export class LifecycleStore {
  readonly connection: DataConnection;
  readonly declaration: Declaration;
  readonly clock: Clock;
  readonly #kysely: Kysely<any>;
  readonly #executor: Executor;
  readonly #cache = new StatementCache();
  readonly #reads: LiveReads;

  constructor(options: LifecycleStoreOptions) {
    this.connection = options.connection;
    this.declaration = options.declaration;
    this.clock = options.clock ?? systemClock;
    this.#kysely = options.connection.kysely;
    this.#executor = options.connection.executor;
    this.#reads = new LiveReads(this.#kysely, this.#executor, this.#cache);
  }

  /** Builds a store and prepares the declared tables ({@link ensureSchema}). */
  static async open(options: LifecycleStoreOptions): Promise<LifecycleStore> {
    await ensureSchema(options.connection, options.declaration);
    return new LifecycleStore(options);
  }

  /** The declared table named `name`, or NINES_DATA_TABLE_UNKNOWN. */
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
    checkActor(actor);
    const t = this.table(tableName);
    const row: Row = { ...values };
    for (const name of Object.keys(row)) column(name);
    if (row[t.owner] === undefined) row[t.owner] = actor.id;
    if (!actor.admin && row[t.owner] !== actor.id) {
      throw lifecycleError(
        "forbidden",
        `${actor.id} may not insert a row of ${t.name} owned by ${String(row[t.owner])}`,
        {
          hint: "users insert rows they own",
        },
      );
    }
    return await this.#executor.transaction(async (tx) => {
      for (const parent of t.parents) {
        const parentKey = row[parent.column];
        if (parentKey === undefined || parentKey === null) continue;
        if (!(await this.#liveIn(tx, parent.table, parentKey, actor))) {
          throw lifecycleError(
            "parentDeleted",
            `${t.name}.${parent.column} = ${String(parentKey)}: no live ${parent.table} row with that key`,
            {
              hint: "restore the parent first, or choose a live one",
            },
          );
        }
      }
      const names = Object.keys(row).sort();
      const parameters = names.map((n) => row[n]);
      const statement = this.#cache.statement(`insert:${t.name}:${names.join(",")}`, parameters, () =>
        this.#kysely
          .insertInto(t.name)
          .values(Object.fromEntries(names.map((n) => [n, row[n]])))
          .returningAll(),
      );
      try {
        return (await tx.first<Row>(statement)) as Row;
      } catch (error) {
        throw uniqueOrRethrow(error, t);
      }
    });
  }

  async #liveIn(tx: Executor, tableName: string, key: unknown, actor: Actor): Promise<boolean> {
    const t = this.table(tableName);
    const admin = actor.admin === true;
    const parameters = admin ? [key] : [key, actor.id];
    const statement = this.#cache.statement(`live:${t.name}:${admin}`, parameters, () => {
      let q = this.#kysely.selectFrom(t.name).select(t.key).where(t.key, "=", key).where(META.deletedAt, "is", null);
      if (!admin) q = q.where(t.owner, "=", actor.id);
      return q;
    });
    return (await tx.first(statement)) !== undefined;
  }

  /** Updates a live row of the actor's; a deleted or foreign row is NINES_DATA_NOT_FOUND. */
  async update(actor: Actor, tableName: string, key: unknown, values: Row): Promise<Row> {
    checkActor(actor);
    const t = this.table(tableName);
    const names = Object.keys(values).sort();
    for (const name of names) column(name);
    if (names.includes(t.key) || (!actor.admin && names.includes(t.owner))) {
      throw lifecycleError("forbidden", `the key and owner of ${t.name} rows are not changed by update`, {
        hint: "insert a new row instead",
      });
    }
    const admin = actor.admin === true;
    const parameters = [...names.map((n) => values[n]), key, ...(admin ? [] : [actor.id])];
    const statement = this.#cache.statement(`update:${t.name}:${names.join(",")}:${admin}`, parameters, () => {
      let q = this.#kysely
        .updateTable(t.name)
        .set(Object.fromEntries(names.map((n) => [n, values[n]])))
        .where(t.key, "=", key)
        .where(META.deletedAt, "is", null);
      if (!admin) q = q.where(t.owner, "=", actor.id);
      return q.returningAll();
    });
    let rows: Row[];
    try {
      rows = await this.#executor.all<Row>(statement);
    } catch (error) {
      throw uniqueOrRethrow(error, t);
    }
    if (rows.length === 0) throw notFound(t, key);
    return rows[0] as Row;
  }

  /**
   * Moves a live row and all its live descendants to the trash as one
   * group. Children deleted earlier keep their own group.
   */
  async delete(actor: Actor, tableName: string, key: unknown): Promise<DeleteResult> {
    checkActor(actor);
    const t = this.table(tableName);
    return await this.#executor.transaction(async (tx) => {
      const row = await this.#meta(tx, t, key);
      if (!row || row.deletedAt !== null) throw notFound(t, key);
      if (!actor.admin && row.owner !== actor.id) throw forbidden(actor, "delete", t, key);
      const now = this.clock.now();
      const group = `${t.name}:${String(key)}:${now}`;
      const softAt = now + this.declaration.trashMs;
      const purgeAt = softAt + this.declaration.softMs;
      const marks = [now, actor.id, group, softAt, purgeAt];
      const set = {
        [META.deletedAt]: now,
        [META.deletedBy]: actor.id,
        [META.group]: group,
        [META.softAt]: softAt,
        [META.purgeAt]: purgeAt,
      };
      let rows = await tx.run(
        this.#cache.statement(`delete:${t.name}`, [...marks, key], () =>
          this.#kysely.updateTable(t.name).set(set).where(t.key, "=", key).where(META.deletedAt, "is", null),
        ),
      );
      rows += await this.#cascade(tx, t.name, set, marks, group);
      await this.#audit(tx, { actor: actor.id, action: "delete", at: now, table: t.name, key, group, rows });
      return { group, rows, softAt, purgeAt };
    });
  }

  /**
   * Marks every live row whose parent is in `group`, breadth first from the
   * deleted row's table: only relations under a table that just got rows
   * run, so deleting a leaf costs no extra statement.
   */
  async #cascade(tx: Executor, from: string, set: Row, marks: unknown[], group: string): Promise<number> {
    let total = 0;
    let frontier = new Set([from]);
    while (frontier.size > 0) {
      const next = new Set<string>();
      for (const parentName of frontier) {
        const parent = this.table(parentName);
        for (const relation of parent.children) {
          const child = this.table(relation.table);
          const statement = this.#cache.statement(`cascade:${child.name}:${relation.column}`, [...marks, group], () =>
            this.#kysely
              .updateTable(child.name)
              .set(set)
              .where(META.deletedAt, "is", null)
              .where(relation.column, "in", (eb: ExpressionBuilder<any, any>) =>
                eb
                  .selectFrom(`${parent.name} as nines_parent`)
                  .select(`nines_parent.${parent.key}`)
                  .where(`nines_parent.${META.group}`, "=", group),
              ),
          );
          const changed = await tx.run(statement);
          total += changed;
          if (changed > 0) next.add(child.name);
        }
      }
      frontier = next;
    }
    return total;
  }

  /** The actor's rows in the trash (restorable by them), newest first. */
  async trash(actor: Actor): Promise<DeletedRow[]> {
    checkActor(actor);
    const now = this.clock.now();
    return await deletedRows(this.#executor, this.#kysely, this.declaration, now, {
      owner: actor.id,
      phases: ["trash"],
    });
  }

  /** Administrators: deleted rows not yet past their soft-delete period, in trash or soft-deleted. */
  async deleted(actor: Actor, options: { phase?: "trash" | "soft"; owner?: string } = {}): Promise<DeletedRow[]> {
    checkActor(actor);
    requireAdmin(actor, "list deleted rows of all users");
    const now = this.clock.now();
    return await deletedRows(this.#executor, this.#kysely, this.declaration, now, {
      ...(options.owner === undefined ? {} : { owner: options.owner }),
      phases: options.phase ? [options.phase] : ["trash", "soft"],
    });
  }

  /** Ends the trash period of all the actor's trash groups now: they become soft-deleted. */
  async emptyTrash(actor: Actor): Promise<{ groups: number; rows: number }> {
    checkActor(actor);
    return await this.#executor.transaction(async (tx) => {
      const now = this.clock.now();
      const groups = [
        ...new Set(
          (await deletedRows(tx, this.#kysely, this.declaration, now, { owner: actor.id, phases: ["trash"] })).map(
            (r) => r.group,
          ),
        ),
      ];
      const purgeAt = now + this.declaration.softMs;
      let rows = 0;
      for (let i = 0; i < groups.length; i += CHUNK) {
        const chunk = groups.slice(i, i + CHUNK);
        for (const name of this.declaration.order) {
          const q = this.#kysely
            .updateTable(name)
            .set({ [META.softAt]: now, [META.purgeAt]: purgeAt })
            .where(META.group, "in", chunk)
            .where(META.deletedAt, "is not", null);
          rows += await tx.run(q.compile());
        }
      }
      await this.#audit(tx, {
        actor: actor.id,
        action: "empty-trash",
        at: now,
        rows,
        detail: { groups: groups.length },
      });
      return { groups: groups.length, rows };
    });
  }

  /**
   * Restores the group the row was deleted with: exactly the rows deleted
   * with it. The owner may restore from the trash; only an administrator
   * restores soft-deleted rows; purged-phase rows are gone.
   */
  async restore(actor: Actor, tableName: string, key: unknown, options: RestoreOptions = {}): Promise<RestoreResult> {
    checkActor(actor);
    const t = this.table(tableName);
    return await this.#executor.transaction(async (tx) => {
      const row = await this.#meta(tx, t, key);
      if (!row) throw notFound(t, key, false);
      if (row.deletedAt === null || row.group === null) {
        throw lifecycleError("notDeleted", `${t.name} ${String(key)} is not deleted`, { hint: "nothing to restore" });
      }
      const now = this.clock.now();
      const phase = phaseAt(row, now);
      if (phase === "purged") {
        throw lifecycleError("restoreExpired", `${t.name} ${String(key)} is past its soft-delete period`, {
          hint: "only a backup can bring it back (nines data restore)",
        });
      }
      if (phase === "soft" && !actor.admin) {
        throw lifecycleError(
          "forbidden",
          `${t.name} ${String(key)} is soft-deleted: only an administrator restores it`,
          {
            hint: "ask an administrator (nines data admin restore)",
          },
        );
      }
      if (!actor.admin && row.owner !== actor.id) throw forbidden(actor, "restore", t, key);
      const result = await restoreGroup(
        tx,
        this.#kysely,
        this.declaration,
        row.group,
        options.onConflict ?? "fail",
        this.#cache,
      ).catch((error: unknown) => {
        // A live row took a unique value between the conflict check and the update (PostgreSQL, concurrent insert).
        throw uniqueOrRethrow(error, t);
      });
      await this.#audit(tx, {
        actor: actor.id,
        action: "restore",
        at: now,
        table: t.name,
        key,
        group: row.group,
        rows: result.rows,
        detail: { phase, renamed: result.renamed },
      });
      return { group: row.group, ...result };
    });
  }

  /** Administrators: places a legal hold on a row (and so on its group): the purge worker keeps it. */
  async hold(actor: Actor, tableName: string, key: unknown, reason: string): Promise<void> {
    await this.#setHold(actor, tableName, key, reason, "hold");
  }

  /** Administrators: lifts a legal hold. */
  async release(actor: Actor, tableName: string, key: unknown): Promise<void> {
    await this.#setHold(actor, tableName, key, null, "release");
  }

  async #setHold(actor: Actor, tableName: string, key: unknown, reason: string | null, action: AuditAction) {
    checkActor(actor);
    requireAdmin(actor, `${action} legal holds`);
    const t = this.table(tableName);
    if (reason !== null && (typeof reason !== "string" || reason.trim() === "")) {
      throw lifecycleError("held", "a legal hold needs a reason", {
        hint: "give the case or ticket, e.g. --reason CASE-12",
      });
    }
    await this.#executor.transaction(async (tx) => {
      const row = await this.#meta(tx, t, key);
      if (!row) throw notFound(t, key, false);
      if (reason === null && row.hold === null) {
        throw lifecycleError("notHeld", `${t.name} ${String(key)} has no legal hold`, { hint: "nothing to release" });
      }
      await tx.run(
        this.#kysely
          .updateTable(t.name)
          .set({ [META.hold]: reason })
          .where(t.key, "=", key)
          .compile(),
      );
      await this.#audit(tx, {
        actor: actor.id,
        action,
        at: this.clock.now(),
        table: t.name,
        key,
        group: row.group,
        rows: 1,
        detail: reason === null ? { previous: row.hold } : { reason },
      });
    });
  }

  /** A row's phase now, whoever owns it (administrators; tests). Undefined when the row is gone. */
  async phase(actor: Actor, tableName: string, key: unknown): Promise<Phase | undefined> {
    requireAdmin(actor, "read phases of any row");
    const row = await this.#meta(this.#executor, this.table(tableName), key);
    return row ? phaseAt(row, this.clock.now()) : undefined;
  }

  /** Administrators: the audit trail, newest first. */
  async audit(actor: Actor, options: { limit?: number; action?: AuditAction } = {}): Promise<AuditRecord[]> {
    requireAdmin(actor, "read the audit trail");
    return await readAudit(this.#executor, this.#kysely, options);
  }

  async #audit(tx: Executor, entry: Parameters<typeof writeAudit>[3]): Promise<void> {
    await writeAudit(tx, this.#kysely, this.#cache, entry);
  }

  async #meta(tx: Executor, t: DeclaredTable, key: unknown) {
    const statement = this.#cache.statement(`meta:${t.name}`, [key], () => {
      const q = this.#kysely
        .selectFrom(t.name)
        .select([sql.ref(t.owner).as("owner"), META.deletedAt, META.group, META.softAt, META.purgeAt, META.hold])
        .where(t.key, "=", key);
      // PostgreSQL: lock the row, so two concurrent deletes or restores of it run one after the other
      // (SQLite's BEGIN IMMEDIATE already serialises writers).
      return this.connection.dialect === "postgres" ? q.forUpdate() : q;
    });
    const row = await tx.first<Row>(statement);
    if (!row) return undefined;
    return {
      owner: row["owner"] === null ? null : String(row["owner"]),
      deletedAt: stamp(row[META.deletedAt]),
      softAt: stamp(row[META.softAt]),
      purgeAt: stamp(row[META.purgeAt]),
      group: (row[META.group] as string | null) ?? null,
      hold: (row[META.hold] as string | null) ?? null,
    };
  }
}
