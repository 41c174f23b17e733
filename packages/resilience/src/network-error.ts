import { RESILIENCE_ERRORS, ResilienceError } from "./errors.js";

/**
 * What kept a request from getting a response, as `details.kind` of `NINES_RESILIENCE_NETWORK`.
 *
 * @example
 * if (isNinesError(error, RESILIENCE_ERRORS.network) && (error.details.kind as NetworkErrorKind) === "dns") alertOnCall();
 */
export type NetworkErrorKind = "refused" | "reset" | "timeout" | "dns" | "unreachable" | "other";

/** Error codes of Node's sockets, DNS and undici (the fetch of Node), by kind. */
const KINDS: Record<string, Exclude<NetworkErrorKind, "other">> = {
  ECONNREFUSED: "refused",
  ECONNRESET: "reset",
  ECONNABORTED: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  UND_ERR_CLOSED: "reset",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  EAI_NONAME: "dns",
  EAI_NODATA: "dns",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EHOSTDOWN: "unreachable",
  ENETDOWN: "unreachable",
  EADDRNOTAVAIL: "unreachable",
};

const SAYS: Record<NetworkErrorKind, { what: string; hint: string }> = {
  refused: {
    what: "the connection was refused",
    hint: "nothing listens at that address: check the URL and port, and that the service is up",
  },
  reset: {
    what: "the connection was closed or reset before the response",
    hint: "the server or a proxy dropped the connection: check its logs; the breaker counts it and an idempotent call is retried",
  },
  timeout: {
    what: "the fetch timed out",
    hint: "the server did not connect or answer within the fetch's own timeouts; bound calls with timeout({ timeoutMs }) and check the server",
  },
  dns: {
    what: "the host name did not resolve",
    hint: "check the host name in the URL and the DNS the process uses",
  },
  unreachable: {
    what: "the host or network is unreachable",
    hint: "check the address, routes and firewalls between this process and the server",
  },
  other: {
    what: "the request failed before a response",
    hint: "see the cause for what the fetch reported",
  },
};

/**
 * Turns what a `fetch` rejects with when the network fails (undici's
 * `TypeError: fetch failed` with a coded cause, or a coded socket or DNS
 * error) into `NINES_RESILIENCE_NETWORK` with `details.kind`, the code found
 * (`details.causeCode`) and the original error as cause. Returns undefined
 * for anything else (an invalid URL, a bug in the caller's init), which is
 * then thrown unchanged.
 *
 * @example
 * const error = networkError(new TypeError("fetch failed", { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) }), "GET http://127.0.0.1:1/");
 * error?.details.kind; // "refused"
 */
export function networkError(error: unknown, request: string): ResilienceError | undefined {
  const codes: string[] = [];
  collectCodes(error, 0, codes);
  const code = codes.find((c) => KINDS[c] !== undefined) ?? codes[0];
  const kind: NetworkErrorKind | undefined = code === undefined ? undefined : KINDS[code];
  // undici says "fetch failed" for every network failure; with an unknown cause it is still one.
  const fetchFailed = error instanceof TypeError && error.message === "fetch failed";
  if (kind === undefined && !fetchFailed) return undefined;
  return networkErrorOfKind(kind ?? "other", request, {
    cause: error,
    ...(code === undefined ? {} : { causeCode: code }),
  });
}

/** Options of {@link networkErrorOfKind}. */
export interface NetworkErrorOptions {
  /** The socket or DNS error code found (`details.causeCode`), e.g. `ECONNREFUSED`. */
  causeCode?: string;
  /** The error the fetch rejected with. */
  cause?: unknown;
  /** False builds it without a stack trace (as `PolicyEnvironment.errorStacks`); default true. */
  stack?: boolean;
}

/**
 * The `NINES_RESILIENCE_NETWORK` error {@link httpFetch} throws for a
 * request that got no response because of the network, built from its
 * kind: for code that stands in for a network (the simulator's crashed
 * instances refuse connections with exactly the error a real client sees).
 *
 * @example
 * const refused = networkErrorOfKind("refused", "GET http://orders/");
 * refused.details.kind; // "refused"
 */
export function networkErrorOfKind(
  kind: NetworkErrorKind,
  request: string,
  options: NetworkErrorOptions = {},
): ResilienceError {
  const says = SAYS[kind];
  const code = options.causeCode;
  const detail = code === undefined ? "" : ` (${code})`;
  return new ResilienceError(RESILIENCE_ERRORS.network, `${request} failed: ${says.what}${detail}`, {
    hint: says.hint,
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    details: { kind, ...(code === undefined ? {} : { causeCode: code }), request },
    ...(options.stack === undefined ? {} : { stack: options.stack }),
  });
}

/** The string `code`s of an error, its cause chain and an AggregateError's errors, outermost first. */
function collectCodes(error: unknown, depth: number, out: string[]): void {
  if (typeof error !== "object" || error === null || depth > 4) return;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") out.push(code);
  if (error instanceof AggregateError) for (const inner of error.errors) collectCodes(inner, depth + 1, out);
  collectCodes((error as { cause?: unknown }).cause, depth + 1, out);
}
