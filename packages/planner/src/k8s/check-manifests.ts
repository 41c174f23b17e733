import { plural } from "../analysis/rules/format.js";
import { REGION_KEY, ZONE_KEY } from "./manifests.js";
import type { Container, Deployment, HttpProbe, Labels, Manifest } from "./types.js";

/** A problem that schema validation does not catch. */
export interface ManifestProblem {
  severity: "error" | "warning";
  /** `Kind/name`. */
  object: string;
  message: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function ref(m: Manifest): string {
  return `${m.kind}/${m.metadata.name}`;
}

/** True when every key/value of `selector` is among `labels` (an empty selector selects nothing here). */
function selects(selector: Labels, labels: Labels): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function podLabels(d: Deployment): Labels {
  return d.spec.template.metadata.labels;
}

/**
 * The Deployments whose pods a selector selects. Indexed by label, so that
 * checking every Service and budget of thousands of services stays linear.
 */
function podSelector(deployments: readonly Deployment[]): (selector: Labels) => Deployment[] {
  const byLabel = new Map<string, Deployment[]>();
  for (const d of deployments) {
    for (const [k, v] of Object.entries(podLabels(d))) {
      const key = `${k}=${v}`;
      const list = byLabel.get(key);
      if (list) list.push(d);
      else byLabel.set(key, [d]);
    }
  }
  return (selector) => {
    let fewest: Deployment[] | undefined;
    for (const [k, v] of Object.entries(selector)) {
      const list = byLabel.get(`${k}=${v}`) ?? [];
      if (fewest === undefined || list.length < fewest.length) fewest = list;
    }
    return (fewest ?? []).filter((d) => selects(selector, podLabels(d)));
  };
}

/** Pods a disruption budget lets go at once, or null when it cannot tell. */
function allowedDisruptions(
  spec: { maxUnavailable?: number | string; minAvailable?: number | string },
  replicas: number,
): number | null {
  const resolve = (v: number | string): number | null => {
    if (typeof v === "number") return v;
    const m = /^(\d+)%$/.exec(v);
    return m ? (Number(m[1]) / 100) * replicas : null;
  };
  if (spec.maxUnavailable !== undefined) {
    const n = resolve(spec.maxUnavailable);
    // Kubernetes rounds a maxUnavailable percentage up.
    return n === null ? null : Math.ceil(n);
  }
  if (spec.minAvailable !== undefined) {
    const n = resolve(spec.minAvailable);
    return n === null ? null : replicas - Math.ceil(n);
  }
  return null;
}

function checkProbes(container: Container, object: string, out: ManifestProblem[]): void {
  const probes: [string, HttpProbe | undefined][] = [
    ["readinessProbe", container.readinessProbe],
    ["livenessProbe", container.livenessProbe],
    ["startupProbe", container.startupProbe],
  ];
  for (const [kind, probe] of probes) {
    if (!probe) continue;
    const port = probe.httpGet.port;
    const ok =
      typeof port === "number"
        ? container.ports.some((p) => p.containerPort === port)
        : container.ports.some((p) => p.name === port);
    if (!ok) {
      out.push({
        severity: "error",
        object,
        message: `${container.name}: ${kind} port ${String(port)} is not a port of the container (${container.ports.map((p) => `${p.name}:${p.containerPort}`).join(", ") || "none"})`,
      });
    }
  }
  if (!container.readinessProbe) {
    out.push({
      severity: "warning",
      object,
      message: `${container.name}: no readiness probe, so the Service sends traffic to pods that cannot serve yet (set health.check)`,
    });
  }
  const readiness = container.readinessProbe?.httpGet.path;
  const liveness = container.livenessProbe?.httpGet.path;
  if (readiness !== undefined && readiness === liveness) {
    out.push({
      severity: "warning",
      object,
      message: `${container.name}: liveness and readiness share ${readiness}; a failing dependency would restart every pod`,
    });
  }
}

function checkSpread(d: Deployment, object: string, out: ManifestProblem[]): void {
  const pod = d.spec.template.spec;
  const terms = pod.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms ?? [];
  const zoneValues = terms.flatMap((t) =>
    t.matchExpressions.filter((e) => e.key === ZONE_KEY && e.operator === "In").flatMap((e) => e.values ?? []),
  );
  const zones = new Set(zoneValues);
  for (const c of pod.topologySpreadConstraints) {
    if (!selects(c.labelSelector.matchLabels, podLabels(d))) {
      out.push({
        severity: "error",
        object,
        message: `topology spread on ${c.topologyKey} selects other pods than this Deployment's`,
      });
    }
    if (c.maxSkew < 1)
      out.push({ severity: "error", object, message: `topology spread maxSkew must be >= 1, got ${c.maxSkew}` });
    if (c.topologyKey !== ZONE_KEY || c.whenUnsatisfiable !== "DoNotSchedule") continue;
    if (terms.length > 0 && zones.size === 0) {
      out.push({ severity: "error", object, message: "spread across zones but node affinity allows no zone" });
      continue;
    }
    const minDomains = c.minDomains ?? 1;
    // With fewer eligible zones than minDomains the global minimum counts as 0:
    // each zone then takes at most maxSkew pods and the rest stay Pending.
    if (zones.size > 0 && minDomains > zones.size && d.spec.replicas > zones.size * c.maxSkew) {
      out.push({
        severity: "error",
        object,
        message: `spread needs ${minDomains} zones but node affinity allows ${zones.size} (${[...zones].join(", ")}): only ${zones.size * c.maxSkew} of ${d.spec.replicas} replicas can be scheduled`,
      });
    }
    if (zones.size > 1 && d.spec.replicas < zones.size) {
      out.push({
        severity: "warning",
        object,
        message: `${d.spec.replicas} ${d.spec.replicas === 1 ? "replica" : "replicas"} cannot cover the ${zones.size} zones allowed`,
      });
    }
  }
}

/**
 * Semantic checks that schema validation misses, across the objects
 * generated for a spec: selectors that match their pods, Services with
 * endpoints, disruption budgets that never block every drain, zone spread
 * satisfiable with the zones allowed, autoscalers whose bounds make sense
 * (min <= max, min >= the Deployment's replicas), and probes on a port of
 * the container. Objects labelled with different regions
 * (`topology.kubernetes.io/region`) are for different clusters and are
 * checked apart. Returns every problem, errors first.
 *
 * @example
 * const problems = checkManifests(buildManifests(spec).flatMap((m) => m.objects));
 * problems.filter((p) => p.severity === "error"); // []
 */
export function checkManifests(objects: readonly Manifest[]): ManifestProblem[] {
  const clusters = new Map<string, Manifest[]>();
  for (const m of objects) {
    const region = m.metadata.labels?.[REGION_KEY] ?? "";
    const cluster = clusters.get(region);
    if (cluster) cluster.push(m);
    else clusters.set(region, [m]);
  }
  const out = [...clusters.values()].flatMap(checkCluster);
  return out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
}

/** The checks over the objects of one cluster. */
function checkCluster(objects: readonly Manifest[]): ManifestProblem[] {
  const out: ManifestProblem[] = [];
  const deployments = objects.filter((o): o is Deployment => o.kind === "Deployment");
  const selected = podSelector(deployments);
  const byName = new Map(deployments.map((d) => [d.metadata.name, d]));
  const seen = new Set<string>();
  for (const m of objects) {
    const key = `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`;
    if (seen.has(key))
      out.push({ severity: "error", object: ref(m), message: "two objects of this kind share the name" });
    seen.add(key);
    if (!DNS_LABEL.test(m.metadata.name) || m.metadata.name.length > 63) {
      out.push({
        severity: "error",
        object: ref(m),
        message: `name '${m.metadata.name}' is not a valid RFC 1123 label`,
      });
    }
  }
  for (const d of deployments) {
    const object = ref(d);
    if (!selects(d.spec.selector.matchLabels, podLabels(d))) {
      out.push({ severity: "error", object, message: "selector does not match the pod template's labels" });
    }
    for (const container of d.spec.template.spec.containers) checkProbes(container, object, out);
    checkSpread(d, object, out);
  }
  for (const m of objects) {
    const object = ref(m);
    if (m.kind === "Service") {
      const targets = selected(m.spec.selector);
      if (targets.length === 0) {
        out.push({
          severity: "error",
          object,
          message: "selector matches no Deployment's pods: the Service would have no endpoints",
        });
      }
      for (const port of m.spec.ports) {
        if (typeof port.targetPort !== "string") continue;
        const target = targets[0];
        if (
          target &&
          !target.spec.template.spec.containers.some((c) => c.ports.some((p) => p.name === port.targetPort))
        ) {
          out.push({
            severity: "error",
            object,
            message: `targetPort ${port.targetPort} is not a named port of the pods`,
          });
        }
      }
    } else if (m.kind === "PodDisruptionBudget") {
      const targets = selected(m.spec.selector.matchLabels);
      if (targets.length === 0) {
        out.push({ severity: "error", object, message: "selector matches no Deployment's pods" });
        continue;
      }
      const replicas = targets.reduce((sum, d) => sum + d.spec.replicas, 0);
      const allowed = allowedDisruptions(m.spec, replicas);
      if (allowed === null) {
        out.push({
          severity: "error",
          object,
          message: "needs maxUnavailable or minAvailable as a number or a percentage",
        });
      } else if (allowed < 1) {
        out.push({
          severity: "error",
          object,
          message: `allows ${Math.max(0, allowed)} of ${plural(replicas, "pod")} out: every node drain would block; allow at least one`,
        });
      } else if (allowed >= replicas && replicas > 1) {
        out.push({
          severity: "warning",
          object,
          message: `allows all ${replicas} pods out at once: it protects nothing`,
        });
      }
    } else if (m.kind === "HorizontalPodAutoscaler") {
      const target = byName.get(m.spec.scaleTargetRef.name);
      if (!target) {
        out.push({
          severity: "error",
          object,
          message: `scales Deployment/${m.spec.scaleTargetRef.name}, which is not among the objects`,
        });
        continue;
      }
      if (m.spec.minReplicas > m.spec.maxReplicas) {
        out.push({
          severity: "error",
          object,
          message: `minReplicas ${m.spec.minReplicas} is above maxReplicas ${m.spec.maxReplicas}; raise autoscale.max to at least ${m.spec.minReplicas}`,
        });
      }
      if (m.spec.minReplicas < target.spec.replicas) {
        out.push({
          severity: "error",
          object,
          message: `minReplicas ${m.spec.minReplicas} is below the Deployment's ${target.spec.replicas} replicas: it would scale below the N+2 sizing`,
        });
      }
      const usesCpu = m.spec.metrics.some((x) => x.type === "Resource");
      if (usesCpu && !target.spec.template.spec.containers.every((c) => c.resources.requests.cpu)) {
        out.push({
          severity: "error",
          object,
          message: "a utilization target needs resource requests on every container",
        });
      }
    }
  }
  return out;
}
