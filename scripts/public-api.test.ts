// The public API of every package changes only on purpose: the names each
// entry point of packages/<name>/package.json exports (values and types, with
// their kind) are compared with packages/<name>/api.snapshot.txt. After an
// intended change, rewrite the snapshots and commit them with the change:
//   UPDATE_API_SNAPSHOT=1 node scripts/test.mjs scripts/public-api.test.ts
// (or UPDATE_API_SNAPSHOT=core,guard for some packages only).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const UPDATE_COMMAND = "UPDATE_API_SNAPSHOT=1 node scripts/test.mjs scripts/public-api.test.ts";
const update = process.env["UPDATE_API_SNAPSHOT"];

interface Entry {
  /** What users import: `@nines/guard`, `@nines/guard/fastify`. */
  specifier: string;
  source: string;
}

interface Manifest {
  name: string;
  exports?: Record<string, { source?: string }>;
}

function entriesOf(dir: string): Entry[] {
  const manifest = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as Manifest;
  return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) =>
    target.source
      ? [{ specifier: `${manifest.name}${subpath.slice(1)}`, source: join(root, "packages", dir, target.source) }]
      : [],
  );
}

/** `class Guard`, `function retry`, `type Phase`; "(type only)" for a value exported with `export type`. */
function describeExport(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const f = target.flags;
  const kinds: string[] = [];
  if (f & ts.SymbolFlags.Class) kinds.push("class");
  else if (f & ts.SymbolFlags.Enum) kinds.push("enum");
  else {
    if (f & ts.SymbolFlags.Function) kinds.push("function");
    if (f & ts.SymbolFlags.Variable) kinds.push("const");
    if (f & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) kinds.push("namespace");
    if (f & ts.SymbolFlags.Interface) kinds.push("interface");
    if (f & ts.SymbolFlags.TypeAlias) kinds.push("type");
  }
  const typeOnly = (symbol.declarations ?? []).some(
    (d) => ts.isTypeOnlyImportOrExportDeclaration(d) || (ts.isExportSpecifier(d) && d.parent.parent.isTypeOnly),
  );
  const isValue = (f & ts.SymbolFlags.Value) !== 0;
  return `${kinds.join("+") || "unknown"} ${symbol.name}${typeOnly && isValue ? " (type only)" : ""}`;
}

const packages = readdirSync(join(root, "packages"))
  .filter((dir) => existsSync(join(root, "packages", dir, "package.json")))
  .sort();
const entries = new Map(packages.map((dir) => [dir, entriesOf(dir)]));

const config = ts.getParsedCommandLineOfConfigFile(
  join(root, "tsconfig.check.json"),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
  },
);
assert.ok(config);
const program = ts.createProgram(
  [...entries.values()].flat().map((e) => e.source),
  { ...config.options, noEmit: true },
);
const checker = program.getTypeChecker();

/** The snapshot text of one package: each entry point and what it exports, sorted. */
function snapshotOf(dir: string): string {
  const sections = (entries.get(dir) ?? []).map((entry) => {
    const file = program.getSourceFile(entry.source);
    assert.ok(file, `${entry.source} is not in the program`);
    const module = checker.getSymbolAtLocation(file);
    const lines = module
      ? checker
          .getExportsOfModule(module)
          .map((symbol) => describeExport(checker, symbol))
          .sort((a, b) => a.split(" ")[1]!.localeCompare(b.split(" ")[1]!) || a.localeCompare(b))
      : [];
    return `${entry.specifier}\n${lines.map((line) => `  ${line}\n`).join("")}`;
  });
  return [
    `# The public API of ${entries.get(dir)?.[0]?.specifier ?? dir}: what each entry point exports (scripts/public-api.test.ts).`,
    `# After an intended change: ${UPDATE_COMMAND}`,
    "",
    ...sections,
  ].join("\n");
}

function difference(expected: string, actual: string): string {
  const before = new Set(expected.split("\n"));
  const after = new Set(actual.split("\n"));
  return [
    ...[...after].filter((line) => !before.has(line)).map((line) => `+ ${line.trim()}`),
    ...[...before].filter((line) => !after.has(line)).map((line) => `- ${line.trim()}`),
  ].join("\n");
}

describe("public API snapshots", () => {
  for (const dir of packages) {
    it(`packages/${dir}: the exports match api.snapshot.txt`, () => {
      const file = join(root, "packages", dir, "api.snapshot.txt");
      const actual = snapshotOf(dir);
      if (update === "1" || update?.split(",").includes(dir)) {
        writeFileSync(file, actual);
        return;
      }
      assert.ok(existsSync(file), `packages/${dir}/api.snapshot.txt is missing: create it with ${UPDATE_COMMAND}`);
      const expected = readFileSync(file, "utf8");
      if (expected !== actual) {
        assert.fail(
          `the public API of packages/${dir} changed:\n${difference(expected, actual)}\n` +
            `If the change is intended, rewrite the snapshot and commit it: ${UPDATE_COMMAND}`,
        );
      }
    });
  }
});
