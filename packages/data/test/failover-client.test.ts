import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, OPTION_INVALID } from "@nines/core";
import { FAILOVER_ERRORS, FailoverError } from "../src/failover/errors.js";
import { FailoverClient } from "../src/failover/failover-client.js";
import { failoverRetry } from "../src/failover/failover-retry.js";
import { Promoter } from "../src/failover/promoter.js";
import { LocalPostgres } from "../src/postgres/local-postgres.js";
import { postgresBinariesOrSkip } from "./support/server-binaries.js";

/** A loopback port with nothing listening: connections are refused at once. */
async function closedPort(): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

describe("FailoverClient against a real server", postgresBinariesOrSkip(), () => {
  let dir = "";
  let server: LocalPostgres;
  let dead = "";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nines-fc-"));
    chmodSync(dir, 0o755);
    server = await LocalPostgres.init({ dir: join(dir, "pg") });
    await server.start();
    dead = `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`;
  });

  after(async () => {
    await server?.crash();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds the writable primary among servers that are down", async () => {
    const client = new FailoverClient({ hosts: [dead, server.url()], policy: failoverRetry({ maxElapsedMs: 2000 }) });
    const primaries: string[] = [];
    client.on("primary", (e) => primaries.push(e.host));
    try {
      const result = await client.query<{ n: number }>("select 41 + 1 as n");
      assert.equal(result.rows[0]?.n, 42);
      assert.deepEqual(primaries, [server.url()]);
      const status = await client.replicationStatus();
      assert.equal(status.mode, "none");
      assert.equal(status.degraded, false);
    } finally {
      await client.close();
    }
  });

  it("does not retry the caller's own errors", async () => {
    const policy = failoverRetry({ maxElapsedMs: 2000 });
    let attempts = 0;
    policy.on("failure", () => attempts++);
    const client = new FailoverClient({ hosts: [server.url()], policy });
    try {
      await client.query("create table if not exists uniq (id integer primary key)");
      await client.query("insert into uniq values (1)");
      attempts = 0;
      await assert.rejects(client.query("insert into uniq values (1)"), { code: "23505" });
      assert.equal(attempts, 1);
    } finally {
      await client.close();
    }
  });

  it("gives up with a coded error when no server is a primary within the deadline", async () => {
    const client = new FailoverClient({ hosts: [dead], policy: failoverRetry({ maxElapsedMs: 300 }) });
    try {
      await assert.rejects(client.query("select 1"), (e: unknown) => {
        assert.ok(e instanceof FailoverError, "a FailoverError, named so in a stack trace");
        assert.equal(e.name, "FailoverError");
        assert.match(e.message, /^the server is not a writable primary/);
        return isNinesError(e, FAILOVER_ERRORS.noPrimary);
      });
      await client.close();
      await assert.rejects(client.query("select 1"), (e: unknown) => isNinesError(e, FAILOVER_ERRORS.clientClosed));
    } finally {
      await client.close();
    }
  });

  it("refuses to be built without hosts, or with a misspelt option", () => {
    assert.throws(
      () => new FailoverClient({ hosts: [], policy: failoverRetry() }),
      (e: unknown) => isNinesError(e, OPTION_INVALID),
    );
    assert.throws(
      () => new FailoverClient({ hosts: [dead], policy: failoverRetry(), poolsize: 3 } as never),
      (e: unknown) => isNinesError(e, OPTION_INVALID) && /did you mean poolSize/.test(e.hint ?? ""),
    );
    assert.throws(
      () => new Promoter({ primary: dead, standby: dead, failAfter: 3 } as never),
      (e: unknown) => isNinesError(e, OPTION_INVALID) && /failAfter/.test(e.message),
    );
  });
});
