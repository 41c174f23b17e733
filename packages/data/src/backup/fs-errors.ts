import { lstat, mkdir, readlink, stat } from "node:fs/promises";
import { type BackupError, backupError } from "./errors.js";

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "something is already there",
  ENOENT: "no such file or folder",
  EISDIR: "it is a folder",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
};

/** A file-system error in words: "permission denied (EACCES)". */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code ? REASONS[code] : undefined;
  return reason ? `${reason} (${code})` : (error as Error).message;
}

/** What a folder is for: the code and hints of its errors depend on it. */
export type FolderRole = "backup folder" | "restore folder" | "scratch folder";

function folderError(role: FolderRole, message: string, hint: string, cause?: unknown): BackupError {
  return backupError(role === "backup folder" ? "targetInvalid" : "destinationInvalid", message, {
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Checks that `path` is a folder this process can use, creating it (and its
 * parents) when `create` and it is missing. Every file-system problem comes
 * back as a coded error naming the path: a file where the folder should be,
 * a symbolic link to nothing, a missing folder, no permission to create it.
 * Returns true when it created the folder.
 *
 * @example
 * const created = await prepareFolder("/mnt/b/backups", "backup folder", { create: true });
 */
export async function prepareFolder(path: string, role: FolderRole, options: { create: boolean }): Promise<boolean> {
  const link = await lstat(path).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    const found = await stat(path).catch(() => undefined);
    if (!found) {
      const to = await readlink(path).catch(() => "?");
      throw folderError(
        role,
        `the ${role} ${path} is a symbolic link to ${to}, which does not exist`,
        "create the folder it points to, or give the real folder's path",
      );
    }
    if (!found.isDirectory()) {
      throw folderError(role, `the ${role} ${path} links to a file, not a folder`, "give a folder's path");
    }
    return false;
  }
  if (link) {
    if (!link.isDirectory()) {
      throw folderError(
        role,
        `the ${role} ${path} is a file, not a folder`,
        "give a folder's path (it is created when missing)",
      );
    }
    return false;
  }
  if (!options.create) {
    throw folderError(role, `the ${role} ${path} does not exist`, "create it first, or give an existing folder");
  }
  try {
    await mkdir(path, { recursive: true });
    return true;
  } catch (error) {
    throw folderError(
      role,
      `cannot create the ${role} ${path}: ${fsReason(error)}`,
      "choose a folder this user may write to, on a writable disk",
      error,
    );
  }
}

/** The error for a folder that exists but cannot be written: the role's code, the reason in words. */
export function unwritableFolder(path: string, role: FolderRole, error: unknown): BackupError {
  const message = `cannot write in the ${role} ${path}: ${fsReason(error)}`;
  const hint = "make it writable for this user, or choose another folder";
  return role === "backup folder"
    ? backupError("targetFailed", message, { hint, cause: error })
    : backupError("destinationInvalid", message, { hint, cause: error });
}
