import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** Who holds a lease: enough to tell, later and from another process, whether that process still runs. */
export interface ProcessIdentity {
  host: string;
  /** The kernel's boot id ("" where unknown): a lease from an earlier boot belongs to a dead process. */
  bootId: string;
  pid: number;
  /** The process's start time in clock ticks since boot ("" where unknown), so a reused pid is not mistaken for the writer. */
  processStart: string;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return fallback;
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function startTicks(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`, "");
  const end = stat.lastIndexOf(")");
  if (end < 0) return undefined;
  return stat
    .slice(end + 2)
    .split(" ")
    .at(19);
}

let self: ProcessIdentity | undefined;

/**
 * This process, as a lease names it.
 *
 * @example
 * const me = currentProcess(); // { host: "db-1", bootId: "6c1e...", pid: 4242, processStart: "98311" }
 */
export function currentProcess(): ProcessIdentity {
  self ??= {
    host: hostname(),
    bootId: readOr("/proc/sys/kernel/random/boot_id", ""),
    pid: process.pid,
    processStart: startTicks(process.pid) ?? "",
  };
  return self;
}

/**
 * Whether the process a lease names is still running, seen from this
 * machine: `dead` only when that is certain (same host, and an earlier boot,
 * no such pid, or the pid now belongs to a process started at another
 * time); `other-host` when it runs elsewhere and cannot be checked.
 *
 * @example
 * processState(lease.owner); // "alive" | "dead" | "other-host"
 */
export function processState(owner: ProcessIdentity): "alive" | "dead" | "other-host" {
  const me = currentProcess();
  if (owner.host !== me.host) return "other-host";
  if (owner.bootId !== "" && me.bootId !== "" && owner.bootId !== me.bootId) return "dead";
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user; only ESRCH says there is no such process.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return "dead";
  }
  if (owner.processStart !== "") {
    const start = startTicks(owner.pid);
    if (start !== undefined && start !== owner.processStart) return "dead";
  }
  return "alive";
}
