import { requireKnownOptions, requireOption } from "@nines/core";
import type { DrainReport } from "./drainer.js";

/** Options of {@link installShutdownSignals}. */
export interface ShutdownSignalsOptions {
  /** Default `["SIGTERM", "SIGINT"]`. */
  signals?: NodeJS.Signals[];
  /** Called with the report when the drain is done (an app may call `process.exit` here; the library never does). */
  onDrained?: (report: DrainReport) => void;
  /**
   * Receives one line per step (signal received, each failed cleanup hook,
   * the drain's summary), e.g. `(line) => console.error(line)` to see them
   * on stderr. Default: none (the library never logs).
   */
  log?: (line: string) => void;
}

/** What the helper needs: anything that drains (a `Guard`). */
export interface Drainable {
  drain(reason?: string): Promise<DrainReport>;
}

/**
 * Drains the guard on SIGTERM (or the given signals) and sets
 * `process.exitCode`: 0 when every cleanup hook finished, 1 when one
 * failed or was cut off. It never calls `process.exit`: once the servers
 * are closed and the hooks ran, the process ends on its own unless
 * something else keeps it alive; `onDrained` is the place to exit hard.
 * A second signal during the drain is ignored (send SIGKILL to stop at once).
 * Returns a function that removes the handlers.
 *
 * @example
 * const server = guardHttpServer(handler, guard);
 * server.listen(8080);
 * installShutdownSignals(guard, {
 *   log: (line) => console.error(line), // "nines guard: SIGTERM received, draining", ...
 *   onDrained: (report) => process.exit(report.ok ? 0 : 1),
 * });
 */
export function installShutdownSignals(guard: Drainable, options: ShutdownSignalsOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  requireKnownOptions("installShutdownSignals", options, ["signals", "onDrained", "log"]);
  requireOption(
    options.log === undefined || typeof options.log === "function",
    "installShutdownSignals",
    "log",
    options.log,
    "a function (line: string) => void",
  );
  const log = options.log ?? (() => {});
  const onSignal = (signal: NodeJS.Signals) => {
    log(`nines guard: ${signal} received, draining`);
    guard.drain(signal).then(
      (report) => {
        for (const hook of report.hooks)
          if (hook.status !== "ok")
            log(`nines guard: cleanup hook "${hook.name}" ${hook.status}${hook.error ? `: ${hook.error}` : ""}`);
        log(
          `nines guard: drained in ${report.finishedAt - report.startedAt} ms, ` +
            `${report.abandoned} ${report.abandoned === 1 ? "request" : "requests"} cut off, cleanup ${report.ok ? "ok" : "FAILED"}`,
        );
        process.exitCode = report.ok ? 0 : 1;
        options.onDrained?.(report);
      },
      (error: unknown) => {
        log(`nines guard: drain failed: ${String(error)}`);
        process.exitCode = 1;
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
