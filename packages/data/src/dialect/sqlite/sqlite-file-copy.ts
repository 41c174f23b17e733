import { spawn } from "node:child_process";
import { once } from "node:events";

// Plain CommonJS for a child process. It waits for one line ({ source, file, wal }), then copies the database
// file inside the kernel (copy_file_range: no page passes through user space) and, in WAL mode, the part of the
// log that holds published commits: the log file keeps its largest size, and frames past the wal-index's last
// one are stale or still being written (recovery would skip them anyway). It answers with one JSON line. The
// parent keeps its end of stdin open: when that closes (the parent is done, or was killed), the child ends at
// once, so a killed backup never leaves a copier writing into its staging folder.
const SCRIPT = `
"use strict";
const { closeSync, constants, openSync, readSync } = require("node:fs");
const { copyFile, open } = require("node:fs/promises");
const { endianness } = require("node:os");

// The wal-index header (the start of the -shm file), when both of its copies agree: the last published frame,
// the page size and the log's salts. Undefined when it cannot be read.
function walIndex(source) {
  let fd;
  try {
    fd = openSync(source + "-shm", "r");
  } catch {
    return undefined;
  }
  try {
    const b = Buffer.alloc(96);
    if (readSync(fd, b, 0, 96, 0) !== 96) return undefined;
    if (!b.subarray(0, 48).equals(b.subarray(48, 96)) || b[12] !== 1) return undefined;
    const little = endianness() === "LE";
    const size = little ? b.readUInt16LE(14) : b.readUInt16BE(14);
    const frame = little ? b.readUInt32LE(16) : b.readUInt32BE(16);
    return { frame, pageSize: (size & 0xfe00) | ((size & 1) << 16), salt: b.subarray(32, 40).toString("hex") };
  } finally {
    closeSync(fd);
  }
}

// Copies the log up to its last published frame; returns that frame and the log's salts when the copy is exactly
// that (the log did not start over meanwhile), else undefined.
async function copyLog(source, file) {
  const before = walIndex(source);
  if (before === undefined) {
    await copyFile(source + "-wal", file + "-wal", constants.COPYFILE_EXCL);
    return undefined;
  }
  const length = 32 + before.frame * (24 + before.pageSize);
  const from = await open(source + "-wal", "r");
  let header = "";
  try {
    const to = await open(file + "-wal", "wx");
    try {
      const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
      for (let at = 0; at < length; ) {
        const { bytesRead } = await from.read(buffer, 0, Math.min(buffer.length, length - at), at);
        if (bytesRead === 0) break;
        if (at === 0 && bytesRead >= 24) header = buffer.subarray(16, 24).toString("hex");
        await to.write(buffer, 0, bytesRead, at);
        at += bytesRead;
      }
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  const after = walIndex(source);
  return after && after.salt === before.salt && header === before.salt ? { salt: before.salt, frame: before.frame } : undefined;
}

async function copy({ source, file, wal }) {
  await copyFile(source, file, constants.COPYFILE_EXCL);
  if (!wal) return {};
  try {
    const position = await copyLog(source, file);
    return position ? { position } : {};
  } catch (error) {
    if (error.code === "ENOENT") return {};
    throw error;
  }
}

let line = "";
let started = false;
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  if (started) return;
  line += chunk;
  if (!line.includes("\\n")) return;
  started = true;
  copy(JSON.parse(line)).then(
    (done) => process.stdout.write(JSON.stringify({ ok: true, ...done }) + "\\n"),
    (error) => process.stdout.write(JSON.stringify({ ok: false, message: String((error && error.message) || error) }) + "\\n"),
  );
});
// A child program's own exit: the parent closed the pipe, so nothing more is wanted, even mid-copy.
process.stdin.on("end", () => process.exit(0));
`;

/**
 * Where a `file-copy` snapshot of a WAL-mode database stands in the log:
 * the log cycle (its two salts, 16 hex digits as in its header) and the
 * last frame the copy holds. Frames after it in that cycle are newer than
 * the snapshot.
 *
 * @example
 * const at: WalPosition = { salt: "5435994d6d573b0d", frame: 1000 };
 */
export interface WalPosition {
  salt: string;
  frame: number;
}

/**
 * A started copier: `copy` once, then `stop` (which also ends one that was never asked).
 *
 * @example
 * const copier: FileCopier = startFileCopier();
 */
export interface FileCopier {
  /**
   * Copies `source` to `file` (which must not exist) and, with `wal`,
   * `source-wal` to `file-wal` when there is one; says where in the log the
   * copy stands when it can tell exactly.
   */
  copy(options: { source: string; file: string; wal: boolean }): Promise<{ position?: WalPosition }>;
  stop(): Promise<void>;
}

/**
 * A copier of a SQLite database file and its write-ahead log, for a
 * snapshot that a read transaction holds: a child process, started ahead
 * so that its start overlaps the snapshot thread's. A child, because
 * closing a descriptor of a database file in a process that has SQLite
 * connections to it cancels their POSIX locks (a reader's, a writer's, the
 * application's own when it backs itself up), so the live files are never
 * opened in this process.
 *
 * Why the copy is a consistent database: while the transaction holds,
 * SQLite writes to the database file only by copying back frames the log
 * still holds (a checkpoint never goes past a reader's frame, and the log
 * does not restart under a reader that uses it; a reader that does not use
 * it blocks every checkpoint). Opened with the copied log beside it, the
 * copy goes through SQLite's crash recovery: the log's valid frames, up to
 * its last complete commit, are written over the file, which gives the
 * database exactly as of that commit (the one the transaction saw, or a
 * later one). A rollback-journal database is not written at all while a
 * reader holds its lock.
 *
 * @example
 * const copier = startFileCopier();
 * // ... a read transaction on app.db holds ...
 * const { position } = await copier.copy({ source: "app.db", file: "/backups/.nines-staging-x/data.sqlite", wal: true });
 * await copier.stop();
 */
export function startFileCopier(): FileCopier {
  // The script is plain CommonJS: the parent's loaders (NODE_OPTIONS=--import ...) would only slow its start.
  const { NODE_OPTIONS: _loaders, ...env } = process.env;
  const child = spawn(process.execPath, ["-e", SCRIPT], { env, stdio: ["pipe", "pipe", "pipe"] });
  const exited = once(child, "exit").catch(() => undefined);
  child.stdin.on("error", () => undefined); // a child that died early: its exit says why
  let answer = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const answered = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      answer += chunk;
      if (answer.includes("\n")) resolve(answer.trim());
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      reject(new Error(`the copying process ended (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ""}`));
    });
  });
  answered.catch(() => undefined); // observed in copy(); avoid an unhandled rejection when it is never asked
  return {
    async copy(options) {
      child.stdin.write(`${JSON.stringify(options)}\n`);
      const reply = JSON.parse(await answered) as { ok: true; position?: WalPosition } | { ok: false; message: string };
      if (!reply.ok) throw new Error(reply.message);
      return reply.position ? { position: reply.position } : {};
    },
    async stop() {
      child.stdin.end();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
