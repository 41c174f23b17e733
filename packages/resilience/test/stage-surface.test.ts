// No public stage shows how a retry and the stage below it pass failures
// to each other (a speed trick, not an API): every exported class and
// interface has no `forward...` member, and every stage's public `run` is
// `run(next, context)`. The list of exported names is held by
// scripts/public-api.test.ts and packages/resilience/api.snapshot.txt.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import ts from "typescript";

const root = new URL("../../..", import.meta.url).pathname;
const index = join(root, "packages", "resilience", "src", "index.ts");

test("no exported stage shows the internal failure forwarding, and every run is run(next, context)", () => {
  const program = ts.createProgram([index], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    customConditions: ["source"],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(index);
  assert.ok(source);
  const module = checker.getSymbolAtLocation(source);
  assert.ok(module);
  const exports = checker.getExportsOfModule(module);
  const stages = exports.filter((symbol) =>
    ["Retry", "Timeout", "CircuitBreaker", "PipelineStage"].includes(symbol.name),
  );
  assert.equal(stages.length, 4, "the stages this test inspects are still exported");

  const leaks: string[] = [];
  for (const symbol of exports) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (!(target.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
    const type = checker.getDeclaredTypeOfSymbol(target);
    for (const member of checker.getPropertiesOfType(type)) {
      if (/forward/i.test(member.name)) leaks.push(`${symbol.name}.${member.name}`);
      if (member.name !== "run") continue;
      const memberType = checker.getTypeOfSymbol(member);
      for (const signature of memberType.getCallSignatures()) {
        if (signature.parameters.length !== 2) leaks.push(`${symbol.name}.run takes ${signature.parameters.length}`);
      }
    }
  }
  assert.deepEqual(leaks, []);
});
