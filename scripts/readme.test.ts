import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { analyze, parseSpec } from "@nines/planner";
import ts from "typescript";

// The README's examples are checked here so they cannot rot: the spec must
// be valid and plannable, the TypeScript must type-check against the packages.
const root = new URL("..", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = (lang: string) =>
  [...readme.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1] as string);

describe("README examples", () => {
  it("opens with the two quick-start commands", () => {
    const first = blocks("sh")[0] ?? "";
    assert.match(first, /^npm ci && npm start/m);
    assert.match(first, /^npm test/m);
  });

  it("shows a valid spec that plans", () => {
    const [yaml] = blocks("yaml");
    assert.ok(yaml, "the README has a yaml example");
    const parsed = parseSpec(yaml, "README.md");
    assert.ok(parsed.ok, parsed.ok ? "" : JSON.stringify(parsed.errors, null, 2));
    const result = analyze(parsed.spec, { asOf: "2026-11-29" });
    assert.equal(result.journeys[0]?.name, "checkout");
    assert.ok((result.journeys[0]?.availability ?? 0) > 0.99);
  });

  it("shows a design that passes: its objective met, no error finding (nines plan exits 0)", () => {
    const [yaml] = blocks("yaml");
    const parsed = parseSpec(yaml ?? "", "README.md");
    assert.ok(parsed.ok);
    const result = analyze(parsed.spec, { asOf: "2026-11-29" });
    const journey = result.journeys[0]!;
    assert.ok(journey.objective !== null && journey.availability >= journey.objective, String(journey.availability));
    assert.deepEqual(
      result.findings.filter((f) => f.severity === "error").map((f) => `${f.rule}: ${f.message}`),
      [],
    );
    // The figure the text under the example quotes.
    assert.match(
      readme,
      new RegExp(`checkout is ${(journey.availability * 100).toFixed(2).replace(".", "\\.")}% available`),
    );
  });

  it("shows TypeScript that type-checks against the packages", () => {
    const [code] = blocks("ts");
    assert.ok(code, "the README has a ts example");
    const file = join(root, "scripts", "__readme_example__.ts");
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, "tsconfig.check.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
      },
    );
    assert.ok(config);
    const host = ts.createCompilerHost(config.options);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (name === file ? `export {};\n${code}` : readFile(name));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || fileExists(name);
    const program = ts.createProgram([file], config.options, host);
    const diagnostics = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    assert.deepEqual(diagnostics, []);
  });
});
