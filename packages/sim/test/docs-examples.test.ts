// The TypeScript examples of docs/simulate.md are run, so they cannot rot: each
// block is written to a module beside this package (so that @nines/* resolve),
// with `@nines/sim` pointed at the sources, and run in a child process; an
// example ends by throwing when its result is not what the text says.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const docs = readFileSync(join(root, "docs", "simulate.md"), "utf8");
const blocks = [...docs.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
  line: docs.slice(0, m.index).split("\n").length,
  code: m[1] as string,
}));
const dir = mkdtempSync(join(root, "packages", "sim", "test", ".docs-"));
const sim = join(root, "packages", "sim", "src", "index.ts");

describe("docs/simulate.md examples", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("there are examples of the clock, M/M/c and simulate()", () => {
    const all = blocks.map((b) => b.code).join("\n");
    for (const name of ["new SimClock(", "runMmc(", "simulate("]) assert.ok(all.includes(name), name);
  });

  for (const block of blocks) {
    test(`the example at line ${block.line} runs`, () => {
      const file = join(dir, `example-${block.line}.mts`);
      writeFileSync(file, block.code.replaceAll('from "@nines/sim"', `from ${JSON.stringify(sim)}`));
      const run = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", file], {
        cwd: root,
        encoding: "utf8",
      });
      assert.equal(run.status, 0, run.stderr);
    });
  }
});
