// The Vocabulary table of docs/architecture.md is binding: one concept, one
// name. This test searches the sources (packages, examples, scripts), the
// TypeScript examples of the docs and the docs' prose for the names the table
// retires, each rule in the place where the old name meant that concept (a
// measured `durationMs` in an event or a manifest is legitimate; a
// `durationMs` that sets a window length is not). Tests that pass a retired
// option on purpose, to check that it is refused, cast it `as never`.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;

/** Names retired everywhere, whatever they name. */
const RETIRED = [
  "ttlMs",
  "isRejection",
  "failAfter",
  "everyMs",
  "untilMs",
  "openUntil",
  "EngineDialect",
  "BackupEngineName",
  "BreakerLike",
  "PurgeProgress",
];
const OLD_PATHS = new Set(["/ready", "/healthz"]);

interface Source {
  /** Where to report: `packages/x/src/a.ts` or `docs/x.md` (ts block at line n). */
  name: string;
  file: ts.SourceFile;
  /** Line of the block in a Markdown file, added to the block's own line. */
  offset: number;
  test: boolean;
  library: boolean;
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "out") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const codeFiles = [
  ...walk(join(root, "packages")),
  ...walk(join(root, "examples")),
  ...walk(join(root, "scripts")),
].filter((f) => /\.(ts|mts|mjs)$/.test(f) && !f.endsWith(".d.ts"));

const markdownFiles = [
  join(root, "README.md"),
  ...walk(join(root, "docs")).filter((f) => f.endsWith(".md")),
  ...walk(join(root, "packages")).filter((f) => f.endsWith("README.md")),
  ...walk(join(root, "examples")).filter((f) => f.endsWith(".md")),
];

/** The Markdown without the Vocabulary table (which names the retired words on purpose). */
function markdownText(file: string): string {
  const text = readFileSync(file, "utf8");
  if (!file.endsWith(join("docs", "architecture.md"))) return text;
  return text.replace(/## Vocabulary[\s\S]*?(?=\n## )/, (section) => section.replace(/[^\n]/g, ""));
}

const sources: Source[] = [
  ...codeFiles.map((path) => {
    const rel = relative(root, path);
    return {
      name: rel,
      file: ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true),
      offset: 0,
      test: /\.test\.ts$|\/test\/|\/bench\//.test(rel),
      library: /^packages\/(?!cli\/)[^/]+\/src\//.test(rel) && !rel.endsWith(".test.ts"),
    };
  }),
  ...markdownFiles.flatMap((path) => {
    const text = markdownText(path);
    return [...text.matchAll(/```(?:ts|typescript|js|javascript)\n([\s\S]*?)```/g)].map((m) => ({
      name: relative(root, path),
      file: ts.createSourceFile(`${path}.ts`, m[1] as string, ts.ScriptTarget.Latest, true),
      offset: text.slice(0, m.index).split("\n").length,
      test: false,
      library: false,
    }));
  }),
];

function where(source: Source, node: ts.Node): string {
  const line = source.file.getLineAndCharacterOfPosition(node.getStart(source.file)).line + 1 + source.offset;
  return `${source.name}:${line}`;
}

function visitAll(visit: (source: Source, node: ts.Node) => string | undefined, only = (_: Source) => true): string[] {
  const found: string[] = [];
  for (const source of sources.filter(only)) {
    const walkNode = (node: ts.Node): void => {
      const said = visit(source, node);
      if (said) found.push(`${where(source, node)} ${said}`);
      ts.forEachChild(node, walkNode);
    };
    walkNode(source.file);
  }
  return found;
}

/** In an object literal cast `as never`: a test feeding a retired option on purpose. */
function isDeliberatelyWrong(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isAsExpression(n) && n.type.kind === ts.SyntaxKind.NeverKeyword) return true;
    if (ts.isStatement(n)) return false;
  }
  return false;
}

const nameOf = (node: ts.Node): string | undefined =>
  (ts.isPropertyAssignment(node) ||
    ts.isShorthandPropertyAssignment(node) ||
    ts.isPropertySignature(node) ||
    ts.isMethodSignature(node) ||
    ts.isPropertyDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isBindingElement(node)) &&
  node.name &&
  (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))
    ? node.name.text
    : undefined;

/** The name of the interface, type alias or variable a member belongs to. */
function ownerName(node: ts.Node): string {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if ((ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isClassDeclaration(n)) && n.name) {
      return n.name.text;
    }
    if (ts.isPropertyAssignment(n) || ts.isPropertySignature(n)) return nameOf(n) ?? "";
  }
  return "";
}

/** The `kind` of the object or type literal a member is in: `window: { kind: "time", ... }` gives "time". */
function kindBeside(node: ts.Node): string | undefined {
  const parent = node.parent;
  const members: readonly ts.Node[] = ts.isObjectLiteralExpression(parent)
    ? parent.properties
    : ts.isTypeLiteralNode(parent) || ts.isInterfaceDeclaration(parent)
      ? parent.members
      : [];
  for (const member of members) {
    if (nameOf(member) !== "kind") continue;
    const value = ts.isPropertyAssignment(member)
      ? member.initializer
      : ts.isPropertySignature(member) && member.type && ts.isLiteralTypeNode(member.type)
        ? member.type.literal
        : undefined;
    if (value && ts.isStringLiteral(value)) return value.text;
  }
  return undefined;
}

/** An option that is a function: `handle: (e) => ...` in an object literal, or a function member of an options type. */
const isFunctionOption = (node: ts.Node): boolean => {
  if (ts.isPropertyAssignment(node))
    return ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer);
  if (ts.isMethodDeclaration(node)) return ts.isObjectLiteralExpression(node.parent);
  if (ts.isPropertySignature(node)) {
    return node.type !== undefined && ts.isFunctionTypeNode(node.type) && /Options$/.test(ownerName(node));
  }
  return ts.isMethodSignature(node) && /Options$/.test(ownerName(node));
};

describe("vocabulary: no retired name", () => {
  it(`none of ${RETIRED.join(", ")} in code or in the docs' examples`, () => {
    const found = visitAll((_source, node) =>
      ts.isIdentifier(node) && RETIRED.includes(node.text) && !isDeliberatelyWrong(node) ? node.text : undefined,
    );
    assert.deepEqual(found, []);
  });

  it("none in the docs' prose", () => {
    const found = markdownFiles.flatMap((file) =>
      markdownText(file)
        .split("\n")
        .flatMap((line, i) =>
          RETIRED.filter((name) => new RegExp(`\\b${name}\\b`).test(line)).map(
            (name) => `${relative(root, file)}:${i + 1} ${name}`,
          ),
        ),
    );
    assert.deepEqual(found, []);
  });

  it("a window length is windowMs, not durationMs", () => {
    const found = visitAll((_source, node) => {
      if (nameOf(node) !== "durationMs" || ts.isBindingElement(node) || isDeliberatelyWrong(node)) return undefined;
      const inWindow = /window/i.test(ownerName(node)) || kindBeside(node) === "time";
      return inWindow ? "durationMs as a window length" : undefined;
    });
    assert.deepEqual(found, []);
  });

  it("which outcomes count is isFailure, not a handle option", () => {
    const found = visitAll((_source, node) =>
      nameOf(node) === "handle" && isFunctionOption(node) && !isDeliberatelyWrong(node) ? "handle option" : undefined,
    );
    assert.deepEqual(found, []);
  });

  it("failures in a row is failureThreshold, not threshold", () => {
    const found = visitAll((_source, node) => {
      if (nameOf(node) !== "threshold" || isDeliberatelyWrong(node)) return undefined;
      const owner = ownerName(node);
      return /Options$|window/i.test(owner) || kindBeside(node) === "consecutive" ? "threshold" : undefined;
    });
    assert.deepEqual(found, []);
  });

  it("a time limit is timeoutMs: no timeout({ ms }) and no ms option", () => {
    const found = visitAll((_source, node) => {
      if (ts.isCallExpression(node) && /(^|\.)timeout$/.test(node.expression.getText())) {
        const [first] = node.arguments;
        if (first && ts.isObjectLiteralExpression(first) && first.properties.some((p) => nameOf(p) === "ms")) {
          return "timeout({ ms })";
        }
      }
      if (ts.isPropertySignature(node) && nameOf(node) === "ms" && /Options$/.test(ownerName(node))) {
        return `${ownerName(node)}.ms`;
      }
      return undefined;
    });
    assert.deepEqual(found, []);
  });

  it("an absolute instant is <what>At, not a numeric deadline", () => {
    const found = visitAll((_source, node) =>
      ts.isPropertySignature(node) &&
      nameOf(node) === "deadline" &&
      node.type?.kind === ts.SyntaxKind.NumberKeyword &&
      !isDeliberatelyWrong(node)
        ? `${ownerName(node)}.deadline: number`
        : undefined,
    );
    assert.deepEqual(found, []);
  });

  it("progress is onProgress(progress: Progress): no other shape in an option or a type", () => {
    const found = visitAll((_source, node) => {
      if (!ts.isPropertySignature(node) || nameOf(node) !== "onProgress" || !node.type) return undefined;
      const type = node.type;
      if (ts.isTypeReferenceNode(type) && type.typeName.getText() === "OnProgress") return undefined;
      if (ts.isFunctionTypeNode(type) && type.parameters[0]?.type?.getText() === "Progress") return undefined;
      return `onProgress: ${type.getText()}`;
    });
    assert.deepEqual(found, []);
  });

  it("one RejectReason and one RequestPriority", () => {
    const found = visitAll(
      (source, node) => {
        if (!(ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isEnumDeclaration(node))) {
          return undefined;
        }
        const name = node.name.text;
        if (/RejectReason$/.test(name) && !(name === "RejectReason" && source.name.endsWith("admission-gate.ts"))) {
          return `a second ${name}`;
        }
        if (/Priority$/.test(name) && !(name === "RequestPriority" && source.name.endsWith("admission-gate.ts"))) {
          return `a second priority type ${name}`;
        }
        return undefined;
      },
      (source) => source.library,
    );
    assert.deepEqual(found, []);
  });

  it("health endpoints are /livez, /readyz, /startupz: no /ready or /healthz outside tests", () => {
    const inCode = visitAll(
      (_source, node) => (ts.isStringLiteralLike(node) && OLD_PATHS.has(node.text) ? node.text : undefined),
      (source) => !source.test,
    );
    const yaml = [...walk(join(root, "examples")), ...walk(join(root, "docs"))].filter((f) => /\.ya?ml$/.test(f));
    const inText = [...yaml, ...markdownFiles].flatMap((file) =>
      (file.endsWith(".md") ? markdownText(file) : readFileSync(file, "utf8"))
        .split("\n")
        .flatMap((line, i) =>
          [...line.matchAll(/(?<![\w./-])\/(ready|healthz)(?![\w/-])/g)].map(
            (m) => `${relative(root, file)}:${i + 1} ${m[0]}`,
          ),
        ),
    );
    assert.deepEqual([...inCode, ...inText], []);
  });

  it("the library never logs: no console or process.stdout/stderr in library code (only the CLI prints)", () => {
    const found = visitAll(
      (_source, node) => {
        if (!ts.isPropertyAccessExpression(node)) return undefined;
        const text = node.getText();
        return /^console\.\w+$|^process\.(stdout|stderr)$/.test(text) ? text : undefined;
      },
      (source) => source.library,
    );
    assert.deepEqual(found, []);
  });
});

describe("vocabulary: public signatures", () => {
  it("time comes from options.clock (no positional Clock parameter), and events from on() (no public emitter field)", () => {
    const packages = readdirSync(join(root, "packages")).filter((p) =>
      existsSync(join(root, "packages", p, "src", "index.ts")),
    );
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, "tsconfig.check.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
      },
    );
    assert.ok(config);
    const entries = packages.map((p) => join(root, "packages", p, "src", "index.ts"));
    const program = ts.createProgram(entries, { ...config.options, noEmit: true });
    const checker = program.getTypeChecker();
    const found: string[] = [];
    const isEmitter = (member: ts.PropertyDeclaration | ts.PropertySignature) =>
      (member.type !== undefined && /^Events</.test(member.type.getText())) ||
      (ts.isPropertyDeclaration(member) &&
        member.initializer !== undefined &&
        /^new Events\b/.test(member.initializer.getText()));
    const emitterAt = (owner: string, member: ts.Node) => {
      const file = member.getSourceFile();
      const line = file.getLineAndCharacterOfPosition(member.getStart()).line + 1;
      return `${relative(root, file.fileName)}:${line} ${owner}.${(member as ts.PropertyDeclaration).name.getText()} is a public emitter`;
    };
    const checkSignature = (owner: string, declaration: ts.SignatureDeclaration) => {
      for (const parameter of declaration.parameters) {
        if (parameter.type && /^Clock( \| undefined)?$/.test(parameter.type.getText())) {
          const file = declaration.getSourceFile();
          const line = file.getLineAndCharacterOfPosition(parameter.getStart()).line + 1;
          found.push(`${relative(root, file.fileName)}:${line} ${owner}(${parameter.name.getText()}: Clock)`);
        }
      }
    };
    for (const entry of entries) {
      const file = program.getSourceFile(entry);
      const module = file && checker.getSymbolAtLocation(file);
      if (!module) continue;
      for (const exported of checker.getExportsOfModule(module)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        for (const declaration of symbol.declarations ?? []) {
          if (ts.isFunctionDeclaration(declaration)) checkSignature(symbol.name, declaration);
          if (ts.isInterfaceDeclaration(declaration)) {
            for (const member of declaration.members) {
              if (ts.isPropertySignature(member) && isEmitter(member)) found.push(emitterAt(symbol.name, member));
            }
          }
          if (!ts.isClassDeclaration(declaration)) continue;
          for (const member of declaration.members) {
            const hidden =
              (member.name && ts.isPrivateIdentifier(member.name)) ||
              (ts.canHaveModifiers(member) &&
                ts
                  .getModifiers(member)
                  ?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword));
            if (hidden) continue;
            if (ts.isPropertyDeclaration(member) && isEmitter(member)) found.push(emitterAt(symbol.name, member));
            if (ts.isConstructorDeclaration(member)) checkSignature(`new ${symbol.name}`, member);
            if (ts.isMethodDeclaration(member)) checkSignature(`${symbol.name}.${member.name.getText()}`, member);
          }
        }
      }
    }
    assert.deepEqual(found, []);
  });
});
