import { randomBytes } from "node:crypto";
import { link, lstat, mkdir, open, rename, rm, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CLI_ERRORS, CliError } from "./errors.js";

/** One file to write: where, its content, and the path as messages show it. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  readonly shown: string;
}

function temp(path: string, what: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.${what}`);
}

async function writeSynced(path: string, content: string): Promise<void> {
  const handle = await open(path, "wx", 0o644);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function failure(file: OutputFile, cause: unknown): CliError {
  const reason = (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
  return new CliError(CLI_ERRORS.writeFailed, `cannot write ${file.shown} (${reason}); nothing was written`, {
    hint: "check that the directory is writable and the path is not a directory",
    cause,
  });
}

/**
 * Writes every file or none: each is first written and synced to a temp
 * file beside it, then all are renamed into place; when one fails, the
 * files already replaced get their old content back, new ones are removed,
 * and directories this call created are removed. Throws
 * `NINES_CLI_WRITE_FAILED` (exit 2) naming the file that failed.
 *
 * @example
 * await writeFiles([{ path: "/out/web.yaml", content, shown: "out/web.yaml" }]);
 */
export async function writeFiles(files: readonly OutputFile[]): Promise<void> {
  const created: string[] = [];
  const temps = new Map<OutputFile, string>();
  const kept = new Map<OutputFile, string>(); // the old content, as a hard link, until every rename is done
  const placed: OutputFile[] = [];
  let current: OutputFile | undefined;
  try {
    for (const file of files) {
      current = file;
      const dir = await mkdir(dirname(file.path), { recursive: true });
      if (dir !== undefined) created.push(dir);
      const existing = await lstat(file.path).catch(() => undefined);
      if (existing !== undefined && !existing.isFile()) {
        // Renaming over a directory fails, and over a link would replace the link: refuse both before writing.
        throw existing.isDirectory()
          ? Object.assign(new Error("a directory is in the way"), { code: "EISDIR" })
          : new Error("a symbolic link or special file is in the way");
      }
      const path = temp(file.path, "tmp");
      temps.set(file, path);
      await writeSynced(path, file.content);
      if (existing !== undefined) {
        const old = temp(file.path, "old");
        await link(file.path, old);
        kept.set(file, old);
      }
    }
    for (const file of files) {
      current = file;
      await rename(temps.get(file) as string, file.path);
      temps.delete(file);
      placed.push(file);
    }
  } catch (cause) {
    for (const file of placed) {
      const old = kept.get(file);
      await (old === undefined ? unlink(file.path) : rename(old, file.path)).catch(() => undefined);
      kept.delete(file);
    }
    for (const path of temps.values()) await rm(path, { force: true });
    for (const dir of created.reverse()) await rm(dir, { recursive: true, force: true });
    throw failure(current as OutputFile, cause);
  } finally {
    for (const old of kept.values()) await rm(old, { force: true });
  }
}
