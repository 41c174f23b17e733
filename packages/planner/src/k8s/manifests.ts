import { requireOption } from "@nines/core";
import type { Service, Spec } from "../model.js";
import type {
  Container,
  Deployment,
  HorizontalPodAutoscaler,
  HttpProbe,
  KubeService,
  Labels,
  MetricSpec,
  PodDisruptionBudget,
  ServiceManifests,
} from "./types.js";

/** The node label Kubernetes sets to a node's zone. */
export const ZONE_KEY = "topology.kubernetes.io/zone";

export interface K8sOptions {
  /** Namespace for every object; none by default (kubectl's current one). */
  namespace?: string;
  /** Container image; `{service}` and `{system}` are replaced. Default `{system}/{service}:latest`. */
  image?: string;
  /** The container's HTTP port. Default 8080. */
  port?: number;
  /** CPU request per pod (a Kubernetes quantity). Default `500m`. */
  cpu?: string;
  /** Memory request per pod. Default `512Mi`. */
  memory?: string;
  /** Liveness path, separate from readiness so that a failing dependency never restarts pods. Default `/livez`. */
  liveness?: string;
  /** Pods metric the HPA reads for a `requests-per-second` target. Default `http_requests_per_second`. */
  rpsMetric?: string;
}

const PROBE_PERIOD = 5;

/**
 * A name Kubernetes accepts (RFC 1123 label): lower case, digits and `-`,
 * at most 63 characters.
 *
 * @example
 * kubeName("ClickTravel"); // "clicktravel"
 */
export function kubeName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/g, "");
  return name === "" ? "x" : name;
}

/** Pods that fail together in one unit of deployment: one instance, or a zone's instances. */
function unitSize(service: Service): number {
  return service.unit === "zone" ? service.instances : 1;
}

function metric(service: Service, options: Required<K8sOptions>): MetricSpec {
  const a = service.autoscale!;
  if (a.metric === "cpu" || a.metric === "memory") {
    // Targets may be parsed as a percent (60) or a fraction (0.6).
    const percent = a.target <= 1 ? Math.round(a.target * 100) : Math.round(a.target);
    return {
      type: "Resource",
      resource: { name: a.metric, target: { type: "Utilization", averageUtilization: percent } },
    };
  }
  const name = a.metric === "requests-per-second" ? options.rpsMetric : a.metric;
  return { type: "Pods", pods: { metric: { name }, target: { type: "AverageValue", averageValue: String(a.target) } } };
}

/**
 * Kubernetes objects for every service of the spec: a Deployment (replicas =
 * instances x zones, spread across the spec's zones with maxSkew 1 and held
 * to them by node affinity; readiness from `health.check`, a separate
 * liveness when it autoheals, a startup probe from `startup`), a
 * PodDisruptionBudget letting one unit out at a time, a
 * HorizontalPodAutoscaler from `autoscale`, and a ClusterIP Service.
 * Check the result with `checkManifests` before writing it.
 *
 * @example
 * const manifests = buildManifests(loadSpec("nines.yaml"), { image: "ghcr.io/acme/{service}:1.4.2" });
 * manifests[0]?.objects.map((o) => o.kind); // ["Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"]
 */
export function buildManifests(spec: Spec, options: K8sOptions = {}): ServiceManifests[] {
  const system = kubeName(spec.name);
  const o: Required<K8sOptions> = {
    namespace: options.namespace ?? "",
    image: options.image ?? "{system}/{service}:latest",
    port: options.port ?? 8080,
    cpu: options.cpu ?? "500m",
    memory: options.memory ?? "512Mi",
    liveness: options.liveness ?? "/livez",
    rpsMetric: options.rpsMetric ?? "http_requests_per_second",
  };
  requireOption(
    Number.isInteger(o.port) && o.port >= 1 && o.port <= 65_535,
    "k8s",
    "port",
    o.port,
    "an integer in [1, 65535]",
  );
  requireOption(o.liveness.startsWith("/"), "k8s", "liveness", o.liveness, "a path starting with /");
  return spec.services.map((service) => {
    const name = kubeName(service.name);
    const labels: Labels = {
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/part-of": system,
    };
    const metadata = (kind: string) => ({
      name,
      ...(o.namespace !== "" && { namespace: o.namespace }),
      labels: { ...labels, "app.kubernetes.io/managed-by": "nines", "app.kubernetes.io/component": kind },
    });
    const replicas = service.instances * service.zones.length;
    const unit = unitSize(service);
    const probe = (path: string, period: number, failureThreshold: number): HttpProbe => ({
      httpGet: { path, port: "http" },
      periodSeconds: period,
      timeoutSeconds: 2,
      failureThreshold,
    });
    const container: Container = {
      name,
      image: o.image.replaceAll("{service}", name).replaceAll("{system}", system),
      ports: [{ name: "http", containerPort: o.port, protocol: "TCP" }],
      resources: { requests: { cpu: o.cpu, memory: o.memory } },
    };
    if (service.health.check) container.readinessProbe = probe(service.health.check, PROBE_PERIOD, 2);
    // A spec may name its own liveness endpoint (`health.liveness`); else the option's.
    const liveness = (service.health as Service["health"] & { liveness?: string | null }).liveness ?? o.liveness;
    if (service.health.autoheal) {
      container.livenessProbe = probe(liveness, 10, 3);
      if (service.startup !== null && service.startup > 0) {
        // Twice the declared startup before liveness takes over: slow starts are not crash loops.
        container.startupProbe = probe(
          liveness,
          PROBE_PERIOD,
          Math.max(1, Math.ceil((2 * service.startup) / PROBE_PERIOD)),
        );
      }
    }
    const deployment: Deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata("server"),
      spec: {
        replicas,
        selector: { matchLabels: labels },
        // The N+2 budget has room for one unit out for an upgrade: no surge capacity needed.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: unit, maxSurge: 0 } },
        template: {
          metadata: { labels },
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: ZONE_KEY, operator: "In", values: [...service.zones] }] },
                  ],
                },
              },
            },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: ZONE_KEY,
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: labels },
                minDomains: service.zones.length,
              },
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: labels },
              },
            ],
            terminationGracePeriodSeconds: 30,
            containers: [container],
          },
        },
      },
    };
    const kubeService: KubeService = {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata("service"),
      spec: {
        type: "ClusterIP",
        selector: labels,
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
      },
    };
    const pdb: PodDisruptionBudget = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: metadata("disruption-budget"),
      spec: { maxUnavailable: unit, selector: { matchLabels: labels } },
    };
    const objects: ServiceManifests["objects"] = [deployment, kubeService, pdb];
    if (service.autoscale) {
      const hpa: HorizontalPodAutoscaler = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: metadata("autoscaler"),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
          minReplicas: replicas,
          maxReplicas: service.autoscale.max,
          metrics: [metric(service, o)],
        },
      };
      objects.push(hpa);
    }
    return { service: service.name, objects };
  });
}
