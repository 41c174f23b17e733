import { spawn } from "node:child_process";
import { backupError } from "../../backup/errors.js";

/**
 * Runs a PostgreSQL client program (pg_dump, pg_restore, pg_basebackup)
 * with a 10 s connection timeout, passing each line it writes on stderr
 * (progress lines end in `\r`) to `onLine`; a failure is
 * `NINES_BACKUP_TOOL_FAILED` quoting its error lines.
 *
 * @example
 * await runPostgresTool("pg_dump", ["--format=custom", `--file=${file}`, `--dbname=${url}`]);
 */
export async function runPostgresTool(program: string, args: string[], onLine?: (line: string) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, PGCONNECT_TIMEOUT: "10" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
      if (onLine) for (const line of chunk.split(/[\r\n]/)) if (line.trim()) onLine(line.trim());
    });
    child.once("error", (error) =>
      reject(
        backupError("toolFailed", `cannot run ${program}: ${error.message}`, {
          hint: "install the PostgreSQL client programs ('apt-get install -y postgresql-client') or set binDir",
          cause: error,
        }),
      ),
    );
    child.once("close", (code) => {
      if (code === 0) resolve();
      else {
        const errors = stderr
          .split(/[\r\n]/)
          .filter((l) => /error|fatal/i.test(l))
          .slice(0, 5)
          .join("; ");
        reject(
          backupError("toolFailed", `${program} exited with status ${code}: ${errors || stderr.slice(-500)}`, {
            hint: "read the message above; a client program older than the server refuses to run",
          }),
        );
      }
    });
  });
}
