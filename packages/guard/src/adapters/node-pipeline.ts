import type { IncomingMessage, ServerResponse } from "node:http";
import type { Admission, AdmissionRejection } from "../admission-gate.js";
import { GUARD_ERRORS, type GuardErrorCode } from "../errors.js";
import type { Guard, GuardEndpoint } from "../guard.js";
import type { GuardRequest } from "../guard-request.js";
import { lingerAfterAnswer } from "../http/linger.js";

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
    (error: unknown) => writeError(res, 500, GUARD_ERRORS.endpointFailed, String(error), false),
  );
}

/** Writes the fast 503 a rejection gets (`Retry-After` in whole seconds, `x-nines-rejected`). */
export function writeRejection(res: ServerResponse, rejection: AdmissionRejection, closing: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({
    error: GUARD_ERRORS.rejected,
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

/** Writes a JSON error answer (`{ error, message }`) unless a response has already started. */
export function writeError(
  res: ServerResponse,
  status: number,
  code: GuardErrorCode,
  message: string,
  close: boolean,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: code, message });
  res.writeHead(status, {
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(body),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(body);
}

/**
 * Answers a request whose declared body is larger than `maxBodyBytes`: 413
 * and a closed connection, after the client has stopped sending (so it reads
 * the answer instead of a reset).
 */
export function refuseBody(guard: Guard, req: IncomingMessage, res: ServerResponse): void {
  lingerAfterAnswer(req);
  writeError(res, 413, GUARD_ERRORS.bodyTooLarge, `the body is larger than ${guard.maxBodyBytes} bytes`, true);
}

/**
 * Whether an error a handler raised is a failure of the server: errors that
 * carry a 4xx `statusCode` or `status` (a validation error, an `httpErrors`
 * 404) are answers in Fastify's and Express's conventions, not failures.
 */
export function isServerFailure(error: unknown): boolean {
  const { statusCode, status } = (typeof error === "object" && error !== null ? error : {}) as {
    statusCode?: unknown;
    status?: unknown;
  };
  const code = typeof statusCode === "number" ? statusCode : typeof status === "number" ? status : 500;
  return code >= 500;
}

const TRACKED = Symbol("nines.guard.request");

/** Keeps the guard's request on Node's `req`, for hooks that only get `req` (error handlers). */
export function rememberRequest(req: IncomingMessage, request: GuardRequest): void {
  (req as IncomingMessage & { [TRACKED]?: GuardRequest })[TRACKED] = request;
}

/** The guard's request kept by {@link rememberRequest}, if any. */
export function rememberedRequest(req: IncomingMessage): GuardRequest | undefined {
  return (req as IncomingMessage & { [TRACKED]?: GuardRequest })[TRACKED];
}

/** How an adapter plugs into {@link guardNodeRequest}. */
export interface NodeRequestHooks {
  /** The route template known before the handler runs (default: the path). */
  routeBefore?: (req: IncomingMessage) => string | undefined;
  /** The route template known once the response ends (Express learns it while routing). */
  routeAfter?: (req: IncomingMessage, res: ServerResponse) => string | undefined;
  /** Keep each request on `req` (see {@link rememberRequest}) for a later error hook. */
  remember?: boolean;
}

/**
 * The guard's request pipeline on Node's `req`/`res`, shared by the
 * `node:http` adapter and the Express middleware: guard endpoints are
 * answered first, outside the gate; then a request with a too-large
 * `content-length` gets 413, the gate admits or refuses (503), `run`
 * calls the handler (a throw or a rejected promise is answered 500), and
 * the end of the response is counted.
 *
 * @example
 * server.on("request", (req, res) => guardNodeRequest(guard, req, res, () => handler(req, res)));
 */
export function guardNodeRequest(
  guard: Guard,
  req: IncomingMessage,
  res: ServerResponse,
  run: () => unknown,
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
  if (hooks.remember) rememberRequest(req, request);
  const signal = trackResponse(guard, request, req, res, hooks.routeAfter);
  const length = req.headers["content-length"];
  if (length !== undefined && Number(length) > guard.maxBodyBytes) {
    refuseBody(guard, req, res);
    return;
  }
  let admission: Admission | Promise<Admission>;
  try {
    admission = request.admit(signal);
  } catch (error) {
    writeError(res, 500, GUARD_ERRORS.gateFailed, String(error), false);
    return;
  }
  if (admission instanceof Promise)
    admission.then(
      (a) => proceed(guard, request, req, res, a, run),
      (error: unknown) => writeError(res, 500, GUARD_ERRORS.gateFailed, String(error), false),
    );
  else proceed(guard, request, req, res, admission, run);
}

/** Runs the handler for an admitted request, or writes the refusal. */
function proceed(
  guard: Guard,
  request: GuardRequest,
  req: IncomingMessage,
  res: ServerResponse,
  admission: Admission,
  run: () => unknown,
): void {
  if (!admission.admitted) {
    writeRejection(res, admission, guard.phase === "closing");
    return;
  }
  if (request.ended) return;
  // Once the server stopped accepting, tell keep-alive clients to reconnect elsewhere.
  if (guard.phase === "closing") res.setHeader("connection", "close");
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    handlerFailed(request, req, res, error);
    return;
  }
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function")
    (result as PromiseLike<unknown>).then(undefined, (error: unknown) => handlerFailed(request, req, res, error));
}

/**
 * A handler threw or rejected: the request counts as a server error, and
 * the client gets a 500 if nothing was sent yet, or a cut connection if an
 * answer had started (a half-sent answer cannot be completed honestly). The
 * error itself goes to the guard's `handlerError` event, never to the client.
 */
function handlerFailed(request: GuardRequest, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  request.fail(error);
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // The body may be unread: close the connection, but only once the client has read the answer.
  lingerAfterAnswer(req);
  writeError(res, 500, GUARD_ERRORS.handlerFailed, "the server failed to handle the request", true);
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
          else writeError(res, 503, GUARD_ERRORS.timeout, `no response within ${guard.handlerTimeoutMs} ms`, true);
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
