// The README's resilience example is the first code users copy: it must do
// what it says. It runs here, as written (only its address is pointed at a
// loopback server), against a server that answers 503 and then 200: the 503
// must be retried and counted by the breaker. (scripts/readme.test.ts
// type-checks it.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isNinesError } from "@nines/core";
import * as resilience from "@nines/resilience";
import ts from "typescript";

const root = new URL("../../..", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const ADDRESS = "http://127.0.0.1:8080";
const snippet = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1] as string)
  .find((code) => code.includes('from "@nines/resilience"'));

/** Runs the snippet against `origin`; returns its top-level bindings. */
async function runSnippet(origin: string): Promise<Record<string, unknown>> {
  assert.ok(snippet, "the README has a TypeScript example that imports @nines/resilience");
  assert.ok(snippet.includes(ADDRESS), `the example calls ${ADDRESS}`);
  const js = ts.transpileModule(snippet.replaceAll(ADDRESS, origin), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const imported = /^import\s+\{([^}]*)\}\s+from\s+"@nines\/resilience";?\s*$/m.exec(js);
  assert.ok(imported, "the example imports from @nines/resilience");
  const names = (imported[1] as string).split(",").map((name) => name.trim());
  const body = js.replace(/^import\s[^;]*;\s*$/gm, "").replace(/^export \{\};\s*$/gm, "");
  const bindings = [...new Set([...body.matchAll(/^(?:const|let)\s+(\w+)/gm)].map((m) => m[1] as string))];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<Record<string, unknown>>;
  const run = new AsyncFunction(...names, `${body}\nreturn { ${bindings.join(", ")} };`);
  return run(...names.map((name) => (resilience as Record<string, unknown>)[name]));
}

describe("the README's resilience example", () => {
  let server: Server;
  let origin: string;
  /** Statuses to answer, in order; 200 with the orders once they run out. */
  let script: number[] = [];
  let requests = 0;

  before(async () => {
    server = createServer((request, response) => {
      requests++;
      assert.equal(request.url, "/orders");
      const status = script.shift() ?? 200;
      response.statusCode = status;
      response.end(status === 200 ? '["order 1"]' : "busy");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("a 503 then a 200: the 503 is retried and counted by the breaker", async () => {
    script = [503];
    requests = 0;
    const { orders, breaker } = await runSnippet(origin);
    assert.equal(orders, '["order 1"]');
    assert.equal(requests, 2, "one 503, one retry");
    assert.ok(breaker instanceof resilience.CircuitBreaker);
    assert.deepEqual(breaker.snapshot().window, { calls: 2, failures: 1, slowCalls: 0 });
  });

  test("503 three times: the call fails with NINES_RESILIENCE_HTTP_STATUS after 3 attempts, each counted", async () => {
    script = [503, 503, 503];
    requests = 0;
    const error = await runSnippet(origin).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isNinesError(error, resilience.RESILIENCE_ERRORS.httpStatus), String(error));
    assert.equal(error.details.status, 503);
    assert.equal(requests, 3);
  });
});
