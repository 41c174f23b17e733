// The guard's own CPU cost per request, measured in process without the
// network: the node:http pipeline (endpoint check, request tracking, gate,
// outcome, metrics) run on minimal stand-ins for `req` and `res`, in
// alternating batches with and without the guard. Far less noisy than an
// end-to-end run on a busy machine, and it isolates exactly what the guard adds.
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { guardNodeRequest } from "../src/adapters/node-pipeline.js";
import { createGuard, fixedLimitGate } from "../src/index.js";

class FakeResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  destroyed = false;
  setHeader(): this {
    return this;
  }
  writeHead(status: number): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }
  end(): this {
    this.headersSent = true;
    this.writableFinished = true;
    this.emit("close");
    return this;
  }
}

const headers = { host: "127.0.0.1", "user-agent": "bench", accept: "*/*" };

/** Nanoseconds of CPU per request for `n` requests through `serve`. */
function batch(n: number, serve: (req: IncomingMessage, res: ServerResponse) => void): number {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const req = { method: "GET", url: "/hello", headers } as unknown as IncomingMessage;
    serve(req, new FakeResponse() as unknown as ServerResponse);
  }
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / n;
}

/** Median nanoseconds the guard adds per request (and the plain cost), over `rounds` paired batches. */
export function pipelineCost(rounds = 21, n = 50_000): { guardNs: number; plainNs: number } {
  const guard = createGuard({
    gate: fixedLimitGate({ limit: 10_000 }),
    readiness: [{ name: "self", check: () => true }],
  });
  const hello = (_req: IncomingMessage, res: ServerResponse) => {
    res.setHeader("content-type", "text/plain");
    res.end("hello");
  };
  const hooks = { routeBefore: () => "/hello" };
  const guarded = (req: IncomingMessage, res: ServerResponse) =>
    guardNodeRequest(guard, req, res, () => hello(req, res), hooks);
  batch(n, hello);
  batch(n, guarded);
  const added: number[] = [];
  const plain: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = batch(n, hello);
    const b = batch(n, guarded);
    plain.push(a);
    added.push(b - a);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;
  return { guardNs: median(added), plainNs: median(plain) };
}
