import type { IncomingHttpHeaders } from "node:http";

/**
 * What a handler gets: the matched route's parameters, the query, the
 * headers, the JSON body (read on demand, size-limited) and a signal that
 * aborts when the client goes away.
 *
 * @example
 * const handler: Handler = (request) => ({ json: { id: request.params["id"] } });
 */
export interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (`{}` when empty); a malformed body is a 400. */
  body(): Promise<Record<string, unknown>>;
  /** Aborts when the client disconnects before the answer. */
  readonly signal: AbortSignal;
}

/**
 * A handler's answer: JSON (default) or HTML, a status (default 200) and
 * extra headers.
 *
 * @example
 * const created: Reply = { status: 201, json: booking };
 */
export interface Reply {
  status?: number;
  json?: unknown;
  html?: string;
  headers?: Record<string, string>;
}

/**
 * A request handler; throw a `ClickTravelError` to answer an error.
 *
 * @example
 * const health: Handler = () => ({ json: { ok: true } });
 */
export type Handler = (request: RequestContext) => Promise<Reply> | Reply;

/**
 * One route: a method and a path pattern whose `:name` segments become parameters.
 *
 * @example
 * const route: Route = { method: "GET", pattern: "/trips/:id", handler };
 */
export interface Route {
  method: string;
  pattern: string;
  handler: Handler;
}

interface Compiled {
  route: Route;
  segments: string[];
}

/**
 * Matches requests to routes, and names the route template for the
 * guard's metrics (`/trips/:id`, never a path with an id in it).
 *
 * @example
 * const router = new Router([{ method: "GET", pattern: "/trips/:id", handler }]);
 * router.match("GET", "/trips/rome-1")?.params; // { id: "rome-1" }
 */
export class Router {
  readonly #routes: Compiled[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ route, segments: split(route.pattern) }));
  }

  /** The route and its parameters, or undefined when no route has this method and path. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = split(path);
    for (const { route, segments } of this.#routes) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const segment = segments[i] as string;
        const part = parts[i] as string;
        if (segment.startsWith(":")) params[segment.slice(1)] = decoded(part);
        else ok = segment === part;
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  /** The route template of a request, for metrics labels (`unmatched` when none). */
  templateOf(method: string | undefined, url: string | undefined): string {
    const path = (url ?? "/").split("?")[0] as string;
    return this.match(method ?? "GET", path)?.route.pattern ?? "unmatched";
  }
}

/** A malformed escape (`%E0%A4%A`) is kept as sent: the lookup then finds nothing. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}
