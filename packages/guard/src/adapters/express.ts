import type { IncomingMessage, ServerResponse } from "node:http";
import type { Guard } from "../guard.js";
import { guardNodeRequest, isServerFailure, type NodeRequestHooks, rememberedRequest } from "./node-pipeline.js";

/** The parts of an Express request the middleware reads (kept structural: no import of express). */
interface ExpressRequestLike extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Express middleware over the guard: mount it first. It answers the guard
 * endpoints, admits or refuses requests, and counts each by the route
 * Express matched (`baseUrl + route.path`; `unmatched` for a 404; the path
 * for a request refused before routing). Call `guard.attach(server)` on the
 * server `app.listen()` returns so the drain and connection limits cover
 * it. Mount {@link expressGuardErrors} after the routes so that handler
 * errors count as quarantine strikes and reach `guard.on("handlerError")`.
 *
 * @example
 * const app = express();
 * app.use(expressGuard(guard));
 * app.get("/hello", (req, res) => res.send("hello"));
 * app.use(expressGuardErrors());
 * guard.attach(app.listen(8080));
 */
export function expressGuard(
  guard: Guard,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  const hooks: NodeRequestHooks = {
    remember: true,
    routeAfter(req: IncomingMessage, res: ServerResponse): string | undefined {
      const { route, baseUrl } = req as ExpressRequestLike;
      if (typeof route?.path === "string") return `${baseUrl ?? ""}${route.path}`;
      // Never routed: a 404 (any path a scanner tries) shares one label; a refusal keeps its path.
      return res.statusCode === 404 ? "unmatched" : undefined;
    },
  };
  return (req, res, next) => guardNodeRequest(guard, req, res, () => next(), hooks);
}

/**
 * Express error middleware that tells the guard a handler failed, in
 * Express's own convention: mount it after the routes (and before your own
 * error handlers). Unless the error carries a 4xx `status` (an answer, not a
 * failure), it marks the request as failed (a server error in the metrics,
 * a strike of kind `error` for the quarantine), reports the error
 * through `guard.on("handlerError")`, and passes it on with `next(error)`,
 * so your error handlers, or Express's final handler, answer (500 when
 * nothing was sent yet).
 *
 * @example
 * app.use(expressGuard(guard));
 * app.get("/orders/:id", async (req, res) => res.json(await orders.get(req.params.id)));
 * app.use(expressGuardErrors());
 */
export function expressGuardErrors(): (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void {
  return (error, req, _res, next) => {
    if (isServerFailure(error)) rememberedRequest(req)?.fail(error);
    next(error);
  };
}
