import { constants } from "node:fs";
import { copyFile, link, open } from "node:fs/promises";
import { syncPath } from "../sync-path.js";
import type { TargetBody } from "./target.js";

/**
 * Writes `body` as the new file `path`, durably: bytes are written and
 * fsynced; a file is hard-linked when it is on the same filesystem (it
 * costs nothing, and its writer fsynced it), else copied and fsynced.
 *
 * @example
 * await writeBody("/backups/.nines-staging-3fa2/object", { file: "/tmp/snapshot.sqlite" });
 */
export async function writeBody(path: string, body: TargetBody): Promise<void> {
  if ("bytes" in body) {
    const handle = await open(path, "wx");
    try {
      await handle.writeFile(body.bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return;
  }
  const linked = await link(body.file, path).then(
    () => true,
    () => false,
  );
  if (!linked) {
    await copyFile(body.file, path, constants.COPYFILE_EXCL);
    await syncPath(path);
  }
}
