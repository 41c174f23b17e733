import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { Clock } from "@nines/core";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { killGroup } from "./run-directory.js";

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What to run. */
export interface CommandSpec {
  command: string;
  args?: readonly string[];
  cwd?: string;
  env?: Record<string, string>;
  /** File that receives stdout and stderr (appended). */
  logFile?: string;
}

/**
 * One child process in its own process group (its pid is the group's id),
 * so that a kill reaches everything it started. Stdout and stderr go to a
 * log file, never to our terminal.
 *
 * @example
 * const p = InstanceProcess.spawn({ command: "node", args: ["server.js"], env: { PORT: "8080" } });
 * await p.stop({ graceMs: 5000, clock: systemClock }); // SIGTERM, SIGKILL after 5 s
 */
export class InstanceProcess {
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;

  private constructor(pid: number, exited: Promise<ProcessExit>) {
    this.pid = pid;
    this.exited = exited.then((exit) => {
      this.#exit = exit;
      return exit;
    });
  }

  /** Starts `spec`; throws {@link DRILL_ERRORS.instanceStart} when it cannot be spawned. */
  static spawn(spec: CommandSpec): InstanceProcess {
    const log = spec.logFile ? openSync(spec.logFile, "a") : "ignore";
    try {
      const child = spawn(spec.command, [...(spec.args ?? [])], {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ["ignore", log, log],
      });
      const exited = new Promise<ProcessExit>((resolve) => {
        child.once("exit", (code, signal) => resolve({ code, signal }));
        child.once("error", () => resolve({ code: null, signal: null }));
      });
      if (child.pid === undefined) {
        throw new DrillError(DRILL_ERRORS.instanceStart, `cannot start ${spec.command}`, {
          hint: "check that the command exists and is executable (run.command in the spec)",
        });
      }
      return new InstanceProcess(child.pid, exited);
    } finally {
      if (typeof log === "number") closeSync(log);
    }
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) killGroup(this.pid, signal);
  }

  /** SIGKILL to the group (a crash) and waits for the exit. */
  async kill(): Promise<ProcessExit> {
    this.signal("SIGKILL");
    return await this.exited;
  }

  /**
   * A clean stop: SIGTERM to the group (the service drains), then SIGKILL
   * to whatever is left after `graceMs`.
   */
  async stop({ graceMs, clock }: { graceMs: number; clock: Clock }): Promise<ProcessExit> {
    this.signal("SIGTERM");
    const abort = new AbortController();
    const graceOver = clock.sleep(graceMs, abort.signal).catch(() => {});
    await Promise.race([this.exited, graceOver]);
    abort.abort();
    // Even after a clean exit of the leader, end any process it left in its group.
    killGroup(this.pid, "SIGKILL");
    return await this.exited;
  }
}
