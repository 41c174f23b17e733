import type { ErrorKind } from "../load/request-log.js";

/**
 * Sorts an HTTP client error (undici, fetch, node:net) into the kinds a
 * drill counts: `connect` (refused or not connected in time: the request
 * never left, so it is safe to send elsewhere), `timeout` (no answer in
 * time), `reset` (the connection broke after the request was sent), `other`.
 *
 * @example
 * classifyUpstreamError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })); // "connect"
 */
export function classifyUpstreamError(error: unknown): ErrorKind {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === "string") codes.push(code);
    if (typeof name === "string") codes.push(name);
    current = (current as { cause?: unknown }).cause;
  }
  const has = (...names: string[]) => codes.some((c) => names.includes(c));
  if (has("ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL")) return "connect";
  if (has("UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "TimeoutError", "ETIMEDOUT")) return "timeout";
  if (has("ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED")) return "reset";
  return "other";
}
