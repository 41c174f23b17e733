// A purge worker in a process of its own, for the kill -9 test: purges the
// SQLite file named by argv[2] in small batches and prints one line per batch.
import { openDatabase } from "../../src/connection/open-database.js";
import { declareTables } from "../../src/lifecycle/declaration.js";
import { LifecycleStore } from "../../src/lifecycle/lifecycle-store.js";
import { purge } from "../../src/purge/purge.js";
import { APP_DECLARATION } from "./lifecycle-engines.js";

const connection = await openDatabase(process.argv[2] as string, { create: false });
const store = new LifecycleStore({ connection, declaration: declareTables(APP_DECLARATION) });
process.stdout.write("started\n");
await purge(store, {
  actor: { id: "purge-child", admin: true },
  batchGroups: Number(process.argv[3] ?? 50),
  confirm: true,
  onProgress: (p) => process.stdout.write(`batch ${p.batches} ${p.purgedRows}\n`),
});
process.stdout.write("done\n");
await connection.close();
