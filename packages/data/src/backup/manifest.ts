import { type EngineName, isEngineName } from "../dialect/engine-name.js";
import type { BackupChecksum } from "./block-checksum.js";
import { backupError } from "./errors.js";

/**
 * What a backup is, written as `<id>/manifest.json` beside its data and
 * always last, so a backup whose manifest exists is complete. Everything a
 * restore needs to check the data (size, checksum, row counts) is here.
 * Manifests of format 1 (a `sha256` field whose meaning depended on an
 * optional `checksum` scheme) are read into this shape.
 *
 * @example
 * const manifest = parseManifest(await target.read("20261129T071500000Z-ab12cd/manifest.json"));
 * manifest.rowCounts["orders"]; // 1200
 * manifest.checksum; // { scheme: "sha256-blocks", blockBytes: 4194304, value: "9f2c..." }
 */
export interface BackupManifest {
  format: 2;
  /** Sorts in time order: `YYYYMMDDTHHMMSSmmmZ-xxxxxx`. */
  id: string;
  engine: EngineName;
  /** `sqlite_version()` or PostgreSQL's `server_version`. */
  engineVersion: string;
  /** The database backed up: a file path, or a URL with its password hidden. */
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
  /** The data's checksum: its scheme (`sha256` of the whole file, or `sha256-blocks`) and hex value. */
  checksum: BackupChecksum;
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
const HEX64 = /^[0-9a-f]{64}$/;

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

function validChecksum(c: unknown): c is BackupChecksum {
  const checksum = c as Partial<{ scheme: string; blockBytes: number; value: string }> | null;
  if (typeof checksum !== "object" || checksum === null) return false;
  if (typeof checksum.value !== "string" || !HEX64.test(checksum.value)) return false;
  if (checksum.scheme === "sha256") return checksum.blockBytes === undefined;
  return (
    checksum.scheme === "sha256-blocks" &&
    Number.isSafeInteger(checksum.blockBytes) &&
    (checksum.blockBytes as number) > 0
  );
}

/** Format 1 kept the value in `sha256` and the scheme (blocks, or absent for the whole file) in `checksum`. */
function checksumOfFormat1(m: Record<string, unknown>): BackupChecksum | undefined {
  const value = m["sha256"];
  if (typeof value !== "string") return undefined;
  const scheme = m["checksum"] as { scheme?: unknown; blockBytes?: unknown } | undefined;
  const checksum =
    scheme === undefined
      ? { scheme: "sha256", value }
      : { scheme: scheme.scheme, blockBytes: scheme.blockBytes, value };
  return validChecksum(checksum) ? checksum : undefined;
}

/**
 * Parses and checks a manifest (format 2, or an older format 1 read into
 * format 2's shape); anything malformed is `NINES_BACKUP_CORRUPT`.
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
  const raw = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const checksum =
    raw["format"] === 1 ? checksumOfFormat1(raw) : validChecksum(raw["checksum"]) ? raw["checksum"] : undefined;
  const m = raw as Partial<BackupManifest>;
  const ok =
    (raw["format"] === 1 || raw["format"] === 2) &&
    checksum !== undefined &&
    typeof m.id === "string" &&
    isBackupId(m.id) &&
    isEngineName(m.engine) &&
    typeof m.dataFile === "string" &&
    /^data\.[a-z]+$/.test(m.dataFile) &&
    typeof m.sizeBytes === "number" &&
    typeof m.finishedAt === "string" &&
    typeof m.startedAt === "string" &&
    typeof m.rowCounts === "object" &&
    m.rowCounts !== null;
  if (!ok) {
    throw backupError("corrupt", `${where} is missing fields or has wrong ones`, { hint: "restore an older backup" });
  }
  const { sha256: _value, ...rest } = raw;
  return { ...(rest as unknown as BackupManifest), format: 2, checksum };
}
