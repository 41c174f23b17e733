// A backup or a restore in a process of its own, for the kill -9 tests:
//   backup-child.ts backup SOURCE TARGET       (a folder, or s3://BUCKET/PREFIX with AWS_* settings)
//   backup-child.ts restore TARGET_DIR DESTINATION
// Prints "started" once it runs and "done" when it finished.
import { createBackup } from "../../src/backup/create-backup.js";
import { restoreBackup } from "../../src/backup/restore-backup.js";
import { LocalDirTarget } from "../../src/backup/targets/local-dir-target.js";
import { openTarget } from "../../src/backup/targets/open-target.js";

const [operation, a, b] = process.argv.slice(2) as [string, string, string];
process.stdout.write("started\n");
if (operation === "backup") await createBackup({ source: a, targets: [openTarget(b)] });
else if (operation === "restore") await restoreBackup({ from: new LocalDirTarget(a), to: b });
else throw new Error(`unknown operation ${operation}`);
process.stdout.write("done\n");
