import { backupError } from "./errors.js";

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks that a target key stays inside the backup folder: relative,
 * `/`-separated segments of letters, digits, `.`, `_` and `-`, none of them
 * `..` or empty. Anything else is refused with `NINES_BACKUP_PATH_OUTSIDE`
 * before any I/O happens.
 *
 * @example
 * checkKey("20261129T071500Z-ab12cd/manifest.json"); // returns the key
 * checkKey("../etc/passwd"); // throws NINES_BACKUP_PATH_OUTSIDE
 */
export function checkKey(key: string): string {
  const segments = key.split("/");
  const bad = key.length === 0 || key.length > 512 || segments.some((s) => !SEGMENT.test(s) || s === "..");
  if (bad) {
    throw backupError("pathOutside", `backup key '${key}' is not a plain path inside the backup folder`, {
      hint: "use a backup id as listed by 'nines data backups' (letters, digits, '.', '_' and '-' only)",
      details: { key },
    });
  }
  return key;
}

/** Like {@link checkKey} for a key prefix ("" lists everything). */
export function checkPrefix(prefix: string): string {
  if (prefix === "") return prefix;
  checkKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  return prefix;
}
