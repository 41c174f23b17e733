// A purge worker in a process of its own, for the kill -9 test: purges the
// database named by argv[2] (a SQLite file, or a PostgreSQL URL with the
// schema in argv[4]) in batches of argv[3] groups, one line per batch.
import { openDatabase } from "../../src/connection/open-database.js";
import { declareTables } from "../../src/lifecycle/declaration.js";
import { LifecycleStore } from "../../src/lifecycle/lifecycle-store.js";
import { purge } from "../../src/purge/purge.js";
import { APP_DECLARATION } from "./lifecycle-engines.js";

const schema = process.argv[4];
const connection = await openDatabase(process.argv[2] as string, { create: false, ...(schema ? { schema } : {}) });
const store = new LifecycleStore({ connection, declaration: declareTables(APP_DECLARATION) });
process.stdout.write("started\n");
await purge(store, {
  actor: { id: "purge-child", admin: true },
  batchGroups: Number(process.argv[3] ?? 50),
  confirm: true,
  onProgress: (p) => {
    if (p.phase === "purge") process.stdout.write(`batch ${p.done}/${p.total ?? "?"} ${p.unit}\n`);
  },
});
process.stdout.write("done\n");
await connection.close();
