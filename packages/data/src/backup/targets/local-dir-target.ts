import { randomBytes } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { backupError } from "../errors.js";
import { checkKey, checkPrefix } from "../keys.js";
import type { BackupTarget, TargetBody } from "./target.js";

/** Staging files start with this; `list` hides them and a crash leaves nothing that looks like a backup. */
const STAGING = ".nines-tmp-";

/** fsync a file or directory by path. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function failed(operation: string, where: string, cause: unknown) {
  return backupError("targetFailed", `${operation} ${where} failed: ${(cause as Error).message ?? String(cause)}`, {
    hint: "check that the backup folder exists, has free space and is writable",
    cause,
  });
}

/**
 * A backup target in a local directory (another disk, a mounted volume
 * standing for another region). Writes go to a staging file in the same
 * directory, are fsynced, then renamed into place and the directory fsynced,
 * so a crash never leaves a half-written backup under its real name. A file
 * already on the same filesystem is hard-linked instead of copied.
 *
 * @example
 * const target = new LocalDirTarget("/mnt/region-b/backups");
 * await target.put("x/data.sqlite", { file: "/tmp/snapshot.sqlite" });
 */
export class LocalDirTarget implements BackupTarget {
  readonly location: string;
  readonly #root: string;
  #createdRoot = false;

  constructor(dir: string) {
    this.#root = resolve(dir);
    this.location = this.#root;
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

  /** A fresh staging path inside the folder, on the same filesystem as the final files. */
  async stagingPath(name: string): Promise<string> {
    const created = await mkdir(this.#root, { recursive: true });
    if (created !== undefined) this.#createdRoot = true;
    return join(this.#root, `${STAGING}${randomBytes(6).toString("hex")}-${name}`);
  }

  /** Removes the folder again if {@link stagingPath} created it and nothing was stored: a failed backup changes nothing. */
  async discardStaging(): Promise<void> {
    if (this.#createdRoot) await rmdir(this.#root).catch(() => undefined);
    this.#createdRoot = false;
  }

  async put(key: string, body: TargetBody): Promise<void> {
    const path = this.pathOf(key);
    const staging = await this.stagingPath("put");
    try {
      await mkdir(dirname(path), { recursive: true });
      if ("bytes" in body) {
        const handle = await open(staging, "wx");
        try {
          await handle.writeFile(body.bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        // A hard link costs nothing and the source was fsynced by its writer; else copy and fsync.
        const linked = await link(body.file, staging).then(
          () => true,
          () => false,
        );
        if (!linked) {
          await copyFile(body.file, staging, constants.COPYFILE_EXCL);
          await syncPath(staging);
        }
      }
      await rename(staging, path);
      await syncPath(dirname(path));
    } catch (error) {
      await rm(staging, { force: true });
      throw failed("writing", path, error);
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    await this.#ensureExists(key, path);
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  async read(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    await this.#ensureExists(key, path);
    return await readFile(path);
  }

  async list(prefix = ""): Promise<string[]> {
    checkPrefix(prefix);
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [];
        throw failed("listing", dir, error);
      });
      for (const entry of entries) {
        if (entry.name.startsWith(STAGING)) continue;
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
