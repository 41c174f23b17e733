// Replication to S3 (s3rver on loopback), with files of any size stored by
// S3Target through the SDK's own upload helper: a snapshot above one part
// goes up as a multipart upload, and a part that fails is sent again on its
// own (the upload is not restarted). A proxy between the client and s3rver
// sees every request and fails the first try of part 2.
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openTarget } from "../src/backup/targets/open-target.js";
import { S3Target } from "../src/backup/targets/s3-target.js";
import { replicate } from "../src/replicate/replicate.js";
import { restoreReplica } from "../src/replicate/restore/restore-replica.js";
import { commitOne, ledgerOf, openAppDb, tempDir } from "./support/replica-fixtures.js";
import { S3RVER_CREDENTIALS, startS3rver } from "./support/s3rver.js";

let s3: Awaited<ReturnType<typeof startS3rver>>;
let proxy: Server;
let proxyEndpoint = "";
const seen: string[] = [];
let failPart2 = 0;
let root = "";

before(async () => {
  root = tempDir("replica-s3");
  s3 = await startS3rver(["replicas"]);
  const upstream = new URL(s3.endpoint);
  proxy = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const part = url.searchParams.get("partNumber");
    seen.push(
      `${req.method} ${url.searchParams.has("uploads") ? "create" : part ? `part ${part}` : url.searchParams.has("uploadId") ? "complete" : "object"}`,
    );
    if (req.method === "PUT" && part === "2" && failPart2 > 0) {
      failPart2--;
      req.resume();
      req.on("end", () => {
        res.writeHead(500, { "content-type": "application/xml" });
        res.end("<Error><Code>InternalError</Code><Message>injected</Message></Error>");
      });
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await s3.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("replication to S3", () => {
  it("stores a large snapshot as a multipart upload, retrying a failed part alone, and restores from the bucket", async () => {
    const file = join(root, "app.db");
    const db = openAppDb(file);
    // About 14 MB that does not compress: three parts of 5 MiB.
    db.transaction(() => {
      const insert = db.prepare("INSERT INTO ledger (id, amount, note) VALUES (?, 0, hex(randomblob(1500)))");
      for (let i = 0; i < 4500; i++) insert.run(1_000_000 + i);
    })();
    const target = new S3Target({
      bucket: "replicas",
      prefix: "app",
      endpoint: proxyEndpoint,
      credentials: S3RVER_CREDENTIALS,
      partBytes: 5 * 1024 * 1024,
    });
    failPart2 = 1;
    seen.length = 0;
    const replicator = await replicate({ db: file, targets: [target], intervalMs: 50, compression: "none" });
    try {
      for (let i = 0; i < 200; i++) commitOne(db);
      await replicator.sync();
    } finally {
      await replicator.stop();
    }
    assert.ok(seen.includes("POST create"), `a multipart upload was created: ${seen.join(", ")}`);
    assert.equal(seen.filter((s) => s === "PUT part 1").length, 1, "part 1 was sent once");
    assert.equal(seen.filter((s) => s === "PUT part 2").length, 2, "part 2 failed once and was sent again, alone");
    assert.equal(seen.filter((s) => s === "PUT part 3").length, 1, "part 3 was sent once");
    assert.ok(seen.includes("POST complete"));
    const restored = join(root, "restored.db");
    await restoreReplica({ from: target, to: restored });
    assert.deepEqual(ledgerOf(restored), ledgerOf(file));
    await target.close();
    db.close();
  });

  it("openTarget's S3 locations store a file above one part (16 MiB by default) as a multipart upload", async () => {
    const target = openTarget("s3://replicas/other", {
      endpoint: proxyEndpoint,
      env: { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" },
    });
    assert.ok(target instanceof S3Target);
    const file = join(root, "large.bin");
    const bytes = Buffer.alloc(17 * 1024 * 1024, 7);
    writeFileSync(file, bytes);
    seen.length = 0;
    await target.put("large.bin", { file });
    // The SDK's upload helper sends the parts concurrently: they may arrive in either order, between the two POSTs.
    const requests = seen.filter((s) => s !== "GET object");
    assert.deepEqual(
      [requests[0], [...requests.slice(1, -1)].sort(), requests.at(-1)],
      ["POST create", ["PUT part 1", "PUT part 2"], "POST complete"],
      requests.join(", "),
    );
    assert.ok(Buffer.from(await target.read("large.bin")).equals(bytes));
    await target.close?.();
  });
});
