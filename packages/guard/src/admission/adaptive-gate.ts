import { type Clock, isNinesError, systemClock } from "@nines/core";
import type { Admission, AdmissionGate, GuardRequestInfo, RejectReason } from "../admission-gate.js";
import { reject } from "../admission-gate.js";
import { Quarantine, type QuarantineOptions } from "../quarantine/quarantine.js";
import {
  ADMISSION_REJECTED,
  AdmissionController,
  type AdmissionOptions,
  REJECT_MESSAGES,
} from "./admission-controller.js";
import { LoadSignals, type LoadSignalsOptions } from "./load-signals.js";

export interface AdaptiveGateOptions extends AdmissionOptions {
  /**
   * Query-of-death quarantine: `true` for the defaults, or its options
   * (`journalPath` to survive crashes). Off by default.
   */
  quarantine?: boolean | QuarantineOptions;
  /**
   * The fingerprint of a request for the quarantine: by default its method
   * and route; add the part of the request that triggers the bug, e.g.
   * `(r) => \`${r.method} ${r.route}|${r.header("x-tenant")}\``.
   */
  fingerprint?: (request: GuardRequestInfo) => string;
  /** Event-loop delay and heap signals; `false` turns them off. Default on, 200 ms p99 delay. */
  signals?: LoadSignalsOptions | false;
  clock?: Clock;
}

/**
 * The overload-protection gate: the {@link AdmissionController} (adaptive
 * concurrency limit, CoDel queue, newest first, priorities, dropping
 * requests whose client left or whose deadline passed), extra overload
 * signals sampled off the hot path, and optional query-of-death quarantine,
 * behind the guard's `AdmissionGate` seam.
 *
 * @example
 * const guard = createGuard({
 *   gate: adaptiveGate({ maxQueue: 200, quarantine: { journalPath: "/var/lib/app/qod.journal" } }),
 * });
 */
export function adaptiveGate(options: AdaptiveGateOptions = {}): AdmissionGate & {
  readonly admission: AdmissionController;
  readonly quarantine: Quarantine | undefined;
} {
  const clock = options.clock ?? systemClock;
  const admission = new AdmissionController({ ...options, clock });
  const quarantine =
    options.quarantine === undefined || options.quarantine === false
      ? undefined
      : new Quarantine({ clock, ...(options.quarantine === true ? {} : options.quarantine) });
  const fingerprintOf = options.fingerprint ?? ((r: GuardRequestInfo) => `${r.method} ${r.route}`);
  const signals =
    options.signals === false
      ? undefined
      : new LoadSignals({ clock, ...options.signals }, (reading) => admission.setPressure(reading.pressure));
  signals?.start();

  const toRejection = (error: unknown): Admission => {
    if (!isNinesError(error, ADMISSION_REJECTED)) throw error;
    const reason: RejectReason = error.details["reason"] === "draining" ? "draining" : "shed";
    return reject(reason, Number(error.details["retryAfterMs"] ?? 1000), error.message);
  };

  return {
    admission,
    quarantine,
    admit(request, signal) {
      const fingerprint = quarantine ? fingerprintOf(request) : "";
      const refused = quarantine?.check(fingerprint);
      if (refused) return reject("quarantined", refused.retryAfterMs, `request "${fingerprint}" is quarantined`);
      const refusal = admission.refuseNow({
        priority: request.priority,
        ...(request.deadlineAt === undefined ? {} : { deadline: request.deadlineAt }),
      });
      if (refusal)
        return reject(
          refusal.reason === "draining" ? "draining" : "shed",
          refusal.retryAfterMs,
          REJECT_MESSAGES[refusal.reason],
        );
      return admission
        .admit({
          priority: request.priority,
          ...(request.deadlineAt === undefined ? {} : { deadline: request.deadlineAt }),
          ...(signal ? { signal } : {}),
        })
        .then((ticket): Admission => {
          const watch = quarantine?.watch(fingerprint);
          const cpuAtStart = watch ? process.cpuUsage() : undefined;
          return {
            admitted: true,
            release(outcome) {
              const timedOut = outcome.kind === "timed_out";
              if (watch && cpuAtStart) {
                const cpu = process.cpuUsage(cpuAtStart);
                watch.finish({ elapsedMs: outcome.latencyMs, cpuMs: (cpu.user + cpu.system) / 1000, timedOut });
              }
              ticket.release({ dropped: timedOut });
            },
          };
        }, toRejection);
    },
    snapshot: () => ({ inflight: admission.inflight, queueLength: admission.queued, limit: admission.limit }),
    close() {
      admission.drain();
      signals?.stop();
      quarantine?.close();
    },
  };
}
