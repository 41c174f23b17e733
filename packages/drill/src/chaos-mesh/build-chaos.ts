import { requireKnownOptions, requireOption } from "@nines/core";
import { kubeName, type ServiceManifests, type Spec } from "@nines/planner";
import type { ChaosMeta, ChaosObject, PodSelector, Schedule, Workflow, WorkflowTemplate } from "./chaos-types.js";
import { goDuration } from "./go-duration.js";

const ZONE_LABEL = "topology.kubernetes.io/zone";
const REGION_LABEL = "topology.kubernetes.io/region";
const API = "chaos-mesh.org/v1alpha1" as const;

/** Options of {@link buildChaosExperiments}. */
export interface ChaosOptions {
  /** How long each fault lasts; default 60000 ms. */
  durationMs?: number;
  /** Recovery time between two scenarios of the workflow; default 30000 ms. */
  pauseMs?: number;
  /** Latency added to a dependency in the slow-dependency scenario; default 200 ms. */
  latencyMs?: number;
  /** When the recurring instance kill runs (Chaos Mesh's cron syntax); default `@every 1h`. */
  schedule?: string;
}

/** One drill scenario as Chaos Mesh objects (applied together, they run at once). */
export interface ChaosScenario {
  /** `zone-loss-us-central1-a`: also the file name. */
  name: string;
  kind: "instance-loss" | "zone-loss" | "region-loss" | "dependency-fault";
  /** The service, zone or region it hits. */
  target: string;
  objects: ChaosObject[];
}

/** Everything `nines drill --emit chaos-mesh` writes. */
export interface ChaosPlan {
  scenarios: ChaosScenario[];
  /** Every scenario in turn, each followed by a recovery pause. */
  workflow: Workflow;
  /** A recurring instance kill per service (a game day that never ends). */
  schedules: Schedule[];
  /** Scenarios of the spec that have no Kubernetes counterpart, with why. */
  skipped: { scenario: string; reason: string }[];
}

interface Target {
  service: string;
  labels: Record<string, string>;
  namespace: string | undefined;
}

/**
 * The drill's scenarios as Chaos Mesh experiments aimed at the workloads
 * `nines k8s` writes (their pod labels and namespace are read from the
 * manifests): losing an instance (PodChaos pod-kill, one pod), losing a zone
 * or a region (PodChaos pod-kill of every pod on the zone's nodes, by the
 * node label `topology.kubernetes.io/zone` or `/region`, with a NetworkChaos
 * partition of those pods for the fault's duration), and a slow dependency
 * (NetworkChaos delay on a called service), plus a Workflow that runs them
 * in turn with recovery pauses and a Schedule of instance kills. Stores are
 * not in the manifests: their disasters are listed in `skipped`.
 * Check the result with {@link checkChaos} before writing it.
 *
 * @example
 * const manifests = buildManifests(spec, { namespace: "clicktravel" });
 * const plan = buildChaosExperiments(spec, manifests, { durationMs: 120_000 });
 * plan.scenarios.map((s) => s.name); // ["instance-loss-web", ..., "zone-loss-us-central1-a", ...]
 */
export function buildChaosExperiments(
  spec: Spec,
  manifests: readonly ServiceManifests[],
  options: ChaosOptions = {},
): ChaosPlan {
  requireKnownOptions("chaos-mesh", options, ["durationMs", "pauseMs", "latencyMs", "schedule"]);
  const durationMs = options.durationMs ?? 60_000;
  const pauseMs = options.pauseMs ?? 30_000;
  const latencyMs = options.latencyMs ?? 200;
  for (const [name, value] of [
    ["durationMs", durationMs],
    ["pauseMs", pauseMs],
    ["latencyMs", latencyMs],
  ] as const) {
    requireOption(Number.isFinite(value) && value > 0, "chaos-mesh", name, value, "> 0 ms");
  }
  const system = kubeName(spec.name);
  const targets = manifests.map(targetOf);
  const namespace = targets.find((t) => t.namespace)?.namespace;
  const meta = (name: string, scenario: string): ChaosMeta => ({
    name: kubeName(`${system}-${name}`),
    ...(namespace && { namespace }),
    labels: {
      "app.kubernetes.io/part-of": system,
      "app.kubernetes.io/managed-by": "nines",
      "nines.dev/scenario": scenario,
    },
  });
  const scope = (selector: PodSelector): PodSelector => ({
    ...(namespace && { namespaces: [namespace] }),
    ...selector,
  });
  const systemPods = scope({ labelSelectors: { "app.kubernetes.io/part-of": system } });
  const duration = goDuration(durationMs);
  const scenarios: ChaosScenario[] = [];

  for (const target of targets) {
    const name = `instance-loss-${kubeName(target.service)}`;
    scenarios.push({
      name,
      kind: "instance-loss",
      target: target.service,
      objects: [
        {
          apiVersion: API,
          kind: "PodChaos",
          metadata: meta(name, name),
          spec: { action: "pod-kill", mode: "one", selector: scope({ labelSelectors: target.labels }) },
        },
      ],
    });
  }
  const usedZones = new Set(spec.services.flatMap((s) => s.zones));
  const lose = (kind: "zone-loss" | "region-loss", where: string, nodeLabel: string) => {
    const name = `${kind}-${kubeName(where)}`;
    const pods = scope({
      labelSelectors: { "app.kubernetes.io/part-of": system },
      nodeSelectors: { [nodeLabel]: where },
    });
    scenarios.push({
      name,
      kind,
      target: where,
      objects: [
        {
          apiVersion: API,
          kind: "PodChaos",
          metadata: meta(`${name}-kill`, name),
          spec: { action: "pod-kill", mode: "all", selector: pods },
        },
        {
          apiVersion: API,
          kind: "NetworkChaos",
          metadata: meta(`${name}-partition`, name),
          spec: {
            action: "partition",
            mode: "all",
            selector: pods,
            direction: "both",
            target: { mode: "all", selector: systemPods },
            duration,
          },
        },
      ],
    });
  };
  for (const region of spec.platform.regions) {
    for (const zone of region.zones) if (usedZones.has(zone)) lose("zone-loss", zone, ZONE_LABEL);
  }
  const usedRegions = spec.platform.regions.filter((r) => r.zones.some((z) => usedZones.has(z)));
  if (usedRegions.length > 1) for (const region of usedRegions) lose("region-loss", region.name, REGION_LABEL);
  const called = new Set(
    spec.services.flatMap((s) => s.calls.filter((c) => c.targetKind === "service").map((c) => c.target)),
  );
  for (const target of targets.filter((t) => called.has(t.service))) {
    const name = `dependency-slow-${kubeName(target.service)}`;
    scenarios.push({
      name,
      kind: "dependency-fault",
      target: target.service,
      objects: [
        {
          apiVersion: API,
          kind: "NetworkChaos",
          metadata: meta(name, name),
          spec: {
            action: "delay",
            mode: "all",
            selector: scope({ labelSelectors: target.labels }),
            delay: {
              latency: goDuration(latencyMs),
              jitter: goDuration(Math.max(1, Math.round(latencyMs / 10))),
              correlation: "0",
            },
            duration,
          },
        },
      ],
    });
  }
  const skipped = spec.disasters
    .filter((d) => d.subjectKind === "store")
    .map((d) => ({
      scenario: `${d.scenario} (${d.subject})`,
      reason: "stores are not among the workloads nines k8s writes; drill them with nines drill on the local system",
    }));
  return {
    scenarios,
    workflow: workflowOf(scenarios, meta("drill", "workflow"), durationMs, pauseMs),
    schedules: targets.map((target) => ({
      apiVersion: API,
      kind: "Schedule",
      metadata: meta(`instance-loss-${kubeName(target.service)}-schedule`, "schedule"),
      spec: {
        schedule: options.schedule ?? "@every 1h",
        type: "PodChaos",
        historyLimit: 5,
        concurrencyPolicy: "Forbid",
        podChaos: { action: "pod-kill", mode: "one", selector: scope({ labelSelectors: target.labels }) },
      },
    })),
    skipped,
  };
}

function workflowOf(scenarios: ChaosScenario[], metadata: ChaosMeta, durationMs: number, pauseMs: number): Workflow {
  const templates: WorkflowTemplate[] = [];
  const steps: string[] = [];
  for (const scenario of scenarios) {
    const children = scenario.objects.map((object, i) => {
      const name = kubeName(`${scenario.name}-${i}`);
      const deadline = goDuration(durationMs);
      if (object.kind === "PodChaos")
        templates.push({ name, templateType: "PodChaos", deadline, podChaos: object.spec });
      else if (object.kind === "NetworkChaos") {
        const { duration: _ignored, ...networkChaos } = object.spec;
        templates.push({ name, templateType: "NetworkChaos", deadline, networkChaos });
      }
      return name;
    });
    const step = kubeName(scenario.name);
    templates.push({ name: step, templateType: "Parallel", children });
    const pause = kubeName(`${scenario.name}-recover`);
    templates.push({ name: pause, templateType: "Suspend", deadline: goDuration(pauseMs) });
    steps.push(step, pause);
  }
  templates.unshift({ name: "drill", templateType: "Serial", children: steps });
  return { apiVersion: API, kind: "Workflow", metadata, spec: { entry: "drill", templates } };
}

function targetOf(m: ServiceManifests): Target {
  const deployment = m.objects.find((o) => o.kind === "Deployment");
  const labels =
    deployment?.kind === "Deployment"
      ? deployment.spec.selector.matchLabels
      : { "app.kubernetes.io/name": kubeName(m.service) };
  return { service: m.service, labels, namespace: deployment?.metadata.namespace };
}
