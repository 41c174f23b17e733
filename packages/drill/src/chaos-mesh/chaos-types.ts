/**
 * The slice of Chaos Mesh's API (chaos-mesh.org/v1alpha1) that
 * `nines drill --emit chaos-mesh` writes. The objects are checked against
 * Chaos Mesh's own CRD schemas (see `check-chaos.ts`).
 */

export interface ChaosMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Which pods an experiment acts on. `nodeSelectors` picks pods by their node's labels (the zone). */
export interface PodSelector {
  namespaces?: string[];
  labelSelectors?: Record<string, string>;
  nodeSelectors?: Record<string, string>;
}

export type SelectorMode = "one" | "all" | "fixed" | "fixed-percent" | "random-max-percent";

export interface PodChaosSpec {
  action: "pod-kill" | "pod-failure" | "container-kill";
  mode: SelectorMode;
  value?: string;
  selector: PodSelector;
  duration?: string;
  gracePeriod?: number;
}

export interface NetworkChaosSpec {
  action: "partition" | "delay" | "loss" | "bandwidth";
  mode: SelectorMode;
  value?: string;
  selector: PodSelector;
  direction?: "to" | "from" | "both";
  target?: { mode: SelectorMode; value?: string; selector: PodSelector };
  delay?: { latency: string; jitter?: string; correlation?: string };
  duration?: string;
}

export interface PodChaos {
  apiVersion: "chaos-mesh.org/v1alpha1";
  kind: "PodChaos";
  metadata: ChaosMeta;
  spec: PodChaosSpec;
}

export interface NetworkChaos {
  apiVersion: "chaos-mesh.org/v1alpha1";
  kind: "NetworkChaos";
  metadata: ChaosMeta;
  spec: NetworkChaosSpec;
}

export interface WorkflowTemplate {
  name: string;
  templateType: "Serial" | "Parallel" | "Suspend" | "PodChaos" | "NetworkChaos";
  deadline?: string;
  children?: string[];
  podChaos?: PodChaosSpec;
  networkChaos?: NetworkChaosSpec;
}

export interface Workflow {
  apiVersion: "chaos-mesh.org/v1alpha1";
  kind: "Workflow";
  metadata: ChaosMeta;
  spec: { entry: string; templates: WorkflowTemplate[] };
}

export interface Schedule {
  apiVersion: "chaos-mesh.org/v1alpha1";
  kind: "Schedule";
  metadata: ChaosMeta;
  spec: {
    schedule: string;
    type: "PodChaos" | "NetworkChaos";
    historyLimit?: number;
    concurrencyPolicy?: "Forbid" | "Allow";
    podChaos?: PodChaosSpec;
    networkChaos?: NetworkChaosSpec;
  };
}

export type ChaosObject = PodChaos | NetworkChaos | Workflow | Schedule;
