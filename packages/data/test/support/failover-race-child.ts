// A process of its own for the failover race test: a FailoverClient against
// a server speaking PostgreSQL's protocol that answers the client's probe
// as a primary, then ends every later connection in the same write that
// opens it (ready for query, then FATAL 57P01, as a backend whose
// postmaster just died does). The pool hands such a client out with the
// error still to be read in the same chunk: without a listener on the
// client from its first moment, the process dies of an unhandled 'error'.
// Prints one JSON line: { outcomes: [error code or message...] }.
import { createServer, type Socket } from "node:net";
import { isNinesError } from "@nines/core";
import { retry } from "@nines/resilience";
import { FailoverClient } from "../../src/failover/failover-client.js";

/** One backend message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstring = (s: string) => Buffer.from(`${s}\0`, "utf8");
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};

const AUTH_OK = message("R", int32(0));
const READY = message("Z", Buffer.from("I"));
const FATAL = message(
  "E",
  Buffer.concat([
    cstring("SFATAL"),
    cstring("VFATAL"),
    cstring("C57P01"),
    cstring("Mterminating connection due to unexpected postmaster exit"),
    Buffer.from([0]),
  ]),
);

/** The probe's answer: one row, `standby = f`, `timeline = 1` (text format). */
function probeAnswer(): Buffer {
  const column = (name: string, typeOid: number) =>
    Buffer.concat([cstring(name), int32(0), int16(0), int32(typeOid), int16(-1), int32(-1), int16(0)]);
  const value = (s: string) => Buffer.concat([int32(Buffer.byteLength(s)), Buffer.from(s)]);
  return Buffer.concat([
    message("T", Buffer.concat([int16(2), column("standby", 16), column("timeline", 23)])),
    message("D", Buffer.concat([int16(2), value("f"), value("1")])),
    message("C", cstring("SELECT 1")),
    READY,
  ]);
}

let connections = 0;
const server = createServer((socket: Socket) => {
  const first = ++connections === 1;
  let started = false;
  socket.on("error", () => {});
  socket.on("data", (chunk: Buffer) => {
    if (!started) {
      started = true;
      if (first) return socket.write(Buffer.concat([AUTH_OK, READY]));
      // Ready, and terminated, in one write: the client reads both in one go.
      socket.end(Buffer.concat([AUTH_OK, READY, FATAL]));
      return;
    }
    if (chunk[0] === "Q".charCodeAt(0)) socket.write(probeAnswer());
    else if (chunk[0] === "X".charCodeAt(0)) socket.end();
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as { port: number }).port;

const db = new FailoverClient({
  hosts: [`postgres://postgres@127.0.0.1:${port}/app`],
  policy: retry({ maxAttempts: 1 }),
  connectTimeoutMs: 1000,
});
const outcomes: string[] = [];
for (let i = 0; i < 5; i++) {
  await db.query("select 1").then(
    () => outcomes.push("ok"),
    (error: unknown) => outcomes.push(isNinesError(error) ? error.code : String((error as Error).message ?? error)),
  );
}
// Let any error still to be read arrive before saying we survived.
await new Promise((resolve) => setTimeout(resolve, 200));
process.stdout.write(`${JSON.stringify({ outcomes })}\n`);
await db.close();
server.close();
