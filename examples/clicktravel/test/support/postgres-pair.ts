import { join } from "node:path";
import { FailoverClient, failoverRetry, findPostgresBin, LocalPostgres } from "@nines/data";

/** A primary and its synchronous standby on loopback, and a client to the primary for checks. */
export interface PostgresPair {
  primary: LocalPostgres;
  standby: LocalPostgres;
  /** Both URLs, primary first: what `DATABASE_URLS` carries. */
  urls: string[];
  /** Stops both servers (what is still running). */
  stop(): Promise<void>;
}

/**
 * Whether PostgreSQL's server programs are installed; tests that need them
 * skip loudly when not (and fail in CI, which installs them).
 *
 * @example
 * test("failover", { skip: postgresMissing() }, async () => {});
 */
export function postgresMissing(): string | false {
  try {
    findPostgresBin();
    return false;
  } catch (error) {
    const reason = `PostgreSQL server programs are missing (${(error as Error).message})`;
    if (process.env["CI"]) throw new Error(`CI needs PostgreSQL: ${reason}`);
    console.warn(`SKIPPING ClickTravel tests that need PostgreSQL: ${reason}`);
    return reason;
  }
}

/**
 * Starts a primary and a standby made with `pg_basebackup -R`, then turns
 * on synchronous replication (`synchronous_standby_names = 'standby1'`)
 * and waits until the standby streams in sync: a commit is acknowledged
 * only once the standby has it, so a crash of the primary loses nothing.
 *
 * @example
 * const pair = await startPostgresPair(dir);
 * const orders = await startService("orders", { DATABASE_URLS: pair.urls.join(",") });
 */
export async function startPostgresPair(dir: string): Promise<PostgresPair> {
  const primary = await LocalPostgres.init({
    dir: join(dir, "primary"),
    settings: { wal_level: "replica", max_wal_senders: "5", wal_keep_size: "64MB", synchronous_commit: "on" },
  });
  let standby: LocalPostgres | undefined;
  const stop = async () => {
    await standby?.stop();
    await primary.stop();
  };
  try {
    await primary.start();
    // Once promoted, the standby must not wait for a standby of its own.
    standby = await LocalPostgres.standbyOf(primary, "standby1", {
      dir: join(dir, "standby"),
      settings: { hot_standby: "on", synchronous_standby_names: "''" },
    });
    await standby.start();
    const admin = new FailoverClient({ hosts: [primary.url()], policy: failoverRetry({ maxElapsedMs: 10_000 }) });
    try {
      await admin.query("alter system set synchronous_standby_names = 'standby1'");
      await admin.query("select pg_reload_conf()");
      for (let i = 0; ; i++) {
        const status = await admin.replicationStatus();
        if (status.mode === "sync" && status.standbys.some((s) => s.syncState === "sync")) break;
        if (i > 100) throw new Error(`the standby did not reach sync replication: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await admin.close();
    }
    const ready = standby;
    return { primary, standby: ready, urls: [primary.url(), ready.url()], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
