import type { Server, ServerOptions } from "node:http";
import type { Socket } from "node:net";
import { requireKnownOptions, requireOption } from "@nines/core";
import { GUARD_ERRORS } from "../errors.js";

/** Connection limits that keep bad clients from taking an instance down. */
export interface ServerHardeningOptions {
  /** Time to receive the request headers; slowloris defence (default 10000 ms). */
  headersTimeoutMs?: number;
  /** Time to receive the whole request (default 30000 ms). */
  requestTimeoutMs?: number;
  /** Idle time before a keep-alive socket is closed (default 5000 ms). */
  keepAliveTimeoutMs?: number;
  /**
   * Largest request head, as Node's parser counts it: the bytes of the
   * request target and of every header name and value, not the method, the
   * version, separators, line ends or the blanks before a value; more gets
   * 431 (default 16384). A head of many short headers is larger on the wire.
   */
  maxHeaderSize?: number;
  /** Headers kept per request (default 100). */
  maxHeadersCount?: number;
  /** How often timeouts are checked; only for servers the guard creates (default 1000 ms). */
  connectionsCheckingIntervalMs?: number;
}

/** Anything that counts refused connections (the guard's metrics). */
export interface BadRequestCounter {
  recordBadRequest(reason: string): void;
}

interface Resolved {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxHeaderSize: number;
  maxHeadersCount: number;
  connectionsCheckingInterval: number;
}

const OPTION_KEYS = [
  "headersTimeoutMs",
  "requestTimeoutMs",
  "keepAliveTimeoutMs",
  "maxHeaderSize",
  "maxHeadersCount",
  "connectionsCheckingIntervalMs",
] as const;

function resolve(options: ServerHardeningOptions): Resolved {
  requireOption(typeof options === "object" && options !== null, "guard server", "options", options, "an object");
  requireKnownOptions("guard server", options, OPTION_KEYS);
  const r: Resolved = {
    headersTimeout: options.headersTimeoutMs ?? 10_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5000,
    maxHeaderSize: options.maxHeaderSize ?? 16_384,
    maxHeadersCount: options.maxHeadersCount ?? 100,
    connectionsCheckingInterval: options.connectionsCheckingIntervalMs ?? 1000,
  };
  for (const [key, value] of Object.entries(r))
    requireOption(Number.isInteger(value) && value > 0, "guard server", key, value, "an integer > 0");
  requireOption(
    r.headersTimeout <= r.requestTimeout,
    "guard server",
    "headersTimeoutMs",
    r.headersTimeout,
    `<= requestTimeoutMs (${r.requestTimeout})`,
  );
  return r;
}

/**
 * Options for `http.createServer` that apply the limits from the start
 * (`connectionsCheckingInterval` can only be set there).
 *
 * @example
 * const server = http.createServer(hardenedServerOptions({ headersTimeoutMs: 5000 }), handler);
 */
export function hardenedServerOptions(options: ServerHardeningOptions = {}): ServerOptions {
  const r = resolve(options);
  return { ...r, requestTimeout: r.requestTimeout };
}

const ANSWERS: Record<string, { status: number; text: string; code: string; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    text: "Request Header Fields Too Large",
    code: GUARD_ERRORS.headersTooLarge,
    reason: "headers_too_large",
    message: "the request head is larger than the server allows",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    text: "Request Timeout",
    code: GUARD_ERRORS.requestTimeout,
    reason: "timeout",
    message: "the request was not received in time",
  },
};
const MALFORMED = {
  status: 400,
  text: "Bad Request",
  code: GUARD_ERRORS.badRequest,
  reason: "malformed",
  message: "the request is not valid HTTP/1.1",
};

/**
 * Applies the limits to a running server and answers requests that cannot
 * be parsed with a short JSON error and a closed connection (400, 408, 431)
 * instead of leaving the socket to hang.
 *
 * @example
 * hardenServer(server, { headersTimeoutMs: 5000 }, guard.metrics);
 */
export function hardenServer(server: Server, options: ServerHardeningOptions = {}, counter?: BadRequestCounter): void {
  const r = resolve(options);
  server.headersTimeout = r.headersTimeout;
  server.requestTimeout = r.requestTimeout;
  server.keepAliveTimeout = r.keepAliveTimeout;
  server.maxHeadersCount = r.maxHeadersCount;
  // Read by the parser per connection (Node 20), so it works after creation too.
  (server as { maxHeaderSize?: number }).maxHeaderSize = r.maxHeaderSize;
  if (counter === undefined) return;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === "ECONNRESET" || error.code === "EPIPE") {
      counter.recordBadRequest("reset");
      socket.destroy();
      return;
    }
    const answer = ANSWERS[error.code ?? ""] ?? MALFORMED;
    counter.recordBadRequest(answer.reason);
    const message = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || message?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: answer.code, message: answer.message });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      // Flushed: now let go even if the client never closes its side (a slowloris would not).
      () => socket.destroy(),
    );
  });
}
