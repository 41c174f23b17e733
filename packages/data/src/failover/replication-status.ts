/**
 * One standby as the primary sees it (`pg_stat_replication`).
 *
 * @example
 * { name: "standby1", state: "streaming", syncState: "sync", replayLagMs: 3 }
 */
export interface StandbyStatus {
  name: string;
  state: string;
  /** `sync`, `quorum`, `potential` or `async`. */
  syncState: string;
  /** Replay lag in milliseconds, null when unknown. */
  replayLagMs: number | null;
}

/**
 * What the primary says about its replication. `degraded` is true when
 * synchronous replication is configured but no synchronous standby is
 * streaming: commits then wait (or, with a relaxed setting, lose the RPO 0
 * promise), and somebody should know.
 *
 * @example
 * const status = await new FailoverClient({ hosts, policy }).replicationStatus();
 * if (status.degraded) console.warn(status.reason);
 */
export interface ReplicationStatus {
  mode: "sync" | "async" | "none";
  synchronousStandbyNames: string;
  synchronousCommit: string;
  standbys: StandbyStatus[];
  degraded: boolean;
  reason: string | null;
}

interface Queryable {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Reads the replication state from a primary connection.
 *
 * @example
 * const status = await readReplicationStatus(primaryClient);
 * if (status.degraded) alert(status.reason);
 */
export async function readReplicationStatus(primary: Queryable): Promise<ReplicationStatus> {
  const settings = await primary.query(
    "select current_setting('synchronous_standby_names') as names, current_setting('synchronous_commit') as commit",
  );
  const names = String(settings.rows[0]?.["names"] ?? "");
  const commit = String(settings.rows[0]?.["commit"] ?? "on");
  const replication = await primary.query(
    "select application_name, state, sync_state, extract(epoch from replay_lag)::float8 as lag from pg_stat_replication",
  );
  const standbys: StandbyStatus[] = replication.rows.map((row) => ({
    name: String(row["application_name"] ?? ""),
    state: String(row["state"] ?? ""),
    syncState: String(row["sync_state"] ?? ""),
    replayLagMs: row["lag"] === null || row["lag"] === undefined ? null : Math.round(Number(row["lag"]) * 1000),
  }));
  const wantsSync = names.trim() !== "" && commit !== "off" && commit !== "local";
  const streamingSync = standbys.some(
    (s) => s.state === "streaming" && (s.syncState === "sync" || s.syncState === "quorum"),
  );
  const mode = wantsSync ? "sync" : standbys.length > 0 ? "async" : "none";
  let reason: string | null = null;
  if (wantsSync && !streamingSync) {
    reason =
      standbys.length === 0
        ? `synchronous replication is configured (synchronous_standby_names = '${names}') but no standby is connected: commits wait until one is`
        : `synchronous replication is configured but no standby is streaming in sync (${standbys.map((s) => `${s.name}: ${s.state}/${s.syncState}`).join(", ")})`;
  }
  return {
    mode,
    synchronousStandbyNames: names,
    synchronousCommit: commit,
    standbys,
    degraded: reason !== null,
    reason,
  };
}
