// biome-ignore-all lint/suspicious/noExplicitAny: the application's tables are not known here.
import { requireKnownOptions, requireOption } from "@nines/core";
import { type Kysely, sql } from "kysely";
import type { Executor } from "../connection/executor.js";
import { type Actor, checkActor, isAdmin } from "./actor.js";
import type { DeclaredTable } from "./declaration.js";
import { lifecycleError } from "./errors.js";
import { META } from "./phase.js";
import { column } from "./row-errors.js";
import type { StatementCache } from "./statements.js";

/**
 * A row of an application table, as the driver returns it (metadata columns included).
 *
 * @example
 * const note: Row = await store.insert(alice, "notes", { title: "plan" }); // note["id"]
 */
export type Row = Record<string, unknown>;

/**
 * Equality filters (`null` matches NULL), and an optional substring search
 * on one column (`%` and `_` are plain characters).
 *
 * @example
 * await store.count(alice, "notes", { where: { folder_id: 3 }, search: { column: "title", contains: "plan" } });
 */
export interface ReadOptions {
  where?: Record<string, unknown>;
  search?: { column: string; contains: string };
}

/**
 * A list's filters, order and page.
 *
 * @example
 * await store.list(alice, "notes", { where: { folder_id: 3 }, orderBy: "title", direction: "desc", limit: 50 });
 */
export interface ListOptions extends ReadOptions {
  orderBy?: string;
  direction?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

/**
 * The aggregates `LifecycleStore.aggregate` computes over live rows.
 *
 * @example
 * await store.aggregate(alice, "notes", "sum", "words");
 */
export type AggregateFunction = "count" | "sum" | "avg" | "min" | "max";

const READ_KEYS = ["where", "search"];
const LIST_KEYS = [...READ_KEYS, "orderBy", "direction", "limit", "offset"];

/**
 * The store's reads (internal to LifecycleStore): live rows only (the
 * `visible()` test), the actor's own unless administrator, each query
 * shape compiled once.
 */
export class LiveReads {
  readonly #kysely: Kysely<any>;
  readonly #executor: Executor;
  readonly #cache: StatementCache;

  constructor(kysely: Kysely<any>, executor: Executor, cache: StatementCache) {
    this.#kysely = kysely;
    this.#executor = executor;
    this.#cache = cache;
  }

  /** One live row by key, or undefined (deleted, someone else's, or missing). */
  async get(actor: Actor, t: DeclaredTable, key: unknown): Promise<Row | undefined> {
    checkActor(actor);
    const admin = isAdmin(actor);
    const parameters = admin ? [key] : [key, actor.id];
    const statement = this.#cache.statement(`get:${t.name}:${admin}`, parameters, () => {
      let q = this.#kysely.selectFrom(t.name).selectAll().where(t.key, "=", key).where(META.deletedAt, "is", null);
      if (!admin) q = q.where(t.owner, "=", actor.id);
      return q;
    });
    return await this.#executor.first<Row>(statement);
  }

  /** Live rows matching equality filters and an optional substring search. */
  async list(actor: Actor, t: DeclaredTable, options: ListOptions = {}): Promise<Row[]> {
    checkActor(actor);
    requireKnownOptions("list", options, LIST_KEYS);
    const direction = options.direction;
    requireOption(
      direction === undefined || direction === "asc" || direction === "desc",
      "list",
      "direction",
      direction,
      'a direction, "asc" or "desc"',
    );
    const scope = this.#scope(actor, t, options);
    const order = options.orderBy === undefined ? "" : `${column(options.orderBy)} ${options.direction ?? "asc"}`;
    const parameters = [...scope.parameters];
    if (options.limit !== undefined) parameters.push(options.limit);
    if (options.offset !== undefined) parameters.push(options.offset);
    const shape = `list:${scope.shape}:${order}:${options.limit !== undefined}:${options.offset !== undefined}`;
    const statement = this.#cache.statement(shape, parameters, () => {
      let q = scope.query().selectAll();
      if (options.orderBy !== undefined) q = q.orderBy(column(options.orderBy), options.direction ?? "asc");
      if (options.limit !== undefined) q = q.limit(options.limit);
      if (options.offset !== undefined) q = q.offset(options.offset);
      return q;
    });
    return await this.#executor.all<Row>(statement);
  }

  /** An aggregate over live rows (`count` ignores `column`); null when no row matches. */
  async aggregate(
    actor: Actor,
    t: DeclaredTable,
    fn: AggregateFunction,
    columnName: string | undefined,
    options: ReadOptions = {},
  ): Promise<number | null> {
    checkActor(actor);
    requireKnownOptions(fn, options, READ_KEYS);
    if (!["count", "sum", "avg", "min", "max"].includes(fn)) {
      throw lifecycleError("declaration", `unknown aggregate '${fn}'`, { hint: "use count, sum, avg, min or max" });
    }
    const target = fn === "count" ? "*" : column(columnName ?? "");
    const scope = this.#scope(actor, t, options);
    const statement = this.#cache.statement(`agg:${fn}:${target}:${scope.shape}`, scope.parameters, () =>
      scope.query().select((eb) => (fn === "count" ? eb.fn.countAll().as("v") : eb.fn(fn, [eb.ref(target)]).as("v"))),
    );
    const value = (await this.#executor.first<{ v: unknown }>(statement))?.v;
    return value === null || value === undefined ? null : Number(value);
  }

  /** Live rows for this actor (the visible() filter plus the owner), with its cache shape and parameters. */
  #scope(actor: Actor, t: DeclaredTable, options: ReadOptions) {
    const admin = isAdmin(actor);
    const where = Object.entries(options.where ?? {}).map(([name, value]) => [column(name), value] as const);
    const search = options.search;
    const pattern = search ? `%${search.contains.replace(/[\\%_]/g, "\\$&")}%` : undefined;
    const parameters: unknown[] = admin ? [] : [actor.id];
    for (const [, value] of where) if (value !== null) parameters.push(value);
    if (pattern !== undefined) parameters.push(pattern);
    const shape = `${t.name}:${admin}:${where.map(([n, v]) => (v === null ? `${n}=null` : n)).join(",")}:${search ? column(search.column) : ""}`;
    const query = () => {
      let q = this.#kysely.selectFrom(t.name).where(META.deletedAt, "is", null);
      if (!admin) q = q.where(t.owner, "=", actor.id);
      for (const [name, value] of where) q = q.where(name, value === null ? "is" : "=", value);
      if (search && pattern !== undefined) {
        // An explicit ESCAPE: SQLite has no default one, and % or _ in a search mean the characters themselves.
        q = q.where(sql<boolean>`${sql.ref(column(search.column))} like ${pattern} escape '\\'`);
      }
      return q;
    };
    return { shape, parameters, query };
  }
}
