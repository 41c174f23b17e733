// The TypeScript examples of docs/resilience.md are type-checked against the
// package and then run, so they cannot rot: a renamed option, a wrong type or
// an option rejected when built fails this test. Identifiers an example uses
// without defining (`api`, `request`, `clock`, `url`...) come from a small
// prelude: declared for the type-check, real objects when run (a ManualClock,
// a loopback HTTP server on port 0).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as core from "@nines/core";
import * as resilience from "@nines/resilience";
import ts from "typescript";
import * as undici from "undici";

const root = new URL("../../..", import.meta.url).pathname;
const docs = readFileSync(join(root, "docs", "resilience.md"), "utf8");

interface Block {
  line: number;
  code: string;
}
const blocks: Block[] = [...docs.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
  line: docs.slice(0, m.index).split("\n").length,
  code: m[1] as string,
}));

/** The modules an example may import, and what it gets from each when run. */
const modules: Record<string, Record<string, unknown>> = {
  "@nines/resilience": resilience,
  "@nines/core": core,
  undici,
};
const IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)";?\s*$/gm;

function importsOf(code: string): Map<string, string> {
  const names = new Map<string, string>(); // local name -> module
  for (const [, , list, from] of code.matchAll(IMPORT)) {
    for (const part of (list as string).split(",")) {
      const name = part.trim().replace(/^type\s+/, "");
      if (name !== "") names.set(name, from as string);
    }
  }
  return names;
}

/** What an example may use without defining it: types for the check, values for the run. */
const PRELUDE_TYPES = `
declare const api: { list(options: { signal: AbortSignal; timeoutMs: number }): Promise<string[]> };
declare const request: { signal: AbortSignal };
declare const metrics: { retries: { inc(): void } };
declare const clock: import("@nines/core").ManualClock;
declare const cache: { get(key: string): string[] };
declare const key: string;
declare const url: URL;
declare const window: import("@nines/resilience").FailureWindowOptions;
`;

function preludeImports(code: string): string {
  const own = importsOf(code);
  const lines: string[] = [];
  for (const from of ["@nines/resilience", "@nines/core"]) {
    const names = Object.keys(modules[from] as object).filter((name) => !own.has(name));
    lines.push(`import { ${names.join(", ")} } from "${from}";`);
  }
  return lines.join("\n");
}

describe("docs/resilience.md examples", () => {
  test("there are examples for the main policies", () => {
    const all = blocks.map((b) => b.code).join("\n");
    for (const name of ["wrap(", "retry(", "timeout(", "bulkhead(", "hedging(", "fallback(", "circuitBreaker("]) {
      assert.ok(all.includes(name), `an example uses ${name}`);
    }
    for (const name of ["retryBudget(", "keyedPolicies(", "httpFetch("]) {
      assert.ok(all.includes(name), `an example uses ${name}`);
    }
  });

  test("every example type-checks against the package (strict)", () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, "tsconfig.check.json"),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) },
    );
    assert.ok(config);
    const files = new Map<string, string>();
    for (const block of blocks) {
      const file = join(root, "packages", "resilience", "test", `__docs_example_${block.line}__.ts`);
      files.set(file, `${preludeImports(block.code)}\n${PRELUDE_TYPES}\n${block.code}\nexport {};\n`);
    }
    const host = ts.createCompilerHost(config.options);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => files.get(name) ?? readFile(name);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => files.has(name) || fileExists(name);
    const program = ts.createProgram([...files.keys()], config.options, host);
    const problems: string[] = [];
    for (const [file] of files) {
      for (const d of ts.getPreEmitDiagnostics(program, program.getSourceFile(file))) {
        const at = d.start === undefined ? "" : `@${d.start}`;
        problems.push(
          `${file.replace(/.*__docs_example_(\d+)__.ts/, "docs line $1")}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
        );
      }
    }
    assert.deepEqual(problems, []);
  });

  describe("every example runs", () => {
    let server: ReturnType<typeof createServer>;
    let base: URL;
    before(async () => {
      server = createServer((_, response) => response.end("ok"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/items`);
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    /** Runs one example with the prelude as real values; returns its top-level `const`/`let` bindings. */
    async function run(block: Block, extra: Record<string, unknown>): Promise<Record<string, unknown>> {
      const js = ts.transpileModule(block.code, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).outputText;
      const scope: Record<string, unknown> = { ...resilience, ...core, ...extra };
      for (const [name, from] of importsOf(block.code)) {
        const module = modules[from];
        assert.ok(module !== undefined, `docs line ${block.line}: imports from unknown module ${from}`);
        assert.ok(name in module, `docs line ${block.line}: ${from} has no export ${name}`);
        scope[name] = module[name];
      }
      const body = js.replace(/^import\s[^;]*;\s*$/gm, "").replace(/^export \{\};\s*$/gm, "");
      const bindings = [...new Set([...body.matchAll(/^(?:const|let)\s+(\w+)/gm)].map((m) => m[1] as string))];
      const names = Object.keys(scope).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && !bindings.includes(name));
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
        ...args: string[]
      ) => (...values: unknown[]) => Promise<Record<string, unknown>>;
      const fn = new AsyncFunction(...names, `${body}\nreturn { ${bindings.join(", ")} };`);
      return fn(...names.map((name) => scope[name]));
    }

    test("each example, with real values for the prelude", async () => {
      const listed: Array<{ signal: AbortSignal; timeoutMs: number }> = [];
      let retries = 0;
      const results = new Map<number, Record<string, unknown>>();
      for (const block of blocks) {
        const extra = {
          api: {
            list: async (options: { signal: AbortSignal; timeoutMs: number }) => {
              listed.push(options);
              return ["a", "b"];
            },
          },
          request: { signal: new AbortController().signal },
          metrics: { retries: { inc: () => retries++ } },
          clock: new core.ManualClock(0),
          cache: { get: () => ["cached"] },
          key: "k",
          url: base,
          window: { kind: "consecutive", failureThreshold: 5 },
        };
        try {
          results.set(block.line, await run(block, extra));
        } catch (error) {
          assert.fail(`docs line ${block.line} failed: ${core.isNinesError(error) ? error.describe() : String(error)}`);
        }
      }
      // What the examples say they do.
      const first = results.get(blocks[0]?.line ?? -1);
      assert.deepEqual(first?.items, ["a", "b"]);
      assert.equal(listed.length, 1);
      assert.ok(
        (listed[0]?.timeoutMs ?? 0) > 0 && (listed[0]?.timeoutMs ?? 0) <= 2000,
        "remainingMs() under the 2 s deadline",
      );
      assert.equal(retries, 0, "no retry on a success");
      const budget = [...results.values()].find((r) => "budget" in r && "retries" in r);
      assert.equal(budget?.retries, 30, "the retry budget example allows 30 retries");
      const http = [...results.values()].find((r) => "response" in r);
      assert.equal((http?.response as { status: number } | undefined)?.status, 200);
      const breaker = [...results.values()].find((r) => r.breaker instanceof resilience.CircuitBreaker);
      assert.ok(breaker?.breaker instanceof resilience.CircuitBreaker, "the breaker example builds a breaker");
      assert.equal(breaker.breaker.state, "closed");
    });
  });
});
