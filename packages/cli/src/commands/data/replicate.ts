import { resolve } from "node:path";
import { systemClock } from "@nines/core";
import {
  type BackupTarget,
  loadReplicaKey,
  openTarget,
  replicaKeyId,
  replicate as startReplication,
} from "@nines/data";
import { resolveDatabase } from "../../args.js";
import { defineCommand } from "../../define-command.js";
import { EXIT } from "../../errors.js";
import { ENDPOINT_OPTION } from "./targets.js";

/**
 * `nines data replicate`: continuous replication of a SQLite database until stopped (SIGINT, SIGTERM or --for).
 *
 * @example
 * // nines data replicate --db app.db --to /mnt/region-b/replica --to s3://replicas/app --interval 1s
 */
export const replicate = defineCommand({
  name: "replicate",
  summary: "ship every committed transaction of a SQLite file to directories or s3:// locations, continuously",
  usage: `Usage: nines data replicate --db FILE --to LOCATION [--to ...] [options]

Keeps the database in WAL mode and ships every committed transaction to each
--to within --interval, as compressed (and with a key, encrypted) segments
of the write-ahead log, with a snapshot at the start of each generation and
every --snapshot-interval; removes what no point of the last --retention
needs. Runs until SIGINT or SIGTERM (or --for), then ships what is left and
stops. Restore with 'nines data restore --from LOCATION --at TIME|latest'.
The key (AES-256-GCM, 32 bytes as hex or base64) comes from --key-file or
the NINES_REPLICA_KEY environment variable; it is never written anywhere.

Options:
  --db FILE                the SQLite database (it stays in WAL mode)
  --to LOCATION            a directory or s3://bucket/prefix (repeat for several)
  --interval DURATION      how often committed frames are shipped (default 1s): the RPO
  --snapshot-interval DUR  how often a new snapshot is taken (default 24h)
  --retention DURATION     keep every point this far back restorable (default 24h)
  --compression C          deflate (default), brotli or none
  --key-file FILE          encrypt with this key (else NINES_REPLICA_KEY, else no encryption)
  --for DURATION           stop after this long (default: until a signal)
  --endpoint URL           S3-compatible endpoint (else AWS_ENDPOINT_URL); credentials from AWS_* variables
  --json                   print the replicator's events as JSON lines
`,
  options: {
    db: { type: "string" },
    to: { type: "string", multiple: true },
    interval: { type: "string" },
    "snapshot-interval": { type: "string" },
    retention: { type: "string" },
    compression: { type: "string" },
    "key-file": { type: "string" },
    for: { type: "string" },
    json: { type: "boolean" },
    ...ENDPOINT_OPTION,
  },
  async run(args, io) {
    args.expect();
    const db = resolveDatabase(args.required("db", "FILE"), io.cwd);
    const locations = args.values.to ?? [];
    if (locations.length === 0) throw args.error("--to LOCATION is required");
    const intervalMs = args.durationMs("interval");
    const snapshotIntervalMs = args.durationMs("snapshot-interval");
    const windowMs = args.durationMs("retention");
    const forMs = args.durationMs("for");
    const compression = args.oneOf("compression", ["deflate", "brotli", "none"]);
    const keyFile = args.values["key-file"];
    const key = loadReplicaKey({ env: io.env, ...(keyFile && { keyFile: resolve(io.cwd, keyFile) }) });
    const endpoint = args.values.endpoint;
    const targets: BackupTarget[] = locations.map((location) =>
      openTarget(location, { cwd: io.cwd, env: io.env, ...(endpoint && { endpoint }) }),
    );
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const replicator = await startReplication({
        db,
        targets,
        ...(intervalMs !== undefined && { intervalMs }),
        ...(snapshotIntervalMs !== undefined && { snapshotIntervalMs }),
        ...(windowMs !== undefined && { retention: { windowMs } }),
        ...(compression && { compression }),
        ...(key && { encryption: { key } }),
      });
      const json = args.values.json === true;
      const line = (text: string) => io.stderr.write(`nines data replicate: ${text}\n`);
      const { generation } = replicator.position;
      io.stdout.write(
        `replicating ${db} to ${targets.map((t) => t.location).join(", ")} (generation ${generation}` +
          `${key ? `, key ${replicaKeyId(key)}` : ", not encrypted"})\n`,
      );
      for (const type of ["generation", "segment", "snapshot", "stored", "checkpoint", "retention", "error"] as const) {
        replicator.on(type, (event) => {
          if (json)
            io.stdout.write(`${JSON.stringify({ type, ...event }, (k, v) => (k === "error" ? String(v) : v))}\n`);
        });
      }
      replicator.on("generation", (e) => line(`new generation ${e.generation}: ${e.reason}`));
      replicator.on("error", (e) =>
        line(`${e.during}${e.target ? ` ${e.target}` : ""}: ${(e.error as Error).message ?? String(e.error)}`),
      );
      // The process lives until a signal (or --for): these sleeps keep it alive, the replicator's own timers do not.
      const until = forMs === undefined ? Number.POSITIVE_INFINITY : systemClock.now() + forMs;
      while (!stop.signal.aborted && systemClock.now() < until) {
        await systemClock.sleep(Math.min(60_000, until - systemClock.now()), stop.signal).catch(() => undefined);
      }
      await replicator.stop();
      io.stdout.write(`stopped: everything committed is stored (generation ${replicator.position.generation})\n`);
      return EXIT.ok;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      for (const target of targets) await target.close?.();
    }
  },
});
