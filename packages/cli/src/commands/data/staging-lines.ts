import type { StagingInfo } from "@nines/data";

const MB = 1024 * 1024;

/**
 * One line about a staging folder of a backup, restore or verification: in
 * progress (a live writer's) or left by a killed one.
 *
 * @example
 * stagingLine(info); // ".nines-staging-3fa2c1d4e5f6  584.0 MB  left by a killed backup (pid 4242 on db-1, started 2026-11-29T07:15:00.000Z)"
 */
export function stagingLine(info: StagingInfo): string {
  const what = info.operation ?? "operation";
  const who = info.owner
    ? ` (pid ${info.owner.pid} on ${info.owner.host}, started ${new Date(info.startedAt).toISOString()})`
    : "";
  const state = info.state === "live" ? `in progress: a ${what} still running${who}` : `left by a killed ${what}${who}`;
  return `${info.name}  ${(info.bytes / MB).toFixed(1)} MB  ${state}`;
}

/** Total megabytes of some staging folders, for a summary line. */
export function stagingMb(infos: readonly StagingInfo[]): string {
  return (infos.reduce((n, s) => n + s.bytes, 0) / MB).toFixed(1);
}
