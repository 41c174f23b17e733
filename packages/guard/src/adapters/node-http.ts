import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { Guard } from "../guard.js";
import { hardenedServerOptions } from "../http/harden-server.js";
import { guardNodeRequest } from "./node-pipeline.js";

/** Options of {@link guardHttpServer}. */
export interface GuardHttpServerOptions {
  /** The route template of a request, for the metrics' `route` label (default: the URL path). */
  routeBefore?: (req: IncomingMessage) => string | undefined;
}

/**
 * Puts a guard in front of a `node:http` server. Given a handler, creates
 * a server with the guard's connection limits; given a server, wraps its
 * existing `request` listeners (create it with `hardenedServerOptions()` so
 * timeouts are checked often). Either way the server joins the guard's drain.
 * A handler that throws, or whose promise rejects, is answered 500 (if it
 * had not started an answer), counted as a server error, and reported by
 * `guard.on("handlerError")`; the process keeps serving.
 *
 * @example
 * const guard = createGuard({ readiness: [{ name: "db", check: () => db.ping() }] });
 * const server = guardHttpServer((req, res) => res.end("hello"), guard);
 * server.listen(8080);
 * installShutdownSignals(guard);
 */
export function guardHttpServer(
  target: Server | RequestListener,
  guard: Guard,
  options: GuardHttpServerOptions = {},
): Server {
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
  // A listener's return value is kept: an async handler's promise tells the guard when it rejects.
  const run = (req: IncomingMessage, res: ServerResponse): unknown => {
    if (only) return (only as (req: IncomingMessage, res: ServerResponse) => unknown).call(server, req, res);
    const results = listeners.map((listener) =>
      (listener as (req: IncomingMessage, res: ServerResponse) => unknown).call(server, req, res),
    );
    return Promise.all(results);
  };
  const hooks = options.routeBefore === undefined ? {} : { routeBefore: options.routeBefore };
  server.on("request", (req: IncomingMessage, res: ServerResponse) =>
    guardNodeRequest(guard, req, res, () => run(req, res), hooks),
  );
  guard.attach(server);
  return server;
}
