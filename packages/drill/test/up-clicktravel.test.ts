import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { RunningSystem } from "../src/up/running-system.js";
import { DEFAULT_SCALE, up } from "../src/up/up.js";
import { buildPackages, runProcesses, tempDir } from "./support.js";

const root = new URL("../../../", import.meta.url).pathname;
const SPEC = join(root, "examples/clicktravel/nines.yaml");

describe("up: ClickTravel at the default scale, for real", () => {
  const dir = tempDir("nines-up-clicktravel-");
  let system: RunningSystem;

  before(async () => {
    // The spec runs the built services (dist/services/*.js): build what is stale first.
    buildPackages("examples/clicktravel");
    system = await up(SPEC, { runDir: dir.path });
  });

  after(async () => {
    await system?.stop();
    assert.deepEqual(runProcesses(dir.path), []);
    dir.remove();
  });

  it("runs every instance the spec places, and books a trip through the front door", async () => {
    assert.equal(system.plan.scale, DEFAULT_SCALE);
    const byService = Object.fromEntries(
      ["web", "orders", "inventory", "analytics"].map((s) => [s, system.instances(s).length]),
    );
    assert.deepEqual(byService, { web: 8, orders: 4, inventory: 4, analytics: 1 });
    assert.ok(system.instances().every((i) => i.state === "ready"));

    const page = await fetch(`${system.frontDoor}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /ClickTravel/);
    const search = await fetch(`${system.frontDoor}/api/trips?to=Rome`);
    assert.equal(search.status, 200);
    const { trips } = (await search.json()) as { trips: { id: string; seatsLeft: number }[] };
    const trip = trips[0];
    assert.ok(trip, "the catalogue is seeded");

    const requestId = randomUUID();
    const booked = await fetch(`${system.frontDoor}/api/bookings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requestId, user: "ada", tripId: trip.id, seats: 1 }),
    });
    assert.equal(booked.status, 201, await booked.clone().text());
    const mine = (await (await fetch(`${system.frontDoor}/api/bookings?user=ada`)).json()) as {
      bookings: { requestId: string }[];
    };
    assert.ok(mine.bookings.some((b) => b.requestId === requestId));

    // The booking is in orders-db's primary, and the seat is taken in inventory.
    const primary = system.database("orders-db")[0];
    assert.equal(primary?.zone, "us-central1-a");
    const client = new pg.Client({ connectionString: primary?.directUrl, connectionTimeoutMillis: 2000 });
    await client.connect();
    try {
      const rows = await client.query("select 1 from bookings where request_id = $1", [requestId]);
      assert.equal(rows.rowCount, 1);
    } finally {
      await client.end();
    }
    const after = (await (await fetch(`${system.frontDoor}/api/trips/${trip.id}`)).json()) as { seatsLeft: number };
    assert.equal(after.seatsLeft, trip.seatsLeft - 1);
  });

  it("a killed web instance is replaced within its scaled start-up time (15 s / 10) + 2 s", async () => {
    const id = "web-us-central1-a-0";
    const ready = new Promise<number>((resolve) => {
      const off = system.on("ready", (e) => {
        if (e.instance === id) {
          off();
          resolve(e.at);
        }
      });
    });
    const killedAt = Date.now();
    await system.killInstance(id);
    const replaceMs = (await ready) - killedAt;
    assert.ok(replaceMs >= 1500 && replaceMs <= 3500, `replaced in ${replaceMs} ms`);
  });
});
