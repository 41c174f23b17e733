import { defineGroup } from "../../../define-group.js";
import { trashDelete } from "./delete.js";
import { trashEmpty } from "./empty.js";
import { trashList } from "./list.js";
import { trashRestore } from "./restore.js";

/**
 * `nines data trash list|restore|delete|empty`: a user's own trash.
 *
 * @example
 * // nines data trash list --db app.db --as alice
 */
export const trash = defineGroup({
  name: "trash",
  parent: "nines data",
  summary: "a user's trash: list, restore, delete forever, empty",
  description: "What a user deleted, restorable by them until the trash period ends.",
  subcommands: [trashList, trashRestore, trashDelete, trashEmpty],
});
