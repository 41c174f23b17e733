/**
 * SQLSTATEs and socket errors that mean "this server is not (or no longer)
 * the writable primary": the connection failed or dropped, the server is
 * shutting down or starting, or it is a read-only standby. Anything else
 * (a constraint violation, a syntax error) is the caller's and is never
 * retried here.
 */
const FAILOVER_SQLSTATES = new Set([
  "25006", // read_only_sql_transaction: we reached a standby
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up or in recovery)
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "08007",
  "08P01",
]);

const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTCONN"]);

/**
 * True when a driver error says the server we talked to cannot take writes
 * now (it is down, shutting down, starting, or a standby), so the client
 * should find the primary again.
 *
 * @example
 * isPrimaryLost({ code: "25006" }); // true: a standby refused the write
 * isPrimaryLost({ code: "23505" }); // false: a unique violation is the caller's
 */
export function isPrimaryLost(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (FAILOVER_SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === "string" &&
    /Connection terminated|connection timeout|timeout expired|terminating connection|Client has encountered a connection error|not queryable|the database system is (starting up|shutting down|in recovery mode)/i.test(
      message,
    )
  );
}
