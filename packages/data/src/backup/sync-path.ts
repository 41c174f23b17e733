import { constants } from "node:fs";
import { open } from "node:fs/promises";

/**
 * fsyncs a file or a folder by path (a folder after a rename in it, so the
 * new name survives a power loss).
 *
 * @example
 * await syncPath("/backups/2026.../data.sqlite");
 * await syncPath("/backups/2026...");
 */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
