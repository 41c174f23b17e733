import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import type { ChaosObject, NetworkChaosSpec, PodChaosSpec } from "./chaos-types.js";
import { isGoDuration } from "./go-duration.js";

/** One thing wrong with an object. */
export interface ChaosProblem {
  /** `Kind/name`. */
  object: string;
  /** Where in the object (`/spec/mode`), as a JSON pointer. */
  path: string;
  message: string;
}

const KINDS = ["PodChaos", "NetworkChaos", "Schedule", "Workflow"] as const;
let validators: Map<string, ValidateFunction> | undefined;

/** The validators of Chaos Mesh's CRD schemas, compiled once. */
function schemaValidators(): Map<string, ValidateFunction> {
  if (validators) return validators;
  // Kubernetes' schema dialect uses formats such as int64 that JSON Schema does not define.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  validators = new Map();
  for (const kind of KINDS) {
    const file = new URL(`../../schema/chaos-mesh/${kind}.json`, import.meta.url);
    const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    delete schema["$comment"];
    validators.set(kind, ajv.compile(schema));
  }
  return validators;
}

/**
 * Checks Chaos Mesh objects offline: each against its kind's CRD schema
 * (from Chaos Mesh itself, unknown fields rejected), then the rules Chaos
 * Mesh's admission webhook applies that a schema cannot say: durations in
 * Go syntax, a `value` for the counted modes, a target for a partition,
 * a latency for a delay, a Schedule's `type` matching its embedded spec, a
 * Workflow's entry and children naming templates it has. Empty when valid.
 *
 * @example
 * const problems = checkChaos(objects);
 * if (problems.length > 0) throw new DrillError(DRILL_ERRORS.chaosInvalid, problems[0].message);
 */
export function checkChaos(objects: readonly ChaosObject[]): ChaosProblem[] {
  const problems: ChaosProblem[] = [];
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name ?? "?"}`;
    const validate = schemaValidators().get(object.kind);
    if (!validate) {
      problems.push({ object: name, path: "/kind", message: `kind ${object.kind} is not one nines writes` });
      continue;
    }
    if (!validate(object)) {
      for (const error of validate.errors ?? []) {
        const extra = (error.params as { additionalProperty?: string }).additionalProperty;
        problems.push({
          object: name,
          path: error.instancePath || "/",
          message: `${error.message ?? "invalid"}${extra ? `: ${extra}` : ""}`,
        });
      }
    }
    const add = (path: string, message: string) => problems.push({ object: name, path, message });
    if (object.apiVersion !== "chaos-mesh.org/v1alpha1") add("/apiVersion", "must be chaos-mesh.org/v1alpha1");
    if (object.kind === "PodChaos") checkPod(object.spec, "/spec", add);
    if (object.kind === "NetworkChaos") checkNetwork(object.spec, "/spec", add);
    if (object.kind === "Schedule") {
      const field = object.spec.type === "PodChaos" ? "podChaos" : "networkChaos";
      if (!object.spec[field]) add(`/spec/${field}`, `type ${object.spec.type} needs spec.${field}`);
      if (object.spec.podChaos) checkPod(object.spec.podChaos, "/spec/podChaos", add);
      if (object.spec.networkChaos) checkNetwork(object.spec.networkChaos, "/spec/networkChaos", add);
    }
    if (object.kind === "Workflow") {
      const names = new Set(object.spec.templates.map((t) => t.name));
      if (!names.has(object.spec.entry)) add("/spec/entry", `entry ${object.spec.entry} is not a template`);
      object.spec.templates.forEach((t, i) => {
        const at = `/spec/templates/${i}`;
        for (const child of t.children ?? [])
          if (!names.has(child)) add(`${at}/children`, `no template named ${child}`);
        if (t.deadline !== undefined && !isGoDuration(t.deadline))
          add(`${at}/deadline`, `not a Go duration: ${t.deadline}`);
        if (t.templateType === "Suspend" && t.deadline === undefined)
          add(`${at}/deadline`, "a Suspend needs a deadline");
        if (t.templateType === "PodChaos") {
          if (t.podChaos) checkPod(t.podChaos, `${at}/podChaos`, add);
          else add(`${at}/podChaos`, "templateType PodChaos needs podChaos");
        }
        if (t.templateType === "NetworkChaos") {
          if (t.networkChaos) checkNetwork(t.networkChaos, `${at}/networkChaos`, add);
          else add(`${at}/networkChaos`, "templateType NetworkChaos needs networkChaos");
        }
      });
    }
  }
  return problems;
}

type Add = (path: string, message: string) => void;

function checkMode(spec: { mode: string; value?: string }, at: string, add: Add): void {
  if (spec.mode !== "one" && spec.mode !== "all" && spec.value === undefined)
    add(`${at}/value`, `mode ${spec.mode} needs a value`);
}

function checkPod(spec: PodChaosSpec, at: string, add: Add): void {
  checkMode(spec, at, add);
  if (spec.duration !== undefined && !isGoDuration(spec.duration))
    add(`${at}/duration`, `not a Go duration: ${spec.duration}`);
}

function checkNetwork(spec: NetworkChaosSpec, at: string, add: Add): void {
  checkMode(spec, at, add);
  if (spec.duration !== undefined && !isGoDuration(spec.duration))
    add(`${at}/duration`, `not a Go duration: ${spec.duration}`);
  if (spec.action === "partition" && !spec.target) add(`${at}/target`, "a partition needs a target");
  if ((spec.direction === "from" || spec.direction === "both") && !spec.target)
    add(`${at}/target`, `direction ${spec.direction} needs a target`);
  if (spec.action === "delay") {
    if (!spec.delay?.latency) add(`${at}/delay/latency`, "a delay needs delay.latency");
    else if (!isGoDuration(spec.delay.latency)) add(`${at}/delay/latency`, `not a Go duration: ${spec.delay.latency}`);
  }
  if (spec.target) checkMode(spec.target, `${at}/target`, add);
}
