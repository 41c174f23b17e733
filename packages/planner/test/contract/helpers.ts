// Helpers for the contract tests: run the planner on a spec written inline,
// or the real `nines` CLI in-process with captured output. Expected numbers
// in the tests are computed by hand from spec.md, never by the planner.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { main } from "../../../cli/src/main.js";
import {
  type AnalyzeOptions,
  analyze,
  type Finding,
  type PlanResult,
  parseSpec,
  type SpecError,
} from "../../src/index.js";

export const ROOT = fileURLToPath(new URL("../../../..", import.meta.url)).replace(/\/$/, "");
export const SPECS = "packages/planner/test/contract/specs";

/** The platform defaults of spec.md. */
export const R = 0.9999;
export const Z = 0.999;
export const I = 0.995;

/** A service with every rule satisfied except what the test overrides (flow YAML fields). */
export const OK_SERVICE =
  "health: { check: /ready, dependencies: true, autoheal: true }, autoscale: { metric: cpu, target: 60%, max: 10 }";

/** Parses and analyses; throws with the errors if the spec is invalid. */
export function plan(text: string, options: AnalyzeOptions = {}): PlanResult {
  const parsed = parseSpec(text, "t.yaml");
  if (!parsed.ok)
    throw new Error(`spec invalid:\n${parsed.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("\n")}`);
  return analyze(parsed.spec, { asOf: "2026-11-29", ...options });
}

/** The errors of an invalid spec (fails when it is valid). */
export function errorsOf(text: string): SpecError[] {
  const parsed = parseSpec(text, "t.yaml");
  if (parsed.ok) throw new Error("expected the spec to be invalid");
  return parsed.errors;
}

export function findings(result: PlanResult, rule: string): Finding[] {
  return result.findings.filter((f) => f.rule === rule);
}

export function journey(result: PlanResult, name: string) {
  const j = result.journeys.find((x) => x.name === name);
  if (!j) throw new Error(`no journey ${name}`);
  return j;
}

export function component(result: PlanResult, name: string) {
  const c = result.components.find((x) => x.name === name);
  if (!c) throw new Error(`no component ${name}`);
  return c;
}

/** C(n, r). */
export function choose(n: number, r: number): number {
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
  return c;
}

/** P(Binomial(n, p) >= k), summed term by term. */
export function atLeastK(n: number, k: number, p: number): number {
  let s = 0;
  for (let i = k; i <= n; i++) s += choose(n, i) * p ** i * (1 - p) ** (n - i);
  return s;
}

export function close(actual: number, expected: number, tolerance = 1e-12): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`expected ${expected}, got ${actual} (difference ${actual - expected})`);
  }
}

/** Runs `nines ...argv` in-process (cwd = repo root) and captures its output. */
export async function nines(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += String(c);
  });
  stderr.on("data", (c) => {
    err += String(c);
  });
  const status = await main(argv, { stdout, stderr, env: { NO_COLOR: "1" }, cwd: ROOT });
  return { status, out, err };
}

/** Writes `text` to a temporary spec file, runs `fn` with its path, then removes it. */
export async function withSpecFile<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "nines-contract-"));
  try {
    const path = join(dir, "nines.yaml");
    writeFileSync(path, text);
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
