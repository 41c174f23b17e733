import { Events, isNinesError, type Listener, requireKnownOptions, requireOption, type Unsubscribe } from "@nines/core";
import type { Policy } from "@nines/resilience";
import pg from "pg";
import { redactPostgresUrl as redact } from "../dialect/postgres/postgres-url.js";
import { isPrimaryLost } from "./classify.js";
import { FAILOVER_ERRORS, failoverError } from "./errors.js";
import { type ReplicationStatus, readReplicationStatus } from "./replication-status.js";

/**
 * Options of {@link FailoverClient}.
 *
 * @example
 * new FailoverClient({ hosts: [primaryUrl, standbyUrl], policy: failoverRetry(), connectTimeoutMs: 500 });
 */
export interface FailoverClientOptions {
  /** One connection URL per server, e.g. `postgres://app@10.0.0.1:5432/shop`. At least one. */
  hosts: string[];
  /**
   * The policy every statement runs under, typically a retry with
   * exponential backoff and jitter bounded by a deadline (see
   * `failoverRetry`). It should retry `FAILOVER_ERRORS.noPrimary`; retry
   * `FAILOVER_ERRORS.ambiguousCommit` only for idempotent statements.
   */
  policy: Policy;
  /** Milliseconds to wait for a connection to one server. Default 1000. */
  connectTimeoutMs?: number;
  /** Connections per server. Default 5. */
  poolSize?: number;
}

/** The events of a {@link FailoverClient}, by type. */
export interface FailoverEvents {
  /** A new writable primary was found. */
  primary: { host: string; previous: string | null };
  /** The primary was lost: a statement failed in a way that means it can no longer take writes. */
  lost: { host: string; error: unknown };
  /** More than one server claims to be primary (split brain): the newest timeline was chosen. */
  splitBrain: { hosts: string[]; chosen: string };
}

interface Candidate {
  host: string;
  timeline: number;
}

/**
 * Failover-aware PostgreSQL access: given several servers, it finds the
 * writable primary (`pg_is_in_recovery()` is false; with several, the
 * newest timeline), sends statements there, and when the primary goes away
 * forgets it and lets its policy retry until a promoted standby takes
 * writes. Statements the server refused before running (a standby's
 * read-only error, a shutdown) are safe to retry; a connection that dropped
 * after the statement was sent is reported as
 * `FAILOVER_ERRORS.ambiguousCommit`, so only idempotent writes should be
 * retried then.
 *
 * @example
 * const db = new FailoverClient({ hosts: [primaryUrl, standbyUrl], policy: failoverRetry() });
 * db.on("primary", (e) => console.log(`writing to ${e.host}`));
 * await db.query("insert into orders(id, total) values ($1, $2) on conflict do nothing", [id, 42]);
 * const status = await db.replicationStatus(); // status.degraded when sync replication is lost
 */
export class FailoverClient {
  readonly #events = new Events<FailoverEvents>();
  readonly #hosts: string[];
  readonly #pools = new Map<string, pg.Pool>();
  readonly #policy: Policy;
  readonly #connectTimeoutMs: number;
  readonly #poolSize: number;
  #primary: string | null = null;
  #discovering: Promise<string> | null = null;
  #closed = false;

  constructor(options: FailoverClientOptions) {
    requireKnownOptions("FailoverClient", options, ["hosts", "policy", "connectTimeoutMs", "poolSize"]);
    requireOption(
      Array.isArray(options.hosts) && options.hosts.length > 0,
      "FailoverClient",
      "hosts",
      options.hosts,
      "a list of at least one server URL",
    );
    this.#hosts = [...options.hosts];
    this.#policy = options.policy;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    this.#poolSize = options.poolSize ?? 5;
  }

  /**
   * Listens to `primary` (a new writable primary was found), `lost` (the
   * primary stopped taking writes) or `splitBrain` (several servers claim to
   * be primary). Returns the function that stops listening.
   */
  on<K extends keyof FailoverEvents>(type: K, listener: Listener<FailoverEvents[K]>): Unsubscribe {
    return this.#events.on(type, listener);
  }

  /** The primary currently used, or null before the first statement or after a loss. */
  get primary(): string | null {
    return this.#primary;
  }

  /**
   * Runs one statement on the primary under the client's policy.
   * `signal` aborts the wait for a primary (and the retries).
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    signal?: AbortSignal,
  ): Promise<pg.QueryResult<R>> {
    return await this.#policy.execute(async () => {
      const host = await this.#findPrimary();
      const pool = this.#pool(host);
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        this.#lose(host, error);
        throw failoverError("noPrimary", `could not connect to the primary ${redact(host)}`, {
          cause: error,
          hint: "a failover may be under way; the client retries while its policy allows",
        });
      }
      try {
        return await client.query<R>(text, values);
      } catch (error) {
        if (!isPrimaryLost(error)) throw error;
        this.#lose(host, error);
        const refused =
          typeof (error as { code?: unknown }).code === "string" &&
          /^(25006|57P0[123])$/.test((error as { code: string }).code);
        throw failoverError(
          refused ? "noPrimary" : "ambiguousCommit",
          refused
            ? `${redact(host)} refused the statement: it is no longer the writable primary`
            : `the connection to ${redact(host)} dropped after the statement was sent; it may have committed`,
          {
            cause: error,
            hint: refused ? "the client retries on the new primary" : "retry only idempotent statements",
          },
        );
      } finally {
        // Each connection serves one statement: one kept idle could hang the next statement
        // for good once its server is cut off (a partition neither answers nor resets), where
        // a new connection fails within connectTimeoutMs.
        client.release(true);
      }
    }, signal);
  }

  /** Replication as the current primary sees it (mode, standbys, degraded sync). */
  async replicationStatus(): Promise<ReplicationStatus> {
    const host = await this.#findPrimary();
    return await readReplicationStatus(this.#pool(host));
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
  }

  #pool(host: string): pg.Pool {
    let pool = this.#pools.get(host);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: host,
        max: this.#poolSize,
        connectionTimeoutMillis: this.#connectTimeoutMs,
        idleTimeoutMillis: 10_000,
      });
      // An idle pooled connection that dies (the server crashed, or shut down: 57P01) is
      // removed by the pool, which then emits 'error': it must not crash the process.
      pool.on("error", ignore);
      // A checked-out client emits 'error' itself when its connection dies (the pool listens
      // only to idle ones), and may do so before query() has it: the server's FATAL can come
      // in the same read as the ready-for-query that hands the client out. So every client
      // listens from its first moment; the statement on it fails with the same error.
      pool.on("connect", (client) => client.on("error", ignore));
      this.#pools.set(host, pool);
    }
    return pool;
  }

  #lose(host: string, error: unknown): void {
    if (this.#primary !== host) return;
    this.#primary = null;
    const pool = this.#pools.get(host);
    this.#pools.delete(host);
    if (pool) void pool.end().catch(() => {}); // connections to a dead server: drop them, don't wait
    this.#events.emit("lost", { host, error });
  }

  async #findPrimary(): Promise<string> {
    if (this.#closed) {
      throw failoverError("clientClosed", "the FailoverClient is closed", { hint: "open a new client" });
    }
    if (this.#primary) return this.#primary;
    // One discovery at a time: concurrent statements wait for the same answer.
    this.#discovering ??= this.#discover().finally(() => {
      this.#discovering = null;
    });
    return await this.#discovering;
  }

  async #discover(): Promise<string> {
    const answers = await Promise.all(this.#hosts.map((host) => this.#probe(host)));
    const primaries = answers.filter((a): a is Candidate => a !== null).sort((a, b) => b.timeline - a.timeline);
    const chosen = primaries[0];
    if (!chosen) {
      const which = this.#hosts.length === 1 ? "the server is not" : `none of the ${this.#hosts.length} servers is`;
      throw failoverError("noPrimary", `${which} a writable primary`, {
        hint: "a failover may be under way; the client retries while its policy allows",
      });
    }
    if (primaries.length > 1) {
      this.#events.emit("splitBrain", { hosts: primaries.map((p) => p.host), chosen: chosen.host });
    }
    const previous = this.#primary;
    this.#primary = chosen.host;
    this.#events.emit("primary", { host: chosen.host, previous });
    return chosen.host;
  }

  async #probe(host: string): Promise<Candidate | null> {
    const client = new pg.Client({ connectionString: host, connectionTimeoutMillis: this.#connectTimeoutMs });
    client.on("error", () => {});
    try {
      await client.connect();
      const result = await client.query(
        "select pg_is_in_recovery() as standby, (select timeline_id from pg_control_checkpoint()) as timeline",
      );
      const row = result.rows[0] as { standby: boolean; timeline: number } | undefined;
      return row && !row.standby ? { host, timeline: Number(row.timeline) } : null;
    } catch {
      return null;
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function ignore(): void {}

/**
 * True for the errors a failover retry should retry (ambiguous ones only when idempotent).
 *
 * @example
 * retry({ isFailure: (e) => isRetryableFailover(e, true) });
 */
export function isRetryableFailover(error: unknown, idempotent: boolean): boolean {
  return (
    isNinesError(error, FAILOVER_ERRORS.noPrimary) ||
    (idempotent && isNinesError(error, FAILOVER_ERRORS.ambiguousCommit))
  );
}
