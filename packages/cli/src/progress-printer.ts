import type { Io } from "./command.js";

/** The progress a library reports (core's `Progress`; `unit` defaults to bytes). */
export interface ProgressLike {
  phase: string;
  done?: number;
  total?: number | null;
  unit?: string;
  message?: string;
}

const MB = 1024 * 1024;

function amount(p: ProgressLike): string {
  // A line for people (a step starting, a warning) carries no count: its message says it.
  if (p.done === undefined || (p.done === 0 && p.total === null && p.message !== undefined)) return "";
  const total = p.total ?? undefined;
  if (p.unit !== undefined && p.unit !== "bytes")
    return ` ${p.done}${total !== undefined ? `/${total}` : ""} ${p.unit}`;
  return ` ${(p.done / MB).toFixed(1)}${total ? `/${(total / MB).toFixed(1)}` : ""} MB`;
}

/**
 * A progress callback that prints on stderr, `label: phase amount message`:
 * warnings and the end of a phase at once, the amounts in between at most
 * twice a second per phase (results go to stdout).
 *
 * @example
 * await createBackup({ ...options, onProgress: progressPrinter(io, "nines data backup") });
 */
export function progressPrinter(io: Io, label: string): (progress: ProgressLike) => void {
  let last = 0;
  let phase = "";
  return (p) => {
    if (p.phase === "warning") {
      io.stderr.write(`${label}: warning: ${p.message ?? ""}\n`);
      return;
    }
    // Throttles what people see; the operation's own timing comes from its clock.
    const now = Date.now();
    const end = p.done !== undefined && p.done === p.total;
    if (p.done !== undefined && !end && p.phase === phase && now - last < 500) return;
    last = now;
    phase = p.phase;
    io.stderr.write(`${label}: ${p.phase}${amount(p)}${p.message ? ` ${p.message}` : ""}\n`);
  };
}
