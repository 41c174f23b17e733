import { lstat, mkdir, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { backupError } from "../errors.js";
import { fsReason } from "../fs-errors.js";
import { checkKey } from "../keys.js";
import type { StagingArea } from "../staging/staging-area.js";
import { syncPath } from "../sync-path.js";
import type { StagedFolder } from "./target.js";
import { writeBody } from "./write-body.js";

function failed(operation: string, where: string, cause: unknown) {
  return backupError("targetFailed", `${operation} ${where} failed: ${fsReason(cause)}`, {
    hint: "check that the backup folder exists, has free space and is writable",
    cause,
  });
}

/**
 * A folder written inside a leased staging area and renamed to `final` on
 * `commit`: one rename, then the parent fsynced. Until then nothing exists
 * under `final`; a killed writer leaves the staging area, which the next
 * operation on the folder removes once the lease shows its writer is gone.
 *
 * @example
 * const folder = await stageLocalFolder(await target.openStaging("backup"), "/backups/20261129T071500000Z-3fa2c1");
 */
export async function stageLocalFolder(area: StagingArea, final: string): Promise<StagedFolder> {
  const folder = area.path("folder");
  try {
    await mkdir(folder);
  } catch (error) {
    await area.release();
    throw failed("creating", folder, error);
  }
  return {
    async put(name, body) {
      if (checkKey(name).includes("/")) {
        throw backupError("pathOutside", `'${name}' is not a plain file name`, {
          hint: "put files at the top of the folder",
        });
      }
      const path = join(folder, name);
      await writeBody(path, body).catch((error: unknown) => {
        throw failed("writing", path, error);
      });
    },
    async commit() {
      if (await lstat(final).catch(() => undefined)) {
        throw backupError("targetFailed", `${final} already exists`, {
          hint: "back up again: a new backup gets a new id",
        });
      }
      try {
        await syncPath(folder);
        await rename(folder, final);
        await syncPath(dirname(final));
      } catch (error) {
        throw failed("storing", final, error);
      }
    },
    async release() {
      await area.release();
    },
  };
}
