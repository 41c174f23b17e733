import type { IncomingMessage, ServerResponse } from "node:http";
import type { Guard } from "../guard.js";
import { guardNodeRequest } from "../http/node-pipeline.js";

/** The parts of an Express request the middleware reads (kept structural: no import of express). */
interface ExpressRequestLike extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Express middleware over the guard: mount it first. It answers the guard
 * endpoints, admits or refuses requests, and counts each by the route
 * Express matched (`baseUrl + route.path`; `unmatched` for a 404; the path for a request refused before routing). Call
 * `guard.attach(server)` on the server `app.listen()` returns so the drain
 * and connection limits cover it.
 *
 * @example
 * const app = express();
 * app.use(expressGuard(guard));
 * app.get("/hello", (req, res) => res.send("hello"));
 * guard.attach(app.listen(8080));
 */
export function expressGuard(
  guard: Guard,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  const hooks = {
    routeAfter(req: IncomingMessage, res: ServerResponse): string | undefined {
      const { route, baseUrl } = req as ExpressRequestLike;
      if (typeof route?.path === "string") return `${baseUrl ?? ""}${route.path}`;
      // Never routed: a 404 (any path a scanner tries) shares one label; a refusal keeps its path.
      return res.statusCode === 404 ? "unmatched" : undefined;
    },
  };
  return (req, res, next) => guardNodeRequest(guard, req, res, () => next(), hooks);
}
