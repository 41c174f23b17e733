import { defineGroup } from "../../define-group.js";
import { admin } from "./admin/index.js";
import { backup } from "./backup.js";
import { backups } from "./backups.js";
import { hold } from "./hold.js";
import { init } from "./init.js";
import { pitr } from "./pitr/index.js";
import { purge } from "./purge.js";
import { release } from "./release.js";
import { replicate } from "./replicate.js";
import { restore } from "./restore.js";
import { trash } from "./trash/index.js";
import { verify } from "./verify.js";

/**
 * `nines data <command>`: one file per command in this folder (a folder per
 * group of commands, such as `trash/`); the list below is the order
 * `nines data --help` shows them in.
 *
 * @example
 * // nines data trash list --db app.db --as alice
 */
export const data = defineGroup({
  name: "data",
  parent: "nines",
  summary: "lazy deletion, purge, backups and verified restores",
  description: `Durable data: lazy deletion (trash, admin restore, legal holds, purge), backups and verified
restores, point-in-time recovery, on a SQLite file (--db app.db) or PostgreSQL (--db postgres://...).
See docs/data.md and docs/failover.md.`,
  subcommands: [init, trash, admin, hold, release, purge, backup, backups, restore, verify, replicate, pitr],
});
