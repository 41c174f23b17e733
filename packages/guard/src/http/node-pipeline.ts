import type { IncomingMessage, ServerResponse } from "node:http";
import type { Admission, AdmissionRejection } from "../admission-gate.js";
import type { Guard, GuardEndpoint } from "../guard.js";
import type { GuardRequest } from "../guard-request.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** The path of a request URL, without the query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Writes a guard endpoint's answer (health or metrics). Never goes through
 * the gate, so probes stay fast under overload.
 */
export function serveEndpoint(guard: Guard, endpoint: GuardEndpoint, req: IncomingMessage, res: ServerResponse): void {
  guard.serveEndpoint(endpoint).then(
    (answer) => {
      if (res.destroyed) return;
      res.writeHead(answer.status, {
        "content-type": answer.contentType,
        "content-length": Buffer.byteLength(answer.body),
        "cache-control": "no-store",
        ...(guard.phase === "closing" ? { connection: "close" } : {}),
      });
      res.end(req.method === "HEAD" ? undefined : answer.body);
    },
    (error: unknown) => {
      if (res.destroyed || res.headersSent) return;
      const body = JSON.stringify({ error: "NINES_GUARD_ENDPOINT_FAILED", message: String(error) });
      res.writeHead(500, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body) });
      res.end(body);
    },
  );
}

/** Writes the fast 503 a rejection gets (`Retry-After` in whole seconds, `x-nines-rejected`). */
export function writeRejection(res: ServerResponse, rejection: AdmissionRejection, closing: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({
    error: "NINES_GUARD_REJECTED",
    reason: rejection.reason,
    retryAfterMs: rejection.retryAfterMs,
    ...(rejection.detail === undefined ? {} : { detail: rejection.detail }),
  });
  res.writeHead(503, {
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(body),
    "retry-after": String(Math.max(1, Math.ceil(rejection.retryAfterMs / 1000))),
    "x-nines-rejected": rejection.reason,
    ...(closing || rejection.reason === "draining" ? { connection: "close" } : {}),
  });
  res.end(body);
}

export function writeError(res: ServerResponse, status: number, code: string, message: string, close: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: code, message });
  res.writeHead(status, {
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(body),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(body);
}

/** How an adapter plugs into {@link guardNodeRequest}. */
export interface NodeRequestHooks {
  /** The route template known before the handler runs (default: the path). */
  routeBefore?: (req: IncomingMessage) => string | undefined;
  /** The route template known once the response ends (Express learns it while routing). */
  routeAfter?: (req: IncomingMessage, res: ServerResponse) => string | undefined;
}

/**
 * The guard's request pipeline on Node's `req`/`res`, shared by the
 * `node:http` adapter and the Express middleware: guard endpoints are
 * answered first, outside the gate; then a request with a too-large
 * `content-length` gets 413, the gate admits or refuses (503), `run`
 * calls the handler, and the end of the response is counted.
 *
 * @example
 * server.on("request", (req, res) => guardNodeRequest(guard, req, res, () => handler(req, res)));
 */
export function guardNodeRequest(
  guard: Guard,
  req: IncomingMessage,
  res: ServerResponse,
  run: () => void,
  hooks: NodeRequestHooks = {},
): void {
  const method = req.method ?? "GET";
  const path = pathOf(req.url);
  const endpoint = guard.endpointFor(method, path);
  if (endpoint !== undefined) {
    serveEndpoint(guard, endpoint, req, res);
    return;
  }
  const request = guard.begin(method, path, hooks.routeBefore?.(req) ?? path, req.headers);
  const signal = trackResponse(guard, request, req, res, hooks.routeAfter);
  const length = req.headers["content-length"];
  if (length !== undefined && Number(length) > guard.maxBodyBytes) {
    writeError(res, 413, "NINES_GUARD_BODY_TOO_LARGE", `the body is larger than ${guard.maxBodyBytes} bytes`, true);
    return;
  }
  let admission: Admission | Promise<Admission>;
  try {
    admission = request.admit(signal);
  } catch (error) {
    writeError(res, 500, "NINES_GUARD_GATE_FAILED", String(error), false);
    return;
  }
  if (admission instanceof Promise)
    admission.then(
      (a) => proceed(guard, request, res, a, run),
      (error: unknown) => writeError(res, 500, "NINES_GUARD_GATE_FAILED", String(error), false),
    );
  else proceed(guard, request, res, admission, run);
}

/** Runs the handler for an admitted request, or writes the refusal. */
function proceed(
  guard: Guard,
  request: GuardRequest,
  res: ServerResponse,
  admission: Admission,
  run: () => void,
): void {
  if (!admission.admitted) {
    writeRejection(res, admission, guard.phase === "closing");
    return;
  }
  if (request.ended) return;
  // Once the server stopped accepting, tell keep-alive clients to reconnect elsewhere.
  if (guard.phase === "closing") res.setHeader("connection", "close");
  run();
}

/**
 * Follows a response to its end: aborts the returned signal when the
 * connection closes first (no signal when the gate does not need one),
 * applies `handlerTimeoutMs`, and ends the guard request with the status
 * (0 when no response was completed).
 *
 * @example
 * const signal = trackResponse(guard, request, req, res);
 */
export function trackResponse(
  guard: Guard,
  request: GuardRequest,
  req: IncomingMessage,
  res: ServerResponse,
  routeAfter?: (req: IncomingMessage, res: ServerResponse) => string | undefined,
): AbortSignal | undefined {
  const controller = guard.gate.needsSignal === false ? undefined : new AbortController();
  let timedOut = false;
  const timer =
    guard.handlerTimeoutMs === undefined
      ? undefined
      : guard.clock.schedule(guard.handlerTimeoutMs, () => {
          timedOut = true;
          if (res.headersSent) res.destroy();
          else writeError(res, 503, "NINES_GUARD_TIMEOUT", `no response within ${guard.handlerTimeoutMs} ms`, true);
          silenceLateWrites(res);
        });
  // `on`, not `once`: close fires once, and `once` allocates a wrapper per request.
  res.on("close", () => {
    timer?.cancel();
    const finished = res.writableFinished;
    if (!finished) controller?.abort();
    const after = routeAfter?.(req, res);
    if (after !== undefined) request.route = after;
    request.end(
      finished ? res.statusCode : 0,
      timedOut || (!finished && guard.phase === "closing") ? "timed_out" : undefined,
    );
  });
  return controller?.signal;
}

/**
 * After a handler timeout the handler may still answer: its writes are
 * ignored instead of throwing (Express's `res.send` sets headers, which
 * throws once a response was sent). Only this rare path changes the object.
 */
function silenceLateWrites(res: ServerResponse): void {
  res.on("error", () => {});
  const ignore = () => res;
  Object.assign(res, { setHeader: ignore, writeHead: ignore, write: () => true, end: ignore });
}
