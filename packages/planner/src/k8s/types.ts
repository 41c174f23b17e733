/**
 * The slice of the Kubernetes API that `nines k8s` writes, typed for the
 * generator and the semantic checks. Tests validate the same objects
 * against the full schemas (`kubernetes-models`).
 */

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
}

export interface HttpProbe {
  httpGet: { path: string; port: string | number };
  initialDelaySeconds?: number;
  periodSeconds: number;
  timeoutSeconds?: number;
  failureThreshold: number;
  successThreshold?: number;
}

export interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number; protocol?: "TCP" }[];
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
  /** `preStop` runs before SIGTERM, while Kubernetes takes the pod out of its Service's endpoints. */
  lifecycle?: { preStop: { exec: { command: string[] } } };
  resources: { requests: { cpu: string; memory: string } };
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector: { matchLabels: Labels };
  minDomains?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists";
  values?: string[];
}

export interface Deployment {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: { matchLabels: Labels };
    strategy: { type: "RollingUpdate"; rollingUpdate: { maxUnavailable: number; maxSurge: number } };
    template: {
      metadata: { labels: Labels };
      spec: {
        affinity?: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: { matchExpressions: NodeSelectorRequirement[] }[];
            };
          };
        };
        topologySpreadConstraints: TopologySpreadConstraint[];
        terminationGracePeriodSeconds: number;
        containers: Container[];
      };
    };
  };
}

export interface PodDisruptionBudget {
  apiVersion: "policy/v1";
  kind: "PodDisruptionBudget";
  metadata: ObjectMeta;
  spec: { maxUnavailable?: number | string; minAvailable?: number | string; selector: { matchLabels: Labels } };
}

export type MetricSpec =
  | {
      type: "Resource";
      resource: { name: string; target: { type: "Utilization"; averageUtilization: number } };
    }
  | {
      type: "Pods";
      pods: { metric: { name: string }; target: { type: "AverageValue"; averageValue: string } };
    };

export interface HorizontalPodAutoscaler {
  apiVersion: "autoscaling/v2";
  kind: "HorizontalPodAutoscaler";
  metadata: ObjectMeta;
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1"; kind: "Deployment"; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: MetricSpec[];
  };
}

export interface KubeService {
  apiVersion: "v1";
  kind: "Service";
  metadata: ObjectMeta;
  spec: {
    type: "ClusterIP";
    selector: Labels;
    ports: { name: string; port: number; targetPort: string | number; protocol: "TCP" }[];
  };
}

export type Manifest = Deployment | PodDisruptionBudget | HorizontalPodAutoscaler | KubeService;

/** The objects written for one service of the spec in one region, in apply order. */
export interface ServiceManifests {
  service: string;
  /** The region these objects are for (its cluster), or null when the spec declares one region. */
  region: string | null;
  objects: Manifest[];
}
