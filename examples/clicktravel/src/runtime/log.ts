/**
 * Writes one JSON line to stderr: what the instance tells its operator
 * (the libraries never log; the application decides what to say).
 *
 * @example
 * log("web", "handlerError", { route: "/api/bookings", error: "boom" });
 */
export function log(service: string, event: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ service, event, ...fields })}\n`);
}
