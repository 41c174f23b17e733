import { defineGroup } from "../../../define-group.js";
import { adminHeld } from "./held.js";
import { adminHistory } from "./history.js";
import { adminList } from "./list.js";
import { adminRead } from "./read.js";
import { adminRestore } from "./restore.js";

/**
 * `nines data admin list|restore|held|read|history`: what support staff need: every
 * user's deleted rows, restores, legal-hold exports and a row's history.
 *
 * @example
 * // nines data admin list --db app.db --phase soft
 */
export const admin = defineGroup({
  name: "admin",
  parent: "nines data",
  summary: "administrators: deleted and held rows of every user, restores, a row's history",
  description:
    "What support staff need: every user's deleted rows (trash and soft-deleted), restores, the rows legal holds keep, one row's content and its history.",
  subcommands: [adminList, adminRestore, adminHeld, adminRead, adminHistory],
});
