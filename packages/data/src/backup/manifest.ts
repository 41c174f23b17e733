import type { ChecksumScheme } from "./block-checksum.js";
import { backupError } from "./errors.js";

/** The engines a backup can come from. */
export type BackupEngineName = "sqlite" | "postgres";

/**
 * What a backup is, written as `<id>/manifest.json` beside its data and
 * always last, so a backup whose manifest exists is complete. Everything a
 * restore needs to check the data (size, SHA-256, row counts) is here.
 *
 * @example
 * const manifest = parseManifest(await target.read("20261129T071500Z-ab12cd/manifest.json"));
 * manifest.rowCounts["orders"]; // 1200
 */
export interface BackupManifest {
  format: 1;
  /** Sorts in time order: `YYYYMMDDTHHMMSSmmmZ-xxxxxx`. */
  id: string;
  engine: BackupEngineName;
  /** `sqlite_version()` or PostgreSQL's `server_version`. */
  engineVersion: string;
  /** The database backed up: a file path, or a URL with its password removed. */
  source: string;
  /** The method used: `backup-api`, `vacuum-into`, `pg_dump-custom`. */
  method: string;
  /** When the backup started and finished (ISO 8601, on the injected clock). */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The data object's key inside the backup, relative to the id: `data.sqlite` or `data.pgdump`. */
  dataFile: string;
  sizeBytes: number;
  /** Hex SHA-256 of the data, computed as `checksum` says (the whole file's SHA-256 when it is absent). */
  sha256: string;
  /** The checksum scheme; absent in older backups, which hash the whole file. */
  checksum?: ChecksumScheme;
  /** Rows per table in the snapshot, read from the snapshot itself. */
  rowCounts: Record<string, number>;
  /** The newest value of the given timestamp column, when one was given: the backup's data age. */
  newestData?: { column: string; at: string };
}

/** The key of a backup's manifest. */
export function manifestKey(id: string): string {
  return `${id}/manifest.json`;
}

const ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

/** True for a string shaped like a backup id. */
export function isBackupId(id: string): boolean {
  return ID.test(id);
}

/**
 * A new backup id from a time and a random source: it sorts by time and two
 * backups in the same millisecond still differ.
 *
 * @example
 * backupId(Date.UTC(2026, 10, 29, 7, 15), new SeededRandom(1)); // "20261129T071500000Z-3fa2c1"
 */
export function backupId(at: number, random: { next(): number }): string {
  const stamp = new Date(at).toISOString().replace(/[-:.]/g, "");
  const suffix = Math.floor(random.next() * 0x1000000)
    .toString(16)
    .padStart(6, "0");
  return `${stamp}-${suffix}`;
}

/**
 * Parses and checks a manifest; anything malformed is `NINES_BACKUP_CORRUPT`.
 *
 * @example
 * parseManifest(new TextEncoder().encode(JSON.stringify(manifest))).id;
 */
export function parseManifest(bytes: Uint8Array, where = "manifest"): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw backupError("corrupt", `${where} is not valid JSON`, { hint: "restore an older backup", cause: error });
  }
  const m = value as Partial<BackupManifest>;
  const ok =
    typeof m === "object" &&
    m !== null &&
    m.format === 1 &&
    typeof m.id === "string" &&
    isBackupId(m.id) &&
    (m.engine === "sqlite" || m.engine === "postgres") &&
    typeof m.dataFile === "string" &&
    /^data\.[a-z]+$/.test(m.dataFile) &&
    typeof m.sha256 === "string" &&
    /^[0-9a-f]{64}$/.test(m.sha256) &&
    typeof m.sizeBytes === "number" &&
    typeof m.finishedAt === "string" &&
    typeof m.startedAt === "string" &&
    typeof m.rowCounts === "object" &&
    m.rowCounts !== null &&
    (m.checksum === undefined ||
      (m.checksum.scheme === "sha256-blocks" &&
        Number.isSafeInteger(m.checksum.blockBytes) &&
        m.checksum.blockBytes > 0));
  if (!ok) {
    throw backupError("corrupt", `${where} is missing fields or has wrong ones`, { hint: "restore an older backup" });
  }
  return m as BackupManifest;
}
