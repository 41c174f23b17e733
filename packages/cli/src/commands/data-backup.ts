import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { NinesError } from "@nines/core";
import {
  applyRetention,
  type BackupTarget,
  checkVerificationAge,
  createBackup,
  engineFor,
  isPostgresUrl,
  listBackups,
  listVerifications,
  type OnProgress,
  type OwnerConflictMode,
  openTarget,
  restoreBackup,
  restoreOwnerRows,
  SqliteEngine,
  verifyBackup,
} from "@nines/data";
import { type Command, EXIT, type Io } from "../command.js";
import { DATA_USAGE } from "./data-store-options.js";

function usageError(command: string, message: string): NinesError {
  return new NinesError(DATA_USAGE, `nines data ${command}: ${message}`, {
    hint: `run 'nines data ${command} --help' for the options`,
  });
}

type Spec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

function parse<S extends Spec>(command: string, args: string[], options: S) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw usageError(command, (error as Error).message);
  }
}

function required(command: string, value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw usageError(command, `${flag} is required`);
  return value;
}

/** Parses `7d`, `12h`, `30m`, `45s`, `500ms`, `2w` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as string] ?? 0;
  return Number(match[1]) * unit;
}

function count(command: string, value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw usageError(command, `${flag} must be a whole number >= 0, got '${value}'`);
  return n;
}

const MB = 1024 * 1024;

/** Progress on stderr: warnings at once, byte counts at most twice a second. */
function progressTo(io: Io, command: string): OnProgress {
  let last = 0;
  let phase = "";
  return (p) => {
    if (p.phase === "warning") {
      io.stderr.write(`nines data ${command}: warning: ${p.message ?? ""}\n`);
      return;
    }
    const now = Date.now(); // CLI glue: throttling what people see, not logic
    if (p.done !== undefined && p.phase === phase && now - last < 500) return;
    last = now;
    phase = p.phase;
    const amount =
      p.done === undefined
        ? ""
        : p.phase === "snapshot" && p.message === undefined && p.total !== undefined && p.total > 0
          ? ` ${Math.round((100 * p.done) / p.total)}%`
          : ` ${(p.done / MB).toFixed(1)}${p.total ? `/${(p.total / MB).toFixed(1)}` : ""} MB`;
    io.stderr.write(`nines data ${command}: ${p.phase}${amount}${p.message ? ` ${p.message}` : ""}\n`);
  };
}

function targetFor(location: string, io: Io, endpoint: string | undefined): BackupTarget {
  return openTarget(location, { cwd: io.cwd, env: io.env, ...(endpoint ? { endpoint } : {}) });
}

function resolveDb(db: string, io: Io): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(db) ? db : resolve(io.cwd, db);
}

async function closeAll(targets: BackupTarget[]): Promise<void> {
  for (const t of targets) await t.close?.();
}

/** `nines data backup`: a consistent online backup to one or more targets, then optional retention. */
export const backupCommand: Command = {
  name: "backup",
  summary: "back up a SQLite file or PostgreSQL database to directories or s3:// locations",
  usage: `Usage: nines data backup --db FILE|URL --to DIR|s3://BUCKET/PREFIX [--to ...] [options]

Takes a consistent online backup (writers keep writing), writes its manifest
(engine, version, size, SHA-256, row counts) and stores it in every --to.

Options:
  --db FILE|URL          the SQLite file or postgres:// URL to back up
  --to LOCATION          a directory or s3://bucket/prefix (repeat for several)
  --newest TABLE.COLUMN  timestamp column whose newest value dates the data (RPO)
  --method M             SQLite: backup-api (default) or vacuum-into
  --keep-last N          after the backup, keep the newest N ...
  --keep-daily N         ... plus the newest of each of the last N days ...
  --keep-weekly N        ... and weeks (the last verified backup is always kept)
  --endpoint URL         S3-compatible endpoint (else AWS_ENDPOINT_URL); credentials from AWS_* variables
  --json                 print the manifest as JSON
`,
  async run(args, io) {
    const v = parse("backup", args, {
      db: { type: "string" },
      to: { type: "string", multiple: true },
      newest: { type: "string" },
      method: { type: "string" },
      "keep-last": { type: "string" },
      "keep-daily": { type: "string" },
      "keep-weekly": { type: "string" },
      endpoint: { type: "string" },
      json: { type: "boolean" },
    });
    const db = resolveDb(required("backup", v.db, "--db"), io);
    if (!v.to || v.to.length === 0) throw usageError("backup", "--to is required");
    if (v.method !== undefined && v.method !== "backup-api" && v.method !== "vacuum-into") {
      throw usageError("backup", `--method must be backup-api or vacuum-into, got '${v.method}'`);
    }
    const keepLast = count("backup", v["keep-last"], "--keep-last");
    const keepDaily = count("backup", v["keep-daily"], "--keep-daily");
    const keepWeekly = count("backup", v["keep-weekly"], "--keep-weekly");
    const targets = v.to.map((to) => targetFor(to, io, v.endpoint));
    try {
      const engine = v.method && !isPostgresUrl(db) ? new SqliteEngine({ method: v.method }) : engineFor(db);
      const onProgress = progressTo(io, "backup");
      const { manifest, stored } = await createBackup({
        source: db,
        engine,
        targets,
        onProgress,
        ...(v.newest ? { newestColumn: v.newest } : {}),
      });
      if (v.json) io.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
      else {
        const rows = Object.values(manifest.rowCounts).reduce((a, b) => a + b, 0);
        io.stdout.write(
          `backup ${manifest.id}: ${(manifest.sizeBytes / MB).toFixed(1)} MB, ${rows} rows in ${Object.keys(manifest.rowCounts).length} tables, ` +
            `${manifest.durationMs} ms, sha256 ${manifest.sha256.slice(0, 16)}…\n  stored in ${stored.join(", ")}\n`,
        );
      }
      if (keepLast !== undefined || keepDaily !== undefined || keepWeekly !== undefined) {
        const policy = { keepLast: keepLast ?? 0, keepDaily: keepDaily ?? 0, keepWeekly: keepWeekly ?? 0 };
        for (const target of targets) {
          const plan = await applyRetention(target, policy, { onProgress });
          if (!v.json)
            io.stdout.write(
              `  retention in ${target.location}: kept ${plan.keep.length}, deleted ${plan.remove.length}\n`,
            );
        }
      }
      return EXIT.ok;
    } finally {
      await closeAll(targets);
    }
  },
};

/** `nines data backups`: lists the backups at a location with their verification state. */
export const backupsCommand: Command = {
  name: "backups",
  summary: "list the backups in a directory or s3:// location",
  usage: `Usage: nines data backups --from DIR|s3://BUCKET/PREFIX [--endpoint URL] [--json]
`,
  async run(args, io) {
    const v = parse("backups", args, {
      from: { type: "string" },
      endpoint: { type: "string" },
      json: { type: "boolean" },
    });
    const target = targetFor(required("backups", v.from, "--from"), io, v.endpoint);
    try {
      const catalog = await listBackups(target);
      const verifications = await listVerifications(target);
      if (v.json) {
        io.stdout.write(`${JSON.stringify({ ...catalog, verifications }, null, 2)}\n`);
        return EXIT.ok;
      }
      const verified = new Map(verifications.filter((r) => r.ok).map((r) => [r.backupId, r.verifiedAt]));
      io.stdout.write(`${catalog.backups.length} backups in ${target.location}\n`);
      for (const b of catalog.backups) {
        const rows = Object.values(b.rowCounts).reduce((a, c) => a + c, 0);
        io.stdout.write(
          `  ${b.id}  ${b.engine} ${b.engineVersion}  ${(b.sizeBytes / MB).toFixed(1)} MB  ${rows} rows` +
            `${b.newestData ? `  data to ${b.newestData.at}` : ""}${verified.has(b.id) ? `  verified ${verified.get(b.id)}` : ""}\n`,
        );
      }
      for (const u of catalog.unreadable) io.stdout.write(`  ${u.id}  UNREADABLE: ${u.reason}\n`);
      for (const id of catalog.incomplete) io.stdout.write(`  ${id}  INCOMPLETE (no manifest)\n`);
      return EXIT.ok;
    } finally {
      await target.close?.();
    }
  },
};

/** `nines data restore`: restores a backup to a new place, or one owner's rows into a live database. */
export const restoreCommand: Command = {
  name: "restore",
  summary: "restore a backup to a new file or database, or one owner's rows",
  usage: `Usage: nines data restore --from LOCATION --to NEWFILE|URL [options]

Restores the newest good backup (falling back past corrupt or truncated
ones) or --id. Never overwrites existing data unless --force.
With --owner and --table, copies that owner's rows of that table from the
backup into the existing database at --to and touches nothing else.

Options:
  --from LOCATION        directory or s3://bucket/prefix holding the backups
  --to NEWFILE|URL       where to restore (a postgres:// URL for pg backups)
  --id ID                restore exactly this backup (no fallback)
  --force                replace existing data at --to
  --owner USER           restore only this owner's rows (needs --table)
  --table T              the table for --owner
  --owner-column C       the owner column (default: owner)
  --on-conflict MODE     skip (default), replace or fail
  --endpoint URL         S3-compatible endpoint
`,
  async run(args, io) {
    const v = parse("restore", args, {
      from: { type: "string" },
      to: { type: "string" },
      id: { type: "string" },
      force: { type: "boolean" },
      owner: { type: "string" },
      table: { type: "string" },
      "owner-column": { type: "string" },
      "on-conflict": { type: "string" },
      scratch: { type: "string" },
      endpoint: { type: "string" },
    });
    const target = targetFor(required("restore", v.from, "--from"), io, v.endpoint);
    const to = resolveDb(required("restore", v.to, "--to"), io);
    const onProgress = progressTo(io, "restore");
    try {
      if (v.owner !== undefined || v.table !== undefined) {
        const owner = required("restore", v.owner, "--owner");
        const table = required("restore", v.table, "--table");
        const mode = v["on-conflict"] ?? "skip";
        if (!["skip", "replace", "fail"].includes(mode)) {
          throw usageError("restore", `--on-conflict must be skip, replace or fail, got '${mode}'`);
        }
        const result = await restoreOwnerRows({
          from: target,
          to,
          owner,
          table,
          onConflict: mode as OwnerConflictMode,
          onProgress,
          ...(v.id ? { id: v.id } : {}),
          ...(v["owner-column"] ? { ownerColumn: v["owner-column"] } : {}),
          ...(v.scratch ? { scratch: v.scratch } : {}),
        });
        io.stdout.write(
          `restored ${result.restored} of ${result.inBackup} rows of '${owner}' in ${table} from backup ${result.manifest.id}` +
            ` (${result.skipped} left as they are)\n`,
        );
        return EXIT.ok;
      }
      const result = await restoreBackup({
        from: target,
        to,
        onProgress,
        ...(v.id ? { id: v.id } : {}),
        ...(v.force ? { force: true } : {}),
      });
      for (const s of result.skipped) io.stderr.write(`nines data restore: refused backup ${s.id}: ${s.reason}\n`);
      io.stdout.write(`restored backup ${result.manifest.id} to ${to} in ${result.durationMs} ms\n`);
      return EXIT.ok;
    } finally {
      await target.close?.();
    }
  },
};

/** `nines data verify`: proves the newest backup restores, or checks the age of the last proof. */
export const verifyCommand: Command = {
  name: "verify",
  summary: "restore the newest backup into scratch space and check it; alert when the last proof is too old",
  usage: `Usage: nines data verify --from LOCATION [--max-age 7d] [--check] [options]

Restores the newest backup (or --id) into scratch space, checks integrity
and row counts, measures RTO and RPO and records the result beside the
backups (verifications/*.json). The last successful record's date is what
'tested:' means in nines.yaml. Exits 1 when the verification fails or the
last successful one is older than --max-age.

Options:
  --from LOCATION   directory or s3://bucket/prefix holding the backups
  --max-age AGE     alert when the last success is older (e.g. 7d, 36h)
  --check           only check the age of the last success; restore nothing
  --id ID           verify this backup instead of the newest
  --scratch DIR|URL scratch directory (SQLite) or postgres:// server (pg dumps)
  --endpoint URL    S3-compatible endpoint
  --json            print the verification record as JSON
`,
  async run(args, io) {
    const v = parse("verify", args, {
      from: { type: "string" },
      "max-age": { type: "string" },
      check: { type: "boolean" },
      id: { type: "string" },
      scratch: { type: "string" },
      endpoint: { type: "string" },
      json: { type: "boolean" },
    });
    const maxAgeMs = v["max-age"] === undefined ? undefined : parseDuration(v["max-age"]);
    if (v["max-age"] !== undefined && !maxAgeMs) {
      throw usageError("verify", `--max-age must look like 7d, 36h or 90m, got '${v["max-age"]}'`);
    }
    if (v.check && maxAgeMs === undefined) throw usageError("verify", "--check needs --max-age");
    const target = targetFor(required("verify", v.from, "--from"), io, v.endpoint);
    try {
      if (!v.check) {
        const record = await verifyBackup({
          target,
          onProgress: progressTo(io, "verify"),
          ...(v.id ? { id: v.id } : {}),
          ...(v.scratch ? { scratch: resolveDb(v.scratch, io) } : {}),
        });
        if (v.json) io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
        else {
          io.stdout.write(
            `${record.ok ? "verified" : "FAILED"} backup ${record.backupId}: RTO ${(record.rtoMs / 1000).toFixed(2)} s, ` +
              `RPO ${(record.rpoMs / 3_600_000).toFixed(2)} h (${record.rpoBasis})\n`,
          );
          if (record.ok) io.stdout.write(`  nines.yaml: backups: { tested: ${record.verifiedAt.slice(0, 10)} }\n`);
        }
        if (!record.ok) {
          throw new NinesError(
            "NINES_BACKUP_VERIFY_FAILED",
            `restore verification of backup ${record.backupId} failed: ${record.problems.join("; ")}`,
            {
              hint: "the newest backup does not restore: take a new backup now and find out why this one is bad",
              details: { exitCode: EXIT.findings },
            },
          );
        }
      }
      if (maxAgeMs !== undefined) {
        const { last, ageMs } = await checkVerificationAge({ target, maxAgeMs });
        io.stdout.write(
          `last successful verification ${last.verifiedAt} (${(ageMs / 3_600_000).toFixed(1)} h ago), within ${v["max-age"]}\n`,
        );
      }
      return EXIT.ok;
    } finally {
      await target.close?.();
    }
  },
};

/** The backup subcommands of `nines data`, for its router. */
export const dataBackupCommands: readonly Command[] = [backupCommand, backupsCommand, restoreCommand, verifyCommand];
