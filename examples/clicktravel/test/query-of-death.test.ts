// The planted query of death (GET /trips/atlantis crashes inventory) and
// the guard's quarantine: with a crash journal in NINES_STATE_DIR, the
// instance replaced after two crashes refuses that request fast and keeps
// serving the others.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { call } from "./support/http.js";
import { startService, stopAll } from "./support/service-process.js";

describe("query of death", () => {
  const dir = mkdtempSync(join(tmpdir(), "clicktravel-qod-"));
  after(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { INVENTORY_DB: join(dir, "inventory.db"), NINES_STATE_DIR: dir, INSTANCE: "inventory-a-0" };

  test("two crashes quarantine the request; the replaced instance refuses it and serves the rest", async () => {
    for (let crash = 1; crash <= 2; crash++) {
      const inventory = await startService("inventory", env);
      assert.equal((await call("GET", `${inventory.url}/trips/rome-1`)).status, 200);
      await assert.rejects(call("GET", `${inventory.url}/trips/atlantis`), `crash ${crash}: no answer`);
      const { code } = await inventory.exited;
      assert.notEqual(code, 0, `crash ${crash}: the process died`);
      assert.match(inventory.stderr(), /Invalid time value/);
    }
    const replaced = await startService("inventory", env);
    const refused = await call("GET", `${replaced.url}/trips/atlantis`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("x-nines-rejected"), "quarantined");
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    assert.equal((await call("GET", `${replaced.url}/trips/rome-1`)).status, 200, "other requests are served");
    assert.equal(replaced.child.exitCode, null, "still running");
    assert.match(
      replaced.stderr(),
      /quarantined query of death \\"GET \/trips\/atlantis\\" for 30 min after 2 crash strikes/,
    );
  });
});
