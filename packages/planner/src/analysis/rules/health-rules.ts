import type { Service } from "../../model.js";
import type { Finding } from "../../result.js";
import { finding } from "./findings.js";

/**
 * The three independent health rules of docs/planner-model.md: `no-health-check`
 * (error) without `health.check`; `shallow-health-check` (warning) when
 * `health.dependencies` is not true on a service with a required call;
 * `no-autoheal` (warning) when `health.autoheal` is not true.
 *
 * @example
 * healthRules(service).map((f) => f.rule); // ["no-autoheal"]
 */
export function healthRules(service: Service): Finding[] {
  const out: Finding[] = [];
  const name = service.name;
  if (service.health.check === null) {
    out.push(
      finding(
        "no-health-check",
        "error",
        name,
        `${name} has no health check, so the load balancer keeps sending requests to broken instances: add health: { check: /readyz, dependencies: true, autoheal: true } (the readiness path @nines/guard serves)`,
      ),
    );
  }
  const required = service.calls.filter((c) => !c.optional).map((c) => c.target);
  if (!service.health.dependencies && required.length > 0) {
    out.push(
      finding(
        "shallow-health-check",
        "warning",
        name,
        `${name}'s health check does not verify its dependencies (${required.join(", ")}): an instance that cannot reach them still looks ready; set health.dependencies: true (the readiness check calls them)`,
      ),
    );
  }
  if (!service.health.autoheal) {
    out.push(
      finding(
        "no-autoheal",
        "warning",
        name,
        `${name} does not replace failed instances: set health.autoheal: true (an instance group that recreates instances failing their health check)`,
      ),
    );
  }
  return out;
}
