import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { isAlive } from "../src/process/process-owner.js";
import type { RunningSystem } from "../src/up/running-system.js";
import { up } from "../src/up/up.js";
import { serveLiveView } from "../src/up/view/view-server.js";
import { buildPackages, eventually, getJson, runProcesses, tempDir, UP_SPEC } from "./support.js";

interface Answer {
  front: string;
  back: { instance: string; zone: string; capacity: number };
}

async function ask(url: string, timeoutMs = 5000): Promise<{ status: number; body: Answer | null }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: (await response.json()) as Answer };
  } catch {
    return { status: 0, body: null };
  }
}

async function notes(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<{ id: string }>("select id from notes")).rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

describe("up: a reduced system (two guard services, two zones, a PostgreSQL pair) for real", () => {
  const dir = tempDir("nines-up-");
  let system: RunningSystem;

  before(async () => {
    buildPackages("packages/guard", "packages/data", "packages/resilience");
    system = await up(UP_SPEC, { runDir: dir.path, scale: 10, timeScale: 10, balancer: { timeoutMs: 3000 } });
  });

  after(async () => {
    await system?.stop();
    // Nothing of the run is left: no instance, no PostgreSQL server, no reaper, no pid file.
    assert.deepEqual(runProcesses(dir.path), []);
    assert.deepEqual(readdirSync(`${dir.path}/pids`), []);
    dir.remove();
  });

  it("requests flow through the front door, each zone's front calling its own zone's back", async () => {
    assert.equal(system.postgres?.source, "system");
    assert.equal(system.instances().length, 4);
    for (let i = 0; i < 20; i++) {
      const { status, body } = await ask(`${system.frontDoor}/api/back`);
      assert.equal(status, 200);
      assert.equal(body?.front.replace("front-", ""), body?.back.instance.replace("back-", ""), "same zone");
      assert.equal(body?.back.capacity, 40, "NINES_CAPACITY is the spec's 400 / 10");
    }
    const write = await fetch(`${system.frontDoor}/api/notes?id=first`, { method: "POST" });
    assert.equal(write.status, 201);
    const primary = system.database("notes-db")[0];
    assert.equal(primary?.role, "primary");
    assert.deepEqual(await notes(primary?.directUrl ?? ""), ["first"]);
  });

  it("the live view: per-service rates, breakers from /metrics, the page and its JSON", async () => {
    for (let i = 0; i < 10; i++) await ask(`${system.frontDoor}/api/back`);
    const seen = await eventually(() => {
      const front = system.snapshot().services.find((s) => s.name === "front");
      return front?.breakers[0]?.states["closed"] === 2 && front.rate > 0;
    }, 8000);
    assert.ok(seen, JSON.stringify(system.snapshot().services[0]));
    const view = await serveLiveView(system);
    try {
      const page = await (await fetch(view.url)).text();
      assert.match(page, /<title>Tiny: nines up<\/title>/);
      // The page's script parses (it is not run here: no browser).
      const script = /<script>([\s\S]*)<\/script>/.exec(page)?.[1] ?? "";
      assert.doesNotThrow(() => new Function(script));
      const json = await getJson<{ services: { name: string; instances: unknown[] }[] }>(`${view.url}snapshot.json`);
      assert.deepEqual(
        json.services.map((s) => [s.name, s.instances.length]),
        [
          ["front", 2],
          ["back", 2],
        ],
      );
    } finally {
      await view.close();
    }
  });

  it("a killed instance is replaced within its scaled start-up time + 2 s, while the others serve", async () => {
    const victim = system.instances("back").find((i) => i.zone === "zone-a");
    assert.ok(victim?.pid);
    const replaced = new Promise<number>((resolve) => {
      const off = system.on("ready", (e) => {
        if (e.instance === victim.id) {
          off();
          resolve(e.at);
        }
      });
    });
    const killedAt = Date.now();
    await system.killInstance(victim.id);
    assert.equal(isAlive(victim.pid), false);
    // Meanwhile zone a's front spills over to zone b's back.
    const during = await ask(`${system.frontDoor}/api/back`);
    assert.equal(during.status, 200);
    const readyAt = await replaced;
    const replaceMs = readyAt - killedAt;
    const delayMs = system.plan.services.find((s) => s.name === "back")?.replaceDelayMs ?? 0;
    assert.equal(delayMs, 1000, "the spec's 10 s start-up / time scale 10");
    assert.ok(replaceMs >= delayMs, `waited the start-up time: ${replaceMs} ms`);
    assert.ok(replaceMs <= delayMs + 2000, `replaced in ${replaceMs} ms`);
    const now = system.instances("back").find((i) => i.id === victim.id);
    assert.equal(now?.generation, 1);
    assert.notEqual(now?.pid, victim.pid);
  });

  it("a partitioned zone's traffic spills over to the other zone, and comes back when healed", async () => {
    system.partitionZone("zone-b");
    assert.deepEqual(
      system
        .snapshot()
        .zones.filter((z) => z.partitioned)
        .map((z) => z.zone),
      ["zone-b"],
    );
    const out = await eventually(
      () =>
        system.snapshot().services.every((s) => s.instances.some((i) => i.zone === "zone-b" && i.healthy === false)),
      5000,
    );
    assert.ok(out, "the balancers' checks find zone b unreachable");
    for (let i = 0; i < 10; i++) {
      const { status, body } = await ask(`${system.frontDoor}/api/back`);
      assert.equal(status, 200);
      assert.equal(body?.back.zone, "zone-a");
    }
    system.healZone("zone-b");
    const back = await eventually(
      async () => (await ask(`${system.frontDoor}/api/back`)).body?.back.zone === "zone-b",
      8000,
    );
    assert.ok(back, "zone b serves again");
  });

  it("one more instance joins its balancer once ready, and leaves it before it drains", async () => {
    await system.setInstances("front", "zone-a", 2);
    const added = system.instances("front").find((i) => i.id === "front-zone-a-1");
    assert.equal(added?.state, "ready");
    const joined = await eventually(
      () =>
        system
          .snapshot()
          .services.find((s) => s.name === "front")
          ?.instances.some((i) => i.id === "front-zone-a-1" && i.healthy === true) ?? false,
      5000,
    );
    assert.ok(joined);
    await system.setInstances("front", "zone-a", 1);
    assert.equal(system.instances("front").length, 2);
    assert.equal(added?.pid !== null && isAlive(added?.pid as number), false);
  });

  it("a crash of the database primary: the standby is promoted, writes continue, none acknowledged is lost", async () => {
    const failover = new Promise<{ promoteMs: number; toZone: string }>((resolve) => system.on("failover", resolve));
    await system.crashDatabase("notes-db");
    const event = await failover;
    assert.equal(event.toZone, "zone-b");
    const write = await fetch(`${system.frontDoor}/api/notes?id=after-failover`, { method: "POST" });
    assert.equal(write.status, 201);
    const primary = system.database("notes-db")[0];
    assert.equal(primary?.zone, "zone-b");
    assert.deepEqual((await notes(primary?.directUrl ?? "")).sort(), ["after-failover", "first"]);
  });

  it("after the failover the watch makes a standby again, so a second crash fails over back, losing nothing", async () => {
    const rebuilt = await new Promise<{ zone: string; method: string; rebuildMs: number }>((resolve) => {
      const off = system.on("rebuilt", (e) => {
        off();
        resolve(e);
      });
      if (system.database("notes-db").every((m) => m.up)) resolve({ zone: "zone-a", method: "done", rebuildMs: 0 });
    });
    assert.equal(rebuilt.zone, "zone-a");
    assert.deepEqual(
      system.database("notes-db").map((m) => [m.role, m.zone, m.up]),
      [
        ["primary", "zone-b", true],
        ["standby", "zone-a", true],
      ],
    );
    const failover = new Promise<{ toZone: string }>((resolve) => system.on("failover", resolve));
    await system.crashDatabase("notes-db");
    assert.equal((await failover).toZone, "zone-a");
    const write = await fetch(`${system.frontDoor}/api/notes?id=after-second`, { method: "POST" });
    assert.equal(write.status, 201);
    const primary = system.database("notes-db")[0];
    assert.deepEqual((await notes(primary?.directUrl ?? "")).sort(), ["after-failover", "after-second", "first"]);
  });
});
