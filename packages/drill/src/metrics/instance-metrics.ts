import { readFileSync } from "node:fs";
import { type Clock, systemClock } from "@nines/core";
import { Agent, request } from "undici";
import type { InstanceInfo } from "../process/service-run.js";
import { parsePrometheusText, sumOf } from "./prometheus-text.js";

/** What one instance's `/metrics` said, as rates over the last poll. */
export interface InstanceMetrics {
  instance: string;
  service: string;
  zone: string;
  /** Requests per second it served (`nines_http_requests_total`), null before two polls. */
  requestsPerSecond: number | null;
  /** CPU used, in cores (`process_cpu_seconds_total`, else `/proc`), null before two polls. */
  cpu: number | null;
  /** Resident memory, bytes (`process_resident_memory_bytes`, else `/proc`), null when unknown. */
  rssBytes: number | null;
  /** Its circuit breakers by name, with the state each is in (`nines_circuit_breaker_state`). */
  breakers: Record<string, string>;
  at: number;
}

interface Reading {
  generation: number;
  at: number;
  requests: number | null;
  cpuSeconds: number | null;
}

const agent = new Agent({ keepAliveTimeout: 2000, connections: 2 });
/** Linux's USER_HZ: `/proc/<pid>/stat` counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/**
 * Reads every ready instance's `/metrics` straight from its port (the
 * monitoring path, not through the fault proxies) and keeps the rates of
 * the last poll: requests per second, CPU, memory and breaker states. The
 * autoscaler and the live view read it.
 *
 * @example
 * const metrics = new MetricsPoller({ instances: () => supervisor.instances(), intervalMs: 2000 });
 * metrics.start();
 * metrics.latest().get("web-us-central1-a-0")?.requestsPerSecond;
 * metrics.stop();
 */
export class MetricsPoller {
  readonly #instances: () => InstanceInfo[];
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #path: string;
  readonly #clock: Clock;
  readonly #last = new Map<string, Reading>();
  readonly #latest = new Map<string, InstanceMetrics>();
  #loop: AbortController | undefined;

  constructor(options: {
    instances: () => InstanceInfo[];
    intervalMs?: number;
    timeoutMs?: number;
    path?: string;
    clock?: Clock;
  }) {
    this.#instances = options.instances;
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#path = options.path ?? "/metrics";
    this.#clock = options.clock ?? systemClock;
  }

  /** Polls every `intervalMs` until {@link stop}. */
  start(): void {
    if (this.#loop) return;
    const loop = new AbortController();
    this.#loop = loop;
    void (async () => {
      while (!loop.signal.aborted) {
        await this.poll();
        await this.#clock.sleep(this.#intervalMs, loop.signal).catch(() => {});
      }
    })();
  }

  stop(): void {
    this.#loop?.abort();
  }

  /** The last reading of each instance polled (instances down are dropped). */
  latest(): Map<string, InstanceMetrics> {
    return this.#latest;
  }

  /** Polls every ready instance once. */
  async poll(): Promise<void> {
    const ready = this.#instances().filter((i) => i.state === "ready");
    const ids = new Set(ready.map((i) => i.id));
    for (const id of [...this.#latest.keys()]) if (!ids.has(id)) this.#latest.delete(id);
    await Promise.all(ready.map((i) => this.#pollOne(i)));
  }

  async #pollOne(info: InstanceInfo): Promise<void> {
    const text = await fetchText(`${info.url}${this.#path}`, this.#timeoutMs);
    if (text === null) return;
    const samples = parsePrometheusText(text);
    const at = this.#clock.now();
    const proc = info.pid === null ? null : readProc(info.pid);
    const reading: Reading = {
      generation: info.generation,
      at,
      requests: sumOf(samples, "nines_http_requests_total"),
      cpuSeconds: sumOf(samples, "process_cpu_seconds_total") ?? proc?.cpuSeconds ?? null,
    };
    const before = this.#last.get(info.id);
    this.#last.set(info.id, reading);
    const seconds = before && before.generation === reading.generation ? (at - before.at) / 1000 : 0;
    const rate = (now: number | null, then: number | null | undefined) =>
      seconds > 0 && now !== null && then !== null && then !== undefined && now >= then ? (now - then) / seconds : null;
    const breakers: Record<string, string> = {};
    for (const s of samples) {
      if (s.name === "nines_circuit_breaker_state" && s.value === 1 && s.labels["breaker"] && s.labels["state"]) {
        breakers[s.labels["breaker"]] = s.labels["state"];
      }
    }
    this.#latest.set(info.id, {
      instance: info.id,
      service: info.service,
      zone: info.zone,
      requestsPerSecond: rate(reading.requests, before?.requests),
      cpu: rate(reading.cpuSeconds, before?.cpuSeconds),
      rssBytes: sumOf(samples, "process_resident_memory_bytes") ?? proc?.rssBytes ?? null,
      breakers,
      at,
    });
  }
}

async function fetchText(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await request(url, {
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return null;
    }
    return await response.body.text();
  } catch {
    return null;
  }
}

/** CPU seconds and resident memory of a process, from `/proc` (for an instance that exports no process metrics). */
function readProc(pid: number): { cpuSeconds: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the command name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    const pages = Number(readFileSync(`/proc/${pid}/statm`, "latin1").split(" ")[1]);
    return { cpuSeconds: ticks / TICKS_PER_SECOND, rssBytes: pages * PAGE_BYTES };
  } catch {
    return null;
  }
}
