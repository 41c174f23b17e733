import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { isNinesError } from "@nines/core";
import { REPLICA_ERRORS } from "../errors.js";
import { loadReplicaKey, parseReplicaKey, REPLICA_KEY_ENV, replicaKeyId } from "./replica-key.js";

it("reads a key as hex, base64 or 32 raw bytes, from a file or the environment", () => {
  const key = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");
  assert.ok(parseReplicaKey(key.toString("hex"), "x").equals(key));
  assert.ok(parseReplicaKey(`${key.toString("base64")}\n`, "x").equals(key));
  assert.ok(parseReplicaKey(key, "x").equals(key));
  const dir = mkdtempSync(join(tmpdir(), "nines-key-"));
  try {
    writeFileSync(join(dir, "hex.key"), `${key.toString("hex")}\n`);
    writeFileSync(join(dir, "raw.key"), key);
    writeFileSync(join(dir, "short.key"), "abcd");
    assert.ok(loadReplicaKey({ keyFile: join(dir, "hex.key") })?.equals(key));
    assert.ok(loadReplicaKey({ keyFile: join(dir, "raw.key") })?.equals(key));
    assert.ok(loadReplicaKey({ env: { [REPLICA_KEY_ENV]: key.toString("base64") } })?.equals(key));
    assert.equal(loadReplicaKey({ env: {} }), undefined);
    assert.throws(
      () => loadReplicaKey({ keyFile: join(dir, "short.key") }),
      (e) => isNinesError(e, REPLICA_ERRORS.keyInvalid) && /short\.key/.test((e as Error).message),
    );
    assert.throws(
      () => loadReplicaKey({ keyFile: join(dir, "missing.key") }),
      (e) => isNinesError(e, REPLICA_ERRORS.keyInvalid),
    );
    assert.throws(
      () => loadReplicaKey({ env: { [REPLICA_KEY_ENV]: "not a key" } }),
      (e) => isNinesError(e, REPLICA_ERRORS.keyInvalid) && /NINES_REPLICA_KEY/.test((e as Error).message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(replicaKeyId(key), /^[0-9a-f]{16}$/);
  assert.notEqual(replicaKeyId(key), replicaKeyId(Buffer.alloc(32)));
  assert.equal(replicaKeyId(key).includes(key.toString("hex").slice(0, 8)), false);
});
