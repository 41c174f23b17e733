import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { Guard } from "../guard.js";
import { hardenedServerOptions } from "../http/harden-server.js";
import { guardNodeRequest, type NodeRequestHooks } from "../http/node-pipeline.js";

/**
 * Puts a guard in front of a `node:http` server. Given a handler, creates
 * a server with the guard's connection limits; given a server, wraps its
 * existing `request` listeners (create it with `hardenedServerOptions()` so
 * timeouts are checked often). Either way the server joins the guard's drain.
 *
 * @example
 * const guard = createGuard({ readiness: [{ name: "db", check: () => db.ping() }] });
 * const server = guardHttpServer((req, res) => res.end("hello"), guard);
 * server.listen(8080);
 * installShutdownSignals(guard);
 */
export function guardHttpServer(target: Server | RequestListener, guard: Guard, hooks: NodeRequestHooks = {}): Server {
  let server: Server;
  let listeners: RequestListener[];
  if (typeof target === "function") {
    server = createServer(hardenedServerOptions(guard.serverOptions));
    listeners = [target];
  } else {
    server = target;
    listeners = server.listeners("request") as RequestListener[];
    server.removeAllListeners("request");
  }
  const only = listeners.length === 1 ? listeners[0] : undefined;
  const run = (req: IncomingMessage, res: ServerResponse) => {
    if (only) only.call(server, req, res);
    else for (const listener of listeners) listener.call(server, req, res);
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) =>
    guardNodeRequest(guard, req, res, () => run(req, res), hooks),
  );
  guard.attach(server);
  return server;
}
