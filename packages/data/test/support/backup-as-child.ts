// Runs one backup in a process of its own (started as another user by the
// tests that need a folder this user cannot write) and prints its error as
// JSON: { "code": ..., "message": ..., "hint": ... }, or { "ok": true }.
//   backup-as-child.ts SOURCE TARGET_DIR
import { isNinesError } from "@nines/core";
import { createBackup } from "../../src/backup/create-backup.js";
import { LocalDirTarget } from "../../src/backup/targets/local-dir-target.js";

const [source, dir] = process.argv.slice(2) as [string, string];
try {
  await createBackup({ source, targets: [new LocalDirTarget(dir)] });
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  if (!isNinesError(error)) throw error;
  process.stdout.write(`${JSON.stringify({ code: error.code, message: error.message, hint: error.hint })}\n`);
}
