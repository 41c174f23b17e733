// One list of error codes per package, kept in step with the sources and the
// docs (as undici and fastify keep theirs):
// - a code ("NINES_..." as a whole string literal) is spelled only in its
//   package's errors module(s) (`errors.ts`); other files use the constants;
// - a code is spelled in one package only (another package imports it);
// - every code of a package is a row of an error table in its docs pages;
// - every NINES_ name the docs mention is a code or an environment variable.
// Environment variable names (`env["NINES_PG_BIN"]`, `const X_ENV = "NINES_X"`)
// are not codes.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;

/** The docs pages that document each package's codes. */
const PAGES: Record<string, string[]> = {
  core: ["architecture.md"],
  resilience: ["resilience.md"],
  guard: ["guard.md", "guard-overload.md"],
  data: ["data.md", "failover.md", "replicate.md"],
  planner: ["planner-model.md", "spec.md", "plan.md", "k8s.md"],
  sim: ["simulate.md"],
  drill: ["drill.md"],
  cli: ["cli.md"],
};

const CODE = /^NINES_[A-Z0-9_]+$/;

function sources(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

interface Spelling {
  code: string;
  file: string;
  line: number;
}

/**
 * A string that is an environment variable's name: `env["NINES_X"]`,
 * `process.env["NINES_X"]`, or the value of a constant or property named for
 * one (`const REPLICA_KEY_ENV = "NINES_REPLICA_KEY"`).
 */
function isEnvironmentName(node: ts.Node): boolean {
  const parent = node.parent;
  if (ts.isElementAccessExpression(parent)) {
    return parent.argumentExpression === node && /\benv$/i.test(parent.expression.getText());
  }
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer === node) {
    return /env/i.test(parent.name.getText());
  }
  return false;
}

/** Every whole-string `NINES_...` literal of a file (comments and longer messages do not count). */
function spellings(file: string): Spelling[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Spelling[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && CODE.test(node.text)) {
      if (!isEnvironmentName(node)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        found.push({ code: node.text, file: relative(root, file), line });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The codes in the first column of the tables of a docs page. */
function documented(page: string): Set<string> {
  const path = join(root, "docs", page);
  if (!existsSync(path)) return new Set();
  const rows = readFileSync(path, "utf8").matchAll(/^ *\| *`(NINES_[A-Z0-9_]+)`/gm);
  return new Set([...rows].map((m) => m[1] as string));
}

/** Environment variables the code reads or sets: `env.NINES_X`, `env["NINES_X"]`, `$NINES_X`, `NINES_X=...`. */
function environmentNames(): Set<string> {
  const names = new Set<string>();
  const dirs = [
    "scripts",
    ".ci",
    "examples",
    ...readdirSync(join(root, "packages")).map((pkg) => join("packages", pkg)),
  ];
  const files = dirs.flatMap((dir) => allFiles(join(root, dir))).filter((f) => /\.(ts|mjs|js|sh)$|\/run$/.test(f));
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:env(?:\.|\[\s*["'`])|\$\{?)(NINES_[A-Z0-9_]+)|\b(NINES_[A-Z0-9_]+)=/g)) {
      names.add((m[1] ?? m[2]) as string);
    }
  }
  for (const pkg of packages) {
    for (const file of sources(join(root, "packages", pkg, "src"))) {
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isStringLiteralLike(node) && CODE.test(node.text) && isEnvironmentName(node)) names.add(node.text);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return names;
}

function allFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".git")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) allFiles(path, out);
    else out.push(path);
  }
  return out;
}

const packages = readdirSync(join(root, "packages")).filter((dir) => existsSync(join(root, "packages", dir, "src")));
const spelled = new Map(
  packages.map((pkg) => [pkg, sources(join(root, "packages", pkg, "src")).flatMap((file) => spellings(file))]),
);
const isErrorsModule = (s: Spelling) => basename(s.file) === "errors.ts";
const codesOf = (pkg: string) => new Set((spelled.get(pkg) ?? []).filter(isErrorsModule).map((s) => s.code));

describe("error codes", () => {
  it("every package has docs pages for its codes", () => {
    assert.deepEqual(
      packages.filter((pkg) => !PAGES[pkg]),
      [],
    );
  });

  for (const pkg of packages) {
    it(`${pkg}: codes are spelled only in its errors module(s)`, () => {
      const inline = (spelled.get(pkg) ?? [])
        .filter((s) => !isErrorsModule(s))
        .map((s) => `${s.file}:${s.line} ${s.code}`);
      assert.deepEqual(inline, [], "use the constant of the errors module (for example BACKUP_ERRORS.corrupt)");
    });

    it(`${pkg}: every code is documented in ${(PAGES[pkg] ?? []).join(", ")}`, () => {
      const docs = new Set((PAGES[pkg] ?? []).flatMap((page) => [...documented(page)]));
      assert.deepEqual(
        [...codesOf(pkg)].filter((code) => !docs.has(code)).sort(),
        [],
        "add a row | `CODE` | ... | to the error table of the package's page",
      );
    });
  }

  it("a code is spelled in one package only (the others import its constant)", () => {
    const owners = new Map<string, string[]>();
    for (const pkg of packages) for (const code of codesOf(pkg)) owners.set(code, [...(owners.get(code) ?? []), pkg]);
    const shared = [...owners]
      .filter(([, pkgs]) => pkgs.length > 1)
      .map(([code, pkgs]) => `${code}: ${pkgs.join(", ")}`);
    assert.deepEqual(shared, []);
  });

  it("every NINES_ name the docs mention is a code or an environment variable", () => {
    const known = new Set([...packages.flatMap((pkg) => [...codesOf(pkg)]), ...environmentNames()]);
    const pages = [
      "README.md",
      ...readdirSync(join(root, "docs"))
        .filter((name) => name.endsWith(".md"))
        .map((name) => `docs/${name}`),
    ];
    const unknown = pages.flatMap((page) => {
      const names = new Set(readFileSync(join(root, page), "utf8").match(/\bNINES_[A-Z0-9_]*[A-Z0-9]\b/g) ?? []);
      return [...names].filter((name) => !known.has(name)).map((name) => `${page}: ${name}`);
    });
    assert.deepEqual(unknown, [], "a code that no errors module defines (renamed or removed?)");
  });
});
