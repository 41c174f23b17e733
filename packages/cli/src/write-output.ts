import { NinesError } from "@nines/core";
import { writeFileAtomic } from "@nines/planner";
import { EXIT } from "./command.js";

/**
 * Writes a command's output file atomically. A file that cannot be written
 * is the path's problem (exit 2, with `code`), never a bug.
 *
 * @example
 * await writeOutput(resolve(io.cwd, file), file, html, "NINES_PLAN_WRITE_FAILED");
 */
export async function writeOutput(path: string, shown: string, content: string, code: string): Promise<void> {
  try {
    await writeFileAtomic(path, content);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new NinesError(code, `cannot write ${shown} (${reason})`, {
      hint: "check that the directory is writable and the path is not a directory",
      cause,
      details: { exitCode: EXIT.usage },
    });
  }
}
