import type { Finding, RuleId, Severity } from "../../result.js";

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * A finding with its rule-specific fields (`ratio`, `factor`, `path`,
 * `scenario`, `domains`...).
 *
 * @example
 * finding("no-autoscale", "info", "web", "web does not autoscale: add autoscale: { ... }");
 */
export function finding(
  rule: RuleId,
  severity: Severity,
  subject: string,
  message: string,
  extra: Record<string, unknown> = {},
): Finding {
  return { rule, severity, subject, message, ...extra };
}

/**
 * Deterministic order: severity (errors first), then rule id, then subject
 * (code-unit order, locale-free), then message.
 *
 * @example
 * sortFindings(findings).map((f) => f.severity); // ["error", "error", "warning", "info"]
 */
export function sortFindings(findings: Finding[]): Finding[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.rule, b.rule) ||
      cmp(a.subject, b.subject) ||
      cmp(a.message, b.message),
  );
}
