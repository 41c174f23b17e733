import { type Clock, requireKnownOptions, requireOption, systemClock } from "@nines/core";
import {
  ADMISSION_OPTION_KEYS,
  AdmissionController,
  type AdmissionOptions,
} from "../admission/admission-controller.js";
import { LoadSignals, type LoadSignalsOptions } from "../admission/load-signals.js";
import type { Admission, AdmissionGate, GuardRequestInfo } from "../admission-gate.js";
import { reject } from "../admission-gate.js";
import { Quarantine, type QuarantineOptions } from "../quarantine/quarantine.js";

/** Options of {@link adaptiveGate}: the admission controller's, plus quarantine and load signals. */
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

/** The gate {@link adaptiveGate} returns, with its parts for inspection. */
export interface AdaptiveGate extends AdmissionGate {
  readonly admission: AdmissionController;
  readonly quarantine: Quarantine | undefined;
}

/**
 * The overload-protection gate: the {@link AdmissionController} (adaptive
 * concurrency limit, CoDel queue, newest first, priorities, dropping
 * requests whose client left or whose deadline passed), extra overload
 * signals sampled off the hot path, and optional query-of-death quarantine.
 * Every part reads time from `clock`, so it runs on a `ManualClock` too.
 *
 * @example
 * const guard = createGuard({
 *   gate: adaptiveGate({ maxQueue: 200, quarantine: { journalPath: "/var/lib/app/qod.journal" } }),
 * });
 */
export function adaptiveGate(options: AdaptiveGateOptions = {}): AdaptiveGate {
  requireOption(typeof options === "object" && options !== null, "adaptiveGate", "options", options, "an object");
  requireKnownOptions("adaptiveGate", options, [...ADMISSION_OPTION_KEYS, "quarantine", "fingerprint", "signals"]);
  const { quarantine: quarantineOption, fingerprint, signals: signalsOption, ...admissionOptions } = options;
  const clock = options.clock ?? systemClock;
  const admission = new AdmissionController({ ...admissionOptions, clock });
  const quarantine =
    quarantineOption === undefined || quarantineOption === false
      ? undefined
      : new Quarantine({ clock, ...(quarantineOption === true ? {} : quarantineOption) });
  const signals =
    signalsOption === false
      ? undefined
      : new LoadSignals({ clock, ...signalsOption }, (reading) => admission.setPressure(reading.pressure));
  signals?.start();
  const close = () => {
    admission.close();
    signals?.stop();
    quarantine?.close();
  };
  if (quarantine === undefined) {
    return {
      admission,
      quarantine,
      admit: (request, signal) => admission.admit(request, signal),
      snapshot: () => admission.snapshot(),
      close,
    };
  }
  const fingerprintOf = fingerprint ?? ((r: GuardRequestInfo) => `${r.method} ${r.route}`);
  /** A ticket that also tells the quarantine what the request consumed. */
  const watched = (admitted: Admission, fingerprint: string): Admission => {
    if (!admitted.admitted) return admitted;
    const watch = quarantine.watch(fingerprint);
    const cpuAtStart = process.cpuUsage();
    return {
      admitted: true,
      release(outcome) {
        const cpu = process.cpuUsage(cpuAtStart);
        watch.finish({
          elapsedMs: outcome.latencyMs,
          cpuMs: (cpu.user + cpu.system) / 1000,
          timedOut: outcome.kind === "timed_out",
          threw: outcome.threw === true,
        });
        admitted.release(outcome);
      },
    };
  };
  return {
    admission,
    quarantine,
    admit(request, signal) {
      const fingerprint = fingerprintOf(request);
      const refused = quarantine.check(fingerprint);
      if (refused) return reject("quarantined", refused.retryAfterMs, fingerprint);
      const admitted = admission.admit(request, signal);
      return admitted instanceof Promise
        ? admitted.then((a) => watched(a, fingerprint))
        : watched(admitted, fingerprint);
    },
    snapshot: () => admission.snapshot(),
    close,
  };
}
