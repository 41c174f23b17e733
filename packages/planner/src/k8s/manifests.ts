import type { Service, Spec } from "../model.js";
import { HEALTH_PATHS } from "../spec/defaults.js";
import { drainTimeline } from "./drain-timeline.js";
import { checkK8sOptions, type K8sOptions, type ResolvedK8sOptions } from "./k8s-options.js";
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

export type { K8sOptions } from "./k8s-options.js";

/** The node label Kubernetes sets to a node's zone. */
export const ZONE_KEY = "topology.kubernetes.io/zone";
/** The node label Kubernetes sets to a node's region; nines also puts it on the objects of one region. */
export const REGION_KEY = "topology.kubernetes.io/region";

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

function metric(service: Service, rpsMetric: string): MetricSpec {
  const a = service.autoscale!;
  if (a.metric === "cpu" || a.metric === "memory") {
    // Targets may be parsed as a percent (60) or a fraction (0.6).
    const percent = a.target <= 1 ? Math.round(a.target * 100) : Math.round(a.target);
    return {
      type: "Resource",
      resource: { name: a.metric, target: { type: "Utilization", averageUtilization: percent } },
    };
  }
  const name = a.metric === "requests-per-second" ? rpsMetric : a.metric;
  return { type: "Pods", pods: { metric: { name }, target: { type: "AverageValue", averageValue: String(a.target) } } };
}

/** A service's zones grouped by region, regions in the platform's order. */
function zonesByRegion(spec: Spec, service: Service): { region: string; zones: string[] }[] {
  return spec.platform.regions
    .map((r) => ({ region: r.name, zones: service.zones.filter((z) => r.zones.includes(z)) }))
    .filter((r) => r.zones.length > 0);
}

/**
 * Kubernetes objects for every service of the spec, one set per region it
 * runs in, as a regional cluster in each region would run them (a
 * Deployment's pods cannot be spread across two regions' zones; one
 * cluster per region is how regions are run). In each region: a
 * Deployment (replicas = instances x the service's zones there, spread
 * across them with maxSkew 1 and held to them by node affinity; readiness
 * from `health.check`, liveness and startup probes from the spec's `run`
 * health paths when it autoheals, the startup probe allowing twice
 * `startup`; a `preStop` hook and a termination grace period from
 * `drain`), a PodDisruptionBudget letting one unit out at a time, a
 * HorizontalPodAutoscaler from `autoscale` (its `max` shared between the
 * regions in proportion to their zones, rounded up), and a ClusterIP
 * Service. With more than one region in the spec, every object carries the
 * region in the `topology.kubernetes.io/region` label. Check the result
 * with `checkManifests` before writing it. Invalid options throw
 * `NINES_OPTION_INVALID`.
 *
 * @example
 * const manifests = buildManifests(loadSpec("nines.yaml"), { image: "ghcr.io/acme/{service}:1.4.2" });
 * manifests[0]?.objects.map((o) => o.kind); // ["Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"]
 */
export function buildManifests(spec: Spec, options: K8sOptions = {}): ServiceManifests[] {
  const o = checkK8sOptions(options);
  const system = kubeName(spec.name);
  const regional = spec.platform.regions.length > 1;
  return spec.services.flatMap((service) => {
    const regions = zonesByRegion(spec, service);
    const totalZones = regions.reduce((n, r) => n + r.zones.length, 0);
    return regions.map(({ region, zones }) => {
      const name = kubeName(service.name);
      const labels: Labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": system };
      const metadata = (kind: string) => ({
        name,
        ...(o.namespace !== "" && { namespace: o.namespace }),
        labels: {
          ...labels,
          "app.kubernetes.io/managed-by": "nines",
          "app.kubernetes.io/component": kind,
          ...(regional && { [REGION_KEY]: region }),
        },
      });
      const replicas = service.instances * zones.length;
      const unit = unitSize(service);
      const container = buildContainer(service, name, system, o);
      const drain = drainTimeline(service.drain);
      if (drain.preStopSeconds > 0) {
        container.lifecycle = { preStop: { exec: { command: ["sleep", String(drain.preStopSeconds)] } } };
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
                    nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_KEY, operator: "In", values: [...zones] }] }],
                  },
                },
              },
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: ZONE_KEY,
                  whenUnsatisfiable: "DoNotSchedule",
                  labelSelector: { matchLabels: labels },
                  minDomains: zones.length,
                },
                {
                  maxSkew: 1,
                  topologyKey: "kubernetes.io/hostname",
                  whenUnsatisfiable: "ScheduleAnyway",
                  labelSelector: { matchLabels: labels },
                },
              ],
              terminationGracePeriodSeconds: drain.terminationGracePeriodSeconds,
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
            maxReplicas: Math.ceil((service.autoscale.max * zones.length) / totalZones),
            metrics: [metric(service, o.rpsMetric)],
          },
        };
        objects.push(hpa);
      }
      return { service: service.name, region: regional ? region : null, objects };
    });
  });
}

/** The container: image, port, requests and the probes from the spec's health paths. */
function buildContainer(service: Service, name: string, system: string, o: ResolvedK8sOptions): Container {
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
  if (service.health.autoheal) {
    // Liveness apart from readiness, so that a failing dependency never restarts every pod.
    const liveness = o.liveness ?? service.run?.health.liveness ?? HEALTH_PATHS.liveness;
    container.livenessProbe = probe(liveness, 10, 3);
    if (service.startupMs !== null && service.startupMs > 0) {
      // Twice the declared startup before liveness takes over: slow starts are not crash loops.
      const startup = service.run?.health.startup ?? HEALTH_PATHS.startup;
      const periods = Math.ceil((2 * service.startupMs) / 1000 / PROBE_PERIOD);
      container.startupProbe = probe(startup, PROBE_PERIOD, Math.max(1, periods));
    }
  }
  return container;
}
