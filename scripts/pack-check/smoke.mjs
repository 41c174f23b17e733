// Run by scripts/pack-check.mjs in the fresh project, against the installed
// tarballs: one real use of each package's main API. Prints one line per
// package and exits non-zero at the first failure.
import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";

const smokes = {
  async core() {
    const { ManualClock } = await import("@nines/core");
    const clock = new ManualClock();
    let woke = false;
    const sleeping = clock.sleep(1000).then(() => {
      woke = true;
    });
    await clock.advance(999);
    assert.equal(woke, false);
    await clock.advance(1);
    await sleeping;
    assert.equal(woke, true);
    return `ManualClock woke at ${clock.now()} ms of virtual time`;
  },

  async resilience() {
    const { retry } = await import("@nines/resilience");
    let attempts = 0;
    const policy = retry({ maxAttempts: 3, backoff: { initialDelayMs: 1, maxDelayMs: 2 }, idempotent: true });
    const result = await policy.execute(async () => {
      attempts += 1;
      if (attempts < 3) throw new Error("flaky");
      return "ok";
    });
    assert.equal(result, "ok");
    assert.equal(attempts, 3);
    return `retry succeeded on attempt ${attempts}`;
  },

  async guard() {
    const { createGuard, guardHttpServer } = await import("@nines/guard");
    const { fastifyGuard } = await import("@nines/guard/fastify");
    const { expressGuard } = await import("@nines/guard/express");
    const { default: Fastify } = await import("fastify");
    const { default: express } = await import("express");
    const seen = [];

    const plain = createGuard();
    const server = guardHttpServer((_req, res) => res.end("hello"), plain);
    seen.push(`node:http ${await readyz(await listen(server))}`);
    await close(server);

    const fastifyApp = Fastify();
    await fastifyApp.register(fastifyGuard(createGuard()));
    await fastifyApp.listen({ port: 0, host: "127.0.0.1" });
    seen.push(`fastify ${await readyz(fastifyApp.server)}`);
    await fastifyApp.close();

    const expressApp = express();
    expressApp.use(expressGuard(createGuard()));
    const expressServer = expressApp.listen(0, "127.0.0.1");
    await new Promise((resolve) => expressServer.once("listening", resolve));
    seen.push(`express ${await readyz(expressServer)}`);
    await close(expressServer);
    return `/readyz answered ${seen.join(", ")}`;
  },

  async data() {
    const { declareTables, LifecycleStore, openDatabase } = await import("@nines/data");
    const db = await openDatabase(join(process.cwd(), "smoke.db"));
    try {
      await db.kysely.schema
        .createTable("notes")
        .ifNotExists()
        .addColumn("id", "integer", (column) => column.primaryKey())
        .addColumn("owner_id", "text", (column) => column.notNull())
        .addColumn("title", "text")
        .execute();
      const declaration = declareTables({ tables: { notes: { key: "id", owner: "owner_id" } } });
      const store = await LifecycleStore.open({ connection: db, declaration });
      const alice = { id: "alice" };
      const note = await store.insert(alice, "notes", { owner_id: "alice", title: "plan" });
      await store.delete(alice, "notes", note.id);
      assert.equal(await store.get(alice, "notes", note.id), undefined);
      const trash = await store.trash(alice);
      assert.deepEqual(
        trash.map((group) => [group.table, group.key]),
        [["notes", note.id]],
      );
      await store.restore(alice, "notes", note.id);
      assert.equal((await store.get(alice, "notes", note.id))?.title, "plan");
      return "LifecycleStore on a SQLite file: insert, delete, trash, restore";
    } finally {
      await db.close();
    }
  },

  async planner() {
    const { readFileSync } = await import("node:fs");
    const { analyze, formatPercent, parseSpec } = await import("@nines/planner");
    const parsed = parseSpec(readFileSync("nines.yaml", "utf8"), "nines.yaml");
    assert.ok(parsed.ok, JSON.stringify(parsed.errors));
    const result = analyze(parsed.spec, { asOf: "2026-11-29" });
    const journey = result.journeys[0];
    assert.ok(journey && journey.objective !== null && journey.availability >= journey.objective);
    return `the README spec plans: ${journey.name} ${formatPercent(journey.availability)}`;
  },
};

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}

function readyz(server) {
  const { port } = server.address();
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/readyz", agent: false }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`/readyz ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const only = process.argv.slice(2);
for (const [name, smoke] of Object.entries(smokes)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const started = performance.now();
  const said = await smoke();
  console.log(`  ${name}: ${said} (${Math.round(performance.now() - started)} ms)`);
}
