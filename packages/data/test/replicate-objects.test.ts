// Bad replica objects on real files: a segment corrupted, truncated,
// missing, from another generation, stored out of order or twice, and a
// wrong or missing key. Each restore either succeeds with the right
// database or is refused with a coded error naming the object, and never
// leaves a file at the destination.
import assert from "node:assert/strict";
import {
  copyFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError } from "@nines/core";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import type { BackupTarget, TargetBody } from "../src/backup/targets/target.js";
import { openObject } from "../src/replicate/codec/decode-object.js";
import { encodeObject } from "../src/replicate/codec/encode-object.js";
import { REPLICA_ERRORS } from "../src/replicate/errors.js";
import { listReplica, type ReplicaGeneration } from "../src/replicate/layout/replica-catalog.js";
import { segmentKey } from "../src/replicate/layout/replica-keys.js";
import { replicate } from "../src/replicate/replicate.js";
import type { SegmentMeta } from "../src/replicate/replicator/segment-builder.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { commitOne, ledgerOf, openAppDb, tempDir } from "./support/replica-fixtures.js";

let root = "";
let source = "";
let generation: ReplicaGeneration;
let other: ReplicaGeneration;
const KEY = Buffer.alloc(32, 0x5a);

before(async () => {
  root = tempDir("replica-objects");
  const file = join(root, "app.db");
  const db = openAppDb(file);
  source = join(root, "source");
  const target = new LocalDirTarget(source);
  // The replica under test, and another database's replica to take a foreign segment from.
  const replicator = await replicate({ db: file, targets: [target], intervalMs: 10, encryption: { key: KEY } });
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 5; i++) commitOne(db);
    await replicator.sync();
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await replicator.stop();
  db.close();
  const { generations } = await listReplica(target);
  generation = generations.at(-1) as ReplicaGeneration;
  assert.ok(generation.segments.length >= 4, `segments: ${generation.segments.length}`);

  const file2 = join(root, "other.db");
  const db2 = openAppDb(file2);
  const otherTarget = new LocalDirTarget(join(root, "other"));
  const second = await replicate({ db: file2, targets: [otherTarget], intervalMs: 10, encryption: { key: KEY } });
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 3; i++) commitOne(db2);
    await second.sync();
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await second.stop();
  db2.close();
  other = (await listReplica(otherTarget)).generations.at(-1) as ReplicaGeneration;
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A fresh copy of the good replica, for one test to damage. */
function copyOfReplica(name: string): { dir: string; target: LocalDirTarget } {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(source, dir, { recursive: true, filter: (from) => !from.includes(".nines-") });
  return { dir, target: new LocalDirTarget(dir) };
}

function fileOf(dir: string, key: string): string {
  return join(dir, ...key.split("/"));
}

async function refused(
  target: BackupTarget,
  code: string,
  names: RegExp,
  options: { key?: Buffer | undefined } = { key: KEY },
) {
  const to = join(root, `refused-${Math.random().toString(16).slice(2)}.db`);
  await assert.rejects(restoreReplica({ from: target, to, key: options.key }), (error: unknown) => {
    assert.ok(isNinesError(error, code), `expected ${code}, got ${String(error)}`);
    assert.match((error as Error).message, names);
    assert.ok((error as { hint?: string }).hint, "the error says what to do");
    return true;
  });
  assert.equal(existsSync(to), false, "nothing is written at the destination");
}

describe("bad replica objects", () => {
  it("restores the good copy: the reference for every case below", async () => {
    const { target } = copyOfReplica("good");
    const to = join(root, "good.db");
    await restoreReplica({ from: target, to, key: KEY });
    assert.equal(ledgerOf(to).ids.length, 30);
  });

  it("refuses a corrupted segment, naming it", async () => {
    const { dir, target } = copyOfReplica("corrupt");
    const victim = generation.segments[2] as { key: string; seq: number };
    const path = fileOf(dir, victim.key);
    const bytes = readFileSync(path);
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 0x01;
    writeFileSync(path, bytes);
    await refused(target, REPLICA_ERRORS.corrupt, new RegExp(`segment ${victim.seq} \\(${victim.key}`));
  });

  it("refuses a truncated segment, naming it", async () => {
    const { dir, target } = copyOfReplica("truncated");
    const victim = generation.segments[1] as { key: string; seq: number };
    const path = fileOf(dir, victim.key);
    truncateSync(path, statSync(path).size - 20);
    await refused(target, REPLICA_ERRORS.corrupt, new RegExp(`segment ${victim.seq} .*truncated`));
  });

  it("refuses a chain with a missing segment, naming the missing one", async () => {
    const { dir, target } = copyOfReplica("missing");
    const victim = generation.segments[2] as { key: string; seq: number };
    rmSync(fileOf(dir, victim.key));
    await refused(
      target,
      REPLICA_ERRORS.segmentMissing,
      new RegExp(`segment ${victim.seq} of generation ${generation.id} is missing`),
    );
  });

  it("refuses a segment from another generation, naming it", async () => {
    const { dir, target } = copyOfReplica("foreign");
    const victim = generation.segments[1] as { key: string; seq: number };
    const intruder = other.segments.find((s) => s.seq === victim.seq) ?? (other.segments[0] as { key: string });
    rmSync(fileOf(dir, victim.key));
    copyFileSync(fileOf(join(root, "other"), intruder.key), fileOf(dir, victim.key));
    await refused(
      target,
      REPLICA_ERRORS.segmentForeign,
      new RegExp(`segment ${victim.seq} .* belongs to generation ${other.id}`),
    );
  });

  it("refuses a segment stored under another one's name (out of order), naming it", async () => {
    const { dir, target } = copyOfReplica("out-of-order");
    const a = generation.segments[1] as { key: string; seq: number };
    const b = generation.segments[2] as { key: string; seq: number };
    copyFileSync(fileOf(dir, a.key), fileOf(dir, b.key));
    await refused(target, REPLICA_ERRORS.segmentForeign, new RegExp(`segment ${b.seq} .* holds segment ${a.seq}`));
  });

  it("refuses a well-formed segment that does not continue the chain (overlapping frames)", async () => {
    const { dir, target } = copyOfReplica("overlap");
    const a = generation.segments[1] as { key: string; seq: number; at: number };
    const b = generation.segments[2] as { key: string; seq: number; at: number };
    // Segment b's number, but the frames (and chain position) of segment a: a replicator that re-cut the log.
    const original = await openObject<SegmentMeta>([readFileSync(fileOf(dir, a.key))], { key: KEY, name: a.key });
    const frames: Buffer[] = [];
    for await (const chunk of original.chunks()) frames.push(chunk);
    const parts: Buffer[] = [];
    await encodeObject({
      kind: "segment",
      generation: generation.id,
      seq: b.seq,
      meta: original.header.meta,
      compression: "deflate",
      key: KEY,
      source: frames,
      write: (bytes) => void parts.push(bytes),
    });
    rmSync(fileOf(dir, b.key));
    const forged = segmentKey(generation.id, b.seq, b.at);
    writeFileSync(fileOf(dir, forged), Buffer.concat(parts));
    await refused(
      target,
      REPLICA_ERRORS.segmentForeign,
      new RegExp(`segment ${b.seq} .* does not follow the one before it`),
    );
  });

  it("restores correctly when a segment was stored twice (a retried upload that had succeeded)", async () => {
    const dir = join(root, "twice");
    const local = new LocalDirTarget(dir);
    const failed = new Set<string>();
    // The first put of each segment stores it and then reports a failure, as a timed-out upload can.
    const flaky: BackupTarget = {
      location: local.location,
      get: (k) => local.get(k),
      read: (k) => local.read(k),
      list: (p) => local.list(p),
      delete: (k) => local.delete(k),
      put: async (k: string, body: TargetBody) => {
        await local.put(k, body);
        if (k.includes("/segments/") && !failed.has(k)) {
          failed.add(k);
          throw new Error("connection reset after the object was stored");
        }
      },
    };
    const file = join(root, "twice.db");
    const db = openAppDb(file);
    const replicator = await replicate({ db: file, targets: [flaky], intervalMs: 10 });
    const errors: unknown[] = [];
    replicator.on("error", (e) => errors.push(e.error));
    try {
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 5; i++) commitOne(db);
        await replicator.sync();
      }
      assert.ok(errors.length >= 2, "uploads were retried");
      await restoreReplica({ from: local, to: join(root, "twice-restored.db") });
      assert.deepEqual(ledgerOf(join(root, "twice-restored.db")), ledgerOf(file));
    } finally {
      await replicator.stop();
      db.close();
    }
  });

  it("refuses without the key and with a wrong key, naming the object; the key is never stored", async () => {
    const { dir, target } = copyOfReplica("keys");
    await refused(target, REPLICA_ERRORS.keyMissing, /snapshot 0 \(generations\/.+\.snapshot.*\) is encrypted/, {
      key: undefined,
    });
    await refused(
      target,
      REPLICA_ERRORS.keyWrong,
      /snapshot 0 .* was encrypted with key [0-9a-f]{16}, not with the key given/,
      {
        key: Buffer.alloc(32, 0x11),
      },
    );
    const forms = [KEY, Buffer.from(KEY.toString("hex")), Buffer.from(KEY.toString("base64"))];
    const scan = (path: string): void => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) scan(full);
        else for (const form of forms) assert.equal(readFileSync(full).includes(form), false, `${full} holds the key`);
      }
    };
    scan(dir);
  });
});
