import { Pool } from "undici";

/** A backend given to a balancer: an instance, reached at `url` (usually its fault proxy). */
export interface BackendSpec {
  id: string;
  zone: string;
  url: string;
}

/** Counters of one backend, for the live view. */
export interface BackendSnapshot {
  id: string;
  zone: string;
  url: string;
  /** By the active health checks. */
  healthy: boolean;
  /** When its ejection as an outlier ends (epoch ms), or null when it is not ejected. */
  ejectionEndsAt: number | null;
  inflight: number;
  /** Attempts sent to it. */
  attempts: number;
  /** Answers by class. */
  responses: { "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  /** 503s that were refusals for overload (`x-nines-rejected`), not failures. */
  refusals: number;
  /** Attempts without an answer: connection refused or reset, timeout. */
  errors: number;
  /** Times it was ejected. */
  ejections: number;
}

/** One backend's state inside a balancer. */
export class Backend {
  readonly spec: BackendSpec;
  readonly pool: Pool;
  healthy = true;
  inflight = 0;
  attempts = 0;
  refusals = 0;
  errors = 0;
  ejections = 0;
  readonly responses = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };

  constructor(spec: BackendSpec, connectTimeoutMs: number) {
    this.spec = spec;
    // Keep-alive shorter than Node's server default (5 s), so an idle connection is never
    // reused at the moment the instance closes it.
    this.pool = new Pool(spec.url, {
      connections: 128,
      connect: { timeout: connectTimeoutMs },
      keepAliveTimeout: 2000,
      keepAliveMaxTimeout: 2000,
    });
  }

  countStatus(status: number): void {
    const key = status >= 500 ? "5xx" : status >= 400 ? "4xx" : status >= 300 ? "3xx" : "2xx";
    this.responses[key]++;
  }

  snapshot(ejectionEndsAt: number | null): BackendSnapshot {
    return {
      id: this.spec.id,
      zone: this.spec.zone,
      url: this.spec.url,
      healthy: this.healthy,
      ejectionEndsAt,
      inflight: this.inflight,
      attempts: this.attempts,
      responses: { ...this.responses },
      refusals: this.refusals,
      errors: this.errors,
      ejections: this.ejections,
    };
  }
}
