import { readFileSync } from "node:fs";
import type { Clock, Events } from "@nines/core";
import { DRILL_ERRORS, DrillError } from "../errors.js";
import { probeHttp } from "./http-probe.js";
import { InstanceProcess } from "./instance-process.js";
import type { RunDirectory } from "./run-directory.js";
import type { ExitReason, InstanceInfo, ServiceRun, SupervisorEvents } from "./service-run.js";

const READINESS_POLL_MS = 100;

/** The context a slot needs from its supervisor. */
export interface SlotContext {
  run: RunDirectory;
  clock: Clock;
  events: Events<SupervisorEvents>;
  /** False while the slot's zone is lost or the supervisor stops: no replacement then. */
  mayHeal(slot: InstanceSlot): boolean;
  /** Environment set for the service after start (`Supervisor.setEnv`), on top of its own. */
  extraEnv(service: string): Record<string, string>;
}

/**
 * One instance of a service in a zone, across its replacements: the same
 * id and port, a new process (generation) each time. Starts, waits for
 * readiness, polls liveness, and replaces itself after the service's
 * `replaceDelayMs` when the process exits or fails liveness.
 */
export class InstanceSlot {
  readonly id: string;
  readonly zone: string;
  readonly region: string;
  readonly port: number;
  readonly #run: ServiceRun;
  readonly #ctx: SlotContext;
  #process: InstanceProcess | undefined;
  #generation = -1;
  #state: InstanceInfo["state"] = "down";
  #readyAt: number | null = null;
  #reason: ExitReason | undefined;
  #loop = new AbortController();
  #healTimer: { cancel(): void } | undefined;

  constructor(run: ServiceRun, zone: string, region: string, index: number, port: number, ctx: SlotContext) {
    this.id = `${run.service}-${zone}-${index}`;
    this.zone = zone;
    this.region = region;
    this.port = port;
    this.#run = run;
    this.#ctx = ctx;
  }

  get service(): string {
    return this.#run.service;
  }

  info(): InstanceInfo {
    return {
      id: this.id,
      service: this.#run.service,
      zone: this.zone,
      region: this.region,
      port: this.port,
      url: `http://127.0.0.1:${this.port}`,
      state: this.#state,
      pid: this.#process?.running ? this.#process.pid : null,
      generation: this.#generation,
      readyAt: this.#readyAt,
    };
  }

  /** Starts a new process and resolves when it is ready; throws {@link DRILL_ERRORS.instanceStart} otherwise. */
  async start(): Promise<void> {
    this.#healTimer?.cancel();
    this.#healTimer = undefined;
    if (this.#process?.running) return;
    const { clock, run, events } = this.#ctx;
    const generation = ++this.#generation;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...this.#run.env,
      ...this.#run.instanceEnv?.({ id: this.id, zone: this.zone, region: this.region }),
      ...this.#ctx.extraEnv(this.#run.service),
      ...run.env(),
      ZONE: this.zone,
      REGION: this.region,
      INSTANCE: this.id,
      [this.#run.portVariable ?? "PORT"]: String(this.port),
    };
    const child = InstanceProcess.spawn({
      command: this.#run.command,
      ...(this.#run.args && { args: this.#run.args }),
      ...(this.#run.cwd && { cwd: this.#run.cwd }),
      env,
      logFile: run.file("logs", `${this.id}.log`),
    });
    run.register(this.id, child.pid);
    this.#process = child;
    this.#reason = undefined;
    this.#state = "starting";
    this.#readyAt = null;
    this.#loop = new AbortController();
    const startedAt = clock.now();
    events.emit("starting", { ...this.#names(), generation, pid: child.pid, at: startedAt });
    void child.exited.then((exit) => this.#onExit(child, generation, exit.code, exit.signal));
    const ready = await this.#waitReady(child);
    if (!ready) {
      const log = run.file("logs", `${this.id}.log`);
      const exitedEarly = !child.running;
      this.#reason ??= "start-failed";
      await child.kill();
      const tail = lastLines(log, 5);
      throw new DrillError(
        DRILL_ERRORS.instanceStart,
        `${this.id} ${exitedEarly ? "exited while starting" : `was not ready on ${this.#readinessPath()} in ${this.#startTimeoutMs()} ms`}${tail ? `; its log ends: ${tail}` : ""}`,
        { hint: `read its log: ${log}`, details: { instance: this.id, log } },
      );
    }
    this.#state = "ready";
    this.#readyAt = clock.now();
    events.emit("ready", { ...this.#names(), generation, at: this.#readyAt, startMs: this.#readyAt - startedAt });
    void this.#watchLiveness(child, this.#loop.signal);
  }

  /** SIGKILL of the process group, marked with `reason` (the exit event carries it). */
  async kill(reason: ExitReason): Promise<void> {
    const child = this.#process;
    if (!child?.running) return;
    this.#reason = reason;
    await child.kill();
  }

  /** A clean stop (SIGTERM, SIGKILL after the grace); cancels any pending replacement. */
  async stop(): Promise<void> {
    this.#healTimer?.cancel();
    this.#healTimer = undefined;
    const child = this.#process;
    if (!child?.running) return;
    this.#reason = "stopped";
    await child.stop({ graceMs: this.#run.stopGraceMs ?? 5000, clock: this.#ctx.clock });
  }

  /** Cancels a scheduled replacement. */
  cancelHeal(): void {
    this.#healTimer?.cancel();
    this.#healTimer = undefined;
  }

  #names() {
    return { instance: this.id, service: this.#run.service, zone: this.zone };
  }

  #readinessPath(): string {
    return this.#run.readinessPath ?? "/readyz";
  }

  #startTimeoutMs(): number {
    return this.#run.startTimeoutMs ?? 30_000;
  }

  async #waitReady(child: InstanceProcess): Promise<boolean> {
    const { clock } = this.#ctx;
    const deadlineAt = clock.now() + this.#startTimeoutMs();
    const url = `http://127.0.0.1:${this.port}${this.#readinessPath()}`;
    while (child.running && clock.now() < deadlineAt) {
      const status = await probeHttp(url, Math.max(50, Math.min(1000, deadlineAt - clock.now())));
      if (status === 200) return child.running;
      await clock.sleep(READINESS_POLL_MS);
    }
    return false;
  }

  async #watchLiveness(child: InstanceProcess, signal: AbortSignal): Promise<void> {
    const { clock } = this.#ctx;
    const intervalMs = this.#run.liveness?.intervalMs ?? 1000;
    const timeoutMs = this.#run.liveness?.timeoutMs ?? 1000;
    const failureThreshold = this.#run.liveness?.failureThreshold ?? 3;
    const url = `http://127.0.0.1:${this.port}${this.#run.livenessPath ?? "/livez"}`;
    let failures = 0;
    while (child.running && !signal.aborted) {
      try {
        await clock.sleep(intervalMs, signal);
      } catch {
        return;
      }
      if (!child.running || signal.aborted) return;
      const status = await probeHttp(url, timeoutMs);
      failures = status === 200 ? 0 : failures + 1;
      if (failures >= failureThreshold && child.running && !signal.aborted) {
        await this.kill("liveness");
        return;
      }
    }
  }

  #onExit(child: InstanceProcess, generation: number, code: number | null, signal: string | null): void {
    const { clock, run, events } = this.#ctx;
    const reason = this.#reason ?? (this.#state === "starting" ? "start-failed" : "crashed");
    if (this.#process === child) {
      this.#loop.abort();
      this.#state = "down";
      this.#readyAt = null;
      run.unregister(this.id);
    }
    const at = clock.now();
    events.emit("exit", { ...this.#names(), generation, at, reason, code, signal });
    if (this.#process !== child || reason === "stopped" || reason === "zone-lost") return;
    if (this.#run.autoheal === false || !this.#ctx.mayHeal(this)) return;
    const delayMs = this.#run.replaceDelayMs ?? 0;
    events.emit("replacing", { ...this.#names(), at, delayMs });
    this.#healTimer = clock.schedule(delayMs, () => {
      this.#healTimer = undefined;
      if (!this.#ctx.mayHeal(this)) return;
      // A failed replacement exits, and its exit schedules the next try.
      this.start().catch(() => {});
    });
  }
}

/** The last `count` non-empty lines of a log file, joined with " | " (empty when it cannot be read). */
function lastLines(file: string, count: number): string {
  try {
    const text = readFileSync(file, "utf8").slice(-4096);
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .slice(-count)
      .join(" | ");
  } catch {
    return "";
  }
}
