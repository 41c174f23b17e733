import { defineGroup } from "../../../define-group.js";
import { pitrBase } from "./base.js";
import { pitrRestore } from "./restore.js";
import { pitrSettings } from "./settings.js";

/**
 * `nines data pitr settings|base|restore`: point-in-time recovery of a PostgreSQL server you run.
 *
 * @example
 * // nines data pitr base --db postgres://backup@db-1/postgres --to /backups/base-1
 */
export const pitr = defineGroup({
  name: "pitr",
  parent: "nines data",
  summary: "point-in-time recovery of a PostgreSQL server: archive settings, base backups, restores",
  description: `Point-in-time recovery of a PostgreSQL server you name by its URL: 'settings' prints
the WAL archiving to put in its postgresql.conf, 'base' takes a base backup over the replication
protocol, 'restore' replays the archive up to a moment into a new data directory. See docs/failover.md.`,
  subcommands: [pitrSettings, pitrBase, pitrRestore],
});
