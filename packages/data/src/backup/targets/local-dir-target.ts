import { constants, createReadStream } from "node:fs";
import { copyFile, lstat, mkdir, readdir, readFile, rename, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { type Clock, systemClock } from "@nines/core";
import { backupError } from "../errors.js";
import { fsReason, prepareFolder, unwritableFolder } from "../fs-errors.js";
import { checkKey, checkPrefix } from "../keys.js";
import { StagingArea } from "../staging/staging-area.js";
import { listStaging, type StagingInfo, sweepStaging } from "../staging/sweep-staging.js";
import { syncPath } from "../sync-path.js";
import { stageLocalFolder } from "./local-staged-folder.js";
import type { BackupTarget, ObjectInfo, StagedFolder, TargetBody } from "./target.js";
import { writeBody } from "./write-body.js";

/** Names nines writes for itself inside a backup folder (staging folders, older staging files): never keys. */
const PRIVATE = ".nines-";

function failed(operation: string, where: string, cause: unknown) {
  return backupError("targetFailed", `${operation} ${where} failed: ${fsReason(cause)}`, {
    hint: "check that the backup folder exists, has free space and is writable",
    cause,
  });
}

/**
 * Options of {@link LocalDirTarget}.
 *
 * @example
 * new LocalDirTarget("/backups", { clock: new ManualClock(0) });
 */
export interface LocalDirTargetOptions {
  /** Time for the leases of staging folders; the system clock by default. */
  clock?: Clock;
}

/**
 * A backup target in a local directory (another disk, a mounted volume
 * standing for another region). Writes go to a staging folder in the same
 * directory (with a lease naming the writing process), are fsynced, then
 * renamed into place and the directory fsynced, so a crash never leaves a
 * half-written object under its real name; a whole backup (data and
 * manifest) is staged the same way and renamed into place at once
 * (`stageFolder`). The next backup, restore, verification or retention
 * removes what a killed one left. A file already on the same filesystem is
 * hard-linked instead of copied.
 *
 * @example
 * const target = new LocalDirTarget("/mnt/region-b/backups");
 * await target.put("x/data.sqlite", { file: "/tmp/snapshot.sqlite" });
 */
export class LocalDirTarget implements BackupTarget {
  readonly location: string;
  readonly #root: string;
  readonly #clock: Clock;
  #createdRoot = false;

  constructor(dir: string, options: LocalDirTargetOptions = {}) {
    this.#root = resolve(dir);
    this.location = this.#root;
    this.#clock = options.clock ?? systemClock;
  }

  /** The absolute path of `key`, refusing anything outside the folder. */
  pathOf(key: string): string {
    const path = resolve(this.#root, checkKey(key));
    if (!path.startsWith(this.#root + sep)) {
      throw backupError("pathOutside", `'${key}' is outside the backup folder ${this.#root}`, {
        hint: "use a backup id as listed by 'nines data backups'",
      });
    }
    return path;
  }

  /**
   * Checks the folder (a folder, or creatable: not a file, not a link to
   * nothing) and creates it when missing. Called before a backup writes
   * anything, so a bad `--to` fails at once with a coded error.
   */
  async prepare(): Promise<void> {
    if (await prepareFolder(this.#root, "backup folder", { create: true })) this.#createdRoot = true;
  }

  /** A staging folder for one operation inside the backup folder, on the same filesystem as the backups. */
  async openStaging(operation: string): Promise<StagingArea> {
    await this.prepare();
    try {
      return await StagingArea.create(this.#root, { operation, clock: this.#clock });
    } catch (error) {
      throw unwritableFolder(this.#root, "backup folder", error);
    }
  }

  /** Removes the folder again if {@link prepare} created it and it is still empty: a failed first backup changes nothing. */
  async discardIfUnused(): Promise<void> {
    if (this.#createdRoot) await rmdir(this.#root).catch(() => undefined);
    this.#createdRoot = false;
  }

  /** Staging folders in the backup folder, with whether their writer still runs. */
  async listStaging(): Promise<StagingInfo[]> {
    return await listStaging(this.#root, this.#clock.now());
  }

  /** Removes the staging folders of killed operations (never a live one's); returns what was removed. */
  async sweepStaging(): Promise<StagingInfo[]> {
    return await sweepStaging(this.#root, this.#clock.now());
  }

  async put(key: string, body: TargetBody): Promise<void> {
    const path = this.pathOf(key);
    const area = await this.openStaging("put");
    const staging = area.path("object");
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeBody(staging, body);
      await rename(staging, path);
      await syncPath(dirname(path));
    } catch (error) {
      throw failed("writing", path, error);
    } finally {
      await area.release();
    }
  }

  /**
   * A backup folder written in a staging folder (leased) and renamed into
   * place on `commit`, so a killed backup never leaves a folder under its
   * id, only a staging folder that the next operation removes.
   */
  async stageFolder(prefix: string): Promise<StagedFolder> {
    return await stageLocalFolder(await this.openStaging("backup"), this.pathOf(prefix));
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    await this.#ensureExists(key, path);
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  /** Copies the object at `key` into the new file `file` inside the kernel (copy_file_range where the system has it). */
  async download(key: string, file: string): Promise<void> {
    const path = this.pathOf(key);
    await this.#ensureExists(key, path);
    await copyFile(path, file, constants.COPYFILE_EXCL).catch((error: unknown) => {
      throw failed("copying", path, error);
    });
  }

  async read(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    await this.#ensureExists(key, path);
    return await readFile(path);
  }

  /** Every object under `prefix` with its size and change time (a link or a rename counts as a change). */
  async listObjects(prefix = ""): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    for (const key of await this.list(prefix)) {
      const info = await stat(this.pathOf(key)).catch(() => undefined);
      if (info) out.push({ key, bytes: info.size, modifiedAt: Math.max(info.mtimeMs, info.ctimeMs) });
    }
    return out;
  }

  /** Every key under `prefix`; a missing backup folder is an error (`NINES_BACKUP_LOCATION_MISSING`), not an empty one. */
  async list(prefix = ""): Promise<string[]> {
    checkPrefix(prefix);
    if (!(await lstat(this.#root).catch(() => undefined))) {
      throw backupError("locationMissing", `the backup folder ${this.#root} does not exist`, {
        hint: "check the path (a backup creates the folder; listing, restoring and verifying need it)",
      });
    }
    await prepareFolder(this.#root, "backup folder", { create: false });
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" && dir !== this.#root) return [];
        throw failed("listing", dir, error);
      });
      for (const entry of entries) {
        if (entry.name.startsWith(PRIVATE)) continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) {
          const key = relative(this.#root, path).split(sep).join("/");
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(this.#root);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw failed("deleting", path, error);
    });
    // Drop the backup's directory once it is empty; a non-empty one stays.
    if (dirname(path) !== this.#root) await rmdir(dirname(path)).catch(() => undefined);
  }

  async #ensureExists(key: string, path: string): Promise<void> {
    const found = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!found) {
      throw backupError("notFound", `no object '${key}' in ${this.#root}`, {
        hint: "list what is there with 'nines data backups --from DIR'",
      });
    }
  }
}
