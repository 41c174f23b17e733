import { requireOption } from "@nines/core";

/** Single-quotes a value for a shell command line. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A postgresql.conf string value: single quotes doubled inside. */
export function confString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Settings that make a server archive every finished WAL segment into
 * `archiveDir` (kept where the backups are: another region in production),
 * so a base backup plus the archive can be replayed to any moment.
 * `archiveTimeoutMs` bounds the RPO of the archive: a segment is closed and
 * archived at least that often even when it is not full. Put them in the
 * server's postgresql.conf (archive_mode needs a restart).
 *
 * @example
 * walArchiving("/backups/wal", { archiveTimeoutMs: 60_000 });
 * // { wal_level: "replica", archive_mode: "on", archive_command: "'test ! -f ''/backups/wal''/%f && cp ...'", archive_timeout: "60000ms" }
 */
export function walArchiving(archiveDir: string, options: { archiveTimeoutMs?: number } = {}): Record<string, string> {
  const timeoutMs = options.archiveTimeoutMs ?? 60_000;
  requireOption(
    Number.isInteger(timeoutMs) && timeoutMs >= 1000,
    "walArchiving",
    "archiveTimeoutMs",
    timeoutMs,
    "an integer >= 1000",
  );
  const segment = `${shellQuote(archiveDir)}/%f`;
  return {
    wal_level: "replica",
    archive_mode: "on",
    // Never overwrite a segment already archived: a second copy with the same name means two histories.
    archive_command: confString(`test ! -f ${segment} && cp %p ${segment}`),
    archive_timeout: `${timeoutMs}ms`,
  };
}

/**
 * The `restore_command` that reads segments back from an archive written by {@link walArchiving}.
 *
 * @example
 * restoreCommand("/backups/wal"); // "'cp ''/backups/wal''/%f %p'" (quoted for postgresql.conf)
 */
export function restoreCommand(archiveDir: string): string {
  return confString(`cp ${shellQuote(archiveDir)}/%f %p`);
}
