// The inventory service: trips and seats, under lazy deletion (a trip
// deleted by mistake is restored from the trash). See ../../README.md.
import { existsSync } from "node:fs";
import { openDatabase } from "@nines/data";
import { openCatalog } from "../inventory/catalog.js";
import { inventoryRoutes } from "../inventory/inventory-routes.js";
import { readConfig, requireVariable } from "../runtime/config.js";
import { runMain } from "../runtime/main.js";
import { startService } from "../runtime/service-host.js";

await runMain("inventory", async () => {
  const config = readConfig("inventory", process.env);
  const location = requireVariable(config, "INVENTORY_DB", "an SQLite file path or a PostgreSQL URL");
  const db = await openDatabase(location);
  const isFile = db.dialect.name === "sqlite";
  const store = await openCatalog(db);
  return await startService({
    config,
    routes: inventoryRoutes(store, db, config.env["ADMIN_TOKEN"] || undefined),
    readiness: [
      {
        name: "inventory-db",
        check: async () => {
          // A file removed under a running SQLite connection still answers: check that it is still there.
          if (isFile && !existsSync(location)) throw new Error(`${location} is gone`);
          await db.kysely.selectFrom("trips").select("id").limit(1).execute();
        },
        timeoutMs: 500,
      },
    ],
    cleanup: [{ name: "inventory-db", run: () => db.close() }],
  });
});
