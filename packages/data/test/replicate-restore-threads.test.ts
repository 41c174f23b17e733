// Restores of a snapshot large enough (over 16 MiB) to be checked and
// written by worker threads, from a local folder (the threads read the
// objects themselves) and from a stream: the same database as the source,
// and the same refusals as the caller's thread gives, naming the object.
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isNinesError, OPTION_INVALID } from "@nines/core";
import Database from "better-sqlite3";
import { LocalDirTarget } from "../src/backup/targets/local-dir-target.js";
import type { BackupTarget } from "../src/backup/targets/target.js";
import { ChunkThreads, type HeldPage } from "../src/replicate/codec/chunk-threads.js";
import { openObject } from "../src/replicate/codec/decode-object.js";
import { FileReader } from "../src/replicate/codec/file-reader.js";
import { REPLICA_ERRORS } from "../src/replicate/errors.js";
import { listReplica, type ReplicaGeneration } from "../src/replicate/layout/replica-catalog.js";
import { replicate } from "../src/replicate/replicate.js";
import type { SegmentMeta } from "../src/replicate/replicator/segment-builder.js";
import type { SnapshotMeta } from "../src/replicate/replicator/snapshot-meta.js";
import { applySegment, type ChainPosition } from "../src/replicate/restore/apply-segment.js";
import { HeldPages } from "../src/replicate/restore/held-pages.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { tempDir } from "./support/replica-fixtures.js";

let root = "";
let source = "";
let db = "";
let generation: ReplicaGeneration;

/** Every row, for comparing two copies. */
function rowsOf(file: string): string {
  const conn = new Database(file, { readonly: true });
  try {
    const rows = conn.prepare("SELECT id, amount, hex(payload) AS p FROM orders ORDER BY id").all() as {
      id: number;
      amount: number;
      p: string;
    }[];
    return rows.map((r) => `${r.id}:${r.amount}:${r.p.length}:${r.p.slice(0, 16)}`).join("\n");
  } finally {
    conn.close();
  }
}

before(async () => {
  root = tempDir("replica-threads");
  db = join(root, "app.db");
  const app = new Database(db);
  app.pragma("journal_mode = WAL");
  app.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, payload BLOB NOT NULL)");
  const insert = app.prepare("INSERT INTO orders (amount, payload) VALUES (?, randomblob(1000))");
  app.transaction(() => {
    for (let i = 0; i < 20_000; i++) insert.run(i);
  })();
  app.pragma("wal_checkpoint(TRUNCATE)");
  source = join(root, "source");
  const replicator = await replicate({
    db,
    targets: [new LocalDirTarget(source)],
    intervalMs: 10,
    compression: "none",
  });
  await replicator.sync();
  // Segments after the snapshot: pages rewritten, some many times.
  const update = app.prepare("UPDATE orders SET amount = amount + 1, payload = randomblob(1000) WHERE id = ?");
  for (let t = 0; t < 100; t++) {
    app.transaction(() => {
      for (let i = 0; i < 20; i++) update.run(1 + ((t * 997 + i * 131) % 20_000));
      update.run(7);
    })();
    if (t === 4) await replicator.sync();
  }
  await replicator.sync();
  await replicator.stop();
  app.close();
  generation = (await listReplica(new LocalDirTarget(source))).generations.at(-1) as ReplicaGeneration;
  assert.ok(generation.segments.length >= 2, `segments: ${generation.segments.length}`);
  const largest = Math.max(...generation.segments.map((g) => statSync(fileOf(source, g.key)).size));
  assert.ok(largest > 1024 * 1024 + 4096, `a segment of several chunks (the largest: ${largest} bytes)`);
});
after(() => rmSync(root, { recursive: true, force: true }));

function copyOfReplica(name: string): { dir: string; target: LocalDirTarget } {
  const dir = join(root, name);
  cpSync(source, dir, { recursive: true, filter: (from) => !from.includes(".nines-") });
  return { dir, target: new LocalDirTarget(dir) };
}

function fileOf(dir: string, key: string): string {
  return join(dir, ...key.split("/"));
}

async function refused(target: BackupTarget, code: string, names: RegExp): Promise<void> {
  const to = join(root, `refused-${Math.random().toString(16).slice(2)}.db`);
  await assert.rejects(restoreReplica({ from: target, to }), (error: unknown) => {
    assert.ok(isNinesError(error, code), `expected ${code}, got ${String(error)}`);
    assert.match((error as Error).message, names);
    return true;
  });
  assert.equal(existsSync(to), false, "nothing is written at the destination");
}

describe("restores checked and written by worker threads", () => {
  it("restores the same database from a local folder and from a stream, with either check", async () => {
    const snapshot = generation.snapshots[0] as { key: string };
    assert.ok(statSync(fileOf(source, snapshot.key)).size > 16 * 1024 * 1024, "the snapshot is large enough");
    const expected = rowsOf(db);
    const local = new LocalDirTarget(source);
    // A target that is not a local folder: its objects come as streams.
    const streamed: BackupTarget = {
      location: `stream:${source}`,
      get: (k) => local.get(k),
      read: (k) => local.read(k),
      list: (p) => local.list(p),
      delete: (k) => local.delete(k),
      put: (k, b) => local.put(k, b),
    };
    for (const [name, from, check] of [
      ["local", local, undefined],
      ["stream", streamed, undefined],
      ["quick", local, "quick"],
    ] as const) {
      const to = join(root, `restored-${name}.db`);
      const notes: string[] = [];
      const result = await restoreReplica({
        from,
        to,
        ...(check ? { check } : {}),
        onProgress: (p) => {
          if (p.phase === "check" && p.message) notes.push(p.message);
        },
      });
      assert.equal(rowsOf(to), expected, name);
      assert.equal(result.rowCounts.orders, 20_000);
      assert.equal(result.segments, generation.segments.length);
      assert.match(notes.join(), check === "quick" ? /quick_check/ : /integrity_check/);
    }
    await assert.rejects(
      restoreReplica({ from: local, to: join(root, "never.db"), check: "full" as "quick" }),
      (e) => isNinesError(e, OPTION_INVALID) && /check/.test((e as Error).message),
    );
  });

  it("refuses a changed byte in the snapshot, naming it and the chunk", async () => {
    const { dir, target } = copyOfReplica("snapshot-byte");
    const snapshot = generation.snapshots[0] as { key: string; seq: number };
    const path = fileOf(dir, snapshot.key);
    const bytes = readFileSync(path);
    const at = Math.floor(bytes.length * 0.6);
    bytes[at] = (bytes[at] as number) ^ 0x10;
    writeFileSync(path, bytes);
    await refused(
      target,
      REPLICA_ERRORS.corrupt,
      new RegExp(`snapshot ${snapshot.seq} \\(${snapshot.key}.* fails the check of chunk \\d+`),
    );
  });

  it("refuses a snapshot cut inside a chunk, and a changed segment, naming them", async () => {
    const cut = copyOfReplica("snapshot-cut");
    const snapshot = generation.snapshots[0] as { key: string; seq: number };
    const path = fileOf(cut.dir, snapshot.key);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    await refused(cut.target, REPLICA_ERRORS.corrupt, new RegExp(`snapshot ${snapshot.seq} .*truncated`));

    const changed = copyOfReplica("segment-byte");
    const victim = generation.segments.at(-1) as { key: string; seq: number };
    const segmentPath = fileOf(changed.dir, victim.key);
    const bytes = readFileSync(segmentPath);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 0x01;
    writeFileSync(segmentPath, bytes);
    await refused(changed.target, REPLICA_ERRORS.corrupt, new RegExp(`segment ${victim.seq} \\(${victim.key}`));
  });

  it("replays the same pages when the held pages are written after every chunk, the snapshot first or last", async () => {
    const expected = join(root, "expected.db");
    await restoreReplica({ from: new LocalDirTarget(source), to: expected });
    const openLocal = async <M>(key: string) => {
      const handle = await open(fileOf(source, key), "r");
      return await openObject<M>(new FileReader(handle, (await handle.stat()).size), { name: key });
    };
    const threads = ChunkThreads.start(2);
    try {
      // The snapshot written first (as from a stream), or by the first flush with the held pages laid over it.
      for (const snapshotLast of [false, true]) {
        const file = join(root, `rebuilt-${snapshotLast}.db`);
        const handle = await open(file, "w");
        try {
          const snapshot = await openLocal<SnapshotMeta>((generation.snapshots[0] as { key: string }).key);
          const { pageSize, pages, wal } = snapshot.header.meta;
          const writeSnapshot = async (newer: HeldPage[]) => {
            const overlay = { pageSize, pages: newer, left: [] as HeldPage[] };
            await snapshot.writeTo(handle.fd, { maxBytes: pages * pageSize, threads, overlay });
            return overlay.left;
          };
          if (!snapshotLast) await writeSnapshot([]);
          // The smallest limit: every chunk's pages are written (and its memory moved to a thread) before the next.
          const held = new HeldPages(handle.fd, pageSize, {
            limitBytes: 1,
            threads,
            ...(snapshotLast ? { base: writeSnapshot } : {}),
          });
          let position: ChainPosition | null = wal;
          let size = pages;
          for (const ref of generation.segments) {
            const segment = await openLocal<SegmentMeta>(ref.key);
            const applied = await applySegment(segment, {
              held,
              position,
              pageSize,
              until: Infinity,
              name: ref.key,
              threads,
            });
            position = applied.position;
            if (applied.pages > 0) size = applied.pages;
          }
          await held.flush();
          await handle.truncate(size * pageSize);
        } finally {
          await handle.close();
        }
        assert.ok(readFileSync(file).equals(readFileSync(expected)), `snapshot last: ${snapshotLast}`);
      }
    } finally {
      await threads.close();
    }
  });
});
