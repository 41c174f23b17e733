/** Where a service's instances run: so many in each zone. */
export interface Placement {
  zone: string;
  region: string;
  /** Instances in this zone. */
  instances: number;
}

/** How the supervisor runs one service (built from the spec's `run` section and the plan, scaled). */
export interface ServiceRun {
  /** The service's name; instances are `<service>-<zone>-<n>`. */
  service: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** Extra environment for every instance (on top of this process's). */
  env?: Record<string, string>;
  /**
   * Environment of one instance on top of `env` (what differs by zone or
   * instance: the addresses of its zone's balancers, its state directory).
   */
  instanceEnv?: (instance: { id: string; zone: string; region: string }) => Record<string, string>;
  /** The variable that carries the port; default `PORT`. */
  portVariable?: string;
  placement: readonly Placement[];
  /** Readiness path, polled until 200 before an instance counts as started; default `/readyz`. */
  readinessPath?: string;
  /** Liveness path, polled while it runs; default `/livez`. */
  livenessPath?: string;
  /** Longest wait for readiness before the start counts as failed; default 30000 ms. */
  startTimeoutMs?: number;
  /** Wait before a replacement starts (the spec's start-up time, scaled); default 0. */
  replaceDelayMs?: number;
  /** Replace instances that exit or fail liveness; default true. */
  autoheal?: boolean;
  /** Liveness polling; defaults `{ intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 }`. */
  liveness?: { intervalMs?: number; timeoutMs?: number; failureThreshold?: number };
  /** Time between SIGTERM and SIGKILL when stopping; default 5000 ms. */
  stopGraceMs?: number;
}

/** Why an instance stopped. */
export type ExitReason = "crashed" | "killed" | "liveness" | "zone-lost" | "start-failed" | "stopped";

/** The life of an instance, as the supervisor reports it (`at` epoch ms from its clock). */
export interface SupervisorEvents {
  starting: { instance: string; service: string; zone: string; generation: number; pid: number; at: number };
  ready: { instance: string; service: string; zone: string; generation: number; at: number; startMs: number };
  exit: {
    instance: string;
    service: string;
    zone: string;
    generation: number;
    at: number;
    reason: ExitReason;
    code: number | null;
    signal: string | null;
  };
  replacing: { instance: string; service: string; zone: string; at: number; delayMs: number };
}

/** What the supervisor knows of an instance now. */
export interface InstanceInfo {
  /** `<service>-<zone>-<n>`, stable across replacements. */
  id: string;
  service: string;
  zone: string;
  region: string;
  /** Port on 127.0.0.1, stable across replacements. */
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `starting` until ready, `ready`, `down` (exited; a replacement may be waiting). */
  state: "starting" | "ready" | "down";
  pid: number | null;
  /** 0 for the first process of the slot, +1 per replacement. */
  generation: number;
  readyAt: number | null;
}
