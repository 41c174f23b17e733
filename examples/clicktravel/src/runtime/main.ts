import { isNinesError } from "@nines/core";
import { installShutdownSignals } from "@nines/guard";
import { CLICKTRAVEL_ERRORS } from "./errors.js";
import { log } from "./log.js";
import type { RunningService } from "./service-host.js";

/**
 * The entry point of a service process: starts it, prints one JSON line
 * on stdout once it listens (`{"event":"listening","url":...}`, what a
 * supervisor waits for), drains on SIGTERM and exits when drained. A bad
 * environment exits 2 with the variable to fix; any other start-up
 * failure exits 1. The only place that exits the process.
 *
 * @example
 * await runMain("web", () => startWeb(readConfig("web", process.env, WEB_CALLS)));
 */
export async function runMain(service: string, start: () => Promise<RunningService>): Promise<void> {
  try {
    const running = await start();
    installShutdownSignals(running.guard, {
      onDrained: (report) => process.exit(report.ok ? 0 : 1),
      log: (line) => log(service, "drain", { line }),
    });
    const { slots, serviceTimeMs, capacity } = running.plan;
    process.stdout.write(
      `${JSON.stringify({ event: "listening", service, url: running.url, capacity, slots, serviceTimeMs })}\n`,
    );
  } catch (error) {
    const message = isNinesError(error) ? error.describe() : error instanceof Error ? error.message : String(error);
    process.stderr.write(`clicktravel ${service}: ${message}\n`);
    process.exit(isNinesError(error, CLICKTRAVEL_ERRORS.config) ? 2 : 1);
  }
}
