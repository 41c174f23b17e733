import { type Document, isAlias, LineCounter, parseDocument, visit, type YAMLError } from "yaml";
import type { Spec } from "../model.js";
import { buildModel } from "./build-model.js";
import { checkCycles, checkDisasters, checkJourneys, checkServices } from "./check-services.js";
import { checkEdge, checkStores } from "./check-stores.js";
import { checkYamlTree } from "./check-yaml-tree.js";
import { gatherDeclared } from "./declared.js";
import { logWarnings } from "./log-warnings.js";
import { mapping, Problems } from "./problem.js";
import { specSchema } from "./schema.js";
import { SourceMap } from "./source-map.js";
import { type SpecError, sortSpecErrors } from "./spec-error.js";
import { unusedWarnings } from "./unused-warnings.js";
import { issuesToProblems } from "./zod-issues.js";

/** The outcome of {@link parseSpec}: the model, or every error found. */
export type ParseSpecResult = { ok: true; spec: Spec; warnings: SpecError[] } | { ok: false; errors: SpecError[] };

const YAML_HINTS: Partial<Record<string, string>> = {
  TAB_AS_INDENT: "indent with spaces, not tabs",
  BAD_INDENT: "align the keys of one mapping at the same column",
  MISSING_CHAR: "close the quote, bracket or brace that is open here",
  MULTILINE_IMPLICIT_KEY: "a key fits on one line and ends with ': '",
  BLOCK_AS_IMPLICIT_KEY: "put a space after the colon, or check the indentation above",
  UNEXPECTED_TOKEN: "check the indentation, colons and quotes on this line",
  BAD_ALIAS: "define the anchor (&name) before using the alias (*name)",
  RESOURCE_EXHAUSTION: "a spec nests a few levels and repeats aliases a few times; simplify this part",
};

/**
 * Parses and validates the text of a `nines.yaml` spec into the planner's
 * model. Never throws for bad input and never stops at the first problem:
 * YAML syntax, the schema (unknown keys, types, values) and the references
 * between parts (zones, names, cycles, the catalog) are all checked, and
 * every error names its file, line and column with a hint.
 *
 * @example
 * const result = parseSpec(readFileSync("nines.yaml", "utf8"), "nines.yaml");
 * if (!result.ok) for (const e of result.errors) console.error(formatSpecError(e));
 */
export function parseSpec(text: string, file: string): ParseSpecResult {
  try {
    return parseSpecText(text, file);
  } catch (error) {
    // The checks below bound nesting and aliases; this is the net under them.
    if (!(error instanceof RangeError)) throw error;
    return {
      ok: false,
      errors: [
        {
          file,
          line: 1,
          column: 1,
          message: "the spec is too deeply nested or too large to read",
          hint: "a spec nests a few levels: sections, names, fields; flatten it",
        },
      ],
    };
  }
}

function parseSpecText(text: string, file: string): ParseSpecResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const map = new SourceMap(doc, lineCounter, file);
  const fromYaml = (e: YAMLError, hint: string): SpecError => ({
    ...map.position(errorOffset(text, e)),
    message:
      e.code === "DUPLICATE_KEY"
        ? duplicateKey(text, e)
        : e.code === "RESOURCE_EXHAUSTION" && /call stack/.test(e.message)
          ? "the nesting is too deep to read"
          : firstLine(e.message),
    hint,
  });
  const errors = doc.errors.map((e) =>
    fromYaml(e, e.code === "DUPLICATE_KEY" ? "remove or rename one of them: each key appears once" : yamlHint(e)),
  );
  const warnings = doc.warnings.map((w) => fromYaml(w, "check the YAML here"));
  // After a syntax error the tree is unreliable; duplicate keys leave it whole.
  // Errors after the first syntax error mostly echo it (the rest of the parse is off): report that one.
  const syntax = errors.findIndex((_, i) => doc.errors[i]!.code !== "DUPLICATE_KEY");
  if (syntax >= 0) {
    const first = errors[syntax]!;
    const before = errors.filter(
      (e, i) => i !== syntax && doc.errors[i]!.code === "DUPLICATE_KEY" && e.line < first.line,
    );
    return { ok: false, errors: sortSpecErrors([...before, first]) };
  }

  const treeErrors = checkYamlTree(doc, map);
  if (treeErrors.length > 0) return { ok: false, errors: sortSpecErrors([...errors, ...treeErrors]) };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Left after the tree checks: too many alias expansions (a "billion laughs" document).
    const message = error instanceof Error ? firstLine(error.message) : String(error);
    return {
      ok: false,
      errors: [...errors, { ...map.position(firstAlias(doc)), message, hint: "repeat fewer aliases, or fewer times" }],
    };
  }
  const root = mapping(raw);
  if (!root) {
    const where = map.locate([]);
    return {
      ok: false,
      errors: [
        ...errors,
        {
          ...where,
          message: raw == null ? "the spec is empty" : "the spec must be a mapping of sections",
          hint: "start with name:, platform: (regions), services:, stores: and journeys:",
        },
      ],
    };
  }

  prepare(root);
  const parsed = specSchema.safeParse(root);
  const problems = new Problems();
  if (!parsed.success) problems.list.push(...issuesToProblems(parsed.error.issues, specSchema, root));
  const declared = gatherDeclared(root, problems);
  checkServices(root, declared, problems);
  checkCycles(root, problems);
  checkStores(root, declared, problems);
  checkEdge(root, declared, problems);
  checkJourneys(root, declared, problems);
  checkDisasters(root, declared, problems);

  const seen = new Set(errors.map((e) => `${e.line}:${e.column}:${e.message}`));
  for (const problem of problems.list) {
    const error = { ...map.locate(problem.path, problem.part), message: problem.message, hint: problem.hint };
    const key = `${error.line}:${error.column}:${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(error);
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: sortSpecErrors(errors) };
  for (const w of [...unusedWarnings(root).list, ...logWarnings(root).list]) {
    warnings.push({ ...map.locate(w.path, w.part), message: w.message, hint: w.hint });
  }
  return { ok: true, spec: buildModel(parsed.data, file, map.all()), warnings: sortSpecErrors(warnings) };
}

/**
 * Top-level `x-` keys hold YAML anchors for reuse (`x-defaults: &svc {...}`,
 * then `<<: *svc`) and are not part of the spec; an empty section
 * (`services:` with nothing under it) is no section.
 */
function prepare(root: Record<string, unknown>): void {
  for (const key of Object.keys(root)) {
    if (key.startsWith("x-")) delete root[key];
    else if (root[key] === null && OPTIONAL_SECTIONS.has(key)) delete root[key];
  }
}

const OPTIONAL_SECTIONS = new Set(["objectives", "edge", "services", "stores", "journeys", "disasters", "costs"]);

/** Where to point: an unclosed quote is reported at the end of the text; point at the quote that opened. */
function errorOffset(text: string, error: YAMLError): number {
  const quote = /Missing closing (["'])quote/.exec(error.message)?.[1];
  if (quote !== undefined) {
    const opened = text.lastIndexOf(quote, Math.min(error.pos[0], text.length - 1));
    return opened >= 0 ? opened : error.pos[0];
  }
  // An unclosed { or [ is reported where the parser gave up; point at the bracket left open.
  if (/end with a [}\]]/.test(error.message)) return unclosedBracket(text, error.pos[0]) ?? error.pos[0];
  return error.pos[0];
}

/** The offset of the last { or [ before `end` that is not closed, skipping quoted text and comments. */
function unclosedBracket(text: string, end: number): number | undefined {
  const open: number[] = [];
  let quote: string | null = null;
  for (let i = 0; i < end && i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"') i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < end && text[i] !== "\n") i++;
    } else if (c === "{" || c === "[") open.push(i);
    else if (c === "}" || c === "]") open.pop();
  }
  return open.at(-1);
}

/** The offset of the first alias in the document (0 when none). */
function firstAlias(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node)) offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

function yamlHint(error: YAMLError): string {
  if (/end with a [}\]]/.test(error.message)) return "close the flow collection with its } or ], or indent it further";
  return YAML_HINTS[error.code] ?? "fix the YAML syntax here";
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function duplicateKey(text: string, error: YAMLError): string {
  const key = /^[^:\n]*/
    .exec(text.slice(error.pos[0]))![0]
    .trim()
    .replace(/^["']|["']$/g, "");
  return key ? `duplicate key "${key}"` : "duplicate key";
}
