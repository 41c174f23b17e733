/**
 * The program of a {@link ChunkThreads} thread, plain CommonJS run with
 * `eval` (a thread needs no loader and starts in milliseconds, from the
 * TypeScript sources as from the built package). It answers two messages:
 * a chunk to open (read it from a file, or take the bytes moved to it;
 * check its tag: SHA-256 over the authenticated data and the bytes, or
 * AES-256-GCM; decompress; lay pages over it; write it at an offset or
 * hand it back, in shared memory) and pages to write (from shared memory,
 * one system call per run of adjacent pages). What a tag covers is decided by `ObjectSeal.opening`,
 * not here.
 *
 * @example
 * new Worker(CHUNK_THREAD_SCRIPT, { eval: true, execArgv: [] });
 */
export const CHUNK_THREAD_SCRIPT = `
"use strict";
const { parentPort } = require("node:worker_threads");
const { createHash, createDecipheriv } = require("node:crypto");
const { readSync, writeSync, writevSync } = require("node:fs");
const zlib = require("node:zlib");
const TAG = 16;
// Chunks read from a file land here, one allocation for the thread's life.
let scratch = Buffer.allocUnsafeSlow(0);
function read(src, length, keep) {
  // Bytes handed back as they are read go to shared memory of their own; others reuse the scratch buffer.
  if (!keep && scratch.length < length) scratch = Buffer.allocUnsafeSlow(length);
  const into = keep ? Buffer.from(new SharedArrayBuffer(length)) : scratch;
  for (let done = 0; done < length; ) {
    const n = readSync(src.fd, into, done, length - done, src.offset + done);
    if (n === 0) return undefined;
    done += n;
  }
  return into.subarray(0, length);
}
function open(job) {
  const keep = !job.writeAt && job.compression === "none" && job.opening.scheme === "sha256";
  const body = job.src
    ? read(job.src, job.storedBytes + TAG, keep)
    : Buffer.from(job.buffer, job.byteOffset, job.byteLength);
  if (!body) return { ok: false, reason: "read", message: "the file ends inside a chunk" };
  const sealed = body.subarray(0, body.length - TAG);
  const tag = body.subarray(body.length - TAG);
  const o = job.opening;
  let opened;
  if (o.scheme === "sha256") {
    const digest = createHash("sha256").update(o.aad).update(sealed).digest();
    if (!digest.subarray(0, TAG).equals(tag)) return { ok: false, reason: "tag", message: "tag" };
    opened = sealed;
  } else {
    const decipher = createDecipheriv("aes-256-gcm", o.key, o.nonce, { authTagLength: TAG });
    decipher.setAAD(o.aad);
    decipher.setAuthTag(tag);
    const out = decipher.update(sealed);
    try {
      decipher.final();
    } catch {
      return { ok: false, reason: "tag", message: "tag" };
    }
    opened = out;
  }
  let plain = opened;
  try {
    const limit = { maxOutputLength: Math.max(1, job.plainBytes), chunkSize: Math.max(64, job.plainBytes + (job.plainBytes >>> 6) + 1024) };
    if (job.compression === "deflate") plain = zlib.inflateRawSync(opened, limit);
    else if (job.compression === "brotli") plain = zlib.brotliDecompressSync(opened, limit);
  } catch (error) {
    return { ok: false, reason: "data", message: error.message };
  }
  if (plain.length !== job.plainBytes) {
    return { ok: false, reason: "data", message: "chunk is " + plain.length + " bytes, its record says " + job.plainBytes };
  }
  if (job.patch) {
    // Newer versions of some of its pages (in shared memory), laid over the chunk once it passed its check.
    const { pageSize, memory, entries } = job.patch;
    const views = memory.map((m) => Buffer.from(m));
    for (let i = 0; i < entries.length; i += 3) {
      views[entries[i + 1]].copy(plain, entries[i], entries[i + 2], entries[i + 2] + pageSize);
    }
  }
  if (job.writeAt) {
    try {
      for (let done = 0; done < plain.length; ) {
        done += writeSync(job.writeAt.fd, plain, done, plain.length - done, job.writeAt.offset + done);
      }
    } catch (error) {
      return { ok: false, reason: "write", message: error.message };
    }
    return { ok: true };
  }
  return { ok: true, plain };
}
function writePages(job) {
  const { fd, pageSize, memory, entries } = job;
  const views = memory.map((m) => Buffer.from(m));
  try {
    for (let i = 0; i < entries.length; ) {
      let j = i + 3;
      while (j < entries.length && j - i < 3 * 1024 && entries[j] === entries[j - 3] + 1) j += 3;
      const run = [];
      for (let k = i; k < j; k += 3) run.push(views[entries[k + 1]].subarray(entries[k + 2], entries[k + 2] + pageSize));
      let position = (entries[i] - 1) * pageSize;
      let left = run.length * pageSize;
      while (left > 0) {
        const done = writevSync(fd, run, position);
        left -= done;
        position += done;
        let skip = done;
        while (left > 0 && skip > 0 && skip >= run[0].length) skip -= run.shift().length;
        if (left > 0 && skip > 0) run[0] = run[0].subarray(skip);
      }
      i = j;
    }
  } catch (error) {
    return { ok: false, reason: "write", message: error.message };
  }
  return { ok: true };
}
parentPort.on("message", (job) => {
  let answer;
  try {
    answer = job.kind === "pages" ? writePages(job) : open(job);
  } catch (error) {
    answer = { ok: false, reason: "data", message: String(error && error.message) };
  }
  const plain = answer.plain;
  if (!plain) return parentPort.postMessage({ id: job.id, ...answer });
  // Handed back in shared memory (read there, or copied there once), so that its pages can later be laid
  // over a snapshot or written by any thread without another copy.
  let shared = plain;
  if (!(plain.buffer instanceof SharedArrayBuffer)) {
    shared = Buffer.from(new SharedArrayBuffer(plain.length));
    plain.copy(shared);
  }
  parentPort.postMessage({ id: job.id, ok: true, memory: shared.buffer, byteOffset: shared.byteOffset, byteLength: shared.byteLength });
});
`;
