import { requireKnownOptions, requireOption } from "@nines/core";

export interface K8sOptions {
  /** Namespace for every object (a DNS label); none by default (kubectl's current one). */
  namespace?: string;
  /** Container image; `{service}` and `{system}` are replaced. Default `{system}/{service}:latest`. */
  image?: string;
  /** The container's HTTP port. Default 8080. */
  port?: number;
  /** CPU request per pod (a Kubernetes quantity). Default `500m`. */
  cpu?: string;
  /** Memory request per pod (a Kubernetes quantity). Default `512Mi`. */
  memory?: string;
  /** Liveness path for every service, instead of the spec's (`run.health.liveness`, default `/livez`). */
  liveness?: string;
  /** Pods metric the HPA reads for a `requests-per-second` target. Default `http_requests_per_second`. */
  rpsMetric?: string;
}

/** The options with their defaults; `liveness` stays undefined unless given (the spec's paths apply). */
export type ResolvedK8sOptions = Required<Omit<K8sOptions, "liveness">> & { liveness: string | undefined };

const KNOWN = ["namespace", "image", "port", "cpu", "memory", "liveness", "rpsMetric"];
/** An RFC 1123 label: what Kubernetes accepts as a namespace. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Kubernetes resource quantity (`500m`, `0.5`, `512Mi`, `1G`, `1e3`). */
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
/** An image reference, with the `{service}` and `{system}` placeholders: no spaces or control characters. */
const IMAGE = /^[A-Za-z0-9{][A-Za-z0-9._\-/:@{}]*$/;
/** An HTTP path without spaces or control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const PATH = /^\/[^\s\u0000-\u001f\u007f]*$/;
/** A Prometheus metric name. */
const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Checks `buildManifests`' options and fills in the defaults; an invalid
 * one throws `NINES_OPTION_INVALID` naming it and what it must be.
 *
 * @example
 * checkK8sOptions({ namespace: "travel" }).port; // 8080
 */
export function checkK8sOptions(options: K8sOptions): ResolvedK8sOptions {
  requireKnownOptions("k8s", options, KNOWN);
  const o: ResolvedK8sOptions = {
    namespace: options.namespace ?? "",
    image: options.image ?? "{system}/{service}:latest",
    port: options.port ?? 8080,
    cpu: options.cpu ?? "500m",
    memory: options.memory ?? "512Mi",
    liveness: options.liveness,
    rpsMetric: options.rpsMetric ?? "http_requests_per_second",
  };
  requireOption(o.namespace === "" || DNS_LABEL.test(o.namespace), "k8s", "namespace", o.namespace, "a DNS label");
  requireOption(IMAGE.test(o.image), "k8s", "image", o.image, "an image reference without spaces");
  requireOption(Number.isInteger(o.port) && o.port >= 1 && o.port <= 65_535, "k8s", "port", o.port, "in [1, 65535]");
  requireOption(QUANTITY.test(o.cpu), "k8s", "cpu", o.cpu, "a Kubernetes quantity such as 500m");
  requireOption(QUANTITY.test(o.memory), "k8s", "memory", o.memory, "a Kubernetes quantity such as 512Mi");
  requireOption(
    o.liveness === undefined || PATH.test(o.liveness),
    "k8s",
    "liveness",
    o.liveness,
    "a path such as /livez",
  );
  requireOption(METRIC.test(o.rpsMetric), "k8s", "rpsMetric", o.rpsMetric, "a Prometheus metric name");
  return o;
}
