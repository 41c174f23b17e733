import { type core, z } from "zod";
import { closestName, listNames, suggest } from "./closest-name.js";
import type { Problem } from "./problem.js";
import { valueParser } from "./schema.js";
import { formatPath, type PathSegment } from "./source-map.js";

type Issue = core.$ZodIssue;
/** A problem with what it says about keys, to drop a "missing" that an "unknown key" already explains. */
type Found = Problem & { corrects?: string; missing?: string };
type Def = { type: string; [key: string]: unknown };

function def(schema: unknown): Def {
  return (schema as { _zod: { def: Def } })._zod.def;
}

/** The schemas a value at `path` may be checked by (several through unions), each unwrapped. */
function schemasAt(root: z.ZodType, path: readonly PathSegment[]): z.ZodType[] {
  let current = expand(root);
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const schema of current) {
      const d = def(schema);
      if (d.type === "object") {
        const child = (d["shape"] as Record<string, z.ZodType>)[String(segment)];
        if (child) next.push(child);
      } else if (d.type === "record") next.push(d["valueType"] as z.ZodType);
      else if (d.type === "array" && typeof segment === "number") next.push(d["element"] as z.ZodType);
    }
    current = next.flatMap(expand);
  }
  return current;
}

/** The schema itself and, through wrappers and unions, the schemas that check its value. */
function expand(schema: z.ZodType): z.ZodType[] {
  const out: z.ZodType[] = [schema];
  const d = def(schema);
  if (["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(d.type)) {
    out.push(...expand(d["innerType"] as z.ZodType));
  } else if (d.type === "pipe") {
    out.push(...expand(d["in"] as z.ZodType));
  } else if (d.type === "union") {
    for (const option of d["options"] as z.ZodType[]) out.push(...expand(option));
  }
  return out;
}

function description(schemas: z.ZodType[]): string | undefined {
  for (const schema of schemas) {
    const text = z.globalRegistry.get(schema)?.description;
    if (text) return text;
  }
  return undefined;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segment as string];
  }
  return node;
}

/** How a value of the wrong type reads in a message. */
export function describeValue(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const text = JSON.stringify(value);
    return `the text ${text.length > 40 ? `${text.slice(0, 30)}... (${text.length} characters)` : text}`;
  }
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "text",
  boolean: "true or false",
  object: "a mapping (key: value)",
  record: "a mapping (name: value)",
  array: "a list",
  null: "empty",
};

const EXAMPLES: Record<string, string> = {
  number: "a number, such as 2",
  int: "a whole number, such as 2",
  string: "text",
  boolean: "true or false",
  object: "a mapping: key: value lines indented below, or { key: value }",
  record: "a mapping: name: value lines indented below, or { name: value }",
  array: "a list: [a, b], or - item lines",
};

/** Keys people put in one place that the spec keeps in another, by `parent.key.name`. */
const ELSEWHERE: Record<string, string> = {
  "run.health.readiness": "the readiness path is the service's health.check: write health: { check: /readyz, ... }",
};

/**
 * Turns zod's issues into problems that say what would be valid: unknown keys
 * with the closest valid key, enum values with the closest option, values of
 * the wrong type with what the field takes.
 */
export function issuesToProblems(issues: readonly Issue[], root: z.ZodType, data: unknown): Problem[] {
  const problems = issues.flatMap((issue) => issueToProblems(issue, [], root, data));
  // A misspelt required key is reported once, as the unknown key with its correction.
  const corrected = new Set(problems.flatMap((p) => (p.corrects ? [p.corrects] : [])));
  return problems
    .filter((p) => !(p.missing && corrected.has(p.missing)))
    .map(({ path, part, message, hint }) => ({ path, part, message, hint }));
}

function issueToProblems(issue: Issue, base: PathSegment[], root: z.ZodType, data: unknown): Found[] {
  const path = [...base, ...(issue.path as PathSegment[])];
  const where = formatPath(path);
  const schemas = schemasAt(root, path);
  const about = description(schemas);
  const value = valueAt(data, path);
  // A key that is not there: say so, whatever the value would have had to be (a choice, a duration...).
  const absent = value === undefined && path.length > 0;
  if (absent && (issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union")) {
    return [missingKey(path, about ?? choices(schemas))];
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const valid = schemas.flatMap((s) => {
        const d = def(s);
        return d.type === "object" ? Object.keys(d["shape"] as object) : [];
      });
      return issue.keys.map((key) => {
        const elsewhere = ELSEWHERE[`${path.at(-2)}.${path.at(-1)}.${key}`];
        const near = elsewhere === undefined ? closestName(key, valid) : undefined;
        return {
          path: [...path, key],
          part: "key" as const,
          message: `unknown key "${key}" in ${where}`,
          hint: elsewhere ?? suggest(key, [...new Set(valid)], "valid keys"),
          ...(near ? { corrects: formatPath([...path, near]) } : {}),
        };
      });
    }
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [
        {
          path,
          part: "value",
          message: `${where} must be ${expected}, got ${describeValue(value)}`,
          hint: `write ${EXAMPLES[issue.expected] ?? expected}${about ? ` (${about})` : ""}`,
        },
      ];
    }
    case "invalid_value": {
      const options = issue.values.map(String);
      return [
        {
          path,
          part: "value",
          message: `${where} must be one of ${listNames(options)}, got ${describeValue(value)}`,
          hint: suggest(String(value), options, "valid values"),
        },
      ];
    }
    case "too_small":
    case "too_big":
      return [
        {
          path,
          part: "value",
          message: `${where}: ${bound(issue, value)}`,
          hint: `${bound(issue, undefined).replace(/^must /, "it must ")}${about ? ` (${about})` : ""}`,
        },
      ];
    case "custom": {
      const hint = (issue.params as { hint?: string } | undefined)?.hint;
      return [{ path, part: "value", message: `${where}: ${issue.message}`, hint: hint ?? about ?? "" }];
    }
    case "invalid_union":
      return unionProblems(issue, path, schemas, root, data, value, about);
    default:
      return [{ path, part: "value", message: `${where}: ${issue.message}`, hint: about ?? "" }];
  }
}

/** "one of a, b, c" when the value is a choice, to say what to write for a missing key. */
function choices(schemas: z.ZodType[]): string | undefined {
  for (const schema of schemas) {
    const d = def(schema);
    if (d.type === "enum") return `one of ${listNames(Object.values(d["entries"] as object).map(String))}`;
  }
  return undefined;
}

/** A required key that is absent, reported at the mapping that lacks it. */
function missingKey(path: readonly PathSegment[], about: string | undefined): Found {
  const parent = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  return {
    path: parent,
    part: "key",
    message: `${formatPath(parent)} is missing the required key "${key}"`,
    hint: `add ${key}:${about ? ` ${about}` : ""}`,
    missing: formatPath(path),
  };
}

function bound(issue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === "too_small";
  const limit = small ? issue.minimum : issue.maximum;
  if (issue.origin === "array") {
    return small ? `must list at least ${limit} item(s)` : `must list at most ${limit} item(s)`;
  }
  if (issue.origin === "string") return small ? "must not be empty" : `must be at most ${limit} characters`;
  const op = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
  return `must be ${op} ${String(limit)}${value === undefined ? "" : `, got ${String(value)}`}`;
}

function unionProblems(
  issue: core.$ZodIssueInvalidUnion,
  path: PathSegment[],
  schemas: z.ZodType[],
  root: z.ZodType,
  data: unknown,
  value: unknown,
  about: string | undefined,
): Found[] {
  const where = formatPath(path);
  // A value schema (duration, percentage, money, date) explains itself best.
  for (const schema of schemas) {
    const parse = valueParser(schema);
    if (!parse) continue;
    const result = parse(value);
    if (!result.ok) return [{ path, part: "value", message: `${where}: ${result.message}`, hint: result.hint }];
  }
  // A branch that got past the type check (say, the mapping form) holds the real problem.
  const branches = flatten(issue);
  const relevant = branches.find((b) => b.some((i) => !(i.code === "invalid_type" && i.path.length === 0)));
  if (relevant) return relevant.flatMap((i) => issueToProblems(i, path, root, data));
  const expected = [
    ...new Set(
      branches.flat().map((i) => (i.code === "invalid_type" ? (EXPECTED[i.expected] ?? i.expected) : "other")),
    ),
  ];
  return [
    {
      path,
      part: "value",
      message: `${where} must be ${expected.join(" or ")}, got ${describeValue(value)}`,
      hint: about ?? `write ${expected.join(" or ")}`,
    },
  ];
}

/** A union's branches, with nested unions' branches spliced in. */
function flatten(issue: core.$ZodIssueInvalidUnion): Issue[][] {
  return issue.errors.flatMap((branch) => {
    const only = branch.length === 1 ? branch[0] : undefined;
    if (only?.code === "invalid_union" && only.path.length === 0) return flatten(only);
    return [branch];
  });
}
