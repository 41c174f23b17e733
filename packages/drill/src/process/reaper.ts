import { type ChildProcess, spawn } from "node:child_process";

// A POSIX shell script, so the safety net needs no file of ours on disk and
// no native addon. It blocks reading its stdin, a pipe whose only writer is
// the supervisor: when the supervisor exits for any reason (even SIGKILL)
// the kernel closes that end, `read` sees end-of-file, and the script ends
// every process group listed in the pid directory: SIGTERM, then SIGKILL
// after the grace period.
const SCRIPT = `
dir=$1; grace=$2
while read -r _; do :; done
signal_all() {
  for f in "$dir"/*.pid; do
    [ -f "$f" ] || continue
    read -r pid < "$f" || continue
    kill -s "$1" -- "-$pid" 2>/dev/null || kill -s "$1" "$pid" 2>/dev/null
  done
}
alive() {
  for f in "$dir"/*.pid; do
    [ -f "$f" ] || continue
    read -r pid < "$f" || continue
    kill -s 0 -- "-$pid" 2>/dev/null && return 0
  done
  return 1
}
signal_all TERM
i=0
while alive && [ "$i" -lt "$grace" ]; do sleep 0.1; i=$((i + 1)); done
signal_all KILL
rm -f "$dir"/*.pid
`;

/**
 * Starts the reaper for a pid directory: a detached `sh` whose stdin is a
 * pipe from this process. Closing the pipe (or this process dying) makes it
 * end every process group listed in `pidDir` (SIGTERM, SIGKILL after
 * `graceMs`). Returns the child; close its stdin to release it.
 *
 * @example
 * const reaper = startReaper("/tmp/run/pids", 5000, { NINES_RUN_DIR: "/tmp/run" });
 * reaper.stdin?.end(); // the supervisor is done: the reaper cleans up what is left and exits
 */
export function startReaper(pidDir: string, graceMs: number, env: Record<string, string>): ChildProcess {
  const tenths = String(Math.max(1, Math.ceil(graceMs / 100)));
  const child = spawn("sh", ["-c", SCRIPT, "nines-reaper", pidDir, tenths], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env },
  });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}
