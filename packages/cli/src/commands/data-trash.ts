import type { DeletedRow } from "@nines/data";
import { type Command, EXIT, type Io } from "../command.js";
import {
  administrator,
  iso,
  openStore,
  parse,
  STORE_USAGE,
  tableAndKey,
  usageError,
  user,
} from "./data-store-options.js";

/** Prints deleted rows as text or JSON. */
export function printDeleted(rows: DeletedRow[], json: boolean | undefined, io: Io): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    io.stdout.write("no deleted rows\n");
    return;
  }
  for (const r of rows) {
    const until = r.phase === "trash" ? r.softAt : r.purgeAt;
    const hold = r.hold ? `  HOLD: ${r.hold}` : "";
    io.stdout.write(
      `${r.table} ${String(r.key)}  ${r.phase}  owner ${String(r.owner)}  deleted ${iso(r.deletedAt)} by ${r.deletedBy}  restorable until ${iso(until)}  group ${r.group}${hold}\n`,
    );
  }
}

/**
 * `nines data trash list|restore|empty`: a user's own trash.
 *
 * @example
 * // nines data trash list --db app.db --as alice
 * // nines data trash restore notes 12 --db app.db --as alice --rename
 */
export const trashCommand: Command = {
  name: "trash",
  summary: "a user's trash: list, restore, empty",
  usage: `Usage: nines data trash list --db FILE|URL --as USER
       nines data trash restore TABLE KEY --db FILE|URL --as USER [--rename]
       nines data trash empty --db FILE|URL --as USER

Restoring brings back the whole group the row was deleted with. A unique
value now used by a live row is a conflict unless --rename.
${STORE_USAGE}
  --rename          on a unique conflict, rename the restored row ("x (restored)")`,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse("trash", args, { rename: { type: "boolean" } });
    const [action, ...rest] = positionals;
    if (action !== "list" && action !== "restore" && action !== "empty") {
      throw usageError("trash", `expected list, restore or empty, got '${action ?? ""}'`);
    }
    const actor = user("trash", values.as);
    const target = action === "restore" ? tableAndKey("trash restore", rest) : undefined;
    if (action !== "restore" && rest.length > 0) throw usageError(`trash ${action}`, `unexpected '${rest[0]}'`);
    const { store, connection } = await openStore("trash", values, io);
    try {
      if (action === "list") printDeleted(await store.trash(actor), values.json, io);
      else if (action === "empty") {
        const r = await store.emptyTrash(actor);
        io.stdout.write(
          values.json
            ? `${JSON.stringify(r)}\n`
            : `emptied: ${r.groups} group(s), ${r.rows} row(s) now restorable only by an administrator\n`,
        );
      } else if (target) {
        const r = await store.restore(actor, target[0], target[1], { onConflict: values.rename ? "rename" : "fail" });
        printRestore(r, values.json, io);
      }
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
};

export function printRestore(
  r: { group: string; rows: number; renamed: { table: string; key: unknown; from: unknown; to: string }[] },
  json: boolean | undefined,
  io: Io,
): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  io.stdout.write(`restored ${r.rows} row(s) of group ${r.group}\n`);
  for (const n of r.renamed)
    io.stdout.write(`  renamed ${n.table} ${String(n.key)}: '${String(n.from)}' -> '${n.to}'\n`);
}

/**
 * `nines data admin list|restore`: administrators see and restore deleted rows of every user.
 *
 * @example
 * // nines data admin list --db app.db --phase soft
 * // nines data admin restore notes 12 --db app.db --as ops
 */
export const adminCommand: Command = {
  name: "admin",
  summary: "administrators: list and restore soft-deleted rows",
  usage: `Usage: nines data admin list --db FILE|URL [--phase trash|soft] [--owner USER]
       nines data admin restore TABLE KEY --db FILE|URL [--as ADMIN] [--rename]
${STORE_USAGE}
  --phase P         only rows in the trash or soft-deleted phase
  --owner USER      only this user's rows
  --rename          on a unique conflict, rename the restored row`,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse("admin", args, {
      rename: { type: "boolean" },
      phase: { type: "string" },
      owner: { type: "string" },
    });
    const [action, ...rest] = positionals;
    if (action !== "list" && action !== "restore")
      throw usageError("admin", `expected list or restore, got '${action ?? ""}'`);
    if (values.phase !== undefined && values.phase !== "trash" && values.phase !== "soft") {
      throw usageError("admin", `--phase must be trash or soft, got '${values.phase}'`);
    }
    const actor = administrator(values.as, io);
    const target = action === "restore" ? tableAndKey("admin restore", rest) : undefined;
    if (action === "list" && rest.length > 0) throw usageError("admin list", `unexpected '${rest[0]}'`);
    const { store, connection } = await openStore("admin", values, io);
    try {
      if (target) {
        printRestore(
          await store.restore(actor, target[0], target[1], { onConflict: values.rename ? "rename" : "fail" }),
          values.json,
          io,
        );
      } else {
        const phase = values.phase as "trash" | "soft" | undefined;
        printDeleted(
          await store.deleted(actor, { ...(phase ? { phase } : {}), ...(values.owner ? { owner: values.owner } : {}) }),
          values.json,
          io,
        );
      }
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  },
};
