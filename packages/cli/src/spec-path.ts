import { isAbsolute, resolve } from "node:path";

/**
 * The spec's path as the user wrote it when it resolves the same, so
 * messages show it unchanged; else resolved against the command's cwd.
 *
 * @example
 * loadSpec(specPath(io.cwd, "nines.yaml"));
 */
export function specPath(cwd: string, file: string): string {
  return isAbsolute(file) || cwd === process.cwd() ? file : resolve(cwd, file);
}
